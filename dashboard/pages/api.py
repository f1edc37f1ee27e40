"""The JSON API's own models — units, every unit's KPIs, the dossiers behind a number — each with its as-of time and
the store's data version (the league is `dashboard.pages.league`'s, shared with its page). Parameters from
outside are checked here; a bad one raises `ParameterError`, which names it. The present KPIs are computed
off the request path and shared through the cache (`kpis_data`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.core.cache import Cache, cached_or_latest
from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import ParameterError
from dashboard.core.paging import MAX_PAGE, DossierPage, whole_number
from dashboard.core.periods import Window, window
from dashboard.core.reference import closed_on, unit_valid_on
from dashboard.core.vocabulary import DEFAULT_PERIOD, DOSSIER_FILTERS
from dashboard.metrics.kpis import UnitKpis
from dashboard.metrics.service_index import IndexScore, criterion_ratio, progress_against, score_unit
from dashboard.pages.common import check_choice, check_unit, checked_period
from dashboard.pages.kpis import recounted_in_event_time, unit_kpis
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
    recounted: bool = False  # backlog recounted in event time (`pages.kpis.recounted_in_event_time`), when computed


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
    row = check_kpis_query(services, period, unit, compare)
    chosen = [row] if row else None
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
    recounted = recounted_in_event_time(services.store, as_of)
    return KpisView(period, window(period, as_of), as_of, version, tuple(result), origin, recounted)


def check_kpis_query(services: Services, period: str, unit: str | None, compare: str | None) -> dict[str, Any] | None:
    """The KPIs' parameters, checked before anything is computed or cached (a `ParameterError` names a bad one);
    the unit's reference row when one is asked for."""
    if compare is not None:
        check_choice("compare", compare, COMPARISONS)
        if not unit:
            raise ParameterError("compare", "compare=origin needs unit: one unit key from /api/v1/units")
    checked_period(period)
    return check_unit(services, unit) if unit else None


def kpis_data(
    services: Services,
    cache: Cache,
    key: list[Any],
    period: str,
    unit: str | None = None,
    as_of: datetime | None = None,
    compare: str | None = None,
) -> KpisView:
    """`kpis_view` as the API serves it: now, per query (period, unit, compare) and (version, minute) through the
    cache — the newest computed for the query while a new key's is computed in the background, once
    (`cached_or_latest`; the view's `as_of` and `data_version` say which it is); at a past `as_of`, computed on
    the request (the past does not change)."""
    check_kpis_query(services, period, unit, compare)
    if as_of is not None:
        return kpis_view(services, period, unit, as_of, compare)
    kind = f"api-kpis:{period}:{unit or ''}:{compare or ''}"
    compute = lambda: kpis_view(services, period, unit, None, compare)  # noqa: E731
    return cached_or_latest(cache, kind, (key[0], key[1]), compute)[1]


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
