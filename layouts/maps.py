"""The wall's maps as pure Plotly: filled `scatter` shapes only (no geo trace, no tiles, nothing fetched).

`tile_map` puts every district on an equal square at its approximate place; `geo_map` draws boundary shapes
(24 districts or 322 wards, the wards painted by their district's figures). Shapes of one look share a
trace (rings separated by None), so a refresh sends a handful of traces, not hundreds. Colours are
Okabe–Ito levels or a cividis scale, and never alone: alarm shapes are hatched, warnings dotted, and every
district carries its name and value in words. Figures are plain dicts (fast to build; wrap in `go.Figure`
for kaleido); `uirevision` keeps a viewer's state across refreshes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from plotly.colors import sample_colorscale

from dashboard.core.i18n import MISSING, fmt_pct, fmt_time, t
from layouts.figures import FONT, OKABE_ITO, SEPARATORS

if TYPE_CHECKING:
    from dashboard.core.geo import TileCell
    from dashboard.pages.wall import FeedbackPoint, Limits, UnitStatus
    from layouts.wall_model import Metric

LEVEL_FILL = {"ok": OKABE_ITO["bluish_green"], "warn": OKABE_ITO["yellow"], "alarm": OKABE_ITO["vermillion"]}
LEVEL_PATTERN = {"ok": "", "warn": ".", "alarm": "/", "stale": "", "none": ""}
POINT_COLOUR = OKABE_ITO["reddish_purple"]
RATE_BINS = 5
TILE_GAP = 0.05
STRIP = 0.2  # share of a tile's height that carries its pattern


@dataclass(frozen=True)
class Palette:
    paper: str
    ink: str
    muted: str
    border: str
    none_fill: str
    stale_fill: str


PALETTES = {
    "dark": Palette("#0b1320", "#f5f7fa", "#b8c2d0", "#0b1320", "#2a3547", "#9ba1a9"),
    "light": Palette("#ffffff", "#101828", "#475467", "#ffffff", "#e4e7ec", "#a3a8b0"),
}


@dataclass(frozen=True)
class Look:
    """How one unit is painted and labelled for a metric."""

    level: str  # ok, warn, alarm (overdue share) · bin index as text (rates) · stale · none
    fill: str
    pattern: str
    ink: str
    value: str
    note: str  # a second line in words: the level, or "stale since HH:MM"


def ink_on(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (WCAG relative luminance)."""
    if fill.startswith("rgb"):
        r, g, b = (int(float(v)) for v in fill[fill.index("(") + 1 : -1].split(",")[:3])
    else:
        r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def metric_value(unit: UnitStatus, metric: Metric) -> float | None:
    """overdue ÷ in progress, on time ÷ completed, or online ÷ received; None without a denominator."""
    if metric == "overdue_share":
        return unit.overdue_share
    return (unit.on_time if metric == "on_time" else unit.online).value


def rate_bins(values: Sequence[float]) -> list[float]:
    """RATE_BINS + 1 edges of equal width from the lowest to the highest value, on whole percents."""
    if not values:
        return [0.0, 1.0]
    low, high = math.floor(min(values) * 100) / 100, math.ceil(max(values) * 100) / 100
    if high <= low:
        high = min(low + 0.01, 1.0) if low < 1 else 1.0
        low = high - 0.01
    step = (high - low) / RATE_BINS
    return [round(low + step * i, 4) for i in range(RATE_BINS + 1)]


def bin_colours(count: int = RATE_BINS) -> list[str]:
    return sample_colorscale("cividis", [i / (count - 1) for i in range(count)])


def unit_look(
    unit: UnitStatus | None, metric: Metric, limits: Limits, lang: str, palette: Palette, edges: Sequence[float]
) -> Look:
    """The fill, pattern, ink, value and note of a unit (grey when stale, muted when there is no figure)."""
    if unit is None:
        return Look("none", palette.none_fill, "", ink_on(palette.none_fill), MISSING, t("wall.map.no_data", lang))
    value = metric_value(unit, metric)
    value_text = fmt_pct(value, lang)
    if unit.stale:
        since = fmt_time(unit.data_as_of, lang) if unit.data_as_of else None
        note = t("wall.stale_since", lang, time=since) if since else t("wall.stale_never", lang)
        return Look("stale", palette.stale_fill, "", "#000000", value_text, note)
    if value is None:
        none_key = "wall.level.none" if metric == "overdue_share" else "wall.map.no_data"
        return Look("none", palette.none_fill, "", ink_on(palette.none_fill), MISSING, t(none_key, lang))
    if metric == "overdue_share":
        level = unit.level(limits)
        fill = LEVEL_FILL[level]
        return Look(level, fill, LEVEL_PATTERN[level], ink_on(fill), value_text, t(f"wall.level.{level}", lang))
    index = max(i for i in range(RATE_BINS) if i == 0 or value >= edges[i])
    fill = bin_colours()[index]
    return Look(str(index), fill, "", ink_on(fill), value_text, "")


def edges_for(units: Sequence[UnitStatus], metric: Metric) -> list[float]:
    values = [v for u in units if not u.stale and (v := metric_value(u, metric)) is not None]
    return rate_bins(values)


Ring = tuple[Sequence[float | None], Sequence[float | None]]  # (x…, y…); a None separates a ring's parts


def _fill_trace(rings: list[Ring], look: Look, palette: Palette, width: float, name: str) -> dict[str, Any]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for lons, lats in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(lons)
        ys.extend(lats)
    trace: dict[str, Any] = {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": look.fill,
        "line": {"color": palette.border, "width": width},
        "hoverinfo": "skip",
        "showlegend": False,
        "name": name,
        "meta": {"shapes": len(rings)},
    }
    if look.pattern:
        fg = "#000000" if look.ink == "#000000" else "#ffffff"
        trace["fillpattern"] = {
            "shape": look.pattern,
            "bgcolor": look.fill,
            "fgcolor": fg,
            "fgopacity": 0.5,
            "size": 12,
            "solidity": 0.3,
        }
    return trace


def grouped_fills(
    shapes: Sequence[tuple[Look, Sequence[Ring]]],
    palette: Palette,
    width: float,
    kind: str = "fill",
) -> list[dict[str, Any]]:
    """One filled trace per distinct look (fill + pattern), holding every ring of that look; its name is
    "<kind>:<level>" and `meta.shapes` counts its rings."""
    groups: dict[tuple[str, str], tuple[Look, list[Ring]]] = {}
    for look, rings in shapes:
        groups.setdefault((look.fill, look.pattern), (look, []))[1].extend(rings)
    return [_fill_trace(rings, look, palette, width, f"{kind}:{look.level}") for look, rings in groups.values()]


def label_trace(
    xs: list[float], ys: list[float], texts: list[str], inks: list[str], keys: list[str], hovers: list[str], size: float
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "markers+text",
        "text": texts,
        "textposition": "middle center",
        "textfont": {"size": size, "color": inks, "family": FONT},
        "marker": {"size": 2, "color": "rgba(0,0,0,0)"},
        "customdata": keys,
        "hovertext": hovers,
        "hoverinfo": "text",
        "showlegend": False,
        "name": "labels",
    }


def point_traces(points: Sequence[FeedbackPoint], scale: float, palette: Palette, lang: str) -> list[dict[str, Any]]:
    if not points:
        return []
    return [
        {
            "type": "scatter",
            "x": [p.lon for p in points],
            "y": [p.lat for p in points],
            "mode": "markers",
            "marker": {"size": 9 * scale, "color": POINT_COLOUR, "line": {"color": palette.ink, "width": 1}},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": t("wall.map.feedback", lang, n=len(points)),
        }
    ]


def base_layout(palette: Palette, lang: str, scale: float, clickable: bool, revision: str, ratio: float) -> dict:
    axis = {"visible": False, "fixedrange": True}
    return {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "color": palette.ink, "size": 16 * scale},
        "separators": SEPARATORS.get(lang, ",."),
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
        "xaxis": {**axis, "constrain": "domain"},
        "yaxis": {**axis, "scaleanchor": "x", "scaleratio": ratio, "constrain": "domain"},
        "showlegend": False,
        "dragmode": False,
        "hovermode": "closest" if clickable else False,
        "hoverdistance": -1,
        "uirevision": revision,
        "autosize": True,
    }


def tile_map(
    cells: Sequence[TileCell],
    units: Mapping[str, UnitStatus],
    metric: Metric,
    limits: Limits,
    lang: str,
    theme: str = "dark",
    *,
    scale: float = 1.0,
    clickable: bool = False,
    points: Sequence[FeedbackPoint] = (),
) -> dict[str, Any]:
    """Every district an equal square tile at its grid place, filled by `metric`, with its name, value and
    level (or "stale since") written on it; feedback points are spread over their district's tile."""
    palette = PALETTES.get(theme, PALETTES["dark"])
    edges = edges_for(list(units.values()), metric)
    shapes, strips, xs, ys, texts, inks, keys, hovers = [], [], [], [], [], [], [], []
    for cell in cells:
        unit = units.get(cell.unit_key)
        look = unit_look(unit, metric, limits, lang, palette, edges)
        x0, y0 = cell.col + TILE_GAP, -cell.row - 1 + TILE_GAP
        x1, y1 = cell.col + 1 - TILE_GAP, -cell.row - TILE_GAP
        solid = Look(look.level, look.fill, "", look.ink, look.value, look.note)
        shapes.append((solid, [((x0, x1, x1, x0, x0), (y0, y0, y1, y1, y0))]))
        if look.pattern:  # a patterned band along the bottom, clear of the words
            band = y0 + (y1 - y0) * STRIP
            strips.append((look, [((x0, x1, x1, x0, x0), (y0, y0, band, band, y0))]))
        name = unit.label(lang) if unit else cell.unit_key
        if look.level == "stale":
            second = look.note.replace(" từ ", "<br>từ ").replace(" since ", "<br>since ")
        else:
            second = f"<span style='font-size:{30 * scale:.0f}px'><b>{look.value}</b></span>"
        texts.append(f"{name}<br>{second}")
        xs.append(cell.col + 0.5)
        ys.append(-cell.row - 0.45)
        inks.append(look.ink)
        keys.append(cell.unit_key)
        hovers.append(f"{unit.name(lang) if unit else cell.unit_key}: {look.value} · {look.note}".rstrip(" ·"))
    rows = max((c.row for c in cells), default=0) + 1
    cols = max((c.col for c in cells), default=0) + 1
    data = grouped_fills(shapes, palette, 0) + grouped_fills(strips, palette, 0, "pattern")
    data.append(label_trace(xs, ys, texts, inks, keys, hovers, 22 * scale))
    data.extend(tile_point_traces(cells, points, scale, palette, lang))
    layout = base_layout(palette, lang, scale, clickable, "wall-map-tiles", 1.0)
    layout["xaxis"]["range"] = [-0.02, cols + 0.02]
    layout["yaxis"]["range"] = [-rows - 0.02, 0.02]
    return {"data": data, "layout": layout}


def message_map(message: str, lang: str, theme: str = "dark", *, scale: float = 1.0) -> dict[str, Any]:
    """A map with nothing to draw: the reason, written where the map would be."""
    palette = PALETTES.get(theme, PALETTES["dark"])
    layout = base_layout(palette, lang, scale, False, "wall-map-message", 1.0)
    layout["xaxis"]["range"], layout["yaxis"]["range"] = [0, 1], [0, 1]
    layout["annotations"] = [
        {"text": message, "x": 0.5, "y": 0.5, "showarrow": False, "font": {"size": 26 * scale, "color": palette.ink}}
    ]
    return {"data": [], "layout": layout}


def tile_point_traces(
    cells: Sequence[TileCell], points: Sequence[FeedbackPoint], scale: float, palette: Palette, lang: str
) -> list[dict[str, Any]]:
    """Feedback points on the tile grid: in their district's tile, on a small spiral (positions are not real)."""
    place = {c.unit_key: c for c in cells}
    spread: list[Any] = []
    seen: dict[str, int] = {}
    for point in points:
        cell = place.get(point.unit_key)
        if cell is None:
            continue
        i = seen[point.unit_key] = seen.get(point.unit_key, -1) + 1
        angle, radius = i * 2.4, 0.12 + 0.025 * math.sqrt(i)
        x = cell.col + 0.5 + min(radius, 0.4) * math.cos(angle)
        y = -cell.row - 0.78 + min(radius, 0.15) * math.sin(angle) * 0.5
        spread.append(replace(point, lat=y, lon=x))
    return point_traces(spread, scale, palette, lang)
