"""The contents of the wall's views, from a `WallData`: KPI tiles, league tables and alerts (the map legend:
`layouts.wall_legend`).

Counts and rates only: the wall never shows a citizen or a dossier. Sizes are in `em` of the wall's root
font, which follows the screen height, so 1920×1080 and 3840×2160 look the same from across the room.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from dash import html

from dashboard.core.clock import city_time
from dashboard.core.i18n import fmt_datetime, fmt_int, fmt_pct, fmt_score, fmt_time, t
from dashboard.core.vocabulary import CITY_KEY
from layouts.attrs import Attrs
from layouts.wall_compare import compare_lines
from layouts.wall_gauges import LEVEL_ICON, stale_note
from layouts.wall_legend import map_legend

if TYPE_CHECKING:
    from dashboard.metrics.alerts import Alert
    from dashboard.metrics.kpis import Ratio
    from dashboard.pages.wall import UnitStatus, WallData

__all__ = ["map_legend"]  # (the map's legend lives in layouts.wall_legend)
LEAGUE_SIDE = 5
ALERTS_SHOWN = 8
TICKER_S_PER_CHAR = 0.18


def _tile(label: str, value: str, note: str, name: str, tone: str = "", compare: html.Div | None = None) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="wall-kpi-label"),
            html.Div(value, className="wall-kpi-value", **Attrs({"data-kpi": name})),
            html.Div(note, className="wall-kpi-note"),
            *([compare] if compare is not None else []),
        ],
        className=f"wall-kpi {tone}".strip(),
    )


def _ratio_note(ratio: Ratio, key: str, lang: str) -> str:
    if not ratio.denominator:
        return t("kpi.no_data", lang)
    return t(key, lang, num=fmt_int(ratio.numerator, lang), den=fmt_int(ratio.denominator, lang))


def kpi_tiles(data: WallData, lang: str) -> html.Div:
    """Six tiles: in progress, overdue (with its share), on time, online against the target, open feedback,
    satisfaction; each against yesterday and 7 days ago."""
    city, limits = data.overview, data.limits

    def tile(label: str, value: str, note: str, name: str, tone: str = "") -> html.Div:
        return _tile(label, value, note, name, tone, compare_lines(data.compared, name, lang))

    share = city.overdue_share.value
    online = city.online_share.value
    met = online is not None and online >= limits.online_target
    online_note = t(
        "wall.kpi.online.target",
        lang,
        pct=fmt_pct(limits.online_target, lang),
        verdict=t("wall.target.met" if met else "wall.target.missed", lang),
    )
    overdue_tone = (
        "is-alarm"
        if share and share > limits.overdue_alarm
        else "is-warn"
        if share and share > limits.overdue_warn
        else ""
    )
    return html.Div(
        [
            tile(
                t("kpi.in_progress", lang),
                fmt_int(city.in_progress, lang),
                t("kpi.in_progress.note", lang),
                "in_progress",
            ),
            tile(
                t("kpi.overdue", lang),
                fmt_int(city.overdue_in_progress, lang),
                t("kpi.overdue.note", lang, pct=fmt_pct(share, lang)) if city.in_progress else t("kpi.no_data", lang),
                "overdue",
                overdue_tone,
            ),
            tile(
                t("kpi.on_time", lang),
                fmt_pct(city.on_time.value, lang),
                _ratio_note(city.on_time, "kpi.on_time.note", lang),
                "on_time",
            ),
            tile(
                t("kpi.online", lang),
                fmt_pct(online, lang),
                online_note if online is not None else t("kpi.no_data", lang),
                "online",
                "is-met" if met else "is-missed" if online is not None else "",
            ),
            tile(t("kpi.feedback", lang), fmt_int(city.open_feedback, lang), t("kpi.feedback.note", lang), "feedback"),
            tile(
                t("wall.kpi.satisfaction", lang),
                fmt_pct(data.satisfaction.value, lang),
                _ratio_note(data.satisfaction, "wall.kpi.satisfaction.note", lang),
                "satisfaction",
            ),
        ],
        className="wall-kpis",
    )


def period_line(data: WallData, lang: str) -> str:
    return t("wall.period", lang, time=fmt_datetime(data.as_of, lang))


def league_score(unit: UnitStatus, lang: str) -> str:
    """The score as the league page writes it ("84,9"), or why there is none ("chưa đủ số liệu" when no criterion
    has enough data — never a 0,0 — or "không có số liệu")."""
    if unit.score is not None:
        return fmt_score(unit.score, lang)
    return t("index.score.no_data" if unit.score_state == "no_data" else "index.score.too_few", lang)


def _league_row(unit: UnitStatus, lang: str) -> html.Tr:
    name: list = [html.Div(unit.name(lang), className="wall-league-name")]
    if unit.stale:
        name.append(html.Div([LEVEL_ICON["stale"], " ", stale_note(unit, lang)], className="wall-stale-note"))
    return html.Tr(
        [
            html.Td(fmt_int(unit.rank, lang), className="wall-league-rank"),
            html.Td(name),
            html.Td(league_score(unit, lang), className="wall-league-score"),
            html.Td(fmt_pct(unit.on_time.value, lang), className="wall-num"),
            html.Td(fmt_int(unit.backlog.overdue, lang), className="wall-num"),
        ],
        className="wall-league-row" + (" is-stale" if unit.stale else ""),
        **Attrs({"data-unit": unit.key}),
    )


def _league_table(title: str, rows: Sequence[UnitStatus], lang: str, tone: str) -> html.Div:
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("wall.col.rank", lang)),
                html.Th(t("wall.col.unit", lang)),
                html.Th(t("wall.col.score", lang), className="wall-num"),
                html.Th(t("wall.col.on_time", lang), className="wall-num"),
                html.Th(t("wall.col.overdue", lang), className="wall-num"),
            ]
        )
    )
    return html.Div(
        [
            html.H3(title, className="wall-league-title"),
            html.Table([head, html.Tbody([_league_row(u, lang) for u in rows])], className="wall-league"),
        ],
        className=f"wall-league-side {tone}",
    )


def league_halves(units: Sequence[UnitStatus]) -> tuple[list[UnitStatus], list[UnitStatus]]:
    """The top 5 and the bottom 5 ranked units (fewer when fewer are ranked; a unit is never in both)."""
    ranked = sorted((u for u in units if u.rank is not None), key=lambda u: (u.rank, u.name_vi))
    top = ranked[:LEAGUE_SIDE]
    bottom = ranked[max(len(top), len(ranked) - LEAGUE_SIDE) :]
    return top, bottom


def league_view(units: Sequence[UnitStatus], lang: str) -> html.Div:
    """Top 5 beside bottom 5, large type; the stale ones grey with "dữ liệu cũ từ HH:MM"."""
    top, bottom = league_halves(units)
    if not top:
        return html.Div(t("wall.league.empty", lang), className="wall-empty")
    ranked = t(
        "wall.league.ranked",
        lang,
        ranked=fmt_int(len([u for u in units if u.rank]), lang),
        total=fmt_int(len(units), lang),
    )
    sides = [_league_table(t("wall.league.top", lang), top, lang, "is-top")]
    if bottom:
        sides.append(_league_table(t("wall.league.bottom", lang), bottom, lang, "is-bottom"))
    return html.Div(
        [html.Div(sides, className="wall-league-sides"), html.Div(ranked, className="wall-foot")],
        className="wall-league-view",
    )


def alert_text(alert: Alert, data: WallData, lang: str) -> str:
    """One alert in words."""
    unit = t("wall.city", lang) if alert.unit_key == CITY_KEY else data.unit_name(alert.unit_key, lang)
    if alert.kind == "overdue_share":
        return t(
            "wall.alert.overdue_share",
            lang,
            unit=unit,
            pct=fmt_pct(alert.value, lang),
            limit=fmt_pct(alert.limit, lang),
        )
    if alert.kind == "new_late":
        return t(
            "wall.alert.new_late",
            lang,
            unit=unit,
            n=fmt_int(int(alert.value), lang),
            limit=fmt_int(int(alert.limit), lang),
        )
    if alert.since is None:
        return t("wall.alert.source_never", lang, source=alert.source, unit=unit)
    return t("wall.alert.stale_source", lang, source=alert.source, unit=unit, time=fmt_time(alert.since, lang))


def _badge(severity: str, lang: str) -> html.Span:
    return html.Span(
        [html.Span(LEVEL_ICON[severity], **Attrs({"aria-hidden": "true"})), " ", t(f"wall.level.{severity}", lang)],
        className=f"wall-badge is-{severity}",
    )


def since_text(alert: Alert, as_of: datetime, lang: str) -> str:
    """Since when the alert is open and for how long: "từ 09:12 · 2 giờ 15 phút" (the day too when not today)."""
    began = city_time(alert.at)
    when = fmt_time(alert.at, lang) if began.date() == city_time(as_of).date() else fmt_datetime(alert.at, lang)
    minutes = max(int((as_of - alert.at).total_seconds() // 60), 0)
    hours, rest = divmod(minutes, 60)
    if hours >= 24:
        length = t("wall.alert.for_days", lang, d=fmt_int(hours // 24, lang), h=fmt_int(hours % 24, lang))
    elif hours:
        length = t("wall.alert.for_hours", lang, h=fmt_int(hours, lang), m=fmt_int(rest, lang))
    else:
        length = t("wall.alert.for_minutes", lang, m=fmt_int(rest, lang))
    return t("wall.alert.since", lang, time=when, length=length)


def ack_text(alert: Alert, lang: str) -> str:
    return t("wall.alert.acked", lang, who=alert.acknowledged_by or "", time=fmt_time(alert.acknowledged_at, lang))


def alert_counts(data: WallData, lang: str) -> str:
    """ "5 cảnh báo · 2 báo động · 1 đã xác nhận": every alert counted, the acknowledged ones too."""
    alarms = sum(1 for a in data.alerts if a.severity == "alarm")
    acked = sum(1 for a in data.alerts if a.acknowledged)
    n = len(data.alerts)
    return t("wall.alerts.counts", lang, n=fmt_int(n, lang), alarms=fmt_int(alarms, lang), acked=fmt_int(acked, lang))


def alerts_view(data: WallData, lang: str) -> html.Div | html.Ol:
    """The alerts in the order to act (unacknowledged, alarms, the longest open first), each with since when and
    for how long, its severity in words and what is wrong; the acknowledged ones after, dimmed, with who and when."""
    if not data.alerts:
        return html.Div(
            [html.Span(LEVEL_ICON["ok"], className="wall-icon"), " ", t("wall.alerts.none", lang)],
            className="wall-empty is-ok",
        )
    items = [html.Li(alert_counts(data, lang), className="wall-alert is-count")]
    for alert in data.alerts[:ALERTS_SHOWN]:
        state = " is-acked" if alert.acknowledged else ""
        items.append(
            html.Li(
                [
                    html.Span(since_text(alert, data.as_of, lang), className="wall-alert-time"),
                    _badge(alert.severity, lang),
                    html.Span(alert_text(alert, data, lang), className="wall-alert-text"),
                    *([html.Span(ack_text(alert, lang), className="wall-alert-ack")] if alert.acknowledged else []),
                ],
                className=f"wall-alert is-{alert.severity}{state}",
            )
        )
    more = len(data.alerts) - ALERTS_SHOWN
    if more > 0:
        items.append(html.Li(t("wall.alerts.more", lang, n=fmt_int(more, lang)), className="wall-alert is-more"))
    return html.Ol(items, className="wall-alerts")


def ticker(data: WallData, lang: str) -> list:
    """The unacknowledged alerts as one moving line, in the order to act, each with since when; then how many are
    acknowledged. A still line when there are none."""
    label = html.Span(t("wall.ticker", lang), className="wall-ticker-label")
    open_alerts = [a for a in data.alerts if not a.acknowledged]
    acked = len(data.alerts) - len(open_alerts)
    if not open_alerts:
        still = t("wall.alerts.none", lang) if not acked else t("wall.alerts.all_acked", lang, n=fmt_int(acked, lang))
        return [label, html.Div(html.Span(still), className="wall-ticker-still")]
    parts, chars = [], 0
    for alert in open_alerts:
        words = f"{since_text(alert, data.as_of, lang)} · {alert_text(alert, data, lang)}"
        chars += len(words) + 4
        parts.append(
            html.Span(
                [html.Span(LEVEL_ICON[alert.severity], className=f"wall-ticker-icon is-{alert.severity}"), " ", words],
                className="wall-ticker-item",
            )
        )
    if acked:
        parts.append(
            html.Span(t("wall.alerts.acked_count", lang, n=fmt_int(acked, lang)), className="wall-ticker-item")
        )
    duration = max(20.0, chars * TICKER_S_PER_CHAR)
    track = html.Div(
        html.Div(parts, className="wall-ticker-track", style={"animationDuration": f"{duration:.0f}s"}),
        className="wall-ticker-window",
    )
    return [label, track]
