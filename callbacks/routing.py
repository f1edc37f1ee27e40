"""Our own routing: the URL's path picks a page, its `?lang=` the language."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from dash import Dash, Input, Output
from dash.development.base_component import Component
from flask_caching import Cache

from callbacks import overview
from callbacks.cache import cache_of
from dashboard.i18n import lang_from_search
from dashboard.services import Services
from layouts import shell
from layouts.ids import ShellIds

PageRenderer = Callable[[Services, Cache, str, str], Component]
PAGES: MappingProxyType[str, PageRenderer] = MappingProxyType({"/": overview.page})


def route(services: Services, cache: Cache, pathname: str | None, search: str | None) -> Component:
    """The page for `pathname` in the language of `search`; a plain "not found" page for unknown paths."""
    lang = lang_from_search(search, services.settings.language)
    path = pathname or "/"
    render = PAGES.get(path)
    return render(services, cache, lang, path) if render else shell.not_found(path, lang)


def register(app: Dash, services: Services) -> None:
    """The router callback: URL → page container."""
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.PAGE, "children"),
        Input(ShellIds.LOCATION, "pathname"),
        Input(ShellIds.LOCATION, "search"),
    )
    def render_page(pathname: str | None, search: str | None) -> Component:
        return route(services, cache, pathname, search)
