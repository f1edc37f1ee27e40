"""GET /healthz (JSON: 200 while the store answers, 503 when it does not) and GET /metrics (Prometheus text format:
sources, rows, rejections, lag, the writer lease, the data version), both read from `dashboard.pages.health`; and
this worker's own count of store statements (`cchc_web_store_statements_total`, by process id: a load test's
statements per data change, which must not grow with the number of viewers)."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import event

from dashboard.core.clock import CITY_TZ
from dashboard.pages.health import Health, health
from dashboard.services import Services


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(CITY_TZ).isoformat()


def health_json(found: Health) -> dict[str, Any]:
    writer = found.writer
    return {
        "status": found.status,
        "as_of": _iso(found.as_of),
        "store": found.store,
        "data_version": found.data_version,
        "data_changed_at": _iso(found.changed_at),
        "writer": None
        if writer is None or writer.holder is None
        else {
            "holder": writer.holder,
            "token": writer.token,
            "renewed_at": _iso(writer.renewed_at),
            "expires_at": _iso(writer.expires_at),
            "live": found.writer_live,
        },
        "sources": found.source_statuses,
    }


class StoreCollector:
    """Prometheus metrics gathered at each scrape from the store's own state (any web worker can serve them)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        found = health(self.services)
        up = GaugeMetricFamily("cchc_store_up", "1 when the store answers, else 0")
        up.add_metric([], 1.0 if found.store == "ok" else 0.0)
        yield up
        if found.store != "ok":
            return
        yield GaugeMetricFamily("cchc_data_version", "The store's data version", value=float(found.data_version or 0))
        live = GaugeMetricFamily("cchc_writer_lease_live", "1 while a writer holds an unexpired lease")
        live.add_metric([], 1.0 if found.writer_live else 0.0)
        yield live
        token = GaugeMetricFamily("cchc_writer_lease_token", "The writer lease's fencing token (rises at a take-over)")
        token.add_metric([], float(found.writer.token if found.writer else 0))
        yield token
        yield from self._sources(found)

    def _sources(self, found: Health) -> Iterator[Metric]:
        labels = ["source", "unit", "profile"]
        families = {
            "up": GaugeMetricFamily("cchc_source_ok", "1 when the source's status is ok", labels=labels),
            "lag": GaugeMetricFamily("cchc_source_lag_seconds", "Seconds since the last good pull", labels=labels),
            "held": GaugeMetricFamily("cchc_source_rows_held", "Distinct rows the store holds", labels=labels),
            "read": GaugeMetricFamily("cchc_source_rows_read", "Rows read over all pulls", labels=labels),
            "rejected": GaugeMetricFamily("cchc_source_rows_rejected", "Rows now rejected", labels=labels),
            "failures": GaugeMetricFamily("cchc_source_consecutive_failures", "Failed pulls in a row", labels=labels),
        }
        for source in found.sources:
            values = [source.name, source.unit, source.profile]
            families["up"].add_metric(values, 1.0 if source.status == "ok" else 0.0)
            if source.lag is not None:
                families["lag"].add_metric(values, source.lag.total_seconds())
            families["held"].add_metric(values, float(source.rows_total))
            families["read"].add_metric(values, float(source.rows_seen))
            families["rejected"].add_metric(values, float(source.rejected_count))
            families["failures"].add_metric(values, float(source.consecutive_failures))
        yield from families.values()


class StatementCollector:
    """The statements this process has sent to the store (a count the store's own engine events keep)."""

    def __init__(self, services: Services) -> None:
        self._count = itertools.count()
        self._sent = 0
        for engine in services.store.engines:
            event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args: Any) -> None:
        self._sent = next(self._count) + 1  # itertools.count: atomic under the GIL, unlike `+= 1`

    def collect(self) -> Iterator[Metric]:
        sent = CounterMetricFamily(
            "cchc_web_store_statements", "Store statements this web worker has sent", labels=["pid"]
        )
        sent.add_metric([str(os.getpid())], float(self._sent))
        yield sent


def blueprint(services: Services) -> Blueprint:
    probes = Blueprint("health", __name__)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(services))
    registry.register(StatementCollector(services))

    @probes.get("/healthz")
    def healthz() -> Response:
        found = health(services)
        body = json.dumps(health_json(found), ensure_ascii=False)
        return Response(body, status=503 if found.status == "down" else 200, mimetype="application/json")

    @probes.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")

    return probes
