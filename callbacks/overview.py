"""The home page (/): render `dashboard.pages.overview`'s model for the period asked (the picker, or `?period=` in
the address), refresh it when the data version, the minute or the period changes, and open a unit's tile from the
search or the map (client-side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from dash import ClientsideFunction, Dash, Input, Output, State, no_update
from dash.development.base_component import Component

from callbacks.wall import boundaries_of
from dashboard.core.cache import Cache, cache_of, cached
from dashboard.core.geo import read_tile_grid
from dashboard.core.i18n import lang_from_search
from dashboard.core.vocabulary import DEFAULT_PERIOD
from dashboard.pages.common import period_or_default
from dashboard.pages.overview import OverviewView, overview_data, overview_key
from dashboard.pages.wall import map_shapes
from dashboard.services import Services
from layouts import overview as overview_layout
from layouts import shell
from layouts.home_parts import open_everything, trend_figure
from layouts.ids import HomeIds, OverviewIds, ShellIds
from layouts.wall_figures import map_figure
from layouts.wall_model import WallOptions

MAP_SCALE = 0.5  # the wall's map at half its size: its smallest text 14 px, not 28
PERIOD_PARAM = "period"


def period_of(search: str | None) -> str:
    """The address's `?period=`, when valid; else 30 days."""
    return period_or_default((parse_qs((search or "").lstrip("?")).get(PERIOD_PARAM) or [""])[0], DEFAULT_PERIOD)


def home_map(services: Services, cache: Cache, view: OverviewView, key: list[Any], lang: str) -> tuple[Any, Any]:
    """The wall's map of the overdue share (`layouts.wall_figures.map_figure`), light and clickable, drawn once per
    (version, minute, language) and shared through the cache."""
    options = WallOptions(theme="light", lang=lang, kiosk=False)
    cells = read_tile_grid(services.settings.tile_grid_file)
    draw = lambda: map_figure(view.wall, options, map_shapes(None, boundaries_of(services)), cells, MAP_SCALE)  # noqa: E731
    return cached(cache, f"home-map:{key[0]}:{key[1]}:{lang}", draw)


def page(
    services: Services,
    cache: Cache,
    lang: str,
    pathname: str,
    search: str | None = None,
    may_open: Callable[[str], bool] = open_everything,
) -> Component:
    """The whole home page for the address's period; `may_open(path)`: whether the viewer may open a page."""
    key, view = overview_data(services, cache, period_of(search))
    figure, notes = home_map(services, cache, view, key, lang)
    refresh_ms = services.settings.refresh_ms
    return overview_layout.layout(view, figure, notes, lang, pathname, refresh_ms, key, may_open)


def refresh(
    services: Services,
    cache: Cache,
    seen: list[Any] | None,
    period: str | None,
    lang: str,
    may_open: Callable[[str], bool] = open_everything,
) -> tuple[Any, ...]:
    """New as-of text, the parts (`layouts.overview.PART_IDS`), map, map notes, trend and key; `no_update` for all
    when the key (version, minute, period of the figures shown) has not changed. `may_open` as for `page`: a
    refresh links to the same tiles as the page it refreshes."""
    period = period_or_default(period, DEFAULT_PERIOD)
    nothing = (no_update,) * (len(overview_layout.PART_IDS) + 5)
    if overview_key(services, period) == seen:  # the common case, without reading the figures
        return nothing
    key, view = overview_data(services, cache, period)
    if key == seen:  # the wall's figures of this minute are still computed: the ones shown are the newest
        return nothing
    shown = overview_layout.parts(view, lang, may_open)
    figure, notes = home_map(services, cache, view, key, lang)
    parts = [shown[part] for part in overview_layout.PART_IDS]
    return (shell.as_of_text(view.as_of, lang), *parts, figure, " · ".join(notes), trend_figure(view.trend, lang), key)


def register(app: Dash, services: Services, may_open: Callable[[str], bool] | None = None) -> None:
    """The refresh (the page's `dcc.Interval` and the period picker) and the client-side jump to a unit's tile
    (`may_open(path)`: whether the request's viewer may open a page)."""
    opens = may_open or open_everything
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.AS_OF, "children", allow_duplicate=True),  # other pages' refreshes write it too
        *(Output(part, "children") for part in overview_layout.PART_IDS),
        Output(HomeIds.MAP, "figure"),
        Output(HomeIds.MAP_NOTES, "children"),
        Output(HomeIds.TREND, "figure"),
        Output(OverviewIds.SEEN, "data"),
        Input(OverviewIds.INTERVAL, "n_intervals"),
        Input(HomeIds.PERIODS, "value"),
        State(OverviewIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_overview(_n: int, period: str | None, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, period, lang_from_search(search, services.settings.language), opens)

    app.clientside_callback(
        ClientsideFunction("cchcHome", "openUnit"),
        Output(ShellIds.LOCATION, "pathname", allow_duplicate=True),
        Output(ShellIds.LOCATION, "search", allow_duplicate=True),
        Input(HomeIds.SEARCH, "value"),
        Input(HomeIds.MAP, "clickData"),
        State(HomeIds.SEARCH, "options"),  # the tiles the viewer may open, by address
        prevent_initial_call=True,
    )
