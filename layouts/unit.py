"""The unit tile at /unit/<key>: who the unit is and where it ranks, its KPIs against its commitments and the city,
its 90-day trend and ageing, what makes it late, its overdue dossiers, and the dossiers behind any number.

Built from plain data (`UnitView`); every number with a matching dossier filter links to its drill-through list
(`?list=<filter>&page=<n>`, 50 a page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import fmt_date, fmt_day, fmt_int, fmt_score, fmt_time, period_label, t
from dashboard.core.unit_names import unit_name as core_unit_name
from dashboard.core.vocabulary import DEFAULT_PERIOD, PERIODS, league_of
from layouts import figures, names, shell
from layouts.attrs import Attrs
from layouts.dossiers import dossier_table, feedback_table, late_procedures
from layouts.ids import TodoIds, UnitIds
from layouts.index_words import not_ranked_text, ordinal_en, rank_text, subscore_line, total_line
from layouts.unit_cards import feedback_stats, kpi_cards
from layouts.unit_exports import drill_tools, tile_tools
from layouts.unit_todo import todo_list, todo_section, verdict
from layouts.unit_trend import weekly_trend_figure, weeks

if TYPE_CHECKING:  # the tile's model, plain data; layouts never load the store or the pages
    from dashboard.pages.unit import UnitView

__all__ = ["layout", "not_found", "ordinal_en", "rank_text", "refreshed", "unit_href"]

UNIT_PATH = "/unit/"
PERIOD_PARAM, LIST_PARAM, PAGE_PARAM = "period", "list", "page"
OVERDUE_COLUMNS = ("code", "procedure", "received", "due", "late_days", "apology")
LIST_COLUMNS = ("code", "procedure", "received", "due", "completed", "late_days", "apology")


REFRESHED = (
    UnitIds.SUMMARY,
    TodoIds.VERDICT,
    UnitIds.OVERDUE,
    TodoIds.DUE_SOON,
    UnitIds.NO_APOLOGY,
    UnitIds.KPIS,
    UnitIds.TREND,
    UnitIds.AGEING,
    UnitIds.LATE_PROCEDURES,
    UnitIds.FEEDBACK,
    UnitIds.DRILL,
)
FIGURES = (UnitIds.TREND, UnitIds.AGEING)


def unit_href(key: str, lang: str, period: str = DEFAULT_PERIOD, list_name: str | None = None, page: int = 1) -> str:
    """The tile's address: /unit/<key>?lang=…[&period=…][&list=…][&page=…] (defaults left out)."""
    query: dict[str, Any] = {"lang": lang}
    if period != DEFAULT_PERIOD:
        query[PERIOD_PARAM] = period
    if list_name:
        query[LIST_PARAM] = list_name
        if page > 1:
            query[PAGE_PARAM] = page
    return f"{UNIT_PATH}{key}?{urlencode(query)}"


def unit_name(unit: dict[str, Any], lang: str) -> str:
    return core_unit_name(unit["name_vi"], unit["name_en"], lang)


# --- header: identity, rank, score, freshness, period ------------------------------------------------------
def _rank_title(view: UnitView, lang: str) -> str:
    kind = league_of(view.unit["kind"])
    if kind is None or not view.unit.get("ranked", True):
        return t("unit.rank.not_ranked", lang)
    league = t(f"unit.league.{kind}", lang, size=fmt_int(view.league_size, lang))
    if view.movement is None and view.data_from is not None and view.new_since is None:
        return f"{league}; {t('unit.moved.short', lang, day=fmt_day(view.data_from, lang))}"
    if view.movement is None:
        return league
    moved = (
        t("unit.moved.same", lang)
        if not view.movement
        else t("unit.moved.up" if view.movement > 0 else "unit.moved.down", lang, n=fmt_int(abs(view.movement), lang))
    )
    return f"{league}; {moved}"


def _standing(view: UnitView, lang: str) -> str:
    """The rank among the units ranked; "not ranked — not enough data" (or no data) for a league member without."""
    in_league = league_of(view.unit["kind"]) is not None and view.unit.get("ranked", True)
    if view.rank is None and in_league and view.index.state != "scored":
        return not_ranked_text(view.index, lang)
    return rank_text(view.rank, view.ranked_count or view.league_size, view.movement, lang, view.tied)


def _among(view: UnitView, lang: str) -> list[Component]:
    """ "trong 17 đơn vị đủ số liệu (trên 25)" when fewer units are ranked than the league has."""
    if view.rank is None or not view.ranked_count or view.ranked_count == view.league_size:
        return []
    text = t("unit.rank.enough", lang, ranked=fmt_int(view.ranked_count, lang), size=fmt_int(view.league_size, lang))
    return [html.Span(text, className="pulse-rank-among")]


def _score(view: UnitView, lang: str) -> Component:
    """The score and grade; opened, each criterion in words and how they add up."""
    score = view.index.score
    if score is None:
        text = t("unit.score.too_few" if view.index.state == "too_few" else "unit.score.none", lang)
    else:
        grade = t(f"unit.grade.{view.index.grade}", lang)
        text = t("unit.score", lang, score=fmt_score(score, lang), grade=grade)
    lines = [html.Li(subscore_line(sub, lang)) for sub in view.index.subscores]
    breakdown = [
        html.Div(t("unit.breakdown", lang), className="pulse-breakdown-title"),
        html.Ul(lines, className="pulse-formulas"),
        html.P(total_line(view.index, lang), className="pulse-breakdown-total"),
    ]
    return html.Details(
        [html.Summary(text, id=UnitIds.SCORE, className="pulse-unit-score"), *breakdown], className="pulse-score"
    )


def era_badges(view: UnitView, lang: str) -> list[Component]:
    """A closed unit (its last day), a new unit (no previous period), one created inside the period."""
    marks = []
    if view.closed_since is not None:
        marks.append(("unit.era.closed", view.closed_since, "secondary"))
    if view.new_since is not None:
        marks.append(("unit.era.new", view.new_since, "info"))
    if view.joined is not None:
        marks.append(("unit.era.joined", view.joined, "light"))
    badges: list[Component] = [
        dbc.Badge(t(key, lang, day=fmt_day(day, lang)), color=color, text_color="dark", className="pulse-status")
        for key, day, color in marks
    ]
    if view.recounted:
        badges.append(html.Span(t("shell.recounted", lang), className="pulse-muted pulse-recounted"))
    return badges


def _freshness(view: UnitView, lang: str) -> list[Component]:
    parts: list[Component] = []
    if view.data_as_of is not None:
        when = f"{fmt_time(view.data_as_of, lang)} {fmt_date(view.data_as_of, lang)}"
        parts.append(html.Span(t("unit.data_as_of", lang, time=when), className="pulse-muted"))
    if view.stale:
        parts.append(
            dbc.Badge(
                t("status.stale", lang), id=UnitIds.STALE, color="warning", text_color="dark", className="pulse-status"
            )
        )
    return parts


def period_links(view: UnitView, lang: str) -> html.Nav:
    """Today / 7 days / 30 days / quarter / year: the same tile over another period."""
    links = [
        dcc.Link(
            t(f"unit.period.{period}", lang),
            href=unit_href(view.unit["key"], lang, period),
            className="pulse-chip" + (" is-current" if period == view.period else ""),
        )
        for period in PERIODS
    ]
    return html.Nav(links, id=UnitIds.PERIODS, className="pulse-chips", **Attrs({"aria-label": t("unit.period", lang)}))


def summary(view: UnitView, lang: str) -> list[Component]:
    """The other-language name and kind, the rank with its movement, the score with its formula, freshness."""
    kind = html.Span(t(f"unit.kind.{view.unit['kind']}", lang))
    # An English page names the unit's official (Vietnamese) name too; a Vietnamese page has it as its title.
    other: list[Component | str] = (
        [names.name(view.unit["name_vi"], "vi", "pulse-unit-other"), " · "] if lang == "en" else []
    )
    return [
        html.Div([*other, kind], className="pulse-unit-who"),
        html.Div(
            [
                html.Span(
                    _standing(view, lang),
                    id=UnitIds.RANK,
                    title=_rank_title(view, lang),
                    className="pulse-rank" + ("" if view.rank is not None else " is-unranked"),
                ),
                *_among(view, lang),
                _score(view, lang),
                *era_badges(view, lang),
                *_freshness(view, lang),
            ],
            className="pulse-unit-standing",
        ),
    ]


# --- the rest of the tile -------------------------------------------------------------------------------
def _page_link(label: str, page: int, enabled: bool, link_id: str, view: UnitView, lang: str) -> Component:
    if not enabled:
        return html.Span(label, className="pulse-page-link is-disabled", **Attrs({"aria-disabled": "true"}))
    href = unit_href(view.unit["key"], lang, view.period, view.drill_filter, page)
    return dcc.Link(label, href=href, id=link_id, className="pulse-page-link")


def drill(view: UnitView, lang: str) -> list[Component]:
    """The list behind a number: its name and count, one page of dossiers, previous/next, and a way back."""
    if view.drill is None or view.drill_filter is None:
        return []
    listed, name = view.drill, t(f"unit.list.{view.drill_filter}", lang)
    suffix = "_feedback" if view.drill_filter.startswith("feedback_") else ""
    head = html.Div(
        [
            html.H2(
                t(f"unit.drill.title{suffix}", lang, name=name, n=fmt_int(listed.total, lang)),
                className="pulse-section-title",
            ),
            drill_tools(lang),
            dcc.Link(
                t("unit.drill.close", lang),
                href=unit_href(view.unit["key"], lang, view.period),
                id=UnitIds.DRILL_CLOSE,
                className="pulse-drill-close",
            ),
        ],
        className="pulse-drill-head",
    )
    if not listed.rows:
        return [head, html.P(t("unit.drill.empty", lang), className="pulse-empty text-body-secondary")]
    first = (listed.page - 1) * listed.page_size + 1
    span = t(
        f"unit.drill.range{suffix}",
        lang,
        first=fmt_int(first, lang),
        last=fmt_int(first + len(listed.rows) - 1, lang),
        total=fmt_int(listed.total, lang),
    )
    parts: list[Component] = [
        head,
        html.P(span, className="pulse-range"),
        feedback_table(listed.rows, lang)
        if view.drill_filter.startswith("feedback_")
        else dossier_table(listed.rows, LIST_COLUMNS, lang),
    ]
    if listed.pages > 1:
        pager_text = t("rejected.page", lang, page=fmt_int(listed.page, lang), pages=fmt_int(listed.pages, lang))
        parts.append(
            html.Nav(
                [
                    _page_link(
                        t("rejected.prev", lang), listed.page - 1, listed.page > 1, UnitIds.DRILL_PREV, view, lang
                    ),
                    html.Span(pager_text),
                    _page_link(
                        t("rejected.next", lang),
                        listed.page + 1,
                        listed.page < listed.pages,
                        UnitIds.DRILL_NEXT,
                        view,
                        lang,
                    ),
                ],
                className="pulse-pager",
                **Attrs({"aria-label": t("rejected.pages", lang)}),
            )
        )
    return parts


def refreshed(view: UnitView, lang: str) -> tuple[Any, ...]:
    """What the refresh replaces, in the order of `REFRESHED` (figures for the charts, children otherwise)."""
    key = view.unit["key"]

    def href(name: str) -> str | None:
        return unit_href(key, lang, view.period, name) if view.lists else None

    def list_href(name: str) -> str:
        return unit_href(key, lang, view.period, name)

    return (
        summary(view, lang),
        verdict(view, lang),
        todo_list(view, "overdue", lang, list_href),
        todo_list(view, "due_soon", lang, list_href),
        todo_list(view, "late_no_apology", lang, list_href),
        kpi_cards(view.kpis, view.city, view.targets, href, lang, view.overdue_levels),
        weekly_trend_figure(view.trend, lang, uirevision=f"trend-{key}"),
        figures.ageing_figure(view.kpis.backlog.ageing, lang, uirevision=f"ageing-{key}"),
        late_procedures(view.late_procedures, lang),
        feedback_stats(view.kpis, href, lang),
        drill(view, lang),
    )


def _section(title: str, content: Any, content_id: str, **attrs: Any) -> html.Section:
    return html.Section(
        [html.H2(title, className="pulse-section-title"), html.Div(content, id=content_id, className="pulse-panel")],
        className="pulse-section",
        **attrs,
    )


def _graph(graph_id: str, figure: Any, title: str) -> html.Section:
    graph = dcc.Graph(id=graph_id, figure=figure, config=figures.graph_config(), className="pulse-graph")
    return html.Section(
        [html.H2(title, className="pulse-section-title"), html.Div(graph, className="pulse-panel")],
        className="pulse-section",
    )


def _window_text(view: UnitView, lang: str) -> str:
    window = view.kpis.window
    return t(
        "unit.kpis",
        lang,
        period=period_label("unit", view.period, lang),
        start=fmt_date(window.start, lang),
        end=f"{fmt_time(window.end, lang)}\u00a0{fmt_date(window.end, lang)}",
    )


TODO_PARTS = (("overdue", UnitIds.OVERDUE), ("due_soon", TodoIds.DUE_SOON), ("late_no_apology", UnitIds.NO_APOLOGY))


def _weeks(view: UnitView) -> int:
    """The whole weeks the trend shows (and the current one)."""
    found = weeks(view.trend)
    return len(found) - (1 if found and not found[0]["whole"] and len(found) > 1 else 0)


def layout(view: UnitView, lang: str, pathname: str, refresh_ms: int, seen: list) -> html.Div:
    """The whole tile; `seen` is the data-version key the refresh callback compares against."""
    parts = dict(zip(REFRESHED, refreshed(view, lang), strict=True))
    body = html.Div(
        [
            dcc.Interval(id=UnitIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=UnitIds.SEEN, data=seen),
            dcc.Store(id=UnitIds.FOCUS, data=view.drill_filter is not None),
            dcc.Store(id=UnitIds.FOCUSED),
            html.Section(parts[UnitIds.SUMMARY], id=UnitIds.SUMMARY, className="pulse-section pulse-unit-summary"),
            todo_section(
                view,
                lang,
                {name: parts[list_id] for name, list_id in TODO_PARTS},
                parts[TodoIds.VERDICT],
            ),
            html.Div([period_links(view, lang), tile_tools(lang, view.lists)], className="pulse-unit-tools"),
            html.Div(parts[UnitIds.DRILL], id=UnitIds.DRILL, className="pulse-section pulse-panel pulse-drill"),
            html.Section(
                [
                    html.H2(_window_text(view, lang), className="pulse-section-title"),
                    html.Div(parts[UnitIds.KPIS], id=UnitIds.KPIS),
                ],
                className="pulse-section",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _graph(UnitIds.TREND, parts[UnitIds.TREND], t("unit.trend.weekly", lang, n=_weeks(view))),
                        xs=12,
                        xl=8,
                    ),
                    dbc.Col(_graph(UnitIds.AGEING, parts[UnitIds.AGEING], t("unit.ageing", lang)), xs=12, xl=4),
                ],
                className="g-3 pulse-section",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _section(
                            t("unit.late_procedures", lang), parts[UnitIds.LATE_PROCEDURES], UnitIds.LATE_PROCEDURES
                        ),
                        xs=12,
                        lg=8,
                    ),
                    dbc.Col(_section(t("unit.feedback", lang), parts[UnitIds.FEEDBACK], UnitIds.FEEDBACK), xs=12, lg=4),
                ],
                className="g-3 pulse-section",
            ),
        ]
    )
    title = unit_name(view.unit, lang)
    return shell.page(names.name(title, names.name_lang(lang)), view.as_of, lang, pathname, body, tab=title)


def not_found(key: str, lang: str, pathname: str) -> html.Div:
    """The tile of a key no unit has: says which key, and leads home."""
    body = html.Div(
        [
            html.P(t("unit.notfound.text", lang, unit=key), id=UnitIds.NOT_FOUND, className="lead"),
            dcc.Link(t("notfound.home", lang), href=f"/?lang={lang}"),
        ],
        className="pulse-notfound",
    )
    return shell.page(t("unit.notfound.title", lang), None, lang, pathname, body)
