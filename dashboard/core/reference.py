"""The project's own reference data: units (districts, departments, …) and the procedure catalogue.

Packaged defaults live in `dashboard/data/*.csv`; settings can point at other files, since units change
(Thủ Đức City from 2021, 168 wards and communes from July 2025) and are data, never code.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from dashboard.core.errors import ReferenceDataError


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


def load_units(path: Path | None = None) -> list[dict[str, Any]]:
    """Units as rows of the `units` table."""
    where, rows = _read_csv(path, "units.csv")
    units = []
    for line, row in enumerate(rows, start=2):
        for name in ("key", "code", "kind", "name_vi", "name_en"):
            if not row.get(name):
                raise ReferenceDataError(f"{where}, row {line}, field {name}: missing")
        units.append(
            {
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
            }
        )
    return units


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
