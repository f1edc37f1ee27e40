"""The map's legend, in words: what the colours mean, the units that need attention most, and — for more units than
the map can name (the 168 of 2025) — the worst WORST_NAMED by name and every unit counted per former province; then
the feedback of the last 24 hours counted per unit, and the map's notes (what kind of map it is, what it leaves out).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dash import html

from dashboard.core.i18n import fmt_int, fmt_pct, fmt_time, t
from layouts.maps import LEVEL_FILL, LEVEL_PATTERN, PALETTES, bin_colours, edges_for, ink_on
from layouts.wall_cartogram import LABELLED_MAX
from layouts.wall_gauges import area_counts, area_name, area_words, by_severity, stale_note

if TYPE_CHECKING:
    from dashboard.pages.wall import Limits, UnitStatus, WallData
    from layouts.wall_model import Metric

ATTENTION = 6  # a map that names every unit: at most this many alarms, warnings and stale units listed again
WORST_NAMED = 8  # a map of unlabelled dots: always this many, the worst first (alarm, warning, stale, then value)
FEEDBACK_TOP = 3  # units named with their count of located feedback


def _swatch(fill: str, pattern: str, label: str, detail: str = "") -> html.Li:
    return html.Li(
        [
            html.Span(
                className=f"wall-swatch pattern-{'hatch' if pattern == '/' else 'dots' if pattern == '.' else 'none'}",
                style={"backgroundColor": fill, "color": ink_on(fill)},
            ),
            html.Span(label, className="wall-swatch-label"),
            html.Span(detail, className="wall-swatch-detail"),
        ],
        className="wall-legend-item",
    )


def named_units(units: Sequence[UnitStatus], limits: Limits) -> list[UnitStatus]:
    """The units the legend names: of a map that names each unit, its alarms, warnings and stale units (at most
    ATTENTION); of more units than that, the worst WORST_NAMED that have a backlog or are stale."""
    ordered = by_severity(units, limits)
    if len(units) <= LABELLED_MAX:
        return [u for u in ordered if u.level(limits) in ("alarm", "warn", "stale")][:ATTENTION]
    return [u for u in ordered if u.level(limits) != "none"][:WORST_NAMED]


def _reading(unit: UnitStatus, lang: str, short: bool) -> str:
    """A named unit's value, or since when its data is stale ("◷ 14:48" where space is short)."""
    if not unit.stale:
        return fmt_pct(unit.overdue_share, lang)
    if short:
        return f"◷ {fmt_time(unit.data_as_of, lang)}" if unit.data_as_of else f"◷ {t('wall.stale_never', lang)}"
    return stale_note(unit, lang)


def feedback_words(data: WallData, lang: str) -> str:
    """ "Phản ánh có vị trí, 24 giờ qua: 36; nhiều nhất: Quận 1 12 · Quận 3 8 · Gò Vấp 5" (all located feedback
    counted; the map's own units named)."""
    if not data.feedback_points:
        return t("wall.map.feedback.none", lang)
    labels = {u.key: u.label(lang) for u in data.local()}
    counted = Counter(p.unit_key for p in data.feedback_points if p.unit_key in labels)
    top = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:FEEDBACK_TOP]
    named = " · ".join(f"{labels[key]} {fmt_int(n, lang)}" for key, n in top) or "–"
    return t("wall.map.feedback.words", lang, n=fmt_int(len(data.feedback_points), lang), top=named)


def _swatches(data: WallData, metric: Metric, lang: str, theme: str) -> list[html.Li]:
    palette = PALETTES.get(theme, PALETTES["dark"])
    limits = data.limits
    if metric == "overdue_share":
        items = [
            _swatch(
                LEVEL_FILL["alarm"],
                LEVEL_PATTERN["alarm"],
                t("wall.level.alarm", lang),
                f"> {fmt_pct(limits.overdue_alarm, lang)}",
            ),
            _swatch(
                LEVEL_FILL["warn"],
                LEVEL_PATTERN["warn"],
                t("wall.level.warn", lang),
                f"> {fmt_pct(limits.overdue_warn, lang)}",
            ),
            _swatch(LEVEL_FILL["ok"], "", t("wall.level.ok", lang), f"≤ {fmt_pct(limits.overdue_warn, lang)}"),
        ]
    else:
        edges = edges_for(data.local(), metric)
        items = [
            _swatch(colour, "", f"{fmt_pct(edges[i], lang)} – {fmt_pct(edges[i + 1], lang)}")
            for i, colour in reversed(list(enumerate(bin_colours())))
        ]
    items.append(_swatch(palette.stale_fill, "", t("wall.level.stale", lang), t("wall.map.stale_mark", lang)))
    items.append(_swatch(palette.none_fill, "", t("wall.map.no_data", lang)))
    return items


def map_legend(data: WallData, metric: Metric, lang: str, theme: str, notes: Sequence[str] = ()) -> html.Div:
    """What the map's colours mean, in words; the units named (`named_units`); for a map of dots, every unit
    counted per former province; the feedback counted per unit; the map's notes."""
    local, limits = data.local(), data.limits
    many = len(local) > LABELLED_MAX
    attention = [
        html.Li(
            [
                html.Span(u.label(lang), className="wall-attention-name"),
                html.Span(_reading(u, lang, many), className="wall-attention-value"),
            ],
            className=f"wall-attention is-{u.level(limits)}",
        )
        for u in named_units(local, limits)
    ]
    main = [
        html.Div(t(f"wall.map.metric.{metric}", lang), className="wall-legend-title"),
        html.Ul(_swatches(data, metric, lang, theme), className="wall-legend"),
        *[html.Div(note, className="wall-legend-note") for note in notes],
        html.Div(feedback_words(data, lang), className="wall-legend-points"),
    ]
    side: list = []
    if attention:
        side += [
            html.Div(t("wall.map.attention", lang), className="wall-legend-title"),
            html.Ol(attention, className="wall-attention-list"),
        ]
    if many:
        areas = {p.key: p.area for p in data.places}
        side += [
            html.Div(t("wall.map.areas", lang), className="wall-legend-title"),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Span(area_name(count.area, lang), className="wall-area-name"),
                            html.Span(area_words(count, lang), className="wall-area-counts"),
                        ],
                        className="wall-area",
                    )
                    for count in area_counts(local, areas, limits)
                ],
                className="wall-area-list",
            ),
        ]
    parts = [html.Div(main, className="wall-legend-part")]
    if side:
        parts.append(html.Div(side, className="wall-legend-part"))
    return html.Div(parts, className="wall-map-legend" + (" is-wide" if many else ""))
