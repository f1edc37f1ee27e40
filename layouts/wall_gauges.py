"""Backlog gauges: the city's overdue share as a Plotly gauge, and one small meter per district, worst first.

Levels come from the settings' thresholds; each gauge writes its value and its level in words, alarms are
hatched and warnings dotted (CSS), so nothing depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dash import html

from dashboard.core.i18n import CATALOGUE, fmt_int, fmt_pct, fmt_time, t
from dashboard.metrics.alerts import level_above
from layouts.attrs import Attrs
from layouts.figures import FONT, SEPARATORS
from layouts.maps import LEVEL_FILL, PALETTES
from layouts.names import NAME_CLASS, name_lang

if TYPE_CHECKING:
    from dashboard.metrics.kpis import CityOverview
    from dashboard.pages.wall import Limits, UnitStatus

TEXT_PX = 28  # the smallest text on the wall at scale 1 (1080 p): as assets/wall.css's 1.75em
SEVERITY = {"alarm": 0, "warn": 1, "stale": 2, "ok": 3, "none": 4}
LEVEL_ICON = {"alarm": "✖", "warn": "▲", "ok": "✓", "stale": "◷", "none": "–"}  # glyphs DejaVu has


def gauge_top(limits: Limits, *shares: float | None) -> float:
    """The gauge's full scale: twice the alarm limit, or more to hold the largest share, on a 5 % step."""
    top = max([2 * limits.overdue_alarm, *[s for s in shares if s is not None]])
    return min(math.ceil(top * 20 - 1e-9) / 20, 1.0) or 0.05


def city_gauge(overview: CityOverview, limits: Limits, lang: str, theme: str = "dark", scale: float = 1.0) -> dict:
    """An angular gauge of overdue ÷ in progress for the whole city, banded at the warning and alarm limits."""
    palette = PALETTES.get(theme, PALETTES["dark"])
    share = overview.overdue_share.value
    top = gauge_top(limits, share) * 100
    warn, alarm = limits.overdue_warn * 100, limits.overdue_alarm * 100
    indicator: dict[str, Any] = {
        "type": "indicator",
        "mode": "gauge+number",
        "value": None if share is None else round(share * 100, 1),
        "number": {
            "suffix": "%",
            "valueformat": ".1f",
            "font": {"size": 110 * scale, "color": palette.ink, "weight": 700},
        },
        "gauge": {
            "shape": "angular",
            "axis": {
                "range": [0, top],
                "ticksuffix": "%",
                "tickfont": {"size": TEXT_PX * scale, "color": palette.muted},
                "tickcolor": palette.muted,
                "nticks": 6,
            },
            "bar": {"color": palette.ink, "thickness": 0.28, "line": {"color": palette.paper, "width": 2}},
            "bgcolor": palette.none_fill,
            "borderwidth": 0,
            "steps": [
                {"range": [0, warn], "color": LEVEL_FILL["ok"]},
                {"range": [warn, alarm], "color": LEVEL_FILL["warn"]},
                {"range": [alarm, top], "color": LEVEL_FILL["alarm"]},
            ],
            "threshold": {"line": {"color": palette.ink, "width": 5 * scale}, "thickness": 0.95, "value": alarm},
        },
        "domain": {"x": [0, 1], "y": [0, 1]},
    }
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "color": palette.ink, "size": TEXT_PX * scale},
        "separators": SEPARATORS.get(lang, ",."),
        "margin": {"l": 70 * scale, "r": 70 * scale, "t": 24 * scale, "b": 10 * scale},
        "uirevision": "wall-gauge",
        "autosize": True,
    }
    return {"data": [indicator], "layout": layout}


def city_gauge_text(overview: CityOverview, limits: Limits, lang: str) -> list[html.Div]:
    """Under the gauge, in words: the level, the counts and the limits."""
    share = overview.overdue_share.value
    level = "none" if share is None else level_above(share, limits.overdue_warn, limits.overdue_alarm)
    return [
        html.Div(
            [
                html.Span(LEVEL_ICON[level], className="wall-icon", **Attrs({"aria-hidden": "true"})),
                " ",
                t(f"wall.level.{level}", lang),
            ],
            className=f"wall-level is-{level}",
        ),
        html.Div(
            t(
                "wall.gauge.count",
                lang,
                overdue=fmt_int(overview.overdue_in_progress, lang),
                total=fmt_int(overview.in_progress, lang),
            ),
            className="wall-gauge-count",
        ),
        html.Div(
            t(
                "wall.gauge.limits",
                lang,
                warn=fmt_pct(limits.overdue_warn, lang),
                alarm=fmt_pct(limits.overdue_alarm, lang),
            ),
            className="wall-gauge-limits",
        ),
    ]


def by_severity(units: Sequence[UnitStatus], limits: Limits) -> list[UnitStatus]:
    """Alarm, warning, stale, normal, no backlog; within a level the highest overdue share first."""
    return sorted(units, key=lambda u: (SEVERITY[u.level(limits)], -(u.overdue_share or 0), u.name_vi))


def stale_note(unit: UnitStatus, lang: str) -> str:
    """ "dữ liệu cũ từ HH:MM" (or "no data yet" when the unit's sources never delivered)."""
    if unit.data_as_of is None:
        return t("wall.stale_never", lang)
    return t("wall.stale_since", lang, time=fmt_time(unit.data_as_of, lang))


def district_meter(unit: UnitStatus, limits: Limits, top: float, lang: str) -> html.Div:
    """One district's small gauge: name, value and level in words, a bar with the two limits marked, counts and
    the newly overdue."""
    level = unit.level(limits)
    share = unit.overdue_share
    percent = 0.0 if share is None else min(share / top, 1.0) * 100
    words = stale_note(unit, lang) if level == "stale" else t(f"wall.level.{level}", lang)
    reading = html.Div(
        [
            html.Div(fmt_pct(share, lang), className="wall-meter-value"),
            html.Div(
                [html.Span(LEVEL_ICON[level], **Attrs({"aria-hidden": "true"})), " ", words],
                className="wall-meter-level",
            ),
        ],
        className="wall-meter-reading",
    )
    lines: list[html.Div] = []
    if level != "stale":
        counts = t(
            "wall.gauge.count",
            lang,
            overdue=fmt_int(unit.backlog.overdue, lang),
            total=fmt_int(unit.backlog.in_progress, lang),
        )
        lines.append(html.Div(counts, className="wall-meter-note"))
        if unit.new_late:  # a line of its own: at 28 px the two do not share a meter's width
            lines.append(
                html.Div(t("wall.new_late", lang, n=fmt_int(unit.new_late, lang)), className="wall-meter-note")
            )
    bar = html.Div(
        [
            html.Div(className="wall-meter-fill", style={"width": f"{percent:.1f}%"}),
            html.Div(className="wall-meter-mark is-warn", style={"left": f"{limits.overdue_warn / top * 100:.1f}%"}),
            html.Div(className="wall-meter-mark is-alarm", style={"left": f"{limits.overdue_alarm / top * 100:.1f}%"}),
        ],
        className="wall-meter-bar",
        role="meter",
        **Attrs(
            {
                "aria-valuemin": "0",
                "aria-valuemax": f"{top * 100:.0f}",
                "aria-valuenow": f"{(share or 0) * 100:.1f}",
                "aria-label": unit.name(lang),  # a name: the bar is marked as one (layouts.names)
                "data-name": name_lang(lang),
            }
        ),
        lang=name_lang(lang),
    )
    return html.Div(
        [
            html.Div(
                unit.label(lang),
                className=f"wall-meter-name {NAME_CLASS}",
                title=unit.name(lang),
                lang=name_lang(lang),
                **Attrs({"data-name": name_lang(lang)}),
            ),
            reading,
            bar,
            *lines,
        ],
        className=f"wall-meter is-{level}",
        **Attrs({"data-unit": unit.key}),
    )


@dataclass(frozen=True)
class AreaCount:
    """How many units of one area (a former province: 79, 74, 77) there are, and how many at each level."""

    area: str
    units: int
    alarms: int
    warnings: int
    stale: int


def area_counts(units: Sequence[UnitStatus], areas: Mapping[str, str], limits: Limits) -> list[AreaCount]:
    """`units` counted per area (`areas`: unit key → area; a unit without one under ""), the most units first."""
    found: dict[str, list[str]] = {}
    for unit in units:
        found.setdefault(areas.get(unit.key, ""), []).append(unit.level(limits))
    counts = [
        AreaCount(area, len(levels), levels.count("alarm"), levels.count("warn"), levels.count("stale"))
        for area, levels in found.items()
    ]
    return sorted(counts, key=lambda c: (-c.units, c.area))


def area_name(area: str, lang: str) -> str:
    """ "TP.HCM cũ", "Bình Dương cũ", "Bà Rịa – Vũng Tàu cũ" (the area's code when the catalogue has no name)."""
    key = f"wall.map.area.{area}"
    return t(key, lang) if key in CATALOGUE else area or "–"


def area_words(count: AreaCount, lang: str) -> str:
    """ "102 đơn vị · 3 báo động · 9 cảnh báo", and how many are stale when any."""
    words = t(
        "wall.map.area.count",
        lang,
        n=fmt_int(count.units, lang),
        alarms=fmt_int(count.alarms, lang),
        warns=fmt_int(count.warnings, lang),
    )
    return f"{words} · {t('wall.map.area.stale', lang, n=fmt_int(count.stale, lang))}" if count.stale else words


# A 4 × 3 grid read from 5 m, every text at least 28 px at 1080 p (a ward's name is up to 22 letters): the worst
# 12 of the 24 districts of 2019 or of today's 168 units, with a line saying how many of how many are shown.
METERS_SHOWN = 12


def district_meters(
    units: Sequence[UnitStatus], limits: Limits, lang: str, areas: Mapping[str, str] | None = None
) -> html.Div:
    """Every local unit's meter on one scale, worst first; of more than METERS_SHOWN, the worst, with a line
    saying how many of how many are shown, and (given `areas`, for units from more than one area) the others
    counted per area: "Còn lại 156 đơn vị: TP.HCM cũ 96 đơn vị · 0 báo động · 3 cảnh báo; …"."""
    ordered = by_severity(units, limits)
    shown = ordered[:METERS_SHOWN]
    top = gauge_top(limits, *(u.overdue_share for u in shown))
    meters = html.Div([district_meter(u, limits, top, lang) for u in shown], className="wall-meters")
    if len(shown) == len(ordered):
        return meters
    foot = t("wall.meters.worst", lang, shown=fmt_int(len(shown), lang), total=fmt_int(len(ordered), lang))
    lines = [meters, html.Div(foot, className="wall-foot")]
    rest = ordered[METERS_SHOWN:]
    if areas is not None and len({areas.get(u.key, "") for u in ordered}) > 1:
        counted = "; ".join(
            f"{area_name(c.area, lang)} {area_words(c, lang)}" for c in area_counts(rest, areas, limits)
        )
        lines.append(
            html.Div(t("wall.meters.rest", lang, n=fmt_int(len(rest), lang), areas=counted), className="wall-foot")
        )
    return html.Div(lines, className="wall-meters-block")
