"""The frame of every page: a header bar (name, page title, page links, as-of time, VI/EN switch) and the body.

The page's language and tab title ride on its root as `data-page-lang` and `data-page-title`; the router moves
them to `<html lang>` and the browser tab (callbacks.routing), so no element below `<html>` carries a page-wide
`lang` (a `lang` inside a page marks a proper name: layouts.names)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import LANGUAGES, fmt_datetime, t
from layouts.attrs import Attrs
from layouts.ids import NotFoundIds, ShellIds
from layouts.names import name

LANG_LINKS = {
    "vi": (ShellIds.LANG_VI, "shell.lang_vi", "shell.lang_vi_name"),
    "en": (ShellIds.LANG_EN, "shell.lang_en", "shell.lang_en_name"),
}
OVERVIEW_PATH = "/"
SOURCES_PATH = "/sources"
LEAGUE_PATH = "/league"
SIGN_OUT_PATH = "/signout"  # dashboard.web.signin
AUDIT_PATH = "/audit"  # the audit log (admins)
ALERTS_PATH = "/alerts"  # the wall's alerts, to acknowledge
BRIEFINGS_PATH = "/briefings"  # the snapshot archive; its files are /briefings/<id>.<ext> (dashboard.web.briefings)
NAV_LINKS = (
    (OVERVIEW_PATH, ShellIds.NAV_OVERVIEW, "nav.overview"),
    (SOURCES_PATH, ShellIds.NAV_SOURCES, "nav.sources"),
    (LEAGUE_PATH, ShellIds.NAV_LEAGUE, "nav.league"),
    (ALERTS_PATH, ShellIds.NAV_ALERTS, "nav.alerts"),
    (BRIEFINGS_PATH, ShellIds.NAV_BRIEFINGS, "briefings.nav"),
    (AUDIT_PATH, ShellIds.NAV_AUDIT, "nav.audit"),
)


def root() -> html.Div:
    """The app layout: the URL and an empty container that the router fills."""
    return html.Div([dcc.Location(id=ShellIds.LOCATION, refresh=False), html.Div(id=ShellIds.PAGE)])


def account_bar(label: str, lang: str) -> html.Form:
    """Who is signed in, and the sign-out button (a form posting to /signout)."""
    return html.Form(
        [
            dcc.Input(type="hidden", name="lang", value=lang),
            html.Span(name(label), className="pulse-account-name", id=ShellIds.ACCOUNT),
            html.Button(t("auth.sign_out", lang), type="submit", id=ShellIds.SIGN_OUT, className="pulse-account-out"),
        ],
        action=SIGN_OUT_PATH,
        method="post",
        className="pulse-account",
    )


def as_of_text(as_of: datetime | None, lang: str) -> str:
    """ "Số liệu lúc HH:MM dd/mm/yyyy"; empty when the page has no as-of time."""
    return t("shell.as_of", lang, time=fmt_datetime(as_of, lang)) if as_of else ""


def _language_switch(lang: str, pathname: str) -> html.Nav:
    links = []
    for code in LANGUAGES:
        link_id, label, name = LANG_LINKS[code]
        current = code == lang
        links.append(
            dcc.Link(
                t(label, lang),
                href=f"{pathname}?lang={code}",
                id=link_id,
                title=t(name, lang),
                className="pulse-lang-link" + (" is-current" if current else ""),
            )
        )
    return html.Nav(links, className="pulse-lang", **Attrs({"aria-label": t("shell.language", lang)}))


def _navigation(lang: str, pathname: str) -> html.Nav:
    links = [
        dcc.Link(
            t(label, lang),
            href=f"{path}?lang={lang}",
            id=link_id,
            className="pulse-nav-link" + (" is-current" if path == pathname else ""),
        )
        for path, link_id, label in NAV_LINKS
    ]
    return html.Nav(links, className="pulse-nav", **Attrs({"aria-label": t("nav.label", lang)}))


def only_open_links(page: Component, may_open: Callable[[str], bool]) -> Component:
    """`page` with the header's page links cut to those the viewer may open (the others would only be refused)."""
    for component in page._traverse():  # noqa: SLF001  (Dash's own walk over a layout)
        if getattr(component, "className", None) == "pulse-nav":
            kept = [link for link in component.children if may_open(link.href.split("?", 1)[0])]
            component.children = kept
    return page


def tab_title(title: str | None, lang: str) -> str:
    """What the browser tab shows: "<page> · CCHC Pulse" (the app's name alone without a page title)."""
    return t("shell.tab_title", lang, page=title, app=t("app.name", lang)) if title else t("app.name", lang)


def page_marks(title: str | None, lang: str) -> Attrs:
    """The attributes of a page's root naming its language and tab title (read by the router's clientside part)."""
    return Attrs({"data-page-lang": lang, "data-page-title": tab_title(title, lang)})


def page(
    title: str | Component,
    as_of: datetime | None,
    lang: str,
    pathname: str,
    body: Component,
    tab: str | None = None,
) -> html.Div:
    """A page: the header bar over `body`. `title` may be a component (a unit's name, marked as a name); the tab
    then shows `tab`, or the title when it is text."""
    header = html.Header(
        html.Div(
            [
                html.Div(
                    [html.Span(t("app.name", lang), className="pulse-brand"), html.H1(title, className="pulse-title")],
                    className="pulse-heading",
                ),
                _navigation(lang, pathname),
                html.Div(
                    [
                        html.Span(as_of_text(as_of, lang), id=ShellIds.AS_OF, className="pulse-as-of"),
                        _language_switch(lang, pathname),
                    ],
                    className="pulse-meta",
                ),
            ],
            className="container-xl pulse-header-inner",
        ),
        className="pulse-header",
    )
    tab = tab if tab is not None else (title if isinstance(title, str) else None)
    return html.Div([header, html.Main(body, className="container-xl pulse-main")], **page_marks(tab, lang))


def not_found(pathname: str, lang: str) -> html.Div:
    """The page for an unknown path: plain text and a link home."""
    body = html.Div(
        [
            html.P(t("notfound.text", lang, path=pathname), id=NotFoundIds.TEXT, className="lead"),
            dcc.Link(t("notfound.home", lang), href=f"/?lang={lang}"),
        ],
        className="pulse-notfound",
    )
    return page(t("notfound.title", lang), None, lang, pathname, body)
