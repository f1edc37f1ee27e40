"""The wall's geographic map: boundary shapes as filled `scatter` polygons (no geo trace, nothing fetched).

The whole city sits on the left; the inner districts, too small to label at city scale, are drawn again,
enlarged, in an inset on the right (a frame on the city map shows where). District shapes are matched to
units by GSO code; wards are painted with their district's figures (the store counts per district).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dashboard.core.geo import aspect_ratio
from dashboard.core.vocabulary import DISTRICT, WARD
from layouts.maps import PALETTES, base_layout, edges_for, grouped_fills, label_trace, point_traces, unit_look
from layouts.wall_gauges import SEVERITY, TEXT_PX

if TYPE_CHECKING:
    from dashboard.core.geo import Shape
    from dashboard.pages.wall import FeedbackPoint, Limits, UnitStatus
    from layouts.wall_model import Metric

LABEL_EXTENT = 0.08  # degrees: a district at least this wide and tall is labelled on the city map
# Labels are 28 px at 1080 p (as all the wall's text) on a map of about MAP_PX (beside the legend): where two would
# cover each other, the worse unit's is written and the other left out (its colour and pattern still say its level).
MAP_PX = (1280, 840)
CHAR_EM, LINE_EM = 0.6, 1.25  # a letter's mean width and a line's height, in em, a little generous
CITY_DOMAIN = (0.0, 0.4)
INSET_DOMAIN = (0.43, 1.0)
PAD = 0.015  # share of each side added around a map's extent

Box = tuple[float, float, float, float]  # lon min, lon max, lat min, lat max
Rings = list[tuple[Sequence[float], Sequence[float]]]


def ring_box(lons: Sequence[float], lats: Sequence[float]) -> Box:
    return min(lons), max(lons), min(lats), max(lats)


def union(boxes: Sequence[Box], pad: float = PAD) -> Box:
    """The box holding every box, widened by `pad` of its size on each side."""
    x0, x1 = min(b[0] for b in boxes), max(b[1] for b in boxes)
    y0, y1 = min(b[2] for b in boxes), max(b[3] for b in boxes)
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def meets(box: Box, other: Box) -> bool:
    return box[0] <= other[1] and other[0] <= box[1] and box[2] <= other[3] and other[2] <= box[3]


def district_spots(
    shapes: Sequence[Shape], outlines: Sequence[Shape], level: str
) -> dict[str, tuple[float, float, Box]]:
    """Per district code: its label point and its extent. From the district shapes (or outlines on a ward
    map); from the wards themselves when there are no outlines (mean label point, union of extents)."""
    from_wards = level == WARD and not outlines
    source = shapes if level == DISTRICT or from_wards else outlines
    grouped: dict[str, list[Shape]] = {}
    for shape in source:
        grouped.setdefault((shape.parent_code if from_wards else shape.code) or "", []).append(shape)
    spots = {}
    for code, members in grouped.items():
        boxes = [ring_box(*ring) for shape in members for ring in shape.rings]
        lon = sum(s.label_lon for s in members) / len(members)
        lat = sum(s.label_lat for s in members) / len(members)
        spots[code] = (lon, lat, union(boxes, 0.0))
    return spots


def _small(box: Box) -> bool:
    return min(box[1] - box[0], box[3] - box[2]) < LABEL_EXTENT


def _priority(unit: UnitStatus | None, limits: Limits, box: Box) -> tuple[int, float]:
    """Which labels go first when not all fit: alarms, warnings, stale, normal, none; then the larger shapes."""
    return SEVERITY[unit.level(limits) if unit else "none"], -(box[1] - box[0]) * (box[3] - box[2])


def _fitting(
    labels: Sequence[tuple[float, float, str, str]], view: Box, domain: tuple[float, float], ratio: float
) -> set[str]:
    """The codes of `labels` (lon, lat, code, text; in priority order) whose text, at the wall's 28 px on a map of
    MAP_PX drawn over `domain` of the width and showing `view`, lies inside the map and clear of every label
    placed before it."""
    span_x, span_y = view[1] - view[0], view[3] - view[2]
    per_lon = min(MAP_PX[0] * (domain[1] - domain[0]) / span_x, MAP_PX[1] / (span_y * ratio))  # px per degree
    per_lat = per_lon * ratio
    placed: list[Box] = []
    fitting = set()
    for lon, lat, code, text in labels:
        lines = re.sub(r"<[^>]+>", "", text.replace("<br>", "\n")).split("\n")
        half_w = max(len(line) for line in lines) * CHAR_EM * TEXT_PX / per_lon / 2
        half_h = len(lines) * LINE_EM * TEXT_PX / per_lat / 2
        box = (lon - half_w, lon + half_w, lat - half_h, lat + half_h)
        inside = view[0] <= box[0] and box[1] <= view[1] and view[2] <= box[2] and box[3] <= view[3]
        if inside and not any(meets(box, other) for other in placed):
            placed.append(box)
            fitting.add(code)
    return fitting


def _on(trace: dict[str, Any], axes: str) -> dict[str, Any]:
    return {**trace, "xaxis": f"x{axes}", "yaxis": f"y{axes}"}


def geo_map(
    shapes: Sequence[Shape],
    units_by_code: Mapping[str, UnitStatus],
    metric: Metric,
    limits: Limits,
    lang: str,
    theme: str = "dark",
    *,
    level: str = DISTRICT,
    outlines: Sequence[Shape] = (),
    scale: float = 1.0,
    clickable: bool = False,
    points: Sequence[FeedbackPoint] = (),
) -> dict[str, Any]:
    """The city choropleth (fills named "fill:<level>", `meta.shapes` rings each) and, when some districts
    are too small to label, the inset of the inner districts (fills named "inset:<level>"); `layout.meta.unlabelled`
    counts the labels left off because they would cover another."""
    palette = PALETTES.get(theme, PALETTES["dark"])
    edges = edges_for(list(units_by_code.values()), metric)
    width = (0.4 if level == WARD else 1.5) * scale
    painted: list[tuple[Any, Rings, Box]] = []
    for shape in shapes:
        code = shape.parent_code if level == WARD else shape.code
        unit = units_by_code.get(code) if code is not None else None  # a ward without a district has no unit
        look = unit_look(unit, metric, limits, lang, palette, edges)
        for ring in shape.rings:
            painted.append((look, [ring], ring_box(*ring)))
    spots = district_spots(shapes, outlines, level)
    inner = [box for _lon, _lat, box in spots.values() if _small(box)]
    city = union([box for *_, box in painted])
    inset = union(inner) if inner else None
    words = {}
    for code in spots:
        unit = units_by_code.get(code)
        look = unit_look(unit, metric, limits, lang, palette, edges)
        second = look.note.replace(" từ ", "<br>từ ").replace(" since ", "<br>since ")
        second = second if look.level == "stale" else f"<b>{look.value}</b>"
        words[code] = f"{unit.label(lang) if unit else code}<br>{second}"
    ratio = aspect_ratio((city[2] + city[3]) / 2)
    left_off: list[str] = []  # worded labels that did not fit (their shapes' colour and pattern still show)

    def labels(codes: list[str], worded: list[str], axes: str, view: Box, domain: tuple[float, float]) -> dict:
        """A label for each of `codes`, in words for those of `worded` that fit on their map at 28 px without
        covering another label (the worst first), empty for the others."""
        worst_first = sorted(worded, key=lambda code: _priority(units_by_code.get(code), limits, spots[code][2]))
        fitting = _fitting([(*spots[code][:2], code, words[code]) for code in worst_first], view, domain, ratio)
        left_off.extend(code for code in worst_first if code not in fitting)
        xs, ys, texts, inks, keys, hovers = [], [], [], [], [], []
        for code in codes:
            lon, lat, _box = spots[code]
            unit = units_by_code.get(code)
            look = unit_look(unit, metric, limits, lang, palette, edges)
            xs.append(lon)
            ys.append(lat)
            texts.append(words[code] if code in fitting else "")
            inks.append(look.ink)
            keys.append(unit.key if unit else code)
            hovers.append(f"{unit.name(lang) if unit else code}: {look.value} · {look.note}".rstrip(" ·"))
        return _on({**label_trace(xs, ys, texts, inks, keys, hovers, TEXT_PX * scale), "name": f"labels{axes}"}, axes)

    data = grouped_fills([(look, rings) for look, rings, _ in painted], palette, width)
    if outlines:
        data.append(_outline_trace(outlines, palette, 2.5 * scale, None, ""))
    small = [code for code, (_lon, _lat, box) in spots.items() if _small(box)]  # labelled in the inset
    big = [code for code in spots if code not in small]
    data.append(labels(list(spots), big, "", city, CITY_DOMAIN if inset else (0.0, 1.0)))
    data.extend(point_traces(points, scale, palette, lang))
    if inset:
        framed = [(look, rings) for look, rings, box in painted if meets(box, inset)]
        for trace in grouped_fills(framed, palette, width * 1.5):
            data.append(_on({**trace, "name": trace["name"].replace("fill:", "inset:")}, "2"))
        if outlines:
            data.append(_on(_outline_trace(outlines, palette, 3 * scale, inset, "-inset"), "2"))
        data.append(labels(small, small, "2", inset, INSET_DOMAIN))
        data.extend(_on(trace, "2") for trace in point_traces(points, scale, palette, lang))
    layout = _geo_layout(palette, lang, scale, clickable, level, city, inset)
    layout["meta"] = {"unlabelled": len(left_off)}
    return {"data": data, "layout": layout}


def _outline_trace(outlines: Sequence[Shape], palette, width: float, box: Box | None, suffix: str) -> dict[str, Any]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for shape in outlines:
        for lons, lats in shape.rings:
            if box is None or meets(ring_box(lons, lats), box):
                xs.extend([*lons, None])
                ys.extend([*lats, None])
    line = {"color": palette.border, "width": width}
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": line,
        "hoverinfo": "skip",
        "name": f"outlines{suffix}",
    }


def _geo_layout(palette, lang: str, scale: float, clickable: bool, level: str, city: Box, inset: Box | None) -> dict:
    ratio = aspect_ratio((city[2] + city[3]) / 2)
    layout = base_layout(palette, lang, scale, clickable, f"wall-map-{level}", ratio)
    layout["xaxis"]["range"], layout["yaxis"]["range"] = [city[0], city[1]], [city[2], city[3]]
    if inset is None:
        return layout
    layout["xaxis"]["domain"] = list(CITY_DOMAIN)
    layout["xaxis2"] = {**layout["xaxis"], "domain": list(INSET_DOMAIN), "range": [inset[0], inset[1]], "anchor": "y2"}
    layout["yaxis2"] = {**layout["yaxis"], "scaleanchor": "x2", "range": [inset[2], inset[3]], "anchor": "x2"}
    frame = {"color": palette.ink, "width": 2 * scale, "dash": "dot"}
    layout["shapes"] = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": inset[0],
            "x1": inset[1],
            "y0": inset[2],
            "y1": inset[3],
            "line": frame,
        },
        {"type": "rect", "xref": "x2 domain", "yref": "y2 domain", "x0": 0, "x1": 1, "y0": 0, "y1": 1, "line": frame},
    ]
    return layout
