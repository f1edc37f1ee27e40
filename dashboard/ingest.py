"""Pulling sources into the store: map, validate, upsert, and advance the watermark in one transaction.

For each source and stream: read rows at or after the watermark in (cursor, key) chunks; map each row
through the source's profile; rows that cannot be mapped go to `rejected_rows` with the reason and raw
values; good rows are upserted on (source, native key). The watermark moves to
min(max cursor stored, pull start − safety lag) in the same transaction as the chunk, so it never passes
a row that is not stored, and rows committed late within the lag are read again.
A failing source is recorded with its error and retried with back-off; it never stops the others.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from dashboard.clock import CITY_TZ, Clock
from dashboard.reference import unit_valid_on
from dashboard.schema import rejected_rows
from dashboard.settings import Settings
from dashboard.sources import SourceConfig
from dashboard.store import Store
from data_sources.profiles import MappingError, Profile
from data_sources.reader import SourceReader

log = logging.getLogger(__name__)


@dataclass
class PullResult:
    source: str
    stream: str
    outcome: str  # ok, error, skipped
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    error: str | None = None


class UnitResolver:
    """Finds the unit a row belongs to from a unit key or code, valid on the row's date."""

    def __init__(self, unit_rows: list[dict[str, Any]]) -> None:
        self.by_key = {u["key"]: u for u in unit_rows}
        self.by_code: dict[str, list[dict[str, Any]]] = {}
        for unit in unit_rows:
            self.by_code.setdefault(unit["code"], []).append(unit)

    def resolve(self, code: str, when: datetime) -> str:
        day = when.astimezone(CITY_TZ).date()
        if code in self.by_key and unit_valid_on(self.by_key[code], day):
            return code
        for unit in self.by_code.get(code, []):
            if unit_valid_on(unit, day):
                return unit["key"]
        raise MappingError("unit", f"unknown unit {code!r} on {day:%d/%m/%Y}")


def plain_error(exc: BaseException, secret: str | None = None) -> str:
    """The first line of an error, in plain words, with any password removed."""
    original = getattr(exc, "orig", None) or exc
    text = (str(original).strip().splitlines() or [type(original).__name__])[0]
    if secret:
        text = text.replace(secret, "***")
    return f"{type(original).__name__}: {text}"[:500]


class Ingestor:
    """Pulls configured sources into one store; the only writer of the store."""

    def __init__(self, store: Store, clock: Clock, settings: Settings) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.units = UnitResolver(store.units())
        self.procedures = {p["code"] for p in store.procedures()}

    def due_for_pull(self, source: SourceConfig) -> bool:
        """False while a failing source waits out its back-off."""
        states = [self.store.state(source.name, stream) for stream in source.load_profile().streams]
        now = self.clock.now()
        return all(s is None or s["next_retry_at"] is None or s["next_retry_at"] <= now for s in states)

    def pull(self, source: SourceConfig) -> list[PullResult]:
        """Pull every stream of one source; errors are recorded, never raised."""
        profile = source.load_profile()
        try:
            reader = SourceReader(source.url, profile, self.settings.pull_timeout_s)
        except Exception as exc:  # a bad driver or URL is this source's problem only
            return [self._failed(source, stream, self.clock.now(), None, exc) for stream in profile.streams]
        try:
            return [self._pull_stream(source, profile, reader, stream) for stream in profile.streams]
        finally:
            reader.dispose()

    def _pull_stream(self, source: SourceConfig, profile: Profile, reader: SourceReader, stream: str) -> PullResult:
        started = self.clock.now()
        definition = profile.cursor_definition[stream]
        state = self.store.state(source.name, stream) or {}
        watermark = state.get("watermark") if state.get("cursor_definition") == definition else None
        result = PullResult(source.name, stream, "ok", watermark_before=watermark, watermark_after=watermark)
        cap = started - timedelta(seconds=self.settings.safety_lag_s)
        try:
            for chunk in reader.read(stream, watermark, self.settings.chunk_size):
                good, bad, keys = self._map_chunk(source, profile, stream, chunk)
                chunk_max = max(profile.cursor_instant(stream, row) for row in chunk)
                candidate = min(chunk_max, cap)
                if result.watermark_after is None or candidate > result.watermark_after:
                    result.watermark_after = candidate
                with self.store.begin() as conn:
                    stored = self.store.upsert(conn, stream, good)
                    conn.execute(
                        delete(rejected_rows).where(
                            rejected_rows.c.source == source.name,
                            rejected_rows.c.stream == stream,
                            rejected_rows.c.native_key.in_(keys),
                        )
                    )
                    self.store.add_rejected(conn, bad)
                    self.store.save_state(
                        conn,
                        source.name,
                        stream,
                        cursor_definition=definition,
                        watermark=result.watermark_after,
                        last_attempt_at=started,
                        rows_total=(state.get("rows_total") or 0) + result.rows_stored + stored,
                    )
                    if stored:
                        self.store.bump_data_version(conn, self.clock.now())
                result.rows_read += len(chunk)
                result.rows_stored += stored
                result.rows_rejected += len(bad)
        except Exception as exc:
            failed = self._failed(source, stream, started, result.watermark_after, exc)
            failed.rows_read, failed.rows_stored, failed.rows_rejected = (
                result.rows_read,
                result.rows_stored,
                result.rows_rejected,
            )
            failed.watermark_before = watermark
            return failed
        with self.store.begin() as conn:
            self.store.save_state(
                conn,
                source.name,
                stream,
                cursor_definition=definition,
                watermark=result.watermark_after,
                last_good_pull_at=started,
                last_attempt_at=started,
                last_error=None,
                consecutive_failures=0,
                next_retry_at=None,
                rows_total=(state.get("rows_total") or 0) + result.rows_stored,
            )
            self._log(conn, result, started)
        return result

    def _map_chunk(self, source: SourceConfig, profile: Profile, stream: str, chunk: list[dict[str, Any]]):
        good: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        keys: list[str] = []
        key_column = profile.streams[stream].key
        now = self.clock.now()
        for raw in chunk:
            native = str(raw.get(key_column))
            keys.append(native)
            try:
                good.append(self._canonical(source, profile, stream, raw, now))
            except MappingError as exc:
                bad.append(
                    {
                        "source": source.name,
                        "stream": stream,
                        "native_key": native,
                        "field": exc.field,
                        "reason": exc.reason,
                        "raw": json.dumps(raw, default=str, ensure_ascii=False),
                        "rejected_at": now,
                    }
                )
        return good, bad, keys

    def _canonical(self, source: SourceConfig, profile: Profile, stream: str, raw: dict[str, Any], now: datetime):
        row = profile.to_canonical(stream, raw)
        unit_code = row.pop("unit") or source.unit
        row["unit_key"] = self.units.resolve(unit_code, row["received_at"])
        row["source"] = source.name
        row["ingested_at"] = now
        if stream == "dossiers":
            if row["procedure_code"] not in self.procedures:
                raise MappingError("procedure_code", f"unknown procedure {row['procedure_code']!r}")
            if row["due_original_at"] < row["received_at"]:
                raise MappingError("due_original_at", "due before received")
            row["due_current_at"] = row["due_current_at"] or row["due_original_at"]
            row["supplement_requests"] = row["supplement_requests"] or 0
            if row["status"] in ("completed", "refused") and row["completed_at"] is None:
                raise MappingError("completed_at", f"status {row['status']} without a completion time")
        elif row["due_at"] is not None and row["due_at"] < row["received_at"]:
            raise MappingError("due_at", "due before received")
        return row

    def _failed(self, source: SourceConfig, stream: str, started: datetime, watermark, exc: BaseException):
        message = plain_error(exc, source.password)
        log.warning("pull of %s/%s failed: %s", source.name, stream, message)
        state = self.store.state(source.name, stream) or {}
        failures = (state.get("consecutive_failures") or 0) + 1
        backoff = min(self.settings.retry_base_s * 2 ** (failures - 1), self.settings.retry_max_s)
        result = PullResult(
            source.name, stream, "error", watermark_before=watermark, watermark_after=watermark, error=message
        )
        with self.store.begin() as conn:
            values = {
                "last_attempt_at": started,
                "last_error": message,
                "consecutive_failures": failures,
                "next_retry_at": self.clock.now() + timedelta(seconds=backoff),
                "cursor_definition": state.get("cursor_definition") or "",
                "rows_total": state.get("rows_total") or 0,
            }
            self.store.save_state(conn, source.name, stream, **values)
            self._log(conn, result, started)
        return result

    def _log(self, conn, result: PullResult, started: datetime) -> None:
        self.store.log_pull(
            conn,
            source=result.source,
            stream=result.stream,
            started_at=started,
            finished_at=self.clock.now(),
            outcome=result.outcome,
            rows_read=result.rows_read,
            rows_stored=result.rows_stored,
            rows_rejected=result.rows_rejected,
            watermark_before=result.watermark_before,
            watermark_after=result.watermark_after,
            error=result.error,
        )
