"""Where units are on the wall's maps: the packaged tile grid, the points of old districts (where a unit of 2025
without a point of its own is drawn), and boundary GeoJSON read and simplified.

Pure Python and numpy, no GIS library: polygons are kept as outer rings of (lon, lat), simplified with
Douglas–Peucker and rounded, ready to draw as filled `go.Scatter` shapes (no base map, nothing fetched).
Holes are dropped (a filled Scatter would paint them anyway); the winding order does not matter to Scatter.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from dashboard.core.errors import BoundaryError
from dashboard.core.vocabulary import DISTRICT, WARD, BoundaryLevel

Level = BoundaryLevel
# The wall's maps: the cartogram of every unit at its place (the default without a boundary file), the tile grid,
# or a boundary file's shapes.
MapKind = Literal["cartogram", "tiles", "districts", "wards"]
MAP_KINDS: tuple[MapKind, ...] = ("cartogram", "tiles", "districts", "wards")
# Property names that hold a unit's GSO code, tried in order (CityScope files: Dist_ID, Com_ID).
CODE_PROPERTIES: dict[Level, tuple[str, ...]] = {
    DISTRICT: ("Dist_ID", "district_code", "ma_quan", "code"),
    WARD: ("Com_ID", "ward_code", "ma_phuong", "code"),
}
PARENT_PROPERTIES = ("Dist_ID", "district_code", "ma_quan")
NAME_PROPERTIES = ("name_vi", "name", "Com_Name", "Dist_Name", "localname")
# ~30 m and ~15 m at the city's latitude: invisible on a wall, a tenth of the points or fewer.
TOLERANCE_DEG: dict[Level, float] = {DISTRICT: 0.0003, WARD: 0.00015}
DECIMALS = 5  # ~1 m


@dataclass(frozen=True)
class TileCell:
    """A district's square on the tile-grid map: row 0 is the north, column 0 the west."""

    unit_key: str
    row: int
    col: int


@dataclass(frozen=True)
class Shape:
    """One unit's outline: outer rings as (lon…, lat…) coordinate lists, and where to put its label."""

    code: str  # the unit's GSO code (district or ward)
    parent_code: str | None  # a ward's district code
    name: str  # the name written in the file
    rings: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]
    label_lon: float
    label_lat: float

    @property
    def points(self) -> int:
        return sum(len(lons) for lons, _ in self.rings)


def read_tile_grid(path: Path | None = None) -> list[TileCell]:
    """The tile grid (unit_key,row,col CSV); default: the packaged 24 districts of 2019."""
    if path is None:
        text = resources.files("dashboard").joinpath("data/tile_grid.csv").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    cells = [TileCell(row["unit_key"], int(row["row"]), int(row["col"])) for row in csv.DictReader(io.StringIO(text))]
    places = [(c.row, c.col) for c in cells]
    if len(set(places)) != len(places):
        raise BoundaryError(f"{path or 'dashboard/data/tile_grid.csv'}: two units share a tile")
    return cells


Point = tuple[float, float]  # (lat, lon)


@lru_cache(maxsize=1)
def origin_points() -> Mapping[str, Point]:
    """The packaged approximate centroids of the old districts of Bình Dương (74) and Bà Rịa–Vũng Tàu (77), by
    ``province:district`` GSO code (`dashboard/data/origin_points.csv`, ours, see SOURCES.md)."""
    text = resources.files("dashboard").joinpath("data/origin_points.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return MappingProxyType({row["origin"]: (float(row["lat"]), float(row["lon"])) for row in rows})


def origin_anchor(origin: str | None, points: Mapping[str, Point]) -> Point | None:
    """Where a unit formed from old districts sits: the mean of the points of its ``province:district`` origins
    (``79:760;79:761``) that `points` knows; None when it knows none."""
    known = [points[code] for code in (origin or "").split(";") if code in points]
    if not known:
        return None
    return sum(p[0] for p in known) / len(known), sum(p[1] for p in known) / len(known)


def _point_segment_distances(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    segment = end - start
    length_sq = float(segment @ segment)
    if length_sq == 0.0:
        return np.hypot(*(points - start).T)
    along = np.clip(((points - start) @ segment) / length_sq, 0.0, 1.0)
    nearest = start + np.outer(along, segment)
    return np.hypot(*(points - nearest).T)


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """The points of an open polyline kept by Douglas–Peucker: every dropped point lies within `tolerance`
    of the simplified line; the first and last points are always kept."""
    count = len(points)
    if count < 3:
        return points
    keep = np.zeros(count, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        distances = _point_segment_distances(points[first + 1 : last], points[first], points[last])
        farthest = int(np.argmax(distances))
        if distances[farthest] > tolerance:
            split = first + 1 + farthest
            keep[split] = True
            stack.extend(((first, split), (split, last)))
    return points[keep]


def simplify_ring(ring: Sequence[Sequence[float]], tolerance: float) -> np.ndarray:
    """A closed ring simplified: split at the point farthest from the first, each half simplified, closed
    again and rounded to 5 decimals; a ring that would fall below a triangle keeps its farthest points."""
    points = np.asarray(ring, dtype=float)[:, :2]
    if len(points) > 1 and np.array_equal(points[0], points[-1]):
        points = points[:-1]
    if len(points) < 3:
        raise BoundaryError("a ring has fewer than 3 distinct points")
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    first = douglas_peucker(points[: far + 1], tolerance)
    second = douglas_peucker(np.vstack([points[far:], points[:1]]), tolerance)
    kept = np.vstack([first, second[1:]])
    if len(kept) < 4:  # a triangle at least (plus the closing point)
        kept = np.vstack([points[0], points[far // 2], points[far], points[(far + len(points)) // 2], points[0]])
    return np.round(kept, DECIMALS)


def ring_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """(area, lon, lat) of a closed ring by the shoelace formula in degrees; the mean point when degenerate."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return abs(float(area)), float(cx), float(cy)


def _first(properties: dict[str, Any], names: Iterable[str]) -> Any:
    return next((properties[name] for name in names if properties.get(name) not in (None, "")), None)


def _code(value: Any) -> str | None:
    """A GSO code as text: 760, 760.0 and "760" are the same code."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _outer_rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"][0]]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    if kind == "GeometryCollection":
        return [ring for part in geometry.get("geometries", []) for ring in _outer_rings(part)]
    raise BoundaryError(f"geometry type {kind!r} is not a polygon")


def shape_of(feature: dict[str, Any], level: Level, tolerance: float) -> Shape:
    """One GeoJSON feature as a simplified `Shape`; its label sits at the centroid of its largest ring."""
    properties = feature.get("properties") or {}
    code = _code(_first(properties, CODE_PROPERTIES[level]))
    if code is None:
        raise BoundaryError(f"a feature has none of the code properties {', '.join(CODE_PROPERTIES[level])}")
    rings = [simplify_ring(ring, tolerance) for ring in _outer_rings(feature.get("geometry") or {})]
    if not rings:
        raise BoundaryError(f"feature {code} has no polygon")
    _area, label_lon, label_lat = max(ring_centroid(ring) for ring in rings)
    return Shape(
        code=code,
        parent_code=_code(_first(properties, PARENT_PROPERTIES)) if level == WARD else None,
        name=str(_first(properties, NAME_PROPERTIES) or code),
        rings=tuple((tuple(ring[:, 0].tolist()), tuple(ring[:, 1].tolist())) for ring in rings),
        label_lon=round(label_lon, DECIMALS),
        label_lat=round(label_lat, DECIMALS),
    )


def read_boundaries(path: Path, level: Level, tolerance: float | None = None) -> tuple[Shape, ...]:
    """Every feature of a GeoJSON FeatureCollection in WGS 84 as a simplified `Shape`, in file order."""
    try:
        collection = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: cannot read the boundary file: {exc}") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not features:
        raise BoundaryError(f"{path}: not a GeoJSON FeatureCollection with features")
    try:
        shapes = tuple(shape_of(f, level, TOLERANCE_DEG[level] if tolerance is None else tolerance) for f in features)
    except BoundaryError as exc:
        raise BoundaryError(f"{path}: {exc}") from None
    lons = [lon for s in shapes for ring, _ in s.rings for lon in ring]
    lats = [lat for s in shapes for _, ring in s.rings for lat in ring]
    if not (-180 <= min(lons) <= max(lons) <= 180 and -90 <= min(lats) <= max(lats) <= 90):
        raise BoundaryError(f"{path}: coordinates are not longitude/latitude (WGS 84); reproject the file")
    return shapes


def aspect_ratio(latitude: float) -> float:
    """How much longer a degree of latitude is than a degree of longitude at `latitude` (1 ÷ cos φ)."""
    return 1 / math.cos(math.radians(latitude))


@lru_cache(maxsize=8)
def _memoised(path_text: str, _mtime_ns: int, _size: int, level: Level) -> tuple[Shape, ...]:
    return read_boundaries(Path(path_text), level)


def load_boundaries(path: Path, level: Level) -> tuple[Shape, ...]:
    """`read_boundaries`, memoised per process on the file's path, size and modification time: a boundary
    file is read and simplified once, and again only when it changes."""
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise BoundaryError(f"{path}: cannot read the boundary file: {exc}") from None
    return _memoised(str(path), stat.st_mtime_ns, stat.st_size, level)


@dataclass(frozen=True)
class Boundaries:
    """The configured boundary files (either may be absent)."""

    district_file: Path | None = None
    ward_file: Path | None = None

    def available(self) -> tuple[Level, ...]:
        """The levels with a configured file."""
        files: dict[Level, Path | None] = {DISTRICT: self.district_file, WARD: self.ward_file}
        return tuple(level for level, path in files.items() if path is not None)

    @property
    def districts(self) -> tuple[Shape, ...]:
        if self.district_file is None:
            raise BoundaryError("no district boundary file is configured (CCHC_BOUNDARY_FILE)")
        return load_boundaries(self.district_file, DISTRICT)

    @property
    def wards(self) -> tuple[Shape, ...]:
        if self.ward_file is None:
            raise BoundaryError("no ward boundary file is configured (CCHC_WARD_BOUNDARY_FILE)")
        return load_boundaries(self.ward_file, WARD)
