"""The audit log's page: who did what, when, from where; filters by who and by what, pages, and the CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import CATALOGUE, fmt_datetime, fmt_int, t
from layouts import shell
from layouts.attrs import Attrs
from layouts.ids import AuditIds
from layouts.names import name
from layouts.overview import labelled_cell

if TYPE_CHECKING:
    from dashboard.pages.audit import AuditView

AUDIT_PATH = shell.AUDIT_PATH
AUDIT_CSV_PATH = "/audit.csv"  # dashboard.web.audit
ACTOR_PARAM, ACTION_PARAM, PAGE_PARAM = "actor", "action", "page"
COLUMNS = ("at", "who", "action", "outcome", "target", "client", "detail")


def audit_href(lang: str, actor: str | None = None, action: str | None = None, page: int = 1) -> str:
    query = {"lang": lang, ACTOR_PARAM: actor, ACTION_PARAM: action, PAGE_PARAM: page if page > 1 else None}
    return f"{AUDIT_PATH}?{urlencode({k: v for k, v in query.items() if v})}"


def _row(entry, view: AuditView, lang: str) -> html.Tr:  # noqa: ANN001  (an audit Entry)
    kind = t(f"audit.kind.{entry.actor_kind}", lang) if f"audit.kind.{entry.actor_kind}" in CATALOGUE else None
    who = (
        dcc.Link(name(entry.actor), href=audit_href(lang, entry.actor, view.action))
        if entry.actor
        else (kind or html.Code(entry.actor_kind))
    )
    action = dcc.Link(t(f"audit.action.{entry.action}", lang), href=audit_href(lang, view.actor, entry.action))
    values = (
        fmt_datetime(entry.at, lang),
        who,
        action,
        t(f"audit.outcome.{entry.outcome}", lang),
        html.Code(entry.target),
        entry.client or "—",
        html.Code(entry.detail) if entry.detail else "—",  # a machine-written record, like the target
    )
    cells = [labelled_cell(value, t(f"audit.col.{key}", lang)) for key, value in zip(COLUMNS, values, strict=True)]
    return html.Tr(cells, className=f"pulse-audit-{entry.outcome}")


def _pager(view: AuditView, lang: str) -> Component | None:
    if view.pages <= 1:
        return None
    links = []
    for label, page, enabled in (
        ("rejected.prev", view.page - 1, view.page > 1),
        ("rejected.next", view.page + 1, view.page < view.pages),
    ):
        text = t(label, lang)
        links.append(
            dcc.Link(text, href=audit_href(lang, view.actor, view.action, page)) if enabled else html.Span(text)
        )
    middle = html.Span(t("rejected.page", lang, page=fmt_int(view.page, lang), pages=fmt_int(view.pages, lang)))
    return html.Nav(
        [links[0], middle, links[1]], className="pulse-pager", **Attrs({"aria-label": t("rejected.pages", lang)})
    )


def layout(view: AuditView, lang: str, pathname: str) -> html.Div:
    """The page: what is kept and for how long, the filters in force, one page of entries, the CSV export."""
    filters: list[Component] = [
        html.Span(t("audit.filter", lang, what=value), className="pulse-filter")
        for value in (view.actor, view.action and t(f"audit.action.{view.action}", lang))
        if value
    ]
    if filters:
        filters.append(dcc.Link(t("audit.all", lang), href=audit_href(lang)))
    head = html.Thead(html.Tr([html.Th(t(f"audit.col.{key}", lang), scope="col") for key in COLUMNS]))
    table = dbc.Table(
        [head, html.Tbody([_row(e, view, lang) for e in view.entries])], className="pulse-audit align-middle"
    )
    body = html.Div(
        [
            html.Section(
                [
                    html.P(t("audit.kept", lang, days=fmt_int(view.retention_days, lang), n=fmt_int(view.total, lang))),
                    html.A(
                        t("audit.csv", lang),
                        href=f"{AUDIT_CSV_PATH}?lang={lang}",
                        id=AuditIds.CSV,
                        className="btn btn-light btn-sm",
                    ),
                    html.Div(filters, className="pulse-filters"),
                ],
                className="pulse-section pulse-panel",
            ),
            html.Section(
                [table, _pager(view, lang)] if view.entries else html.P(t("audit.empty", lang)),
                id=AuditIds.TABLE,
                className="pulse-section pulse-panel",
            ),
        ]
    )
    return shell.page(t("audit.title", lang), view.as_of, lang, pathname, body)
