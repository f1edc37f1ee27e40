"""The unit tile: read the address, gather the unit's figures, hand them to `layouts.unit`, and refresh when the
data version or the minute changes.

What every tile shares for one (data version, minute, period) — every unit's KPIs, the city's sums, the ranks
and their movements — is computed once and cached as a `CityContext`; each tile adds its own series and lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

from dash import Dash, Input, Output, State, no_update
from dash.development.base_component import Component
from flask_caching import Cache

from dashboard.core.cache import cache_of, cached
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import lang_from_search
from dashboard.core.periods import PERIODS, Window, window
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.kpis import AGEING_BUCKETS, Backlog, Ratio, UnitKpis, build_unit_kpis, median_half_days
from dashboard.metrics.service_index import movement, rank, score_unit
from dashboard.pages import freshness, kpis
from dashboard.pages.league import league_units
from dashboard.pages.views import current_key
from dashboard.services import Services
from dashboard.store.contributions import DONE_STATUSES
from dashboard.store.lists import DOSSIER_FILTERS, FEEDBACK_LISTS, DossierPage
from dashboard.store.schema import CLOSED_STATUSES
from layouts import shell
from layouts import unit as unit_layout
from layouts.ids import ShellIds, UnitIds

CITY_KEY = "city"
RATIO_FIELDS = (
    "online",
    "online_full",
    "on_time",
    "apology",
    "dossier_satisfaction",
    "feedback_on_time",
    "feedback_satisfaction",
)
COUNT_FIELDS = ("received", "late", "feedback_received", "open_feedback", "overdue_feedback")
SCROLL_TO_LIST = f"""function(focus) {{
    if (focus) {{
        window.requestAnimationFrame(function() {{
            var list = document.getElementById("{UnitIds.DRILL}");
            if (list) {{ list.scrollIntoView({{block: "start"}}); }}
        }});
    }}
    return window.dash_clientside.no_update;
}}"""


@dataclass(frozen=True)
class TileQuery:
    """What the address asks for: /unit/<key>?period=…&list=…&page=…"""

    key: str
    period: str = unit_layout.DEFAULT_PERIOD
    list_name: str | None = None
    page: int = 1


def tile_query(pathname: str | None, search: str | None) -> TileQuery:
    """The unit key (as written in the path), a known period (else 30d), a known dossier filter (else none), a page."""
    key = unquote((pathname or "")[len(unit_layout.UNIT_PATH) :]).strip("/")
    values = parse_qs((search or "").lstrip("?"))

    def first(name: str) -> str:
        return (values.get(name) or [""])[0]

    period = first(unit_layout.PERIOD_PARAM)
    list_name = first(unit_layout.LIST_PARAM)
    page = first(unit_layout.PAGE_PARAM)
    return TileQuery(
        key=key,
        period=period if period in PERIODS else unit_layout.DEFAULT_PERIOD,
        list_name=list_name if list_name in DOSSIER_FILTERS or list_name in FEEDBACK_LISTS else None,
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
    )


def _sum(ratios: list[Ratio]) -> Ratio:
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def city_kpis(
    units: Mapping[str, UnitKpis], period: str, span: Window, as_of: datetime, histogram: Mapping[int, int]
) -> UnitKpis:
    """The city as one unit: every count and both parts of every ratio summed over `units`; the backlog and its
    ageing summed; the median over the merged processing `histogram`; the mean statutory time weighted by
    completed dossiers (Σ mean × completed ÷ Σ completed)."""
    values = list(units.values())
    completed = sum(k.completed for k in values)
    statutory = sum((k.mean_statutory_days or 0.0) * k.completed for k in values)
    backlogs = [k.backlog for k in values]
    backlog = Backlog(
        in_progress=sum(b.in_progress for b in backlogs),
        overdue=sum(b.overdue for b in backlogs),
        overdue_with_apology=sum(b.overdue_with_apology for b in backlogs),
        ageing={bucket: sum(b.ageing.get(bucket, 0) for b in backlogs) for bucket in AGEING_BUCKETS},
    )
    return UnitKpis(
        unit_key=CITY_KEY,
        period=period,
        window=span,
        as_of=as_of,
        backlog=backlog,
        median_processing_days=median_half_days(dict(histogram)),
        mean_statutory_days=statutory / completed if completed else None,
        **{name: _sum([getattr(k, name) for k in values]) for name in RATIO_FIELDS},
        **{name: sum(getattr(k, name) for k in values) for name in COUNT_FIELDS},
    )


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
    league_sizes: dict[str, int]  # by kind


def city_context(services: Services, period: str, as_of: datetime) -> CityContext:
    """Every unit's KPIs, the city's sums, and each league's ranks with their movement since the previous period
    (the same ranking as `dashboard.league.league`, without its weekly trends)."""
    store, calendar, config = services.store, services.calendar, services.index_config
    span = window(period, as_of)
    leagues = {kind: [u["key"] for u in league_units(store, kind, as_of)] for kind in unit_layout.LEAGUE_KINDS}
    ranked = [key for members in leagues.values() for key in members]
    current = kpis.unit_kpis(store, calendar, period, as_of, span=span, units=ranked)
    previous = kpis.previous_unit_kpis(store, calendar, period, as_of, units=ranked)
    histogram: Counter[int] = Counter()
    for unit_histogram in kpis.period_counters(store, span)[2].values():
        histogram.update(unit_histogram)
    ranks: dict[str, int | None] = {}
    movements: dict[str, int | None] = {}
    for members in leagues.values():
        now = rank({key: score_unit(current[key], config).score for key in members})
        before = rank({key: score_unit(previous[key], config).score for key in members})
        ranks.update(now)
        movements.update({key: movement(now[key], before[key]) for key in members})
    return CityContext(
        as_of=as_of,
        span=span,
        units={u["key"]: u for u in store.units()},
        kpis=current,
        city=city_kpis(current, period, span, as_of, histogram),
        ranks=ranks,
        movements=movements,
        league_sizes={kind: len(members) for kind, members in leagues.items()},
    )


def working_days_late(due: datetime, end: datetime | None, calendar: WorkCalendar) -> int | None:
    """Working days d with day(due) < d ≤ day(end), at least 1 (as the ageing buckets count them); None when the
    dossier was not late at `end` (or has no end: withdrawn, cancelled)."""
    if end is None or end <= due:
        return None
    due_day, end_day = due.astimezone(CITY_TZ).date(), end.astimezone(CITY_TZ).date()
    return max(calendar.working_days_in(due_day + timedelta(days=1), end_day + timedelta(days=1)), 1)


def with_late_days(listed: DossierPage, as_of: datetime, calendar: WorkCalendar) -> DossierPage:
    """The page's rows with `late_days`: to the completion when resolved, to `as_of` when still open."""

    def end(row: dict[str, Any]) -> datetime | None:
        if row["status"] in DONE_STATUSES:
            return row["completed_at"]
        return None if row["status"] in CLOSED_STATUSES else as_of

    rows = [{**row, "late_days": working_days_late(row["due_original_at"], end(row), calendar)} for row in listed.rows]
    return replace(listed, rows=rows)


def _lists(services: Services, query: TileQuery, as_of: datetime, start: datetime) -> dict[str, Any]:
    lists, calendar, key = services.store.lists, services.calendar, query.key
    drill = None
    if query.list_name in FEEDBACK_LISTS:
        name = query.list_name.removeprefix("feedback_")
        drill = lists.feedback_page(key, name, as_of, start, query.page, unit_layout.DRILL_PAGE_SIZE)
        if not drill.rows and drill.page > drill.pages:  # a page past the end shows the last one
            drill = lists.feedback_page(key, name, as_of, start, drill.pages, unit_layout.DRILL_PAGE_SIZE)
    elif query.list_name:
        drill = lists.page(key, query.list_name, as_of, start, query.page, unit_layout.DRILL_PAGE_SIZE)
        if not drill.rows and drill.page > drill.pages:  # a page past the end shows the last one
            drill = lists.page(key, query.list_name, as_of, start, drill.pages, unit_layout.DRILL_PAGE_SIZE)
        drill = with_late_days(drill, as_of, calendar)
    return {
        "overdue": with_late_days(lists.page(key, "overdue", as_of, page_size=unit_layout.TILE_ROWS), as_of, calendar),
        "no_apology": with_late_days(
            lists.page(key, "late_no_apology", as_of, start, page_size=unit_layout.TILE_ROWS), as_of, calendar
        ),
        "late_procedures": tuple(lists.late_procedures(key, as_of, start)),
        "drill": drill,
        "drill_filter": query.list_name,
    }


def unit_view(services: Services, context: CityContext, query: TileQuery) -> unit_layout.UnitView:
    """The tile of `query.key` (a known unit) over the context's period and instant."""
    key, as_of, span, store = query.key, context.as_of, context.span, services.store
    unit = context.units[key]
    figures = context.kpis.get(key) or build_unit_kpis(key, query.period, span, as_of, {}, {}, {}, Backlog(), (0, 0))
    today = as_of.astimezone(CITY_TZ).date()
    _opening, days = store.series.unit_days(key, today - timedelta(days=unit_layout.TREND_DAYS - 1), today)
    sources = [source for source in services.sources if source.unit == key]
    health = freshness.source_freshness(store, sources, as_of, services.settings.stale_factor)
    pulls = [item.last_good_pull_at for item in health]
    return unit_layout.UnitView(
        unit=unit,
        period=query.period,
        as_of=as_of,
        kpis=figures,
        city=context.city,
        index=score_unit(figures, services.index_config),
        rank=context.ranks.get(key),
        league_size=context.league_sizes.get(unit["kind"], 0),
        movement=context.movements.get(key),
        targets=services.commitments.for_unit(key),
        stale=any(item.stale for item in health),
        data_as_of=None if not pulls or None in pulls else min(pulls),
        trend=tuple(days),
        **_lists(services, query, as_of, span.start),
    )


def tile_data(services: Services, cache: Cache, key: list[Any], query: TileQuery) -> unit_layout.UnitView | None:
    """The tile asked for, cached per (version, minute, address); None for a key no unit has."""
    version, minute = key

    def context() -> CityContext:
        return city_context(services, query.period, services.clock.now())

    shared = cached(cache, f"unit-context:{version}:{minute}:{query.period}", context)
    if query.key not in shared.units:
        return None
    address = f"{query.key}:{query.period}:{query.list_name or ''}:{query.page}"
    return cached(cache, f"unit:{version}:{minute}:{address}", lambda: unit_view(services, shared, query))


def page(services: Services, cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    """The whole tile for the address, or a not-found page naming the key."""
    query = tile_query(pathname, search)
    key = current_key(services)
    view = tile_data(services, cache, key, query)
    if view is None:
        return unit_layout.not_found(query.key, lang, pathname)
    return unit_layout.layout(view, lang, pathname, services.settings.refresh_ms, key)


def refresh(
    services: Services, cache: Cache, seen: list[Any] | None, pathname: str | None, search: str | None
) -> tuple[Any, ...]:
    """New as-of text, every refreshed part and key; `no_update` for all when the key has not changed."""
    key = current_key(services)
    view = None if key == seen else tile_data(services, cache, key, tile_query(pathname, search))
    if view is None:
        return (no_update,) * (len(unit_layout.REFRESHED) + 2)
    lang = lang_from_search(search, services.settings.language)
    return (shell.as_of_text(view.as_of, lang), *unit_layout.refreshed(view, lang), key)


def register(app: Dash, services: Services) -> None:
    """The refresh callback, driven by the tile's `dcc.Interval`, and the scroll to an opened list."""
    cache = cache_of(app)
    parts = [Output(i, "figure" if i in unit_layout.FIGURES else "children") for i in unit_layout.REFRESHED]

    @app.callback(
        Output(ShellIds.AS_OF, "children", allow_duplicate=True),  # other pages' refreshes write it too
        *parts,
        Output(UnitIds.SEEN, "data"),
        Input(UnitIds.INTERVAL, "n_intervals"),
        State(UnitIds.SEEN, "data"),
        State(ShellIds.LOCATION, "pathname"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_unit(_n: int, seen: list[Any] | None, pathname: str | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, pathname, search)

    app.clientside_callback(SCROLL_TO_LIST, Output(UnitIds.FOCUSED, "data"), Input(UnitIds.FOCUS, "data"))
