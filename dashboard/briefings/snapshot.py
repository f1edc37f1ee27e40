"""A briefing snapshot: the city's figures at one as-of and data version, frozen as data.

The body holds the API's own bodies (`dashboard.web.api.kpis_body`, `league_body`) for the period at the as-of,
so every figure in it equals the API's at the same as-of and data version, plus the city summary, the alerts and
each source's freshness, and the hashes of what the figures were computed with (rules, service index,
commitments, calendar). It is canonical JSON (sorted keys, no spaces), hashed with sha256 and never recomputed:
who asked and when are kept beside it, so the same figures asked for twice are one snapshot.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from datetime import datetime
from typing import Any

from dashboard.core import rules
from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import covered, previous_window
from dashboard.metrics.kpis import city_overview
from dashboard.pages.api import kpis_view
from dashboard.pages.freshness import source_freshness
from dashboard.pages.kpis import recounted_in_event_time
from dashboard.pages.league import league_view, leagues_at
from dashboard.pages.wall import compute as wall_figures
from dashboard.services import Services
from dashboard.web.api import iso, kpis_body, league_body, ratio_json, window_json

FORMAT = "cchc-pulse-snapshot/1"


def canonical(data: Any) -> str:
    """The one JSON text of `data` that is hashed and stored: sorted keys, no spaces, UTF-8 as is (NFC text)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """Dataclasses and their datetimes as JSON values (for the hashes of configuration)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return iso(value)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def computed_with(services: Services) -> dict[str, str]:
    """sha256 of the rules' source, the service index and commitments in force, and the working-day calendar."""
    calendar = services.calendar
    return {
        "rules": hashlib.sha256(inspect.getsource(rules).encode("utf-8")).hexdigest(),
        "service_index": _digest(_plain(services.index_config)),
        "commitments": _digest(_plain(services.commitments)),
        "calendar": _digest([sorted(map(str, calendar.off)), sorted(map(str, calendar.makeup))]),
    }


def build(services: Services, period: str, as_of: datetime) -> dict[str, Any]:
    """The snapshot body for `period` at `as_of` (computed now, from the store as it is)."""
    store = services.store
    version = store.data_version()[0]
    figures = kpis_view(services, period, as_of=as_of)
    recounted = recounted_in_event_time(store, as_of)
    kinds = leagues_at(store, as_of)
    city = city_overview({f.unit["key"]: f.kpis for f in figures.units}, as_of, version)
    wall = wall_figures(services, as_of)
    fresh = source_freshness(store, services.sources, as_of, services.settings.stale_factor)
    earlier, history_start = previous_window(period, as_of), store.series.history_start()
    return {
        "format": FORMAT,
        "as_of": iso(as_of),
        "as_of_local": as_of.astimezone(CITY_TZ).strftime("%d/%m/%Y %H:%M"),
        "data_version": version,
        "period": period,
        "window": window_json(figures.window),
        "previous_window": window_json(earlier),
        "previous_covered": covered(earlier, history_start),  # false: the leagues carry no previous ranks
        "history_start": iso(history_start),
        "recounted_in_event_time": recounted,
        "computed_with": computed_with(services),
        "limits": dataclasses.asdict(wall.limits),  # the wall's thresholds the alerts and colours used
        "city_figures": {
            "in_progress": city.in_progress,
            "overdue_in_progress": city.overdue_in_progress,
            "overdue_share": ratio_json(city.overdue_share),
            "on_time": ratio_json(city.on_time),
            "online_share": ratio_json(city.online_share),
            "open_feedback": city.open_feedback,
        },
        "kpis": kpis_body(figures, recounted),
        "leagues": {kind: league_body(league_view(services, kind, period, as_of)) for kind in kinds},
        "alerts": [
            {
                "kind": a.kind,
                "severity": a.severity,
                "unit_key": a.unit_key,
                "source": a.source,
                "at": iso(a.at),
                "value": a.value,
                "limit": a.limit,
            }
            for a in wall.alerts
        ],
        "freshness": [
            {
                "source": f.name,
                "unit_key": f.unit,
                "last_good_pull_at": iso(f.last_good_pull_at) if f.last_good_pull_at else None,
                "stale": f.stale,
                "last_error": f.last_error,
            }
            for f in fresh
        ],
    }


def take(services: Services, period: str, as_of: datetime, requested_by: str, request_id: int | None = None) -> int:
    """Build and store a snapshot (the writer's fenced transaction); returns its id."""
    body = canonical(build(services, period, as_of))
    meta = {
        "period": period,
        "as_of": as_of,
        "data_version": services.store.data_version()[0],
        "requested_by": requested_by,
        "created_at": services.clock.now(),
    }
    return services.store.snapshots.save(meta, body, request_id)


def carry_out_requests(services: Services) -> list[int]:
    """The writer's job: make every pending snapshot request (a request that fails is closed with its error, the
    others go on); returns the snapshot ids made."""
    made = []
    for request in services.store.snapshots.pending():
        try:
            as_of = request["as_of"] or services.clock.now()
            made.append(take(services, request["period"], as_of, request["requested_by"], request["id"]))
        except Exception as exc:  # one bad request never stops the others (nor the writer)
            services.store.snapshots.fail_request(request["id"], services.clock.now(), f"{type(exc).__name__}: {exc}")
    return made


def load(services: Services, snapshot_id: int) -> dict[str, Any]:
    """A stored snapshot's body, its hash checked."""
    body: dict[str, Any] = json.loads(services.store.snapshots.body(snapshot_id))
    return body
