"""What the league page and the JSON API show, computed in one place: plain dataclasses, each with its as-of
time and the store's data version, so a page and the API built on the same call show the same numbers.

Parameters from outside (a URL query) are checked here; a bad one raises `ParameterError`, which names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from flask_caching import Cache

from dashboard.core.cache import cached
from dashboard.core.clock import CITY_TZ, city_time
from dashboard.core.periods import PERIODS, Window, previous_window, window
from dashboard.core.reference import unit_valid_on
from dashboard.metrics.kpis import UnitKpis
from dashboard.metrics.service_index import IndexScore, criterion_ratio, progress_against, score_unit
from dashboard.pages.freshness import source_freshness
from dashboard.pages.kpis import unit_kpis
from dashboard.pages.league import LeagueKind, LeagueRow, league
from dashboard.services import Services
from dashboard.store.lists import DOSSIER_FILTERS, DossierPage

KINDS: tuple[LeagueKind, ...] = get_args(LeagueKind)  # ("district", "department")
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class ParameterError(ValueError):
    """A query parameter with a value we do not know; the message names the parameter and the values allowed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def check_choice(parameter: str, value: str, allowed: tuple[str, ...]) -> str:
    """`value` when it is one of `allowed`, else a `ParameterError` naming `parameter`."""
    if value not in allowed:
        raise ParameterError(parameter, f"unknown {parameter} {value!r}: use one of {', '.join(allowed)}")
    return value


def check_unit(services: Services, unit: str) -> dict[str, Any]:
    """The reference row of unit `unit`, or a `ParameterError` naming the parameter `unit`."""
    found = next((row for row in services.store.units() if row["key"] == unit), None)
    if found is None:
        raise ParameterError("unit", f"unknown unit {unit!r}: see /api/v1/units for the unit keys")
    return found


@dataclass(frozen=True)
class LeagueView:
    """One league table: `kind` over `period` ending at `as_of`, compared with `previous_window`."""

    kind: str
    period: str
    window: Window
    previous_window: Window
    as_of: datetime
    data_version: int
    rows: tuple[LeagueRow, ...]


def league_view(services: Services, kind: str, period: str, as_of: datetime | None = None) -> LeagueView:
    """The league of `kind` for `period` at `as_of` (now), with each unit's source freshness."""
    check_choice("kind", kind, KINDS)
    check_choice("period", period, PERIODS)
    version = services.store.data_version()[0]
    as_of = as_of or services.clock.now()
    fresh = source_freshness(services.store, services.sources, as_of, services.settings.stale_factor)
    store, calendar = services.store, services.calendar
    rows = league(store, calendar, services.index_config, services.commitments, kind, period, as_of, fresh)  # type: ignore[arg-type]
    span, previous = window(period, as_of), previous_window(period, as_of)
    return LeagueView(kind, period, span, previous, as_of, version, tuple(rows))


@dataclass(frozen=True)
class UnitFigures:
    """One unit's KPIs over a period, its service index and its commitments (target, progress)."""

    unit: dict[str, Any]
    kpis: UnitKpis
    index: IndexScore
    targets: dict[str, float]
    progress: dict[str, float | None]


@dataclass(frozen=True)
class KpisView:
    period: str
    window: Window
    as_of: datetime
    data_version: int
    units: tuple[UnitFigures, ...]


def kpis_view(services: Services, period: str, unit: str | None = None, as_of: datetime | None = None) -> KpisView:
    """Every unit that exists at `as_of` (or the one `unit`), with its KPIs, index and commitments for `period`."""
    check_choice("period", period, PERIODS)
    chosen = [check_unit(services, unit)] if unit else None
    version = services.store.data_version()[0]
    as_of = as_of or services.clock.now()
    day = as_of.astimezone(CITY_TZ).date()
    units = chosen or [row for row in services.store.units() if unit_valid_on(row, day)]
    keys = [row["key"] for row in units]
    figures = unit_kpis(services.store, services.calendar, period, as_of, unit=unit, units=keys)
    result = []
    for row in units:
        kpis = figures[row["key"]]
        targets = services.commitments.for_unit(row["key"]) if row["ranked"] else {}
        progress = {key: progress_against(target, criterion_ratio(kpis, key)) for key, target in targets.items()}
        result.append(UnitFigures(row, kpis, score_unit(kpis, services.index_config), targets, progress))
    return KpisView(period, window(period, as_of), as_of, version, tuple(result))


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
        ("page", page, 1, None),
        ("page_size", page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    ):
        value = default if text in (None, "") else int(text) if text.isdigit() else 0
        if value < 1 or (top and value > top):
            limit = f"between 1 and {top}" if top else "at least 1"
            raise ParameterError(name, f"{name} must be a whole number {limit}, not {text!r}")
        numbers.append(value)
    return numbers[0], numbers[1]


def dossiers_view(
    services: Services,
    unit: str,
    filter_name: str,
    period: str = "30d",
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
) -> DossiersView:
    """One page of the unit's dossiers behind a number; period filters count within the period's window."""
    check_unit(services, unit)
    check_choice("filter", filter_name, DOSSIER_FILTERS)
    check_choice("period", period, PERIODS)
    version = services.store.data_version()[0]
    as_of = as_of or services.clock.now()
    span = window(period, as_of)
    found = services.store.lists.page(unit, filter_name, as_of, span.start, page, page_size)
    return DossiersView(unit, filter_name, period, span, as_of, version, found)


def view_key(version: int, as_of: datetime) -> list[Any]:
    """What a page shows depends on: the data version and the minute (for lags and the as-of time)."""
    return [version, city_time(as_of).strftime("%Y-%m-%dT%H:%M")]


def current_key(services: Services) -> list[Any]:
    """The view key now."""
    return view_key(services.store.data_version()[0], services.clock.now())


def league_data(services: Services, cache: Cache, key: list[Any], kind: str, period: str) -> LeagueView:
    """The league of `kind` over `period` now, shared through the cache per (version, minute, kind, period)
    by the page and the API alike."""
    return cached(cache, f"league:{key[0]}:{key[1]}:{kind}:{period}", lambda: league_view(services, kind, period))
