"""The project's own reference data: units (districts, departments, …) and the procedure catalogue.

Packaged defaults live in `dashboard/data/*.csv`; settings can point at other files, since units change
(Thủ Đức City from 2021, 168 wards and communes from July 2025) and are data, never code.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import ReferenceDataError
from dashboard.core.periods import Window


def _read_csv(path: Path | None, default_name: str) -> tuple[str, list[dict[str, str]]]:
    if path is None:
        text = resources.files("dashboard").joinpath(f"data/{default_name}").read_text("utf-8")
        return f"dashboard/data/{default_name}", list(csv.DictReader(io.StringIO(text)))
    with path.open(encoding="utf-8", newline="") as handle:
        return str(path), list(csv.DictReader(handle))


def _date(where: str, line: int, name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReferenceDataError(f"{where}, row {line}, field {name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _number(where: str, line: int, name: str, value: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ReferenceDataError(f"{where}, row {line}, field {name}: {value!r} is not a number") from None


PACKAGED_UNITS = ("units.csv", "wards.csv")  # the city, districts and departments; the wards of each era


def load_units(path: Path | None = None, points: Path | None = None) -> list[dict[str, Any]]:
    """Units as rows of the `units` table: the packaged registry (`dashboard/data/units.csv` and `wards.csv`, see
    SOURCES.md), or the one file at `path`. `points` (CSV of code or ward_code, lat, lon) gives a point to the
    units that have none, by code (all units sharing a code: a reused code is one place)."""
    tables = [_read_csv(path, "units.csv")] if path else [_read_csv(None, name) for name in PACKAGED_UNITS]
    units = [_unit(where, line, row) for where, rows in tables for line, row in enumerate(rows, start=2)]
    keys = [u["key"] for u in units]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ReferenceDataError(f"units: key {repeated[0]!r} is used twice")
    if points is not None:
        _add_points(units, points)
    return units


def _unit(where: str, line: int, row: dict[str, str]) -> dict[str, Any]:
    for name in ("key", "code", "kind", "name_vi", "name_en"):
        if not row.get(name):
            raise ReferenceDataError(f"{where}, row {line}, field {name}: missing")
    return {
        "key": row["key"],
        "code": row["code"],
        "kind": row["kind"],
        "name_vi": row["name_vi"],
        "name_en": row["name_en"],
        "short_name_vi": row.get("short_name_vi") or row["name_vi"],
        "parent_key": row.get("parent_key") or None,
        "valid_from": _date(where, line, "valid_from", row.get("valid_from", "")),
        "valid_to": _date(where, line, "valid_to", row.get("valid_to", "")),
        "lat": _number(where, line, "lat", row.get("lat", "")),
        "lon": _number(where, line, "lon", row.get("lon", "")),
        "ranked": row.get("ranked", "1") == "1",
        "former_province": row.get("former_province") or None,
        "predecessors": row.get("predecessors") or None,
        "origin": row.get("origin") or None,
        "aliases": row.get("aliases") or None,
    }


def _add_points(units: list[dict[str, Any]], path: Path) -> None:
    where, rows = _read_csv(path, "")
    found: dict[str, tuple[float, float]] = {}
    for line, row in enumerate(rows, start=2):
        code = row.get("code") or row.get("ward_code")
        lat, lon = _number(where, line, "lat", row.get("lat", "")), _number(where, line, "lon", row.get("lon", ""))
        if not code or lat is None or lon is None:
            raise ReferenceDataError(f"{where}, row {line}: a point needs code (or ward_code), lat and lon")
        found[code] = (lat, lon)
    for unit in units:
        if unit["lat"] is None and unit["code"] in found:
            unit["lat"], unit["lon"] = found[unit["code"]]


def predecessors(unit: dict[str, Any]) -> list[tuple[str, bool]]:
    """What a unit was formed from: (key or code, merged only in part?) — `~` marks a part."""
    return [(item.lstrip("~"), item.startswith("~")) for item in (unit.get("predecessors") or "").split(";") if item]


def codes_of(unit: dict[str, Any]) -> list[str]:
    """The codes a unit is written under: its own, then its aliases (another official list's code for it)."""
    return [unit["code"], *(code for code in (unit.get("aliases") or "").split(";") if code)]


def origin_of(unit: dict[str, Any], units: dict[str, dict[str, Any]]) -> str:
    """How the `origin` of a later unit names this one: "province:code" (79:760 for Quận 1), the province being
    the code of the unit's parent."""
    parent = units.get(unit.get("parent_key") or "")
    return f"{parent['code'] if parent else unit.get('former_province') or ''}:{unit['code']}"


def successors(unit: dict[str, Any], units: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """The units valid on `day` formed (wholly or in part) from `unit`: those naming its key or one of its codes
    among their predecessors, or, for a district, those whose districts of origin include it."""
    names = {unit["key"], *codes_of(unit)}
    by_key = {u["key"]: u for u in units}
    origin = origin_of(unit, by_key)
    found = []
    for later in units:
        if later is unit or not unit_valid_on(later, day):
            continue
        formed = {item for item, _ in predecessors(later)} & names
        if formed or origin in (later.get("origin") or "").split(";"):
            found.append(later)
    return sorted(found, key=lambda u: u["name_vi"])


def load_procedures(path: Path | None = None) -> list[dict[str, Any]]:
    """The TTHC catalogue as rows of the `procedures` table."""
    where, rows = _read_csv(path, "procedures.csv")
    procedures = []
    for line, row in enumerate(rows, start=2):
        statutory = _number(where, line, "statutory_time", row.get("statutory_time", ""))
        if statutory is None or statutory <= 0:
            raise ReferenceDataError(f"{where}, row {line}, field statutory_time: must be a positive number")
        if row.get("statutory_unit") not in ("day", "hour"):
            raise ReferenceDataError(f"{where}, row {line}, field statutory_unit: must be 'day' or 'hour'")
        if row.get("online_type") not in ("none", "partial", "full"):
            raise ReferenceDataError(f"{where}, row {line}, field online_type: must be none, partial or full")
        procedures.append({**row, "statutory_time": statutory})
    return procedures


def unit_valid_on(unit: dict[str, Any], day: date) -> bool:
    """Whether a unit existed on a day (open-ended validity dates count as always)."""
    return (unit["valid_from"] is None or unit["valid_from"] <= day) and (
        unit["valid_to"] is None or day <= unit["valid_to"]
    )


def _first_instant(unit: dict[str, Any]) -> datetime | None:
    return None if unit["valid_from"] is None else datetime.combine(unit["valid_from"], time(0), CITY_TZ)


def joined_during(unit: dict[str, Any], span: Window) -> date | None:
    """The day a unit came into existence, when that is inside `span`: it competes over its part of the period
    (it held no dossiers before, but those a source files under it as their successor) and is marked so."""
    first = _first_instant(unit)
    return unit["valid_from"] if first is not None and span.start < first < span.end else None


def existed_throughout(unit: dict[str, Any], span: Window) -> bool:
    """Whether a unit existed for the whole of `span`; a unit that did not has no such period to compare with
    (a "new unit": no previous rank, no movement)."""
    first = _first_instant(unit)
    ended = unit["valid_to"] is not None and unit["valid_to"] < (span.end.astimezone(CITY_TZ) - _INSTANT).date()
    return (first is None or first <= span.start) and not ended


def closed_on(unit: dict[str, Any], day: date) -> bool:
    """Whether a unit had ended by `day` (a "closed unit": its open dossiers stay its own unless a source files
    them under a successor)."""
    return unit["valid_to"] is not None and unit["valid_to"] < day


_INSTANT = timedelta(microseconds=1)
