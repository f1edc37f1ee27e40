"""The wall: the page, the one data-version poll that re-renders only on change, and the client-side clock,
rotation and scale. What it shows is `dashboard.pages.wall`'s model; how it looks is `layouts.wall*`."""

from __future__ import annotations

from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.development.base_component import Component

from dashboard.core.cache import Cache, cache_of, cached
from dashboard.core.geo import Boundaries, read_tile_grid
from dashboard.pages.wall import WallData, current_key, map_shapes, wall_data
from dashboard.services import Services
from layouts import wall as wall_layout
from layouts.ids import ShellIds, WallIds
from layouts.wall_figures import figures, redrawn
from layouts.wall_model import WallOptions, parse_options

PENDING_POLL_MS = 1000  # how soon a wall asks again while its new figures are computed


def options_of(services: Services, search: str | None) -> WallOptions:
    return parse_options(search, services.settings.language, services.settings.wall_dwell_s)


def boundaries_of(services: Services) -> Boundaries:
    return Boundaries(services.settings.boundary_file, services.settings.ward_boundary_file)


def page(services: Services, cache: Cache, _lang: str, _pathname: str, search: str | None) -> Component:
    """The whole wall at scale 1 (the client reports its screen's scale on its first tick)."""
    options = options_of(services, search)
    data_key, data = wall_data(services, cache, current_key(services, 1.0))
    shapes = map_shapes(options.map, boundaries_of(services))
    shown, notes = figures(data, options, shapes, read_tile_grid(services.settings.tile_grid_file), 1.0)
    now = services.clock.now()
    return wall_layout.layout(data, options, now, shown, services.settings.refresh_ms, [*data_key, 1.0], notes)


def drawn(
    services: Services, cache: Cache, data: WallData, options: WallOptions, key: list[Any], part_names: list[str]
) -> tuple[Any, ...]:
    """What a refresh redraws: every wall showing the same URL draws the same thing, so it is drawn once per key
    and shared through the cache."""
    name = f"wall-drawn:{key[0]}:{key[1]}:{key[2]}:{options.cache_key()}:{','.join(part_names)}"
    shapes = lambda: map_shapes(options.map, boundaries_of(services))  # noqa: E731
    return cached(
        cache,
        name,
        lambda: redrawn(data, options, shapes(), read_tile_grid(services.settings.tile_grid_file), key[2], part_names),
    )


def refresh(
    services: Services,
    cache: Cache,
    seen: list | None,
    search: str | None,
    scale: float | None,
    part_names: list[str],
    graph_names: list[str],
) -> tuple[Any, ...]:
    """Header class, sources status, clock times, parts, figures, ticker, poll interval and key; `no_update` for
    all when the key (data version, minute, scale) has not changed. While the new key's figures are computed in
    the background, it keeps the newest ones and polls again soon (`PENDING_POLL_MS`)."""
    key = current_key(services, float(scale or 1.0))
    nothing = (no_update,) * 3 + ([no_update] * len(part_names), [no_update] * len(graph_names)) + (no_update,) * 3
    if key == seen:
        return nothing
    options = options_of(services, search)
    data_key, data = wall_data(services, cache, key)
    key = [*data_key, key[2]]  # what is shown: the figures of `key` once computed, the newest so far until then
    if key == seen:
        return (*nothing[:-2], min(PENDING_POLL_MS, services.settings.refresh_ms), no_update)
    header, sources, parts, shown, ticker_line = drawn(services, cache, data, options, key, part_names)
    graphs = [shown.get(name, no_update) for name in graph_names]
    times = wall_layout.times(data, services.clock.now())
    return header, sources, times, parts, graphs, ticker_line, services.settings.refresh_ms, key


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
