"""A new unit's districts of origin, combined, over the previous period — what the API gives when asked
(`/api/v1/kpis?unit=<key>&compare=origin`), since a new unit has no previous period of its own.

The origin comes from the official old → new conversion table (the registry's `origin` column, SOURCES.md): a
district split among several new units counts whole here, so the combination is a context, not the new unit's
own past — `partial` says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window, previous_window
from dashboard.core.reference import existed_throughout, origin_of, predecessors, successors, unit_valid_on
from dashboard.metrics.kpis import UnitKpis, city_kpis
from dashboard.pages.kpis import period_counters, unit_kpis
from dashboard.services import Services

CROSSWALK = "GSO, bảng chuyển đổi đơn vị hành chính cấp xã (Nghị quyết 1685/NQ-UBTVQH15, 01/07/2025)"


@dataclass(frozen=True)
class OriginFigures:
    """The districts a new unit came from, their KPIs combined over the previous period, and the crosswalk."""

    unit_key: str
    crosswalk: str
    origins: tuple[dict[str, Any], ...]  # the district rows, by name
    partial: bool  # a district of origin also went (wholly or in part) to other units, or a ward only in part
    window: Window  # the previous period
    kpis: UnitKpis  # the origins as one unit over it (`city_kpis`: counts and both parts of each ratio summed)


def origin_units(unit: dict[str, Any], units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The units named by `unit`'s districts of origin ("province:code"), as they were the day before it began."""
    if unit["valid_from"] is None:
        return []
    day = unit["valid_from"] - timedelta(days=1)
    by_key = {u["key"]: u for u in units}
    wanted = set((unit.get("origin") or "").split(";")) - {""}
    found = [u for u in units if unit_valid_on(u, day) and origin_of(u, by_key) in wanted]
    return sorted(found, key=lambda u: u["name_vi"])


def origin_figures(services: Services, unit: dict[str, Any], period: str, as_of: datetime) -> OriginFigures | None:
    """For a new unit (one that did not exist for the whole previous period) with districts of origin in the
    registry: those districts combined over the previous period. None otherwise."""
    earlier = previous_window(period, as_of)
    units = services.store.units()
    origins = origin_units(unit, units)
    if existed_throughout(unit, earlier) or not origins:
        return None
    keys = [u["key"] for u in origins]
    figures = unit_kpis(services.store, services.calendar, period, as_of, units=keys, span=earlier, instant=False)
    histogram: Counter[int] = Counter()
    for key, counts in period_counters(services.store, earlier)[2].items():
        if key in keys:
            histogram.update(counts)
    combined = replace(
        city_kpis({key: figures[key] for key in keys}, period, earlier, as_of, histogram),
        unit_key=f"{unit['key']}:origin",
    )
    today = as_of.astimezone(CITY_TZ).date()
    shared = any(len(successors(u, units, today)) > 1 for u in origins)
    partial = shared or any(part for _code, part in predecessors(unit))
    return OriginFigures(unit["key"], CROSSWALK, tuple(origins), partial, earlier, combined)
