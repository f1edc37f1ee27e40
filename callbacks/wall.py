"""The wall: its figures once per data version and minute (shared through the cache), the page, the one
data-version poll that re-renders only on change, and the client-side clock, rotation and scale."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.development.base_component import Component
from flask_caching import Cache

from dashboard.core.cache import background_for, cache_of, cached, cached_or_latest
from dashboard.core.clock import city_time
from dashboard.core.geo import Boundaries, BoundaryError, TileCell, read_tile_grid
from dashboard.core.i18n import t
from dashboard.metrics import alerts
from dashboard.metrics.kpis import Backlog, Ratio, city_overview
from dashboard.metrics.service_index import rank, score_unit
from dashboard.pages import freshness
from dashboard.pages.kpis import unit_kpis
from dashboard.pages.league import league_units
from dashboard.services import Services
from layouts import maps, wall_geo
from layouts import wall as wall_layout
from layouts.ids import ShellIds, WallIds
from layouts.wall_gauges import city_gauge
from layouts.wall_model import FeedbackPoint, Limits, UnitStatus, WallData, WallOptions, parse_options
from layouts.wall_views import ticker

log = logging.getLogger(__name__)
PERIOD = "30d"
KINDS = ("district", "department")
FEEDBACK_WINDOW = timedelta(hours=24)
PENDING_POLL_MS = 1000  # how soon a wall asks again while its new figures are computed
CITY_KEY = "hcmc"


def limits_of(services: Services) -> Limits:
    s = services.settings
    return Limits(
        s.wall_overdue_warn, s.wall_overdue_alarm, s.online_target, s.wall_new_late_warn, s.wall_new_late_alarm
    )


def feedback_points(services: Services, since: datetime, until: datetime) -> tuple[FeedbackPoint, ...]:
    """Feedback with a location received in [since, until) (the map shows the last 24 hours)."""
    rows = services.store.series.feedback_points(since, until)
    return tuple(FeedbackPoint(row["lat"], row["lon"], row["unit_key"]) for row in rows)


def _statuses(services: Services, ranked: dict[str, list], kpis: dict, fresh: list, late: dict) -> list[UnitStatus]:
    by_unit: dict[str, list[freshness.SourceFreshness]] = {}
    for item in fresh:
        by_unit.setdefault(item.unit, []).append(item)
    statuses = []
    for kind, units in ranked.items():
        scores = {u["key"]: score_unit(kpis[u["key"]], services.index_config).score for u in units}
        ranks = rank(scores)
        for unit in units:
            key, sources = unit["key"], by_unit.get(unit["key"], [])
            pulls = [s.last_good_pull_at for s in sources]
            statuses.append(
                UnitStatus(
                    key=key,
                    kind=kind,
                    code=unit["code"],
                    name_vi=unit["name_vi"],
                    name_en=unit["name_en"],
                    short_name_vi=unit["short_name_vi"],
                    backlog=kpis[key].backlog,
                    on_time=kpis[key].on_time,
                    online=kpis[key].online,
                    score=scores[key],
                    rank=ranks[key],
                    stale=any(s.stale for s in sources),
                    data_as_of=None if not pulls or None in pulls else min(pulls),
                    new_late=late.get(key, (0, None))[0],
                )
            )
    return statuses


def compute(services: Services, as_of: datetime) -> WallData:
    """Everything the wall shows at `as_of`: one KPI pass over the rollups, the ranks, freshness and alerts."""
    store, settings, limits = services.store, services.settings, limits_of(services)
    version, changed_at = store.data_version()
    ranked = {kind: league_units(store, kind, as_of) for kind in KINDS}
    keys = [u["key"] for units in ranked.values() for u in units]
    kpis = unit_kpis(store, services.calendar, PERIOD, as_of, units=keys)
    overview = city_overview(kpis, as_of, version)
    fresh = freshness.source_freshness(store, services.sources, as_of, settings.stale_factor)
    late = alerts.new_late(store.rollups.open_backlog(due_from=as_of - alerts.NEW_LATE_WINDOW, due_before=as_of), as_of)
    backlogs = {key: k.backlog for key, k in kpis.items()}
    backlogs[CITY_KEY] = Backlog(overview.in_progress, overview.overdue_in_progress)
    found = [
        *alerts.overdue_share_alerts(backlogs, as_of, limits.overdue_warn, limits.overdue_alarm),
        *alerts.new_late_alerts(late, limits.new_late_warn, limits.new_late_alarm),
        *alerts.stale_source_alerts(fresh, settings.stale_factor),
    ]
    ratings = [k.dossier_satisfaction for k in kpis.values()]
    return WallData(
        as_of=as_of,
        version=version,
        changed_at=changed_at,
        overview=overview,
        satisfaction=Ratio(sum(r.numerator for r in ratings), sum(r.denominator for r in ratings)),
        units=tuple(_statuses(services, ranked, kpis, fresh, late)),
        sources_ok=sum(1 for s in fresh if s.status == "ok"),
        sources_total=len(fresh),
        stale_sources=sum(1 for s in fresh if s.stale),
        alerts=tuple(alerts.newest_first(found)),
        limits=limits,
        unit_names={u["key"]: (u["name_vi"], u["name_en"]) for u in store.units()},
        feedback_points=feedback_points(services, as_of - FEEDBACK_WINDOW, as_of),
    )


def wall_key(version: int, as_of: datetime, scale: float) -> list[Any]:
    """What the wall shows depends on: the data version, the minute (staleness, lags) and the screen scale."""
    return [version, city_time(as_of).strftime("%Y-%m-%dT%H:%M"), scale]


def wall_data(services: Services, cache: Cache, key: list[Any]) -> tuple[tuple, WallData]:
    """The wall's figures for (version, minute), computed once and shared by every viewer and worker; while
    they are computed (in the background), the newest figures so far. Returns their (version, minute) too."""
    return cached_or_latest(cache, "wall", (key[0], key[1]), lambda: compute(services, services.clock.now()))


def map_kind(options: WallOptions, boundaries: Boundaries) -> str:
    """The map asked for, if its file is configured; else districts when configured, else the tile grid."""
    available = boundaries.available()
    if options.map == "tiles" or not available:
        return "tiles"
    asked = {"districts": "district", "wards": "ward"}.get(options.map or "")
    if asked in available:
        return options.map  # type: ignore[return-value]
    return "districts" if "district" in available else "wards"


def map_figure(
    data: WallData, options: WallOptions, boundaries: Boundaries, cells: list[TileCell], scale: float
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The map figure and any note about it (a boundary file that could not be read falls back to tiles)."""
    districts = data.of_kind("district")
    common = {"scale": scale, "clickable": not options.kiosk, "points": data.feedback_points}
    kind = map_kind(options, boundaries)
    try:
        if kind == "districts":
            shapes = boundaries.districts
            figure = wall_geo.geo_map(
                shapes,
                {u.code: u for u in districts},
                options.metric,
                data.limits,
                options.lang,
                options.theme,
                **common,
            )
            return figure, ()
        if kind == "wards":
            outlines = boundaries.districts if "district" in boundaries.available() else ()
            figure = wall_geo.geo_map(
                boundaries.wards,
                {u.code: u for u in districts},
                options.metric,
                data.limits,
                options.lang,
                options.theme,
                level="ward",
                outlines=outlines,
                **common,
            )
            return figure, (t("wall.map.wards", options.lang, n=len(boundaries.wards)),)
    except BoundaryError as exc:
        log.warning("wall map: %s", exc)
        notes = (t("wall.map.boundary_error", options.lang, error=str(exc)),)
    else:
        notes = ()
    units = {u.key: u for u in districts}
    return maps.tile_map(cells, units, options.metric, data.limits, options.lang, options.theme, **common), notes


def figures(data: WallData, options: WallOptions, boundaries: Boundaries, cells: list[TileCell], scale: float):
    """The figures on the page ("gauge" and/or "map") and the map's notes."""
    result: dict[str, Any] = {}
    notes: tuple[str, ...] = ()
    if "summary" in options.views:
        result["gauge"] = city_gauge(data.overview, data.limits, options.lang, options.theme, scale)
    if "map" in options.views:
        result["map"], notes = map_figure(data, options, boundaries, cells, scale)
        notes += () if options.kiosk else (t("wall.map.click", options.lang),)
    return result, notes


def options_of(services: Services, search: str | None) -> WallOptions:
    return parse_options(search, services.settings.language, services.settings.wall_dwell_s)


def boundaries_of(services: Services) -> Boundaries:
    return Boundaries(services.settings.boundary_file, services.settings.ward_boundary_file)


def current_key(services: Services, scale: float) -> list[Any]:
    return wall_key(services.store.data_version()[0], services.clock.now(), scale)


def page(services: Services, cache: Cache, _lang: str, _pathname: str, search: str | None) -> Component:
    """The whole wall at scale 1 (the client reports its screen's scale on its first tick)."""
    options = options_of(services, search)
    data_key, data = wall_data(services, cache, current_key(services, 1.0))
    key = [*data_key, 1.0]
    shown, notes = figures(data, options, boundaries_of(services), read_tile_grid(), 1.0)
    now = services.clock.now()
    return wall_layout.layout(data, options, now, shown, services.settings.refresh_ms, key, notes)


def refresh(
    services: Services,
    cache: Cache,
    seen: list | None,
    search: str | None,
    scale: float | None,
    part_names: list[str],
    graph_names: list[str],
) -> tuple[Any, ...]:
    """Header class, sources status, clock times, parts, figures, ticker, poll interval and key; `no_update`
    for all when the key (data version, minute, scale) has not changed. When the figures of the new key are
    still being computed in the background and the wall already shows the newest ones, it keeps them and
    polls again soon (`PENDING_POLL_MS`) to fetch the new ones; once drawn, it polls at the usual pace."""
    key = current_key(services, float(scale or 1.0))
    nothing = (no_update,) * 3 + ([no_update] * len(part_names), [no_update] * len(graph_names)) + (no_update,) * 3
    if key == seen:
        return nothing
    options = options_of(services, search)
    data_key, data = wall_data(services, cache, key)
    key = [*data_key, key[2]]  # what is shown: the figures of `key` once computed, the newest so far until then
    if key == seen:
        return (*nothing[:-2], min(PENDING_POLL_MS, services.settings.refresh_ms), no_update)

    def draw() -> tuple[Any, ...]:
        shown, notes = figures(data, options, boundaries_of(services), read_tile_grid(), key[2])
        builders = wall_layout.parts(data, options, notes)
        return (
            wall_layout.header_class(data),
            wall_layout.sources_status(data, options.lang),
            [builders[name]() for name in part_names],
            shown,
            ticker(data, options.lang),
        )

    # Every wall showing the same URL draws the same thing: drawn once per key, shared through the cache.
    drawn_key = f"wall-drawn:{key[0]}:{key[1]}:{key[2]}:{options.cache_key()}:{','.join(part_names)}"
    header, sources, parts, shown, ticker_line = cached(cache, drawn_key, draw)
    times = wall_layout.times(data, services.clock.now())
    graphs = [shown.get(name, no_update) for name in graph_names]
    return header, sources, times, parts, graphs, ticker_line, services.settings.refresh_ms, key


def warm(app: Dash, services: Services) -> None:
    """Compute the wall's figures in the background now, so that the first wall to ask finds them."""
    cache = cache_of(app)
    background_for(cache).submit("wall", lambda: wall_data(services, cache, current_key(services, 1.0)))


def register(app: Dash, services: Services) -> None:
    """The refresh (server), and the clock, rotation, scale and map click (client-side) callbacks."""
    cache = cache_of(app)

    @app.callback(
        Output(WallIds.HEADER, "className"),
        Output(WallIds.SOURCES, "children"),
        Output(WallIds.TIMES, "data"),
        Output({"type": WallIds.VIEW_BODY, "part": ALL}, "children"),
        Output({"type": WallIds.GRAPH, "name": ALL}, "figure"),
        Output(WallIds.TICKER, "children"),
        Output(WallIds.POLL, "interval"),
        Output(WallIds.SEEN, "data"),
        Input(WallIds.POLL, "n_intervals"),
        Input(WallIds.SCALE, "data"),
        State(WallIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_wall(_n: int, scale: float | None, seen: list | None, search: str | None) -> tuple[Any, ...]:
        parts = [item["id"]["part"] for item in ctx.outputs_list[3]]
        graphs = [item["id"]["name"] for item in ctx.outputs_list[4]]
        return refresh(services, cache, seen, search, scale, parts, graphs)

    app.clientside_callback(
        ClientsideFunction("cchcWall", "clock"),
        Output(WallIds.CLOCK, "children"),
        Output(WallIds.DATE, "children"),
        Output(WallIds.UPDATED, "children"),
        Input(WallIds.TICK, "n_intervals"),
        Input(WallIds.TIMES, "data"),
        State(WallIds.TEXTS, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("cchcWall", "rotate"),
        Output({"type": WallIds.VIEW, "view": ALL}, "className"),
        Input(WallIds.ROTATE, "n_intervals"),
        State({"type": WallIds.VIEW, "view": ALL}, "className"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("cchcWall", "scale"),
        Output(WallIds.SCALE, "data"),
        Input(WallIds.TICK, "n_intervals"),
        State(WallIds.SCALE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("cchcWall", "openUnit"),
        Output(ShellIds.LOCATION, "pathname", allow_duplicate=True),
        Output(ShellIds.LOCATION, "search", allow_duplicate=True),
        Input({"type": WallIds.GRAPH, "name": ALL}, "clickData"),
        State(ShellIds.LOCATION, "search"),
        State(WallIds.TEXTS, "data"),
        prevent_initial_call=True,
    )
