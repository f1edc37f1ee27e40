"""The cartogram as a pure Plotly figure: equal discs (filled `scatter` polygons, nothing fetched) placed by
`layouts.wall_cartogram`, painted as `layouts.maps` paints every map (Okabe–Ito levels, alarms hatched, warnings
dotted). Up to LABELLED_MAX units each disc carries its short name and value at 28 px (the disc grows to hold the
longest); more units are unlabelled dots, named and counted in the legend."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dashboard.core.i18n import fmt_time, t
from layouts.maps import PALETTES, Look, base_layout, edges_for, grouped_fills, label_trace, unit_look
from layouts.wall_cartogram import DOT_R, DOTS_PX, GAP, LABELLED_MAX, MAP_PX, OFFSHORE_LAT, Anchor, Placement, place
from layouts.wall_gauges import TEXT_PX

if TYPE_CHECKING:
    from dashboard.pages.wall import Limits, UnitPlace, UnitStatus
    from layouts.wall_model import Metric

VALUE_PX = 28  # the value under a unit's name, bold
LINE_EM = 1.3  # Plotly's line height, in em of the text
WIDEST_VALUE, WIDEST_STALE = "00,0%", "◷\u202f00:00"  # the widest a value or a stale time is written on a disc
GLYPH_EM = 0.9  # the height of a line's letters and their marks, in em of the text
NAME_CHARS = 7  # a short name longer than this is written on two lines (so the discs stay small enough to fit)
DISC_PAD = 4.0  # px between a label's corner and its disc's edge
MAX_RAISE = 8  # px: how far the words may sit above or below the disc's centre (Plotly centres them a little high)
RING = 0.09  # an alarm's or warning's patterned ring, in share of a labelled disc's radius (clear of the words)
SIDES = 48  # of the polygon drawn for a disc
# A letter's width in em of DejaVu Sans (the wall's fallback font; the fonts before it are narrower), a little generous.
NARROW, WIDE = set(" ,.:;'|!il()[]"), set("%mwMW@")


def text_px(text: str, size: float, bold: bool = False) -> float:
    """About how wide `text` is at `size` px in DejaVu Sans (the wall's fallback font; the fonts before it are
    narrower): 0.33 em for narrow marks, 0.95 for wide ones, 0.87 for ◷, 0.64 for digits, 0.68 for capitals, 0.58
    for other letters; bold 9 % wider."""
    em = 0.0
    for char in text:
        if char == "\u202f":
            em += 0.2
        elif char in NARROW:
            em += 0.33
        elif char in WIDE:
            em += 0.95
        elif char == "◷":
            em += 0.87
        elif char.isdigit():
            em += 0.64
        elif char.isupper():
            em += 0.68
        else:
            em += 0.58
    return em * size * (1.09 if bold else 1.0)


def name_lines(name: str, chars: int = NAME_CHARS) -> list[str]:
    """A short name on one line, or, when longer than `chars`, on the two lines of most even length."""
    words = name.split()
    if len(name) <= chars or len(words) < 2:
        return [name]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    return [first, second]


def disc_label(unit: UnitStatus | None, key: str, look: Look, lang: str, scale: float) -> str:
    """A labelled disc's words: its short name, then its value (100 % without its decimal, so that no value is
    wider than WIDEST_VALUE), or ◷ and the time of its last good data when stale."""
    names = name_lines(unit.label(lang) if unit else key)
    if look.level == "stale":
        since = fmt_time(unit.data_as_of, lang) if unit and unit.data_as_of else "–"
        return "<br>".join([*names, f"◷\u202f{since}"])  # (a narrow space: the disc stays small)
    value = "100%" if look.value in ("100,0%", "100.0%") else look.value
    return "<br>".join([*names, f"<span style='font-size:{VALUE_PX * scale:.0f}px'><b>{value}</b></span>"])


def disc_fit(name: str) -> tuple[float, float]:
    """The radius (px at scale 1) of a disc that holds this short name with any value or stale time under it, and
    how far above the disc's centre the words' middle then goes (a narrow first line and a wide last one sit
    higher): every line's corners inside the disc, DISC_PAD to spare. It depends on the name only, so the discs
    (and their placement) stay put while the figures change."""
    lines = [(text_px(line, TEXT_PX), TEXT_PX) for line in name_lines(name)]
    lasts = ((text_px(WIDEST_VALUE, VALUE_PX, bold=True), VALUE_PX), (text_px(WIDEST_STALE, TEXT_PX), TEXT_PX))
    shifts = [i / 2 for i in range(-2 * MAX_RAISE, 2 * MAX_RAISE + 1)]  # every half px
    needed, shift = min((max(label_radius([*lines, last], up) for last in lasts), up) for up in shifts)
    return needed + DISC_PAD, shift


def label_radius(lines: Sequence[tuple[float, float]], up: float = 0.0) -> float:
    """The radius of the smallest disc holding a block of text lines (width, font size; LINE_EM apart) whose
    middle is `up` px above the disc's centre, every line's glyphs (GLYPH_EM of its size tall) inside it."""
    top = sum(size * LINE_EM for _width, size in lines) / 2 + up
    needed = 0.0
    for width, size in lines:
        centre = top - size * LINE_EM / 2
        needed = max(needed, math.hypot(width / 2, abs(centre) + size * GLYPH_EM / 2))
        top -= size * LINE_EM
    return needed


def circle(
    x: float, y: float, r: float, hole: float = 0.0
) -> tuple[tuple[float | None, ...], tuple[float | None, ...]]:
    """A disc's outline as a closed ring; with `hole`, a ring of that inner radius (drawn the other way round, so
    that its inside is left unfilled)."""
    angles = [2 * math.pi * i / SIDES for i in range(SIDES + 1)]
    xs: list[float | None] = [x + r * math.cos(a) for a in angles]
    ys: list[float | None] = [y + r * math.sin(a) for a in angles]
    if hole:
        xs += [None, *(x + hole * math.cos(-a) for a in angles)]
        ys += [None, *(y + hole * math.sin(-a) for a in angles)]
    return tuple(xs), tuple(ys)


def cartogram_map(
    units: Sequence[UnitStatus],
    places: Sequence[UnitPlace],
    metric: Metric,
    limits: Limits,
    lang: str,
    theme: str = "dark",
    *,
    scale: float = 1.0,
    clickable: bool = False,
) -> dict[str, Any]:
    """Every unit with a place as an equal disc near its place (fills named "fill:<level>", bands or patterned dots
    "pattern:<level>"), labelled when at most LABELLED_MAX; "labels" holds each disc's key (for a click) and its
    words (empty on dots). `layout.meta`: the map's aspect (width ÷ height), how many discs, and whether labelled."""
    palette = PALETTES.get(theme, PALETTES["dark"])
    by_key = {u.key: u for u in units}
    placed = sorted((p for p in places if p.key in by_key), key=lambda p: p.key)
    labelled = len(placed) <= LABELLED_MAX
    edges = edges_for(list(units), metric)
    looks = {p.key: unit_look(by_key[p.key], metric, limits, lang, palette, edges) for p in placed}
    words: dict[str, str] = {}
    raised: dict[str, float] = {}
    radius = DOT_R
    if labelled:
        words = {p.key: disc_label(by_key[p.key], p.key, looks[p.key], lang, scale) for p in placed}
        fits = {p.key: disc_fit(by_key[p.key].label(lang)) for p in placed}
        radius = math.ceil(max(needed for needed, _up in fits.values()))
        raised = {key: up for key, (_needed, up) in fits.items()}
    anchors: tuple[Anchor, ...] = tuple((p.key, p.lat, p.lon, p.own) for p in placed)
    offshore = [by_key[p.key].label(lang) for p in placed if p.lat < OFFSHORE_LAT]
    caption = t("wall.map.offshore.frame", lang, names=", ".join(offshore)) if offshore else ""
    frame_px = (text_px(caption, TEXT_PX) + 2 * radius * max(len(offshore), 1) + 6 * GAP, TEXT_PX * LINE_EM + 4 * GAP)
    slack = radius / (radius - DISC_PAD) if labelled else 1.0  # the pad may go, the words stay inside
    placement = place(anchors, float(radius), MAP_PX if labelled else DOTS_PX, frame_px, slack)
    return _figure(placement, by_key, looks, words, raised, palette, lang, scale, clickable, caption)


def _figure(
    placement: Placement,
    by_key: dict[str, UnitStatus],
    looks: dict[str, Look],
    words: dict[str, str],
    raised: dict[str, float],
    palette: Any,
    lang: str,
    scale: float,
    clickable: bool,
    caption: str,
) -> dict[str, Any]:
    r = placement.radius
    labelled = bool(words)
    fills, patterns = [], []
    xs, ys, texts, inks, keys, hovers = [], [], [], [], [], []
    for disc in placement.discs:
        look, unit = looks[disc.key], by_key[disc.key]
        solid = Look(look.level, look.fill, "", look.ink, look.value, look.note)
        fills.append((solid, [circle(disc.x, disc.y, r)]))
        if look.pattern:  # a labelled disc's patterned ring, clear of the words; a dot patterned whole
            patterns.append((look, [circle(disc.x, disc.y, r, (1 - RING) * r if labelled else 0.0)]))
        xs.append(disc.x)
        ys.append(disc.y + raised.get(disc.key, 0.0))
        texts.append(words.get(disc.key, ""))
        inks.append(look.ink)
        keys.append(disc.key)
        hovers.append(f"{unit.name(lang)}: {look.value} · {look.note}".rstrip(" ·"))
    data = grouped_fills(fills, palette, 1.5 * scale if not labelled else 0)
    for trace in grouped_fills(patterns, palette, 0, "pattern"):
        if not labelled:
            trace["fillpattern"]["size"] = 7
        data.append(trace)
    if labelled:
        data.append(label_trace(xs, ys, texts, inks, keys, hovers, TEXT_PX * scale))
    else:
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "markers",
                "marker": {"size": 2 * r * scale, "color": "rgba(0,0,0,0)"},
                "customdata": keys,
                "hovertext": hovers,
                "hoverinfo": "text",
                "showlegend": False,
                "name": "labels",
            }
        )
    x0, x1, y0, y1 = placement.box
    layout = base_layout(palette, lang, scale, clickable, "wall-map-cartogram", 1.0)
    margin = GAP
    layout["xaxis"]["range"] = [x0 - margin, x1 + margin]
    layout["yaxis"]["range"] = [y0 - margin, y1 + margin]
    layout["meta"] = {
        "aspect": round((x1 - x0 + 2 * margin) / (y1 - y0 + 2 * margin), 4),
        "discs": len(placement.discs),
        "labelled": labelled,
    }
    if placement.frame:
        fx0, fx1, fy0, fy1 = placement.frame
        line = {"color": palette.ink, "width": 2 * scale, "dash": "dot"}
        layout["shapes"] = [
            {"type": "rect", "xref": "x", "yref": "y", "x0": fx0, "x1": fx1, "y0": fy0, "y1": fy1, "line": line}
        ]
        offshore = [d for d in placement.discs if d.offshore]
        layout["annotations"] = [
            {
                "text": caption,
                "x": max(d.x for d in offshore) + r + 2 * GAP,
                "y": (fy0 + fy1) / 2,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": TEXT_PX * scale, "color": palette.ink},
            }
        ]
    return {"data": data, "layout": layout}
