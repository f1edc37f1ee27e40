"""The unit tile's model (/unit/<key>): a unit's KPIs against its commitments and the city, its rank, 90-day trend,
late procedures, overdue lists and the dossiers behind any number.

What every tile shares for one (data version, minute, period) — every unit's KPIs, the city's sums, the ranks
and their movements — is a `CityContext`, taken from the standings the leagues share (`pages.league.ranked_data`,
computed once); each tile adds its own series and lists, computed off the request path (`tile_keyed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from dashboard.core.cache import Cache, cached, cached_once, cached_or_latest, shown_key
from dashboard.core.clock import CITY_TZ
from dashboard.core.paging import DossierPage
from dashboard.core.periods import Window, window
from dashboard.core.reference import closed_on
from dashboard.core.vocabulary import (
    CLOSED_STATUSES,
    DEFAULT_PERIOD,
    DONE_STATUSES,
    FEEDBACK_LIST_PREFIX,
    FEEDBACK_LISTS,
    league_of,
)
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.ageing import ageing_cutoffs, working_days_late
from dashboard.metrics.freshness import unit_freshness
from dashboard.metrics.kpis import Backlog, UnitKpis, city_kpis, empty_kpis
from dashboard.metrics.service_index import IndexScore, score_unit
from dashboard.pages.freshness import source_freshness
from dashboard.pages.kpis import recounted_in_event_time
from dashboard.pages.league import Standings, ranked_data, standings
from dashboard.services import Services

TILE_ROWS = 10  # dossiers shown on the tile itself; the rest are one click away
DRILL_PAGE_SIZE = 50
TREND_DAYS = 90


@dataclass(frozen=True)
class TileQuery:
    """What the address asks for: /unit/<key>?period=…&list=…&page=…"""

    key: str
    period: str = DEFAULT_PERIOD
    list_name: str | None = None
    page: int = 1
    as_of: datetime | None = None  # `?as_of=`: a past instant (None: now)


@dataclass(frozen=True)
class CityContext:
    """What every tile shares for one period and instant."""

    as_of: datetime
    span: Window
    units: dict[str, dict[str, Any]]  # every unit row, by key
    kpis: dict[str, UnitKpis]  # the units with data, and every ranked one
    city: UnitKpis
    ranks: dict[str, int | None]  # within each league (districts, departments)
    movements: dict[str, int | None]
    league_sizes: dict[str, int]  # by kind: the league's members
    joined: dict[str, date]  # units created inside the period (ranked on their part of it)
    new: dict[str, date | None]  # units with no previous period ("new unit"), with their first day
    ranked_counts: dict[str, int] = field(default_factory=dict)  # by kind: the members ranked (enough data)
    tied: tuple[str, ...] = ()  # units sharing their rank in their league (a tuple: the cache keeps plain data)
    data_from: date | None = None  # the store's first day, when its data begins inside the previous period: no moves


def city_context(services: Services, period: str, as_of: datetime, ranked: Standings | None = None) -> CityContext:
    """Every unit's KPIs, the city's sums, and each league's ranks with their movement since the previous period
    (`dashboard.pages.league.standings`, without the league's weekly trends); given `ranked` (every league's
    standings over `period`), from it and at its instant, without reading the counters again."""
    store = services.store
    ranked = ranked or standings(store, services.calendar, services.index_config, period, as_of)
    as_of = ranked.as_of
    span = window(period, as_of)
    return CityContext(
        as_of=as_of,
        span=span,
        units={u["key"]: u for u in store.units()},
        kpis=ranked.kpis,
        city=city_kpis(ranked.kpis, period, span, as_of, ranked.histogram),
        ranks=ranked.ranks,
        movements=ranked.movements,
        league_sizes={kind: ranked.size(kind) for kind in ranked.members},
        joined=ranked.joined,
        new=ranked.new,
        ranked_counts={kind: ranked.ranked_count(kind) for kind in ranked.members},
        tied=tuple(sorted(ranked.tied_units)),
        data_from=None if ranked.previous_covered else ranked.history_start,
    )


@dataclass(frozen=True)
class UnitView:
    """Everything the tile shows, as plain data."""

    unit: dict[str, Any]  # the units row: key, kind, name_vi, name_en, …
    period: str
    as_of: datetime
    kpis: UnitKpis
    city: UnitKpis  # the sums over every unit
    index: IndexScore
    rank: int | None  # among the ranked units of its kind; None when unranked or not ranked at all
    league_size: int  # the league's members; 0 when its kind has no league
    movement: int | None
    targets: dict[str, float]
    stale: bool
    data_as_of: datetime | None  # its sources' oldest last good pull; None without sources or never pulled
    trend: tuple[dict[str, Any], ...]  # day, received, completed, in_progress
    late_procedures: tuple[dict[str, Any], ...]  # procedure_code, name_vi, name_en, late
    overdue: DossierPage  # first rows, with late_days
    no_apology: DossierPage
    drill: DossierPage | None = None  # the list the address asks for
    drill_filter: str | None = None
    trend_days: int = TREND_DAYS
    joined: date | None = None  # created inside the period: ranked on its part of it, from this day
    new_since: date | None = None  # a new unit since this day: no previous period
    closed_since: date | None = None  # a closed unit: its last day (its open dossiers stay its own)
    recounted: bool = False  # a past as-of: backlog recounted in event time
    lists: bool = True  # the lists of individual dossiers are in it (see `without_lists`)
    ranked_count: int = 0  # the league's members ranked (with enough data): the "n" of "hạng 3/n"
    tied: bool = False  # shares its rank with another member ("đồng hạng")
    connected: bool = True  # at least one source feeds this unit
    due_soon: DossierPage = field(default_factory=lambda: DossierPage([], 0, 1, TILE_ROWS))  # due within 2 working days
    overdue_levels: tuple[float, float] = (0.05, 0.10)  # overdue share of the backlog: warn, alarm (the wall's)
    data_from: date | None = None  # the store's first day, when its data begins inside the previous period: no move


def without_lists(view: UnitView) -> UnitView:
    """The tile for a viewer not allowed this unit's drill-through: every figure, no individual dossier (the short
    lists keep their totals, the open list is dropped)."""
    return replace(
        view,
        overdue=replace(view.overdue, rows=[]),
        due_soon=replace(view.due_soon, rows=[]),
        no_apology=replace(view.no_apology, rows=[]),
        drill=None,
        drill_filter=None,
        lists=False,
    )


def with_late_days(listed: DossierPage, as_of: datetime, calendar: WorkCalendar) -> DossierPage:
    """The page's rows with `late_days`: to the completion when resolved, to `as_of` when still open."""

    def end(row: dict[str, Any]) -> datetime | None:
        if row["status"] in DONE_STATUSES:
            return row["completed_at"]
        return None if row["status"] in CLOSED_STATUSES else as_of

    rows = [{**row, "late_days": working_days_late(row["due_original_at"], end(row), calendar)} for row in listed.rows]
    return replace(listed, rows=rows)


def _drill(services: Services, query: TileQuery, as_of: datetime, start: datetime) -> DossierPage | None:
    """The list the address asks for; a page past the end shows the last one."""
    lists, key, name = services.store.lists, query.key, query.list_name
    if not name:
        return None
    if name in FEEDBACK_LISTS:
        name = name.removeprefix(FEEDBACK_LIST_PREFIX)
        drill = lists.feedback_page(key, name, as_of, start, query.page, DRILL_PAGE_SIZE)
        if not drill.rows and drill.page > drill.pages:
            drill = lists.feedback_page(key, name, as_of, start, drill.pages, DRILL_PAGE_SIZE)
        return drill
    drill = lists.page(key, name, as_of, start, query.page, DRILL_PAGE_SIZE)
    if not drill.rows and drill.page > drill.pages:
        drill = lists.page(key, name, as_of, start, drill.pages, DRILL_PAGE_SIZE)
    return with_late_days(drill, as_of, services.calendar)


def due_soon(services: Services, key: str, as_of: datetime, backlog: Backlog) -> DossierPage:
    """The first open dossiers due within 2 working days (the ageing bucket `due_soon`), soonest first, and how many
    there are; not read when the backlog (from the rollups) has none."""
    if not backlog.ageing.get("due_soon", 0):
        return DossierPage([], 0, 1, TILE_ROWS)
    cut = ageing_cutoffs(as_of, services.calendar)
    return services.store.lists.due_soon(key, as_of, cut.due_soon_until, page_size=TILE_ROWS)


def _lists(services: Services, query: TileQuery, as_of: datetime, start: datetime, backlog: Backlog) -> dict[str, Any]:
    lists, calendar, key = services.store.lists, services.calendar, query.key
    return {
        "overdue": with_late_days(lists.page(key, "overdue", as_of, page_size=TILE_ROWS), as_of, calendar),
        "due_soon": due_soon(services, key, as_of, backlog),
        "no_apology": with_late_days(
            lists.page(key, "late_no_apology", as_of, start, page_size=TILE_ROWS), as_of, calendar
        ),
        "late_procedures": tuple(lists.late_procedures(key, as_of, start)),
        "drill": _drill(services, query, as_of, start),
        "drill_filter": query.list_name,
    }


def unit_view(services: Services, context: CityContext, query: TileQuery) -> UnitView:
    """The tile of `query.key` (a known unit) over the context's period and instant."""
    key, as_of, span, store = query.key, context.as_of, context.span, services.store
    unit = context.units[key]
    figures = context.kpis.get(key) or empty_kpis(key, query.period, span, as_of)
    today = as_of.astimezone(CITY_TZ).date()
    _opening, days = store.series.unit_days(key, today - timedelta(days=TREND_DAYS - 1), today)
    sources = [source for source in services.sources if source.unit == key]
    health = unit_freshness(source_freshness(store, sources, as_of, services.settings.stale_factor))
    league = league_of(unit["kind"])
    return UnitView(
        unit=unit,
        period=query.period,
        as_of=as_of,
        kpis=figures,
        city=context.city,
        index=score_unit(figures, services.index_config),
        rank=context.ranks.get(key),
        league_size=context.league_sizes.get(league or "", 0),
        ranked_count=context.ranked_counts.get(league or "", 0),
        tied=key in context.tied,
        connected=bool(sources),
        overdue_levels=(services.settings.wall_overdue_warn, services.settings.wall_overdue_alarm),
        movement=context.movements.get(key),
        targets=services.commitments.for_unit(key),
        stale=health.stale,
        data_as_of=health.data_as_of,
        trend=tuple(days),
        joined=context.joined.get(key),
        new_since=context.new.get(key),
        data_from=context.data_from,
        closed_since=unit["valid_to"] if closed_on(unit, today) else None,
        recounted=recounted_in_event_time(store, as_of),
        **_lists(services, query, as_of, span.start, figures.backlog),
    )


def unit_keys(services: Services, cache: Cache, version: Any) -> tuple[str, ...]:
    """Every unit's key, per data version (read once a process, however many tiles ask at once): an address no unit
    has is answered without computing anything."""
    return cached_once(cache, f"unit-keys:{version}", lambda: tuple(u["key"] for u in services.store.units()))


def _address(query: TileQuery) -> str:
    return f"{query.key}:{query.period}:{query.list_name or ''}:{query.page}"


def _computer(services: Services, cache: Cache, key: list[Any], query: TileQuery) -> Callable[[], UnitView]:
    def compute() -> UnitView:
        ranked = ranked_data(services, cache, key, query.period, query.as_of)
        return unit_view(services, city_context(services, query.period, ranked.as_of, ranked), query)

    return compute


def tile_keyed(services: Services, cache: Cache, key: list[Any], query: TileQuery) -> tuple[list[Any], UnitView | None]:
    """The tile asked for and the (version, minute) it is of; None for a key no unit has. Now: the newest tile
    computed for this address (unit, period, list, page) while a new key's is computed in the background
    (`cached_or_latest`), so the key may be older than `key`; at a past `as_of`, computed on the request (the past
    does not change). Its city context comes from the standings the leagues share (`ranked_data`)."""
    version, minute = key[0], key[1]
    if query.key not in unit_keys(services, cache, version):
        return list(key), None
    compute = _computer(services, cache, key, query)
    if query.as_of is not None:
        return list(key), cached(cache, f"unit:{version}:{minute}:{_address(query)}:{query.as_of.isoformat()}", compute)
    shown, view = cached_or_latest(cache, f"unit:{_address(query)}", (version, minute), compute)
    return list(shown), view


def shown_tile_key(services: Services, cache: Cache, key: list[Any], query: TileQuery) -> list[Any] | None:
    """The (version, minute) `tile_keyed` answers for `query` now, found without reading the tile
    (`core.cache.shown_key`); None when it cannot tell, and for a past `as_of`."""
    if query.as_of is not None:
        return None
    compute = _computer(services, cache, key, query)
    shown = shown_key(cache, f"unit:{_address(query)}", (key[0], key[1]), compute)
    return None if shown is None else list(shown)


def tile_data(services: Services, cache: Cache, key: list[Any], query: TileQuery) -> UnitView | None:
    """The tile asked for (`tile_keyed`'s: its own `as_of` says which instant it shows); None for a key no unit
    has."""
    return tile_keyed(services, cache, key, query)[1]
