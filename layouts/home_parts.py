"""The home page's parts (`layouts.overview` puts them together), from plain data: a figure's direction in words, the
jump-to-unit search, the units to act on, the alerts, the backlog's trend and the freshness line."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.core.i18n import fmt_day, fmt_int, fmt_pct, t
from layouts import names, shell
from layouts.attrs import Attrs
from layouts.figures import GRID, OKABE_ITO, empty_figure, frame
from layouts.ids import HomeIds
from layouts.league_grid import league_href
from layouts.unit import unit_href
from layouts.wall_compare import ARROW, arrow_of, verdict_word
from layouts.wall_compare import change_text as moved_text
from layouts.wall_views import alert_counts, alert_text, since_text

if TYPE_CHECKING:
    from dashboard.pages.overview import Headline, OverviewView, TrendPoint
    from dashboard.pages.wall import UnitStatus, WallData

Opens = Callable[[str], bool]  # whether the viewer may open the page at a path
ALERTS_SHOWN = 5
TONES = {"better": "better", "worse": "worse", "steady": "steady", "neutral": "neutral"}


def open_everything(_path: str) -> bool:
    return True


def change_text(headline: Headline, lang: str) -> tuple[str, str, str]:
    """(arrow, words, tone) of a figure's change: "▼", "tốt hơn hôm qua (3,1%)", "better"; a neutral figure's change
    reads "tăng/giảm so với …"; without an earlier figure, "chưa có số liệu hôm qua để so sánh", or, when the store's
    data begins inside the earlier period, "chưa đủ số liệu kỳ trước" (the period line says from which day)."""
    against = t(f"home.against.{headline.against}", lang)
    found = headline.change
    if found is None and headline.data_from is not None:
        return "", t("home.vs.short", lang, against=against), "none"  # the period line says from which day
    if found is None:
        return "", t("home.vs.none", lang, against=against), "none"
    before = fmt_pct(found.before, lang) if found.kind == "rate" else fmt_int(int(found.before), lang)
    text = t(f"home.vs.{verdict_word(found)}", lang, against=against, before=before, moved=moved_text(found, lang))
    return ARROW[arrow_of(found)], text, TONES[found.verdict]


def folded(text: str) -> str:
    """`text` without diacritics, lower case: "Quận Bình Thạnh" → "quan binh thanh" (đ → d)."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def search_options(units: Sequence[UnitStatus], lang: str, may_open: Opens) -> list[dict[str, str]]:
    """One option per unit the viewer may open, by name, found by its name with or without diacritics and in either
    language; its value is the tile's address."""
    options = []
    for unit in sorted(units, key=lambda u: folded(u.name(lang))):
        href = unit_href(unit.key, lang)
        if may_open(href.split("?", 1)[0]):
            words = f"{unit.name_vi} {unit.name_en} {folded(unit.name_vi)} {unit.code}"
            options.append({"label": unit.name(lang), "value": href, "search": words})
    return options


def search_box(units: Sequence[UnitStatus], lang: str, may_open: Opens) -> html.Div:
    """The jump-to-unit search: type part of a name (diacritics optional), choose, and the unit's tile opens."""
    return html.Div(
        [
            html.Label(t("home.search.label", lang), htmlFor=HomeIds.SEARCH, className="visually-hidden"),
            dcc.Dropdown(
                id=HomeIds.SEARCH,
                options=search_options(units, lang, may_open),
                placeholder=t("home.search", lang),
                searchable=True,
                clearable=False,
                className="home-search",
                labels={"no_options_found": t("home.search.none", lang)},
            ),
        ],
        className="home-search-box",
    )


def unit_line(unit: UnitStatus, lang: str, may_open: Opens, limits: Any) -> html.Li:
    """A unit to act on: its name (a link to its tile, where the viewer may open it), level, overdue share and count."""
    href = unit_href(unit.key, lang)
    name = names.name(unit.name(lang), names.name_lang(lang))
    title = dcc.Link(name, href=href, className="home-unit-name") if may_open(href.split("?", 1)[0]) else name
    level = unit.level(limits)
    figures = t(
        "home.units.row",
        lang,
        pct=fmt_pct(unit.overdue_share, lang),
        overdue=fmt_int(unit.backlog.overdue, lang),
        total=fmt_int(unit.backlog.in_progress, lang),
    )
    lines: list[Any] = [
        html.Div([title, html.Span(t(f"wall.level.{level}", lang), className=f"home-level is-{level}")]),
        html.Div(figures, className="home-unit-figures"),
    ]
    if unit.new_late:
        lines.append(html.Div(t("home.units.new_late", lang, n=fmt_int(unit.new_late, lang)), className="small"))
    return html.Li(lines, className=f"home-unit is-{level}", **Attrs({"data-unit": unit.key}))


def units_panel(view: OverviewView, lang: str, may_open: Opens) -> list[Any]:
    """The worst units by severity (`pages.overview.act_on`), each a link to its tile; then the whole league."""
    if not view.act_on:
        return [html.P(t("home.units.none", lang), className="pulse-muted")]
    local = view.wall.local()
    league = league_href(lang, local[0].kind, view.period) if local else league_href(lang, period=view.period)
    return [
        html.Ol(
            [unit_line(unit, lang, may_open, view.wall.limits) for unit in view.act_on], className="home-unit-list"
        ),
        dcc.Link(t("home.units.all", lang), href=league, className="home-more"),
    ]


def alerts_panel(data: WallData, lang: str) -> list[Any]:
    """The open alerts in the order to act (unacknowledged and alarms first), the first few in words; then all."""
    if not data.alerts:
        return [html.P(t("wall.alerts.none", lang), className="pulse-muted")]
    items = [
        html.Li(
            [
                html.Span(t(f"wall.level.{alert.severity}", lang), className=f"home-level is-{alert.severity}"),
                html.Span(alert_text(alert, data, lang), className="home-alert-text"),
                html.Span(since_text(alert, data.as_of, lang), className="home-alert-since small"),
            ],
            className=f"home-alert is-{alert.severity}" + (" is-acked" if alert.acknowledged else ""),
        )
        for alert in data.alerts[:ALERTS_SHOWN]
    ]
    return [
        html.P(alert_counts(data, lang), className="pulse-muted small mb-1"),
        html.Ul(items, className="home-alert-list"),
        dcc.Link(
            t("home.alerts.all", lang, n=fmt_int(len(data.alerts), lang)),
            href=f"{shell.ALERTS_PATH}?lang={lang}",
            className="home-more",
        ),
    ]


def trend_figure(points: Sequence[TrendPoint], lang: str, *, height: int = 300) -> go.Figure:
    """The city's dossiers in progress at the end of each working day (or week) of the period: one line over working
    days only (no weekend gaps), a whole-number axis from zero."""
    if not any(point.in_progress for point in points):
        return empty_figure(t("home.trend.empty", lang), lang, height=height, uirevision="home-trend")
    days = [fmt_day(point.day, lang)[:5] for point in points]
    layout = frame(lang, height, "home-trend")
    figure = go.Figure(layout={**layout, "margin": {**layout["margin"], "l": 56, "t": 12}, "showlegend": False})
    figure.add_scatter(
        x=days,
        y=[point.in_progress for point in points],
        mode="lines+markers",
        line={"color": OKABE_ITO["orange"], "width": 3},
        marker={"size": 6},
        name=t("fig.trend.backlog", lang),
        hovertemplate="%{x}: %{y:,d}<extra></extra>",
    )
    figure.update_layout(
        xaxis={"type": "category", "showgrid": False, "nticks": 12},
        yaxis={
            "title": {"text": t("home.trend.axis", lang)},
            "gridcolor": GRID,
            "rangemode": "tozero",
            "tickformat": ",d",
        },
    )
    return figure


def freshness_line(data: WallData, lang: str) -> list[Any]:
    """ "Nguồn dữ liệu: 38 / 41 bình thường · 3 nguồn dữ liệu cũ — chi tiết từng nguồn" (a link to /sources)."""
    if not data.sources_total:
        words = t("sources.empty", lang)
    else:
        words = t("home.fresh", lang, ok=fmt_int(data.sources_ok, lang), total=fmt_int(data.sources_total, lang))
        if data.stale_sources:
            words += " · " + t("home.fresh.stale", lang, n=fmt_int(data.stale_sources, lang))
    return [
        html.Span(words, className="is-stale" if data.stale_sources else ""),
        " — ",
        dcc.Link(t("home.fresh.link", lang), href=f"{shell.SOURCES_PATH}?lang={lang}", className="home-more"),
    ]
