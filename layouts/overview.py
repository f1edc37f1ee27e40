"""The city overview page: KPI cards and the per-source freshness table, built from plain metrics data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import fmt_datetime, fmt_int, fmt_lag, fmt_pct, t
from layouts import shell
from layouts.attrs import Attrs
from layouts.ids import OverviewIds

if TYPE_CHECKING:  # plain data from metrics; layouts never touch the store
    from dashboard.metrics.kpis import CityOverview, Ratio
    from dashboard.pages.freshness import SourceFreshness

COLUMNS = ("sources.col.source", "sources.col.unit", "sources.col.last_good", "sources.col.lag", "sources.col.status")
STATUS_LOOK = {
    "ok": ("status.ok", "success", None),
    "error": ("status.error", "danger", None),
    "never": ("status.never", "secondary", None),
    "stale": ("status.stale", "warning", "dark"),
    "slow": ("status.slow", "info", "dark"),
}


def _card(label: str, value: str, value_id: str, note: str, tone: str = "") -> dbc.Col:
    body = dbc.CardBody(
        [
            html.H2(label, className="pulse-kpi-label"),
            html.Div(value, id=value_id, className="pulse-kpi-value"),
            html.Div(note, className="pulse-kpi-note"),
        ]
    )
    return dbc.Col(dbc.Card(body, className=f"pulse-kpi h-100 {tone}".strip()), xs=12, sm=6, lg=4, xxl=True)


def _ratio_note(ratio: Ratio, key: str, lang: str) -> str:
    if not ratio.denominator:
        return t("kpi.no_data", lang)
    return t(key, lang, num=fmt_int(ratio.numerator, lang), den=fmt_int(ratio.denominator, lang))


def kpi_cards(overview: CityOverview, lang: str) -> dbc.Row:
    """Five cards: in progress, overdue in progress (with its share), on time, online share, open feedback."""
    overdue_note = (
        t("kpi.overdue.note", lang, pct=fmt_pct(overview.overdue_share.value, lang))
        if overview.in_progress
        else t("kpi.no_data", lang)
    )
    cards = [
        _card(
            t("kpi.in_progress", lang),
            fmt_int(overview.in_progress, lang),
            OverviewIds.IN_PROGRESS,
            t("kpi.in_progress.note", lang),
        ),
        _card(
            t("kpi.overdue", lang),
            fmt_int(overview.overdue_in_progress, lang),
            OverviewIds.OVERDUE,
            overdue_note,
            "is-alert" if overview.overdue_in_progress else "",
        ),
        _card(
            t("kpi.on_time", lang),
            fmt_pct(overview.on_time.value, lang),
            OverviewIds.ON_TIME,
            _ratio_note(overview.on_time, "kpi.on_time.note", lang),
        ),
        _card(
            t("kpi.online", lang),
            fmt_pct(overview.online_share.value, lang),
            OverviewIds.ONLINE,
            _ratio_note(overview.online_share, "kpi.online.note", lang),
        ),
        _card(
            t("kpi.feedback", lang),
            fmt_int(overview.open_feedback, lang),
            OverviewIds.FEEDBACK,
            t("kpi.feedback.note", lang),
        ),
    ]
    return dbc.Row(cards, className="g-3")


# A table cell labelled with its column, so rows read as labelled blocks on a phone.
def labelled_cell(content: Any, label: str) -> html.Td:
    return html.Td(content, **Attrs({"data-label": label}))


def _status_cell(source: SourceFreshness, lang: str) -> list[Component]:
    key, color, text_color = STATUS_LOOK[source.status]
    cell: list[Component] = [dbc.Badge(t(key, lang), color=color, text_color=text_color, className="pulse-status")]
    if source.last_error:
        cell.append(html.Div(source.last_error, title=source.last_error, className="pulse-error small"))
    return cell


def source_table(
    sources: Sequence[SourceFreshness],
    columns: Sequence[str],
    values: Callable[[SourceFreshness, str], Sequence[Any]],
    lang: str,
    class_name: str = "",
) -> Component:
    """One row per configured source, a cell per column (labelled for phones); shared by the overview and
    the sources page, which differ only in their columns."""
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
    return source.unit_name_en if lang == "en" else source.unit_name_vi


def _source_values(source: SourceFreshness, lang: str) -> tuple[Any, ...]:
    return (
        html.Code(source.name),
        unit_name(source, lang),
        last_good_text(source, lang),
        fmt_lag(source.lag, lang),
        _status_cell(source, lang),
    )


def sources_table(sources: Sequence[SourceFreshness], lang: str) -> Component:
    """One row per configured source: name, unit, last good pull, lag and a status in words."""
    return source_table(sources, COLUMNS, _source_values, lang)


def layout(
    overview: CityOverview,
    sources: Sequence[SourceFreshness],
    lang: str,
    pathname: str,
    refresh_ms: int,
    seen: list,
) -> html.Div:
    """The whole page; `seen` is the data-version key the refresh callback compares against."""
    body = html.Div(
        [
            dcc.Interval(id=OverviewIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=OverviewIds.SEEN, data=seen),
            html.Section(
                kpi_cards(overview, lang),
                id=OverviewIds.KPIS,
                className="pulse-section",
                **Attrs({"aria-label": t("overview.kpis", lang)}),
            ),
            html.Section(
                [
                    html.H2(t("sources.title", lang), className="pulse-section-title"),
                    html.Div(sources_table(sources, lang), id=OverviewIds.SOURCES, className="pulse-panel"),
                ],
                className="pulse-section",
            ),
        ]
    )
    return shell.page(t("overview.title", lang), overview.as_of, lang, pathname, body)
