"""The city overview: render the page from `dashboard.pages.overview`, and refresh it when the data version or the
minute changes."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, no_update
from dash.development.base_component import Component

from dashboard.core.cache import Cache, cache_of
from dashboard.core.i18n import lang_from_search
from dashboard.pages.common import current_key
from dashboard.pages.overview import overview_data
from dashboard.services import Services
from layouts import overview as overview_layout
from layouts import shell
from layouts.ids import OverviewIds, ShellIds


def page(services: Services, cache: Cache, lang: str, pathname: str) -> Component:
    """The whole overview page, filled with the current figures."""
    key = current_key(services)
    view = overview_data(services, cache, key)
    return overview_layout.layout(view.overview, list(view.sources), lang, pathname, services.settings.refresh_ms, key)


def refresh(services: Services, cache: Cache, seen: list[Any] | None, lang: str) -> tuple[Any, ...]:
    """New as-of text, KPI cards, source table and key; `no_update` for all when the key has not changed."""
    key = current_key(services)
    if key == seen:
        return (no_update,) * 4
    view = overview_data(services, cache, key)
    return (
        shell.as_of_text(view.overview.as_of, lang),
        overview_layout.kpi_cards(view.overview, lang),
        overview_layout.sources_table(list(view.sources), lang),
        key,
    )


def register(app: Dash, services: Services) -> None:
    """The refresh callback, driven by the page's `dcc.Interval`."""
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.AS_OF, "children"),
        Output(OverviewIds.KPIS, "children"),
        Output(OverviewIds.SOURCES, "children"),
        Output(OverviewIds.SEEN, "data"),
        Input(OverviewIds.INTERVAL, "n_intervals"),
        State(OverviewIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_overview(_n_intervals: int, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, lang_from_search(search, services.settings.language))
