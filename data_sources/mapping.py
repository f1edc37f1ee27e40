"""From a vendor row to a canonical store row: the profile's mapping plus the checks that need our data
(the unit valid on the day, the procedure catalogue, dates in order)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import MappingError
from dashboard.core.reference import unit_valid_on
from dashboard.core.vocabulary import DONE_STATUSES, Stream
from dashboard.core.workdays import WorkCalendar
from data_sources.profiles import Profile


class SourceRef(Protocol):
    """What mapping needs to know of a source: its name and the unit its rows belong to by default."""

    @property
    def name(self) -> str: ...

    @property
    def unit(self) -> str: ...


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


class RowMapper:
    def __init__(self, unit_rows: list[dict[str, Any]], procedure_codes: set[str], calendar: WorkCalendar) -> None:
        self.units = UnitResolver(unit_rows)
        self.procedures = procedure_codes
        self.calendar = calendar

    def map_rows(
        self, source: SourceRef, profile: Profile, stream: Stream, raws: list[dict[str, Any]], now: datetime
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(canonical rows, rejected rows with field, reason and the raw values as JSON) of `source`'s rows."""
        key_column = profile.streams[stream].key
        good: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        for raw in raws:
            try:
                good.append(self.canonical(source, profile, stream, raw, now))
            except MappingError as exc:
                bad.append(
                    {
                        "source": source.name,
                        "stream": stream,
                        "native_key": str(raw.get(key_column)),
                        "field": exc.field,
                        "reason": exc.reason,
                        "rejected_at": now,
                        "raw": json.dumps(raw, default=str, ensure_ascii=False),
                    }
                )
        return good, bad

    def canonical(
        self, source: SourceRef, profile: Profile, stream: Stream, raw: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
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
            if row["status"] in DONE_STATUSES and row["completed_at"] is None:
                raise MappingError("completed_at", f"status {row['status']} without a completion time")
            if row["completed_at"] is not None and row["completed_at"] < row["received_at"]:
                raise MappingError("completed_at", "completed before received")
            row["processing_half_days"] = (
                self.calendar.processing_half_days(row["received_at"], row["completed_at"])
                if row["status"] in DONE_STATUSES
                else None
            )
        elif row["due_at"] is not None and row["due_at"] < row["received_at"]:
            raise MappingError("due_at", "due before received")
        return row
