"""The wall's default map: a cartogram of the city's local units, each an equal disc at its geographic place.

Discs start at each unit's point (longitude scaled by cos(latitude), so the city keeps its shape) and are pushed
apart, a fixed number of times, just enough not to overlap (Dorling): Củ Chi stays north-west, Cần Giờ south-east,
the inner districts a compact core. Up to `LABELLED_MAX` units each disc is big enough for its name and value at the
wall's 28 px; more units (the 168 of 2025) are unlabelled dots, named and counted beside the map instead. A unit far
offshore (Côn Đảo) is drawn in a framed corner. The placement is deterministic and computed once per unit set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LABELLED_MAX = 30  # up to this many units, every disc carries its name and value
MAP_PX = (1240, 810)  # the map's part of a 1920×1080 wall beside its legend, at scale 1 (assets/wall.css)
DOTS_PX = (800, 810)  # the same with the wider legend of an unlabelled map
DOTS_FILL = 0.92  # the share of the map the dots' points span before they are pushed apart
DOT_R = 13.0  # px: an unlabelled unit's disc (26 px across, seen from 5 m)
GAP = 4.0  # px between two discs
ITERATIONS = 100  # separation passes; the first ATTRACT_SHARE of them also pull each disc back to its place
ATTRACT, ATTRACT_SHARE = 0.06, 0.6
ATTRACTIONS = (0.06, 0.15, 0.3)
OVERFLOW_BAND = 0.02  # placements too big by less than this much more than another count as big as it  # pulls tried for a labelled map (the one that keeps the units' order best wins)
EXTRA_ITERATIONS = 600  # at most this many more passes of separation alone, until no two discs overlap
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)  # shares of the scale that fills the map, tried in turn
OFFSHORE_LAT = 9.5  # units south of this latitude (Côn Đảo, 8.7° N) are drawn in the framed corner
Anchor = tuple[str, float, float, bool]  # key, lat, lon, own point (pinned against units without one)


@dataclass(frozen=True)
class Disc:
    key: str
    x: float  # px at scale 1, west → east
    y: float  # px at scale 1, south → north
    offshore: bool = False


@dataclass(frozen=True)
class Placement:
    discs: tuple[Disc, ...]
    radius: float
    box: tuple[float, float, float, float]  # x0, x1, y0, y1 of everything drawn, with the frame
    frame: tuple[float, float, float, float] | None  # the offshore corner, when any unit is offshore


def _seeded(start: np.ndarray, radius: float) -> np.ndarray:
    """Discs sharing a start point spread on a small sunflower around it (in the order given), so that the
    separation has a direction to push them in."""
    seeded = start.copy()
    seen: dict[tuple[float, float], int] = {}
    for i, point in enumerate(start):
        spot = (round(float(point[0]), 6), round(float(point[1]), 6))
        n = seen[spot] = seen.get(spot, -1) + 1
        if n:
            angle, distance = n * 2.399963, radius * math.sqrt(n)
            seeded[i] = point + distance * np.array([math.cos(angle), math.sin(angle)])
    return seeded


def relax(
    start: np.ndarray, pinned: np.ndarray, radius: float, iterations: int = ITERATIONS, attract: float = ATTRACT
) -> np.ndarray:
    """Disc centres (px) no two closer than 2 × radius: each pass pushes every overlapping pair apart along the
    line between them by half their overlap (with GAP to spare; a pinned disc does not move for an unpinned one,
    two alike share the push), and in the first passes pulls every disc a little back to its start; then
    separation alone until nothing overlaps (at most EXTRA_ITERATIONS more passes)."""
    start = np.asarray(start, dtype=float)
    x, y = _seeded(start, radius).T.copy()
    count = len(x)
    if count < 2:
        return np.stack([x, y], axis=1)
    least = 2 * radius + GAP
    share = np.where(pinned[:, None] == pinned[None, :], 0.5, np.where(pinned[:, None], 0.0, 1.0))
    np.fill_diagonal(share, 0.0)
    turn = np.arange(count)[:, None] - np.arange(count)[None, :]  # for two discs at one point: a fixed direction
    fallback_x, fallback_y = np.cos(turn * 2.399963), np.sin(turn * 2.399963)
    for step in range(iterations + EXTRA_ITERATIONS):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(distance, np.inf)  # a disc does not push itself
        overlap = least - distance
        np.maximum(overlap, 0.0, out=overlap)
        if step >= iterations and overlap.max() <= GAP / 2:
            break
        together = distance < 1e-9
        if together.any():
            dx, dy = np.where(together, fallback_x, dx), np.where(together, fallback_y, dy)
            distance[together] = 1.0
        force = share * overlap
        force /= distance
        x, y = x + 0.5 * (force * dx).sum(axis=1), y + 0.5 * (force * dy).sum(axis=1)
        if step < iterations * ATTRACT_SHARE:
            x, y = x + attract * (start[:, 0] - x), y + attract * (start[:, 1] - y)
    return np.stack([x, y], axis=1)


def overlapping(centres: np.ndarray, radius: float) -> int:
    """How many pairs of discs overlap (closer than 2 × radius, to a hundredth of a px)."""
    apart = centres[:, None, :] - centres[None, :, :]
    distance = np.hypot(apart[..., 0], apart[..., 1])
    close = distance < 2 * radius - 0.01
    np.fill_diagonal(close, False)
    return int(close.sum() // 2)


def _project(anchors: Sequence[Anchor]) -> np.ndarray:
    """(x, y) in degrees of latitude: longitude scaled by cos of the mean latitude."""
    lat0 = math.radians(sum(a[1] for a in anchors) / len(anchors))
    return np.array([(a[2] * math.cos(lat0), a[1]) for a in anchors], dtype=float)


def _box(centres: np.ndarray, radius: float) -> tuple[float, float, float, float]:
    return (
        float(centres[:, 0].min() - radius),
        float(centres[:, 0].max() + radius),
        float(centres[:, 1].min() - radius),
        float(centres[:, 1].max() + radius),
    )


def _fits(box: tuple[float, float, float, float], area: tuple[float, float]) -> bool:
    return box[1] - box[0] <= area[0] and box[3] - box[2] <= area[1]


def kept_order(degrees: np.ndarray, centres: np.ndarray) -> float:
    """The share of pairs of units whose west–east and south–north order the placement keeps (1: all)."""
    kept = 0.0
    for axis in (0, 1):
        before = np.sign(degrees[:, None, axis] - degrees[None, :, axis])
        after = np.sign(centres[:, None, axis] - centres[None, :, axis])
        kept += float((before == after).mean())
    return kept / 2


def _scaled(
    degrees: np.ndarray, pinned: np.ndarray, radius: float, area: tuple[float, float], slack: float
) -> np.ndarray:
    """The relaxed centres that keep the units' order best (`kept_order`) among those that fit `area` (to within
    `slack`, the figure then shrinking that much): relaxed from the scale at which the points alone would fill it
    times each of SCALES, pulled back to their places by each of ATTRACTIONS; when none fits, the best among those
    that overflow least (in bands of OVERFLOW_BAND). Dots (more than LABELLED_MAX units) carry no words: they are relaxed once, at DOTS_FILL of
    that scale, and the figure shrinks to fit if they spread a little beyond."""
    span = np.maximum(degrees.max(axis=0), 1e-9)
    full = max(float(min((area[0] - 2 * radius) / span[0], (area[1] - 2 * radius) / span[1])), 1.0)
    if len(degrees) > LABELLED_MAX:
        return relax(degrees * full * DOTS_FILL, pinned, radius)
    tried = []
    for share in SCALES:
        for attract in ATTRACTIONS:
            centres = relax(degrees * full * share, pinned, radius, attract=attract)
            box = _box(centres, radius)
            overflow = max((box[1] - box[0]) / area[0], (box[3] - box[2]) / area[1], slack) / slack
            band = math.ceil(round((overflow - 1) / OVERFLOW_BAND, 6))  # 0: fits; 1: up to 2 % too big; …
            tried.append((band, -kept_order(degrees, centres), -share, attract, centres))
    return min(tried, key=lambda found: found[:4])[4]


@lru_cache(maxsize=16)
def place(
    anchors: tuple[Anchor, ...],
    radius: float,
    area: tuple[float, float],
    frame_px: tuple[float, float] = (0, 0),
    slack: float = 1.0,
) -> Placement:
    """Every unit's disc (`anchors` in a fixed order: the same units give the same placement), fitted to `area`;
    the offshore units in a frame of at least `frame_px` at the map's bottom-left corner, or under it when that
    corner is taken, their discs in a row along its bottom."""
    land = [a for a in anchors if a[1] >= OFFSHORE_LAT]
    offshore = [a for a in anchors if a[1] < OFFSHORE_LAT]
    discs: list[Disc] = []
    box = (0.0, 0.0, 0.0, 0.0)
    if land:
        degrees = _project(land)
        degrees -= degrees.min(axis=0)
        best = _scaled(degrees, np.array([a[3] for a in land]), radius, area, slack)
        box = _box(best, radius)
        discs = [Disc(a[0], float(x), float(y)) for a, (x, y) in zip(land, best, strict=True)]
    frame = None
    if offshore:
        width = max(frame_px[0], len(offshore) * (2 * radius + GAP) + 3 * GAP)
        height = max(frame_px[1], 2 * radius + 4 * GAP)
        x0, y0 = box[0], box[2]
        if any(d.x - radius < x0 + width and d.y - radius < y0 + height for d in discs):
            y0 = box[2] - height - 2 * GAP  # the corner is taken: the frame goes under the map
        frame = (x0, x0 + width, y0, y0 + height)
        for i, anchor in enumerate(offshore):
            x = x0 + 2 * GAP + radius + i * (2 * radius + GAP)
            discs.append(Disc(anchor[0], x, y0 + height / 2, offshore=True))
        box = (min(box[0], frame[0]), max(box[1], frame[1]), min(box[2], frame[2]), max(box[3], frame[3]))
    return Placement(tuple(discs), radius, box, frame)
