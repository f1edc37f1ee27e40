"""The wall: the page, the one data-version poll that re-renders only on change, and the client-side clock,
rotation and scale. What it shows is `dashboard.pages.wall`'s model; how it looks is `layouts.wall*`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.development.base_component import Component

from callbacks.polls import request_values
from dashboard.core.cache import UNCHANGED, WAITING, Cache, cache_of, cached, kept
from dashboard.core.geo import Boundaries, read_tile_grid
from dashboard.pages.wall import WallData, current_key, map_shapes, patch_base, shown_wall_key, wall_data
from dashboard.services import Services
from layouts import patches
from layouts import wall as wall_layout
from layouts.ids import ShellIds, WallIds
from layouts.wall_figures import figures, redrawn
from layouts.wall_model import WallOptions, parse_options

MIN_SCALE, MAX_SCALE = 0.5, 4.0  # assets/wall.js `screenScale`: the same bounds
PENDING_POLL_MS = 1000  # how soon a wall asks again while its new figures are computed
# the refresh's answer while another thread draws the same (dashboard.web.ready): keep what is shown, ask again soon
READY_WAITING = json.dumps({"multi": True, "response": {WallIds.POLL: {"interval": PENDING_POLL_MS}}})


def options_of(services: Services, search: str | None) -> WallOptions:
    return parse_options(search, services.settings.language, services.settings.wall_dwell_s)


def boundaries_of(services: Services) -> Boundaries:
    return Boundaries(services.settings.boundary_file, services.settings.ward_boundary_file)


def screen_scale(search: str | None) -> float:
    """The screen's scale (its height over 1080 px, 0.5–4, to 2 decimals) that the wall's script writes into the
    address as `?scale=` before the page is asked for (assets/wall.js), so the page is drawn once, at the size its
    screen needs; 1 without it."""
    try:
        value = round(float((parse_qs((search or "").lstrip("?")).get("scale") or ["1"])[0]), 2)
    except ValueError:
        return 1.0
    return min(max(value, MIN_SCALE), MAX_SCALE) if value == value else 1.0  # NaN: 1


def page(services: Services, cache: Cache, _lang: str, _pathname: str, search: str | None) -> Component:
    """The whole wall at its screen's scale (`screen_scale`; the client's scale callback then finds it the same)."""
    options, scale = options_of(services, search), screen_scale(search)
    data_key, data = wall_data(services, cache, current_key(services, scale))
    shapes = map_shapes(options.map, boundaries_of(services))
    shown, notes = figures(data, options, shapes, read_tile_grid(services.settings.tile_grid_file), scale)
    now = services.clock.now()
    return wall_layout.layout(data, options, now, shown, services.settings.refresh_ms, [*data_key, scale], notes)


def _drawn_name(key: list[Any], options: WallOptions, part_names: list[str]) -> str:
    scale = float(key[2])  # 1 and 1.0 alike: a wall's key comes back from the browser as JSON
    return f"wall-drawn:{key[0]}:{key[1]}:{scale}:{options.cache_key()}:{','.join(part_names)}"


def drawn(
    services: Services, cache: Cache, data: WallData, options: WallOptions, key: list[Any], part_names: list[str]
) -> tuple[Any, ...]:
    """What a refresh redraws: every wall showing the same URL draws the same thing, so it is drawn once per key
    and shared through the cache, and kept by each process that reads it (never changed by its readers)."""
    shapes = lambda: map_shapes(options.map, boundaries_of(services))  # noqa: E731
    return cached(
        cache,
        _drawn_name(key, options, part_names),
        lambda: redrawn(data, options, shapes(), read_tile_grid(services.settings.tile_grid_file), key[2], part_names),
        keep=True,
    )


def drawn_before(
    cache: Cache, options: WallOptions, seen: list | None, key: list[Any], part_names: list[str]
) -> tuple[Any, ...] | None:
    """What was drawn for the key a refresh to `key` patches (`pages.wall.patch_base`: the key a wall that kept
    up shows), if the cache still holds it; never drawn anew. None for any other key the wall shows."""
    base = patch_base(cache, key, seen)
    if base is None:
        return None
    return kept(cache, _drawn_name(base, options, part_names), large=True)  # a cache outage: the whole drawing


def changed_only(before: tuple[Any, ...] | None, now: tuple[Any, ...]) -> tuple[Any, ...]:
    """`now` (header, sources, parts, figures, ticker) as a wall showing `before` needs it: `no_update` where
    nothing changed, a `Patch` of the values that changed in a figure or a part (`layouts.patches`: components are
    JSON to the client like figures — a district's count, a KPI's value), all of `now` without `before`."""
    if before is None:
        return now
    header, sources, parts, shown, ticker_line = now
    old_header, old_sources, old_parts, old_shown, old_ticker = before
    patch = patches.figure_patch
    return (
        patch(old_header, header),
        patch(old_sources, sources),
        [patch(q, p) for p, q in zip(parts, old_parts, strict=True)],
        {name: patch(old_shown.get(name), figure) for name, figure in shown.items()},
        patch(old_ticker, ticker_line),
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
    now = drawn(services, cache, data, options, key, part_names)
    header, sources, parts, shown, line = changed_only(drawn_before(cache, options, seen, key, part_names), now)
    graphs, times = [shown.get(name, no_update) for name in graph_names], wall_layout.times(data, services.clock.now())
    return header, sources, times, parts, graphs, line, services.settings.refresh_ms, key


def _identity(key: list[Any], seen: list | None, options: WallOptions, part_names: list[str], graphs: list[str]) -> str:
    return json.dumps([key, seen, options.cache_key(), part_names, graphs])


def ready_matches(body: dict[str, Any]) -> bool:
    """A request of the wall's refresh (`register`): its interval and scale as inputs."""
    return {WallIds.POLL, WallIds.SCALE} <= request_values(body, "inputs").keys() and len(
        body.get("outputs") or ()
    ) == 8


def ready_identity(services: Services, cache: Cache) -> Callable[[dict[str, Any]], str | None]:
    """What a wall refresh's answer depends on — the key it will show (`pages.wall.shown_wall_key`), the key it
    patches (`patch_base`: the one shown just before, else none), the address's options, the parts and graphs;
    `UNCHANGED` when the wall shows the newest key (the common poll: the version as read at most every
    `version_check_ms`), `WAITING` when it shows the newest so far. A key costs two answers, however many walls."""

    def identity(body: dict[str, Any]) -> str | None:
        inputs, states, outputs = request_values(body, "inputs"), request_values(body, "state"), body["outputs"]
        key = current_key(services, float(inputs.get(WallIds.SCALE) or 1.0))
        seen = states.get(WallIds.SEEN)
        if key == seen:
            return UNCHANGED
        if not isinstance(outputs[3], list) or not isinstance(outputs[4], list):
            return None
        shown = shown_wall_key(services, cache, key)
        if shown is None:
            return None
        if shown == seen:
            return WAITING
        part_names = [item["id"]["part"] for item in outputs[3]]
        graphs = [item["id"]["name"] for item in outputs[4]]
        options = options_of(services, states.get(ShellIds.LOCATION))
        return _identity(shown, patch_base(cache, shown, seen), options, part_names, graphs)

    return identity


def ready_stamp(identity: str, answer: dict[str, Any]) -> int | None:
    """The server clock of a refresh's answer when it shows the key the identity names (not the newest figures
    so far while that key's are computed)."""
    shown = answer.get("response", {})
    key, times = shown.get(WallIds.SEEN, {}).get("data"), shown.get(WallIds.TIMES, {}).get("data")
    final = key == json.loads(identity)[0] and isinstance(times, dict) and isinstance(times.get("now"), int)
    return times["now"] if final else None


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
