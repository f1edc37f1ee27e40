"""Boundary files and the tile grid: simplification, reading GeoJSON shapes, and the packaged grid."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dashboard.core.geo import (
    Boundaries,
    BoundaryError,
    aspect_ratio,
    douglas_peucker,
    load_boundaries,
    read_boundaries,
    read_tile_grid,
    ring_centroid,
    simplify_ring,
)
from dashboard.core.reference import load_units
from tests.conftest import REFERENCE_DATA

SHARED_DATA = REFERENCE_DATA
DISTRICT_FILE = SHARED_DATA / "vn-demographic_CityScope_HCMC_Population_District_Level.geojson"
WARD_FILE = SHARED_DATA / "vn-demographic_CityScope_HCMC_Population_Ward_Level.geojson"


def test_douglas_peucker_drops_points_within_the_tolerance_and_keeps_the_ends():
    line = np.array([[0, 0], [1, 0.05], [2, -0.05], [3, 0], [4, 2], [5, 0]], dtype=float)
    kept = douglas_peucker(line, tolerance=0.1)
    assert kept.tolist() == [[0, 0], [3, 0], [4, 2], [5, 0]]
    assert douglas_peucker(line, tolerance=0.01).tolist() == line.tolist()  # every point is farther than 0.01
    assert douglas_peucker(line[:2], tolerance=1).tolist() == [[0, 0], [1, 0.05]]


def test_simplify_ring_keeps_it_closed_and_at_least_a_triangle():
    square = [[0, 0], [0.5, 0.0001], [1, 0], [1, 1], [0, 1], [0, 0]]
    ring = simplify_ring(square, tolerance=0.01)
    assert ring.tolist() == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    tiny = simplify_ring([[0, 0], [1e-6, 0], [1e-6, 1e-6], [0, 1e-6], [0, 0]], tolerance=1)
    assert len(tiny) >= 4 and tiny[0].tolist() == tiny[-1].tolist()
    with pytest.raises(BoundaryError, match="fewer than 3"):
        simplify_ring([[0, 0], [1, 1], [0, 0]], tolerance=0.1)


def test_ring_centroid_and_area():
    area, lon, lat = ring_centroid(np.array([[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]], dtype=float))
    assert (area, lon, lat) == (2.0, 1.0, 0.5)
    assert aspect_ratio(60) == pytest.approx(2.0)


def _feature(code, geometry, **properties):
    return {"type": "Feature", "properties": {"Dist_ID": code, **properties}, "geometry": geometry}


def _square(x, y, size=0.1):
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def _write(path: Path, *features) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}), "utf-8")
    return path


def test_read_boundaries_takes_polygons_multipolygons_and_collections(tmp_path):
    path = _write(
        tmp_path / "d.geojson",
        _feature("760", {"type": "Polygon", "coordinates": [_square(106.7, 10.7), _square(106.72, 10.72, 0.01)]}),
        _feature(
            761.0,
            {"type": "MultiPolygon", "coordinates": [[_square(106.5, 10.9)], [_square(106.8, 10.9, 0.3)]]},
            Dist_Name="District 12",
        ),
        _feature(
            "762",
            {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": [_square(107, 11)]}]},
        ),
    )
    first, second, third = read_boundaries(path, "district")
    assert (first.code, first.name, len(first.rings)) == ("760", "760", 1)  # the hole is dropped
    assert (first.label_lon, first.label_lat) == (106.75, 10.75)
    assert (second.code, second.name, len(second.rings)) == ("761", "District 12", 2)
    assert (second.label_lon, second.label_lat) == (106.95, 11.05)  # the larger ring's centroid
    assert third.code == "762" and third.points == 5 and third.parent_code is None


def test_ward_shapes_carry_their_district(tmp_path):
    ward = {"type": "Feature", "properties": {"Com_ID": 26734, "Dist_ID": "760", "Com_Name": "Tan Dinh"}}
    ward["geometry"] = {"type": "Polygon", "coordinates": [_square(106.69, 10.79, 0.01)]}
    [shape] = read_boundaries(_write(tmp_path / "w.geojson", ward), "ward")
    assert (shape.code, shape.parent_code, shape.name) == ("26734", "760", "Tan Dinh")


def test_unusable_files_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(BoundaryError, match="cannot read"):
        read_boundaries(tmp_path / "missing.geojson", "district")
    (tmp_path / "list.json").write_text("[]", "utf-8")
    with pytest.raises(BoundaryError, match="not a GeoJSON FeatureCollection"):
        read_boundaries(tmp_path / "list.json", "district")
    nameless = {
        "type": "Feature",
        "properties": {"x": 1},
        "geometry": {"type": "Polygon", "coordinates": [_square(1, 1)]},
    }
    with pytest.raises(BoundaryError, match="none of the code properties"):
        read_boundaries(_write(tmp_path / "n.geojson", nameless), "district")
    utm = _feature("760", {"type": "Polygon", "coordinates": [_square(686000, 1191000, 100)]})
    with pytest.raises(BoundaryError, match="not longitude/latitude"):
        read_boundaries(_write(tmp_path / "utm.geojson", utm), "district")
    line = _feature("760", {"type": "LineString", "coordinates": [[1, 1], [2, 2]]})
    with pytest.raises(BoundaryError, match="not a polygon"):
        read_boundaries(_write(tmp_path / "line.geojson", line), "district")


def test_load_boundaries_reads_a_file_once_until_it_changes(tmp_path):
    path = _write(tmp_path / "d.geojson", _feature("760", {"type": "Polygon", "coordinates": [_square(106.7, 10.7)]}))
    first = load_boundaries(path, "district")
    assert load_boundaries(path, "district") is first
    _write(path, _feature("770", {"type": "Polygon", "coordinates": [_square(106.68, 10.78, 0.02)]}))
    assert load_boundaries(path, "district")[0].code == "770"
    with pytest.raises(BoundaryError, match="cannot read"):
        load_boundaries(tmp_path / "gone.geojson", "district")


def test_boundaries_know_which_levels_are_configured(tmp_path):
    assert Boundaries().available() == ()
    assert Boundaries(district_file=tmp_path / "d.geojson").available() == ("district",)
    with pytest.raises(BoundaryError, match="CCHC_WARD_BOUNDARY_FILE"):
        _ = Boundaries().wards


def test_the_packaged_tile_grid_places_the_24_districts_of_2019_on_distinct_tiles():
    cells = read_tile_grid()
    districts_2019 = {u["key"] for u in load_units() if u["kind"] == "district" and u["key"] != "tp-thu-duc"}
    assert {c.unit_key for c in cells} == districts_2019 and len(cells) == 24
    assert len({(c.row, c.col) for c in cells}) == 24
    place = {c.unit_key: (c.row, c.col) for c in cells}
    assert place["huyen-cu-chi"][0] < place["quan-1"][0] < place["huyen-can-gio"][0]  # north to south
    assert place["quan-binh-tan"][1] < place["quan-1"][1] < place["quan-2"][1]  # west to east


def test_a_tile_grid_with_two_units_on_one_tile_is_refused(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("unit_key,row,col\nquan-1,0,0\nquan-3,0,0\n", "utf-8")
    with pytest.raises(BoundaryError, match="share a tile"):
        read_tile_grid(path)


@pytest.mark.skipif(not DISTRICT_FILE.exists(), reason=f"{DISTRICT_FILE.name} is not in ../shared/data")
def test_the_cityscope_districts_simplify_to_a_tenth_and_match_the_unit_codes():
    shapes = read_boundaries(DISTRICT_FILE, "district")
    codes = {u["code"] for u in load_units() if u["kind"] == "district" and u["key"] != "tp-thu-duc"}
    assert len(shapes) == 24 and {s.code for s in shapes} == codes
    assert sum(s.points for s in shapes) < 32_657 / 10


@pytest.mark.skipif(not WARD_FILE.exists(), reason=f"{WARD_FILE.name} is not in ../shared/data")
def test_the_cityscope_wards_belong_to_the_24_districts():
    shapes = read_boundaries(WARD_FILE, "ward")
    assert len(shapes) == 322 and len({s.code for s in shapes}) == 322
    assert len({s.parent_code for s in shapes}) == 24
    assert sum(s.points for s in shapes) < 117_929 / 5
