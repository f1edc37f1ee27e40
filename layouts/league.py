"""The /league page: districts among districts or departments among departments, over a period, from plain data.

The grid itself is `layouts.league_grid.league_grid` (re-exported here), which the wall uses too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import fmt_datetime, fmt_day, fmt_int, t
from dashboard.core.periods import PERIODS
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import LEAGUE_KINDS
from layouts import shell
from layouts.attrs import Attrs
from layouts.ids import LeagueIds
from layouts.league_grid import league_grid, league_href, unit_href

if TYPE_CHECKING:  # the league page's model, plain data; layouts never load the store or the pages
    from dashboard.pages.league import LeagueView

__all__ = ["layout", "league_grid", "league_href", "summary", "unit_href"]


def kind_switch(kind: str, period: str, lang: str, kinds: tuple[str, ...] = LEAGUE_KINDS) -> html.Nav:
    """The leagues of the day (districts | departments, or wards and communes | departments), as links that keep
    the period."""
    links = [
        dcc.Link(
            t(f"league.kind.{choice}", lang),
            href=league_href(lang, choice, period),
            className="pulse-chip" + (" is-current" if choice == kind else ""),
        )
        for choice in kinds
    ]
    return html.Nav(
        links, id=LeagueIds.KINDS, className="pulse-chips", **Attrs({"aria-label": t("league.kinds", lang)})
    )


def period_picker(kind: str, period: str, lang: str) -> html.Nav:
    """Today, 7 days, 30 days, quarter to date, year to date, as links that keep the kind."""
    links = [
        dcc.Link(
            t(f"league.period.{choice}", lang),
            href=league_href(lang, kind, choice),
            className="pulse-chip" + (" is-current" if choice == period else ""),
        )
        for choice in PERIODS
    ]
    return html.Nav(
        links, id=LeagueIds.PERIODS, className="pulse-chips", **Attrs({"aria-label": t("league.periods", lang)})
    )


def summary(view: LeagueView, lang: str) -> list[Any]:
    """How many units are ranked, over which window, against which previous window; how many have not enough data
    to be ranked."""
    ranked = sum(row.rank is not None for row in view.rows)
    previous = f"{fmt_datetime(view.previous_window.start, lang)} – {fmt_datetime(view.previous_window.end, lang)}"
    text = t(
        "league.summary",
        lang,
        ranked=fmt_int(ranked, lang),
        total=fmt_int(len(view.rows), lang),
        start=fmt_datetime(view.window.start, lang),
        end=fmt_datetime(view.window.end, lang),
        previous=previous,
    )
    parts: list[Any] = [html.Span(text)]
    if not view.previous_covered and view.history_start is not None:  # no previous rank: say why
        words = t("league.summary.short", lang, day=fmt_day(view.history_start, lang))
        parts.append(html.Span(" " + words, className="pulse-league-short"))
    if ranked < len(view.rows):  # ranks count the units with enough data only (docs/metrics.md)
        unranked = fmt_int(len(view.rows) - ranked, lang)
        key = "league.summary.too_few" if ranked else "league.summary.none"
        words = t(key, lang, n=unranked, ranked=fmt_int(ranked, lang))
        parts.append(html.Span(" " + words, className="pulse-league-too-few"))
    if view.recounted:
        parts.append(html.Span(" " + t("shell.recounted", lang), className="pulse-recounted"))
    return parts


def export_name(view: LeagueView) -> str:
    """The file name of an export, without extension: league-district-30d-20191127-1030."""
    return f"league-{view.kind}-{view.period}-{view.as_of.astimezone(CITY_TZ):%Y%m%d-%H%M}"


def _tools(lang: str) -> html.Div:
    return html.Div(
        [
            html.Label(t("league.search", lang), htmlFor=LeagueIds.SEARCH, className="visually-hidden"),
            dbc.Input(
                id=LeagueIds.SEARCH,
                type="search",
                placeholder=t("league.search", lang),
                debounce=True,
                className="pulse-league-search",
            ),
            html.Div(
                [
                    dbc.Button(t("league.csv", lang), id=LeagueIds.CSV, color="light", size="sm"),
                    dbc.Button(t("league.xlsx", lang), id=LeagueIds.XLSX, color="light", size="sm"),
                ],
                className="pulse-league-exports",
                role="group",
                **Attrs({"aria-label": t("league.exports", lang)}),
            ),
            dcc.Download(id=LeagueIds.DOWNLOAD),
        ],
        className="pulse-league-tools",
    )


def closed_section(view: LeagueView, lang: str) -> list[Any]:
    """The ended units still holding dossiers in progress, apart from the league and never ranked (none: nothing)."""
    if not view.closed:
        return []
    items = [
        html.Li(
            t(
                "league.closed.row",
                lang,
                name=unit_name(closed.unit["name_vi"], closed.unit["name_en"], lang),
                day=fmt_day(closed.unit["valid_to"], lang),
                open=fmt_int(closed.backlog.in_progress, lang),
                overdue=fmt_int(closed.backlog.overdue, lang),
            )
        )
        for closed in view.closed
    ]
    return [
        html.Section(
            [
                html.H2(t("league.closed.title", lang), className="pulse-section-title"),
                html.P(t("league.closed.note", lang), className="pulse-muted small"),
                html.Ul(items, id=LeagueIds.CLOSED, className="pulse-league-closed"),
            ],
            className="pulse-section",
        )
    ]


def layout(view: LeagueView, lang: str, pathname: str, refresh_ms: int, seen: list) -> html.Div:
    """The whole page: kind and period links, search and exports, the summary, the grid and its legend."""
    grid = league_grid(view.rows, lang, period=view.period, export_name=export_name(view))
    body = html.Div(
        [
            dcc.Interval(id=LeagueIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=LeagueIds.SEEN, data=seen),
            html.Section(
                [
                    html.Div(
                        [
                            kind_switch(view.kind, view.period, lang, view.kinds),
                            period_picker(view.kind, view.period, lang),
                        ],
                        className="pulse-league-pickers",
                    ),
                    _tools(lang),
                ],
                className="pulse-section pulse-league-controls",
            ),
            html.Section(
                [
                    html.P(summary(view, lang), id=LeagueIds.SUMMARY, className="pulse-league-summary"),
                    html.Div(grid, className="pulse-panel pulse-league-panel"),
                    html.P(
                        f"{t('league.legend', lang)}. {t('league.ties', lang)}",
                        className="pulse-league-legend pulse-muted small",
                    ),
                ],
                className="pulse-section",
            ),
            *closed_section(view, lang),
        ]
    )
    title = f"{t('league.title', lang)} · {t(f'league.kind.{view.kind}', lang)}"
    return shell.page(title, view.as_of, lang, pathname, body)
