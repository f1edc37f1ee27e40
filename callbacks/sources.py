"""The sources page: render `dashboard.pages.sources`' model for the address, and refresh it when the data version
or the minute changes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, no_update
from dash.development.base_component import Component

from dashboard.auth.context import current_principal
from dashboard.auth.roles import ADMIN_SOURCES, allowed
from dashboard.core.cache import Cache, cache_of
from dashboard.core.i18n import lang_from_search
from dashboard.core.paging import page_asked
from dashboard.pages.common import current_key
from dashboard.pages.sources import SourcesView, for_admins_only, sources_data
from dashboard.services import Services
from layouts import shell
from layouts import sources as sources_layout
from layouts.ids import ShellIds, SourcesIds

SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")  # as `SourceConfig.name` allows
SCROLL_TO_REJECTED = f"""function(focus) {{
    if (focus) {{
        window.requestAnimationFrame(function() {{
            var section = document.getElementById("{SourcesIds.REJECTED_SECTION}");
            if (section) {{ section.scrollIntoView({{block: "start"}}); }}
        }});
    }}
    return window.dash_clientside.no_update;
}}"""


def rejected_query(search: str | None) -> tuple[str | None, int]:
    """The source (None for all; a name no source could have counts as none) and the page asked for."""
    values = parse_qs((search or "").lstrip("?"))
    source = (values.get(sources_layout.SOURCE_PARAM) or [""])[0]
    page = (values.get(sources_layout.PAGE_PARAM) or ["1"])[0]
    return (source if SOURCE_NAME.fullmatch(source) else None), page_asked(page)


def for_viewer(view: SourcesView) -> SourcesView:
    """All of it for those who manage the sources; for everyone else no error text, address or raw value."""
    return view if allowed(current_principal(), ADMIN_SOURCES) else for_admins_only(view)


def page(services: Services, cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    """The whole sources page, filled with the current state of every source."""
    key = current_key(services)
    view = for_viewer(sources_data(services, cache, key, *rejected_query(search)))
    health = list(view.health)
    refresh_ms = services.settings.refresh_ms
    return sources_layout.layout(
        health, view.rejected, view.as_of, lang, pathname, refresh_ms, key, view.writer, view.wall_time,
        view.calendar_unconfirmed, view.unlisted,
    )  # fmt: skip


def refresh(services: Services, cache: Cache, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
    """New as-of text, summary, table, rejected rows and key; `no_update` for all when the key has not changed."""
    key = current_key(services)
    if key == seen:
        return (no_update,) * 5
    lang = lang_from_search(search, services.settings.language)
    view = for_viewer(sources_data(services, cache, key, *rejected_query(search)))
    health = list(view.health)
    return (
        shell.as_of_text(view.as_of, lang),
        sources_layout.summary(health, lang, view.writer, view.wall_time),
        sources_layout.table_area(health, lang, view.unlisted),
        sources_layout.rejected_browser(view.rejected, lang),
        key,
    )


def register(app: Dash, services: Services) -> None:
    """The refresh callback, driven by the page's `dcc.Interval`, and the scroll to the rejected rows."""
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.AS_OF, "children", allow_duplicate=True),  # the overview's refresh writes it too
        Output(SourcesIds.SUMMARY, "children"),
        Output(SourcesIds.TABLE, "children"),
        Output(SourcesIds.REJECTED, "children"),
        Output(SourcesIds.SEEN, "data"),
        Input(SourcesIds.INTERVAL, "n_intervals"),
        State(SourcesIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_sources(_n_intervals: int, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, search)

    app.clientside_callback(SCROLL_TO_REJECTED, Output(SourcesIds.FOCUSED, "data"), Input(SourcesIds.FOCUS, "data"))
