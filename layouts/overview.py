"""The home page (/), the page a leader opens first, from plain data (`dashboard.pages.overview.OverviewView`): the
city's verdict and headline figures over a period, each with its direction and a link to the page that explains it;
the map and the units to act on; the alerts and the trend; satisfaction; a jump-to-unit search and a one-line
freshness summary (the sources' table is /sources). Also the table helpers the sources, audit and alerts pages share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import fmt_datetime, fmt_day, fmt_int, fmt_pct, t
from dashboard.core.periods import PERIODS
from dashboard.core.unit_names import unit_name as core_unit_name
from layouts import names, shell
from layouts.attrs import Attrs
from layouts.figures import graph_config
from layouts.home_parts import (
    Opens,
    alerts_panel,
    change_text,
    freshness_line,
    open_everything,
    search_box,
    trend_figure,
    units_panel,
)
from layouts.ids import HomeIds, OverviewIds
from layouts.league_grid import league_href

if TYPE_CHECKING:  # plain data from the page model; layouts never touch the store
    from dashboard.metrics.kpis import Ratio
    from dashboard.pages.freshness import SourceFreshness
    from dashboard.pages.overview import Headline, OverviewView

STATUS_LOOK = {
    "ok": ("status.ok", "success", None),
    "error": ("status.error", "danger", None),
    "never": ("status.never", "secondary", None),
    "stale": ("status.stale", "warning", "dark"),
    "slow": ("status.slow", "info", "dark"),
}
VALUE_IDS = {
    "overdue_share": OverviewIds.OVERDUE,
    "in_progress": OverviewIds.IN_PROGRESS,
    "on_time": OverviewIds.ON_TIME,
    "online": OverviewIds.ONLINE,
    "satisfaction": HomeIds.SATISFACTION_VALUE,
    "feedback": OverviewIds.FEEDBACK,
}
RATE_NOTES = {
    "overdue_share": "home.note.overdue_share",
    "on_time": "kpi.on_time.note",
    "online": "kpi.online.note",
    "satisfaction": "home.note.satisfaction",
}


# --- shared by the sources, audit and alerts pages -----------------------------------------------------------------
# A table cell labelled with its column, so rows read as labelled blocks on a phone.
def labelled_cell(content: Any, label: str) -> html.Td:
    return html.Td(content, **Attrs({"data-label": label}))


def source_table(
    sources: Sequence[SourceFreshness],
    columns: Sequence[str],
    values: Callable[[SourceFreshness, str], Sequence[Any]],
    lang: str,
    class_name: str = "",
) -> Component:
    """One row per configured source, a cell per column (labelled for phones); the sources page's table."""
    if not sources:
        return html.P(t("sources.empty", lang), className="text-body-secondary pulse-empty")
    labels = [t(key, lang) for key in columns]
    head = html.Thead(html.Tr([html.Th(label, scope="col") for label in labels]))
    body = html.Tbody(
        [
            html.Tr(
                [labelled_cell(value, label) for label, value in zip(labels, values(source, lang), strict=True)],
                className=f"pulse-source is-{source.status}",
            )
            for source in sources
        ]
    )
    return dbc.Table([head, body], hover=True, className=f"pulse-sources {class_name} align-middle mb-0".strip())


def last_good_text(source: SourceFreshness, lang: str) -> str:
    return fmt_datetime(source.last_good_pull_at, lang) if source.last_good_pull_at else t("sources.never", lang)


def unit_name(source: SourceFreshness, lang: str) -> str:
    return core_unit_name(source.unit_name_vi, source.unit_name_en, lang)


# --- the home page -------------------------------------------------------------------------------------------------
def figure_text(headline: Headline, lang: str) -> str:
    """A rate as a percent, a count as a whole number; a dash without data."""
    if headline.ratio is not None:
        return fmt_pct(headline.value, lang)
    return fmt_int(None if headline.value is None else int(headline.value), lang)


def verdict(view: OverviewView, lang: str) -> list[Any]:
    """The city's verdict in one sentence: "2,7% hồ sơ đang giải quyết quá hạn — tốt hơn hôm qua (3,1%)"."""
    share = view.headline("overdue_share")
    if not view.overview.in_progress:
        return [html.Span(t("home.verdict.none", lang), className="home-verdict-main")]
    arrow, words, tone = change_text(share, lang)
    return [
        html.Span(t("home.verdict", lang, pct=fmt_pct(share.value, lang)), className="home-verdict-main"),
        html.Span(" — ", className="home-verdict-dash"),
        html.Span(f"{arrow} {words}".strip(), className=f"home-change is-{tone}"),
    ]


def verdict_level(view: OverviewView) -> str:
    """ok, warn or alarm: the city's overdue share against the wall's limits; none without a backlog."""
    share, limits = view.overview.overdue_share.value, view.wall.limits
    if share is None:
        return "none"
    return "alarm" if share > limits.overdue_alarm else "warn" if share > limits.overdue_warn else "ok"


def _target(name: str, view: OverviewView, lang: str) -> tuple[str, str]:
    """Where a figure is explained: the overdue share by the alerts, the others by the local league over the period."""
    if name == "overdue_share":
        return f"{shell.ALERTS_PATH}?lang={lang}", t("home.go.alerts", lang)
    local = view.wall.local()
    return league_href(lang, local[0].kind, view.period) if local else league_href(lang), t("home.go.league", lang)


def _ratio_note(name: str, ratio: Ratio | None, lang: str) -> str:
    if ratio is None:
        return t("kpi.in_progress.note", lang)
    if not ratio.denominator:
        return t("home.sat.none", lang) if name == "satisfaction" else t("kpi.no_data", lang)
    return t(RATE_NOTES[name], lang, num=fmt_int(ratio.numerator, lang), den=fmt_int(ratio.denominator, lang))


def _note(headline: Headline, lang: str) -> str:
    return _ratio_note(headline.name, headline.ratio, lang)


def headline_card(headline: Headline, view: OverviewView, lang: str) -> dbc.Col:
    """One headline figure as a link to the page that explains it: label, value, direction in words, its parts."""
    href, title = _target(headline.name, view, lang)
    arrow, words, tone = change_text(headline, lang)
    alert = headline.name == "overdue_share" and verdict_level(view) in ("warn", "alarm")
    body = [
        html.Div(t(f"home.fig.{headline.name}", lang), className="pulse-kpi-label"),
        html.Div(figure_text(headline, lang), id=VALUE_IDS[headline.name], className="pulse-kpi-value"),
        html.Div(f"{arrow} {words}".strip(), className=f"home-change is-{tone}"),
        html.Div(_note(headline, lang), className="pulse-kpi-note"),
    ]
    card = dcc.Link(body, href=href, title=title, className="card pulse-kpi home-kpi" + (" is-alert" if alert else ""))
    return dbc.Col(card, xs=12, sm=6, lg=True, className="home-kpi-col")


def headline_cards(view: OverviewView, lang: str) -> list[dbc.Col]:
    return [headline_card(headline, view, lang) for headline in view.headlines]


def period_picker(period: str, lang: str) -> dcc.RadioItems:
    """The league's periods, by the league's names: today, 7 days, 30 days, quarter, year, last week, last month."""
    return dcc.RadioItems(
        id=HomeIds.PERIODS,
        options=[{"label": t(f"league.period.{choice}", lang), "value": choice} for choice in PERIODS],
        value=period,
        inline=True,
        className="home-periods",
        inputClassName="home-period-input",
        labelClassName="home-period",
    )


def period_line(view: OverviewView, lang: str) -> str:
    """The period and the previous one it is compared with — or why it is not (the store's data begins inside it:
    the cards say "chưa đủ số liệu kỳ trước", this line the day the data begins)."""
    previous = f"{fmt_datetime(view.previous_window.start, lang)} – {fmt_datetime(view.previous_window.end, lang)}"
    short = next((h.data_from for h in view.headlines if h.data_from is not None), None)
    return t(
        "home.period.line" if short is None else "home.period.short",
        lang,
        day=fmt_day(short, lang) if short else "",
        period=t(f"league.period.{view.period}", lang) if view.period in PERIODS else view.period,
        start=fmt_datetime(view.window.start, lang),
        end=fmt_datetime(view.window.end, lang),
        previous=previous,
    )


def satisfaction_panel(view: OverviewView, lang: str) -> list[Any]:
    """Dossier and feedback satisfaction over the period, open feedback now."""

    def line(label: str, ratio_text: str, note: str) -> html.Div:
        return html.Div(
            [html.Span(label, className="home-sat-label"), html.Strong(ratio_text), html.Span(note)],
            className="home-sat-line",
        )

    rated = view.feedback_satisfaction
    feedback_arrow, feedback_words, tone = change_text(view.feedback, lang)
    return [
        line(
            t("home.sat.dossiers", lang),
            fmt_pct(view.satisfaction.value, lang),
            _note(view.headline("satisfaction"), lang),
        ),
        line(
            t("home.sat.feedback", lang),
            fmt_pct(rated.value, lang),
            _ratio_note("satisfaction", rated, lang),
        ),
        html.Div(
            [
                html.Span(t("home.fig.feedback", lang), className="home-sat-label"),
                html.Strong(figure_text(view.feedback, lang), id=OverviewIds.FEEDBACK),
                html.Span(f"{feedback_arrow} {feedback_words}".strip(), className=f"home-change is-{tone}"),
            ],
            className="home-sat-line",
        ),
    ]


def parts(view: OverviewView, lang: str, may_open: Opens = open_everything) -> dict[str, Any]:
    """Every part a refresh replaces, by the id of its container."""
    return {
        HomeIds.VERDICT: verdict(view, lang),
        HomeIds.PERIOD_LINE: period_line(view, lang),
        OverviewIds.KPIS: headline_cards(view, lang),
        HomeIds.UNITS: units_panel(view, lang, may_open),
        HomeIds.ALERTS: alerts_panel(view.wall, lang),
        HomeIds.SATISFACTION: satisfaction_panel(view, lang),
        OverviewIds.SOURCES: freshness_line(view.wall, lang),
        HomeIds.TREND_TITLE: t("home.trend.weekly" if view.trend_weekly else "home.trend.title", lang),
    }


PART_IDS = (  # the containers `parts` fills, in the refresh callback's order
    HomeIds.VERDICT,
    HomeIds.PERIOD_LINE,
    OverviewIds.KPIS,
    HomeIds.UNITS,
    HomeIds.ALERTS,
    HomeIds.SATISFACTION,
    OverviewIds.SOURCES,
    HomeIds.TREND_TITLE,
)


def _panel(title: str, content: Any, part_id: str, class_name: str = "") -> html.Section:
    return html.Section(
        [html.H2(title, className="pulse-section-title"), html.Div(content, id=part_id)],
        className=f"pulse-panel home-panel {class_name}".strip(),
    )


def _graph(graph_id: str, figure: Any, label: str, lang: str, labels_are_names: bool = False) -> html.Div:
    """A chart; `labels_are_names`: the texts drawn in it are units' names and their figures (the map), which the
    frame marks as names (layouts.names) — the chart itself cannot mark each label."""
    graph: Any = dcc.Graph(id=graph_id, figure=figure, config=graph_config(lang), className="home-graph")
    if labels_are_names:
        graph = html.Div(graph, lang=names.name_lang(lang), className=names.NAME_CLASS, **Attrs({"data-name": "map"}))
    return html.Div(graph, role="img", **Attrs({"aria-label": label}))


def layout(
    view: OverviewView,
    map_figure: dict[str, Any],
    map_notes: Sequence[str],
    lang: str,
    pathname: str,
    refresh_ms: int,
    seen: list,
    may_open: Opens = open_everything,
) -> html.Div:
    """The whole page; `seen` is the key [version, minute, period] the refresh compares against; `may_open(path)`:
    whether the viewer may open a page (units they may not open are listed without a link)."""
    shown = parts(view, lang, may_open)
    top = html.Section(
        [
            html.Div(
                [
                    html.P(
                        shown[HomeIds.VERDICT], id=HomeIds.VERDICT, className=f"home-verdict is-{verdict_level(view)}"
                    ),
                    search_box(view.wall.units, lang, may_open),
                ],
                className="home-top",
            ),
            html.Div(
                [
                    html.Div(
                        period_picker(view.period, lang), role="group", **Attrs({"aria-label": t("home.periods", lang)})
                    ),
                    html.P(shown[HomeIds.PERIOD_LINE], id=HomeIds.PERIOD_LINE, className="pulse-muted small mb-0"),
                ],
                className="home-period-bar",
            ),
            dbc.Row(shown[OverviewIds.KPIS], id=OverviewIds.KPIS, className="g-3 home-kpis"),
        ],
        className="pulse-section",
        **Attrs({"aria-label": t("overview.kpis", lang)}),
    )
    map_panel = html.Section(
        [
            html.H2(t("home.map.title", lang), className="pulse-section-title"),
            _graph(HomeIds.MAP, map_figure, t("home.map.title", lang), lang, labels_are_names=True),
            html.P(" · ".join(map_notes), id=HomeIds.MAP_NOTES, className="pulse-muted small mb-1"),
        ],
        className="pulse-panel home-panel home-map",
    )
    trend = html.Section(
        [
            html.H2(shown[HomeIds.TREND_TITLE], id=HomeIds.TREND_TITLE, className="pulse-section-title"),
            _graph(HomeIds.TREND, trend_figure(view.trend, lang), t("home.trend.title", lang), lang),
        ],
        className="pulse-panel home-panel home-trend",
    )
    body = html.Div(
        [
            dcc.Interval(id=OverviewIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=OverviewIds.SEEN, data=seen),
            top,
            html.Div(
                [map_panel, _panel(t("home.units.title", lang), shown[HomeIds.UNITS], HomeIds.UNITS, "home-units")],
                className="home-grid pulse-section",
            ),
            html.Div(
                [_panel(t("alerts.title", lang), shown[HomeIds.ALERTS], HomeIds.ALERTS, "home-alerts"), trend],
                className="home-grid pulse-section",
            ),
            html.Div(
                [_panel(t("home.sat.title", lang), shown[HomeIds.SATISFACTION], HomeIds.SATISFACTION, "home-sat")],
                className="pulse-section",
            ),
            html.P(shown[OverviewIds.SOURCES], id=OverviewIds.SOURCES, className="pulse-section home-freshness"),
        ],
        className="home",
    )
    return shell.page(t("overview.title", lang), view.as_of, lang, pathname, body)
