"""A unit's KPI cards: each figure against its commitment (progress) and against the city, every number that a
dossier filter lists a link to those dossiers. Plain data in (`UnitKpis` of the unit and of the city)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import MISSING, fmt_decimal, fmt_int, fmt_pct, t
from dashboard.metrics.service_index import progress_against
from layouts.attrs import Attrs
from layouts.ids import UnitIds

if TYPE_CHECKING:
    from dashboard.metrics.kpis import Backlog, Ratio, UnitKpis

DrillHref = Callable[[str], str | None]  # dossier filter → the address of its list (None: not for this viewer)


@dataclass(frozen=True)
class RateCard:
    """A card for a `Ratio` field of `UnitKpis`, and the dossier filters behind its numerator and denominator."""

    name: str  # UnitKpis field, catalogue key `unit.kpi.<name>`, and the commitment key when there is one
    value_id: UnitIds
    numerator_list: str | None
    denominator_list: str | None


RATE_CARDS: MappingProxyType[str, RateCard] = MappingProxyType(
    {
        card.name: card
        for card in (
            RateCard("on_time", UnitIds.KPI_ON_TIME, "on_time", "completed"),
            RateCard("apology", UnitIds.KPI_APOLOGY, "late_with_apology", "late_total"),
            RateCard("online", UnitIds.KPI_ONLINE, "online", "received"),
            RateCard("online_full", UnitIds.KPI_ONLINE_FULL, "online_full", "received"),
            RateCard("dossier_satisfaction", UnitIds.KPI_DOSSIER_SATISFACTION, "satisfied", "rated"),
            RateCard(
                "feedback_on_time", UnitIds.KPI_FEEDBACK_ON_TIME, "feedback_answered_on_time", "feedback_answered"
            ),
        )
    }
)


def drill_number(text: str, list_name: str | None, href: DrillHref, lang: str, **attrs: Any) -> Component:
    """A number, as a link to the dossiers behind it when a filter lists them."""
    target = href(list_name) if list_name else None
    if not list_name or not target:
        return html.Span(text, **attrs)
    title = t("unit.drill.open", lang, name=t(f"unit.list.{list_name}", lang))
    css = f"{attrs.pop('className', '')} pulse-drill-link".strip()
    return dcc.Link(text, href=target, title=title, className=css, **attrs)


def target_progress(target: float | None, ratio: Ratio, lang: str) -> Component | None:
    """ "Cam kết 98,0%", a bar to the target, and "đạt 97,1% mức cam kết · chưa đạt" in words; None without a target."""
    if target is None:
        return None
    progress = progress_against(target, ratio)
    head = t("unit.target", lang, pct=fmt_pct(target, lang))
    if progress is None:
        return html.Div(
            [html.Div(head, className="pulse-target-head"), html.Div(t("unit.target.no_data", lang))],
            className="pulse-target",
        )
    met = progress >= 1
    words = f"{t('unit.target.progress', lang, pct=fmt_pct(progress, lang))} · "
    width = f"{min(progress, 1.0) * 100:.1f}"
    bar = html.Div(
        html.Div(className="pulse-target-fill", style={"width": f"{width}%"}),
        className="pulse-target-bar",
        role="progressbar",
        **Attrs({"aria-valuenow": width, "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": head}),
    )
    return html.Div(
        [
            html.Div(head, className="pulse-target-head"),
            bar,
            html.Div(
                [words, html.Strong(t("unit.target.met" if met else "unit.target.not_met", lang))],
                className="pulse-target-words",
            ),
        ],
        className="pulse-target" + (" is-met" if met else " is-short"),
    )


def _card(label: str, value: Component, notes: list[Any], tone: str = "") -> dbc.Col:
    body = dbc.CardBody([html.H3(label, className="pulse-kpi-label"), value, *[n for n in notes if n is not None]])
    return dbc.Col(dbc.Card(body, className=f"pulse-kpi h-100 {tone}".strip()), xs=12, sm=6, lg=4)


def _city(text: str, lang: str) -> html.Div:
    return html.Div(t("unit.city", lang, value=text), className="pulse-city")


def _note(children: Any) -> html.Div:
    return html.Div(children, className="pulse-kpi-note")


def _rate_card(card: RateCard, kpis: UnitKpis, city: UnitKpis, target: float | None, href: DrillHref, lang: str):
    ratio: Ratio = getattr(kpis, card.name)
    value = drill_number(
        fmt_pct(ratio.value, lang), card.numerator_list, href, lang, id=card.value_id, className="pulse-kpi-value"
    )
    note = _note(t(f"unit.kpi.{card.name}.none", lang))
    if ratio.denominator:
        numerator = drill_number(fmt_int(ratio.numerator, lang), card.numerator_list, href, lang)
        denominator = drill_number(fmt_int(ratio.denominator, lang), card.denominator_list, href, lang)
        note = _note([numerator, " / ", denominator, " ", t(f"unit.kpi.{card.name}.note", lang)])
    missing = None
    if card.name == "apology" and ratio.denominator:
        count = fmt_int(ratio.denominator - ratio.numerator, lang)
        missing = _note([t("unit.kpi.apology.missing", lang), " ", drill_number(count, "late_no_apology", href, lang)])
    notes = [
        note,
        missing,
        target_progress(target, ratio, lang),
        _city(fmt_pct(getattr(city, card.name).value, lang), lang),
    ]
    return _card(t(f"unit.kpi.{card.name}", lang), value, notes)


def _in_progress_card(kpis: UnitKpis, city: UnitKpis, href: DrillHref, lang: str) -> dbc.Col:
    count = fmt_int(kpis.backlog.in_progress, lang)
    value = drill_number(count, "in_progress", href, lang, id=UnitIds.KPI_IN_PROGRESS, className="pulse-kpi-value")
    notes = [_note(t("kpi.in_progress.note", lang)), _city(fmt_int(city.backlog.in_progress, lang), lang)]
    return _card(t("kpi.in_progress", lang), value, notes)


def _share(part: int, whole: int, lang: str) -> str:
    return fmt_pct(part / whole, lang) if whole else MISSING


def overdue_level(backlog: Backlog, levels: tuple[float, float]) -> str:
    """ "alarm" above the alarm share of the backlog, "warn" above the warning share, else "ok" (the wall's
    thresholds, `wall_overdue_warn` / `wall_overdue_alarm`); "ok" with nothing in progress."""
    warn, alarm = levels
    share = backlog.overdue / backlog.in_progress if backlog.in_progress else 0.0
    return "alarm" if share > alarm else "warn" if share > warn else "ok"


def _versus_city(backlog: Backlog, city: Backlog, lang: str) -> str | None:
    """Better, worse or the same as the city's overdue share, as shown (one decimal of a percent); None without
    a backlog on either side."""
    if not backlog.in_progress or not city.in_progress:
        return None
    mine, theirs = (round(b.overdue / b.in_progress * 100, 1) for b in (backlog, city))
    word = "same" if mine == theirs else "better" if mine < theirs else "worse"
    return t(f"unit.overdue.{word}", lang, city=_share(city.overdue, city.in_progress, lang))


def _overdue_card(kpis: UnitKpis, city: UnitKpis, href: DrillHref, lang: str, levels: tuple[float, float]) -> dbc.Col:
    backlog, city_backlog = kpis.backlog, city.backlog
    count = fmt_int(backlog.overdue, lang)
    value = drill_number(count, "overdue", href, lang, id=UnitIds.KPI_OVERDUE, className="pulse-kpi-value")
    level = overdue_level(backlog, levels)
    threshold = levels[1] if level == "alarm" else levels[0]
    city_text = (
        f"{fmt_int(city_backlog.overdue, lang)} ({_share(city_backlog.overdue, city_backlog.in_progress, lang)})"
    )
    notes = [
        _note(t("kpi.overdue.note", lang, pct=_share(backlog.overdue, backlog.in_progress, lang))),
        _note(t(f"unit.overdue.{level}", lang, pct=fmt_pct(threshold, lang))) if backlog.in_progress else None,
        _note(versus) if (versus := _versus_city(backlog, city_backlog, lang)) else None,
        _city(city_text, lang),
    ]
    tone = {"alarm": "is-alert", "warn": "is-warn", "ok": "is-ok"}[level] if backlog.in_progress else ""
    return _card(t("kpi.overdue", lang), value, notes, tone)


def fmt_days(days: float | None, lang: str) -> str:
    """ "2,5 ngày" / "2.5 days"; a dash when unknown."""
    return MISSING if days is None else t("unit.days", lang, n=fmt_decimal(days, lang))


def _processing_card(kpis: UnitKpis, city: UnitKpis, href: DrillHref, lang: str) -> dbc.Col:
    listed = "completed" if kpis.completed else None
    median = fmt_days(kpis.median_processing_days, lang)
    value = drill_number(median, listed, href, lang, id=UnitIds.KPI_PROCESSING, className="pulse-kpi-value")
    statutory = t("unit.kpi.processing.note", lang, days=fmt_days(kpis.mean_statutory_days, lang))
    city_text = t(
        "unit.kpi.processing.city",
        lang,
        median=fmt_days(city.median_processing_days, lang),
        statutory=fmt_days(city.mean_statutory_days, lang),
    )
    return _card(t("unit.kpi.processing", lang), value, [_note(statutory), _city(city_text, lang)])


def kpi_cards(
    kpis: UnitKpis,
    city: UnitKpis,
    targets: Mapping[str, float],
    href: DrillHref,
    lang: str,
    levels: tuple[float, float] = (0.05, 0.10),
) -> dbc.Row:
    """Nine cards: on time, in progress, overdue, apology rate, processing time, online, full online, dossier
    satisfaction, feedback on time; rates against their commitment, every card against the city; the overdue card
    coloured and worded by its level (`levels`: the warning and alarm shares of the backlog)."""
    rate = {name: _rate_card(card, kpis, city, targets.get(name), href, lang) for name, card in RATE_CARDS.items()}
    cards = [
        rate["on_time"],
        _in_progress_card(kpis, city, href, lang),
        _overdue_card(kpis, city, href, lang, levels),
        rate["apology"],
        _processing_card(kpis, city, href, lang),
        rate["online"],
        rate["online_full"],
        rate["dossier_satisfaction"],
        rate["feedback_on_time"],
    ]
    return dbc.Row(cards, className="g-3")


def feedback_stats(kpis: UnitKpis, href: DrillHref, lang: str) -> html.Dl:
    """Open feedback, of which overdue, and feedback received in the period, each linking to its list."""
    overdue_tone = " is-alert" if kpis.overdue_feedback else ""
    pairs = (
        ("unit.feedback.open", kpis.open_feedback, "feedback_open", ""),
        ("unit.feedback.overdue", kpis.overdue_feedback, "feedback_overdue", overdue_tone),
        ("unit.feedback.received", kpis.feedback_received, "feedback_received", ""),
    )
    return html.Dl(
        [
            html.Div(
                [html.Dt(t(key, lang)), html.Dd(drill_number(fmt_int(value, lang), name, href, lang))],
                className=f"pulse-stat{tone}",
            )
            for key, value, name, tone in pairs
        ],
        className="pulse-stats",
    )
