"""The JSON API's own models — units, every unit's KPIs, the dossiers behind a number — each with its as-of time and
the store's data version (the league is `dashboard.pages.league`'s, shared with its page). Parameters from
outside are checked here; a bad one raises `ParameterError`, which names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import ParameterError
from dashboard.core.paging import MAX_PAGE, DossierPage, whole_number
from dashboard.core.periods import Window, window
from dashboard.core.reference import closed_on, unit_valid_on
from dashboard.core.vocabulary import DEFAULT_PERIOD, DOSSIER_FILTERS
from dashboard.metrics.kpis import UnitKpis
from dashboard.metrics.service_index import IndexScore, criterion_ratio, progress_against, score_unit
from dashboard.pages.common import check_choice, check_unit, checked_period
from dashboard.pages.kpis import unit_kpis
from dashboard.pages.origin import OriginFigures, origin_figures
from dashboard.services import Services

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class UnitFigures:
    """One unit's KPIs over a period, its service index and its commitments (target, progress)."""

    unit: dict[str, Any]
    kpis: UnitKpis
    index: IndexScore
    targets: dict[str, float]
    progress: dict[str, float | None]
    closed: bool = False  # an ended unit still holding dossiers in progress ("closed unit")


@dataclass(frozen=True)
class KpisView:
    period: str
    window: Window
    as_of: datetime
    data_version: int
    units: tuple[UnitFigures, ...]
    origin: OriginFigures | None = None  # asked with compare=origin for a new unit: its districts of origin


COMPARISONS = ("origin",)


def kpis_view(
    services: Services,
    period: str,
    unit: str | None = None,
    as_of: datetime | None = None,
    compare: str | None = None,
) -> KpisView:
    """Every unit that exists at `as_of`, and every ended one still holding dossiers in progress, marked closed (or
    the one `unit`), with its KPIs, index and commitments for `period`. With `compare="origin"` (one unit only),
    a new unit's districts of origin combined over the previous period (`dashboard.pages.origin`)."""
    if compare is not None:
        check_choice("compare", compare, COMPARISONS)
        if not unit:
            raise ParameterError("compare", "compare=origin needs unit: one unit key from /api/v1/units")
    checked_period(period)
    chosen = [check_unit(services, unit)] if unit else None
    version = services.store.data_version()[0]
    as_of = as_of or services.clock.now()
    day = as_of.astimezone(CITY_TZ).date()
    units = chosen or [row for row in services.store.units() if unit_valid_on(row, day) or closed_on(row, day)]
    keys = [row["key"] for row in units]
    figures = unit_kpis(services.store, services.calendar, period, as_of, unit=unit, units=keys)
    result = []
    for row in units:
        kpis, closed = figures[row["key"]], closed_on(row, day)
        if closed and not chosen and not kpis.backlog.in_progress:
            continue
        targets = services.commitments.for_unit(row["key"]) if row["ranked"] else {}
        progress = {key: progress_against(target, criterion_ratio(kpis, key)) for key, target in targets.items()}
        result.append(UnitFigures(row, kpis, score_unit(kpis, services.index_config), targets, progress, closed))
    origin = origin_figures(services, chosen[0], period, as_of) if compare and chosen else None
    return KpisView(period, window(period, as_of), as_of, version, tuple(result), origin)


@dataclass(frozen=True)
class UnitsView:
    as_of: datetime
    data_version: int
    units: tuple[dict[str, Any], ...]


def units_view(services: Services, as_of: datetime | None = None) -> UnitsView:
    """Every unit of the reference data, past ones included (their validity dates say when they existed)."""
    version = services.store.data_version()[0]
    return UnitsView(as_of or services.clock.now(), version, tuple(services.store.units()))


@dataclass(frozen=True)
class DossiersView:
    unit: str
    filter: str
    period: str
    window: Window
    as_of: datetime
    data_version: int
    page: DossierPage


def check_page(page: str | None, page_size: str | None) -> tuple[int, int]:
    """(page ≥ 1, 1 ≤ page size ≤ 200) from query text; a `ParameterError` names the bad one."""
    numbers = []
    for name, text, default, top in (
        ("page", page, 1, MAX_PAGE),
        ("page_size", page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    ):
        value = default if text in (None, "") else whole_number(text) or 0
        if value < 1 or value > top:
            raise ParameterError(name, f"{name} must be a whole number between 1 and {top}, not {text!r}")
        numbers.append(value)
    return numbers[0], numbers[1]


def dossiers_view(
    services: Services,
    unit: str,
    filter_name: str,
    period: str = DEFAULT_PERIOD,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
) -> DossiersView:
    """One page of the unit's dossiers behind a number; period filters count within the period's window."""
    check_unit(services, unit)
    check_choice("filter", filter_name, DOSSIER_FILTERS)
    checked_period(period)
    version = services.store.data_version()[0]
    as_of = as_of or services.clock.now()
    span = window(period, as_of)
    found = services.store.lists.page(unit, filter_name, as_of, span.start, page, page_size)
    return DossiersView(unit, filter_name, period, span, as_of, version, found)
