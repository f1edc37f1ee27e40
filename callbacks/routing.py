"""Our own routing: the URL's path picks a page, its `?lang=` the language; pages may read the rest of the query.

Every page the router returns carries its language and tab title (`data-page-lang`, `data-page-title`); a
clientside callback writes them to `<html lang>` and `document.title`, also when the language or page changes
without a reload (the header's links are client-side)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from dash import Dash, Input, Output, html
from dash.development.base_component import Component

from callbacks import alerts, audit, briefings, league, overview, sources
from callbacks import unit as unit_page
from callbacks import wall as wall_page
from dashboard.auth.context import current_principal
from dashboard.auth.roles import USER
from dashboard.core.cache import Cache, cache_of
from dashboard.core.i18n import lang_from_search, t
from dashboard.services import Services
from layouts import audit as audit_layout
from layouts import shell
from layouts import unit as unit_layout
from layouts import wall as wall_layout
from layouts.attrs import Attrs
from layouts.ids import ShellIds

PageRenderer = Callable[[Services, Cache, str, str, str | None], Component]  # services, cache, lang, path, search


PAGES: MappingProxyType[str, PageRenderer] = MappingProxyType(
    {
        shell.OVERVIEW_PATH: overview.page,
        shell.SOURCES_PATH: sources.page,
        shell.LEAGUE_PATH: league.page,
        wall_layout.WALL_PATH: wall_page.page,
        shell.BRIEFINGS_PATH: briefings.page,
        audit_layout.AUDIT_PATH: audit.page,
        shell.ALERTS_PATH: alerts.page,
    }
)
# The tab title of the pages that are not framed by `shell.page` (which names its own).
TITLES: MappingProxyType[str, str] = MappingProxyType({wall_layout.WALL_PATH: "wall.title"})
PAGE_TITLE = "data-page-title"  # shell.page_marks
# <html lang> and the tab's title from the page the router just wrote (no output: it changes only the document).
DOCUMENT_MARKS = """function (page) {
    var marks = (page && page.props) || {};
    if (marks["data-page-lang"]) { document.documentElement.lang = marks["data-page-lang"]; }
    if (marks["data-page-title"]) { document.title = marks["data-page-title"]; }
}"""
# Pages whose path carries a value (/unit/<key>): the first prefix the path starts with.
PREFIX_PAGES: MappingProxyType[str, PageRenderer] = MappingProxyType(
    {unit_layout.UNIT_PATH: unit_page.page, briefings.CHANGES_PREFIX: briefings.changes_page}
)


def route(
    services: Services,
    cache: Cache,
    pathname: str | None,
    search: str | None,
    may_open: Callable[[str], bool] | None = None,
) -> Component:
    """The page for `pathname` in the language of `search`; a plain "not found" page for unknown paths."""
    lang = lang_from_search(search, services.settings.language)
    path = pathname or "/"
    render = PAGES.get(path) or next((r for prefix, r in PREFIX_PAGES.items() if path.startswith(prefix)), None)
    if render is overview.page and may_open is not None:  # the home page links only to the tiles one may open
        page = overview.page(services, cache, lang, path, search, may_open)
    else:
        page = render(services, cache, lang, path, search) if render else shell.not_found(path, lang)
    if may_open is not None:  # the header links only to the pages the viewer may open
        page = shell.only_open_links(page, may_open)
    title = _tab_title(page, path, lang)
    viewer = current_principal()
    if viewer.kind == USER:  # a person signed in: who, and the way out (a wall's screen has neither)
        page = html.Div([shell.account_bar(viewer.label or viewer.id, lang), page])
    return html.Div(wall_layout.kiosk_frame(page, search), **Attrs({"data-page-lang": lang, "data-page-title": title}))


def _tab_title(page: Component, path: str, lang: str) -> str:
    """The tab title the page names (shell.page), else the one of its path, else the app's name."""
    for component in [page, *page._traverse()]:  # noqa: SLF001  (Dash's own walk over a layout)
        found = getattr(component, PAGE_TITLE, None)
        if isinstance(found, str):
            return found
    return shell.tab_title(t(TITLES[path], lang) if path in TITLES else None, lang)


def register(app: Dash, services: Services, may_open: Callable[[str], bool] | None = None) -> None:
    """The router callback: URL → page container (`may_open(path)`: whether the request's viewer may open a page)."""
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.PAGE, "children"),
        Input(ShellIds.LOCATION, "pathname"),
        Input(ShellIds.LOCATION, "search"),
    )
    def render_page(pathname: str | None, search: str | None) -> Component:
        return route(services, cache, pathname, search, may_open)

    app.clientside_callback(DOCUMENT_MARKS, Input(ShellIds.PAGE, "children"))
