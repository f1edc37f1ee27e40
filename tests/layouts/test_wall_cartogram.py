"""The wall's default map, the cartogram: placement on hand-built units (no overlap, order kept, own points kept),
the 2019 districts labelled inside their discs, the 168 units of 2025 as unlabelled dots with the worst named and
every unit counted per former province, the map saying what it is, and a boundary map saying what it left off."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.core.geo import Shape, read_tile_grid
from dashboard.core.reference import load_units
from dashboard.pages.wall import MapShapes, UnitPlace, unit_places
from layouts import wall_cartogram, wall_gauges, wall_legend
from layouts.wall_cartogram import Anchor, overlapping, place, relax
from layouts.wall_cartogram_map import DISC_PAD, cartogram_map, disc_fit, label_radius, name_lines, text_px
from layouts.wall_figures import map_figure
from layouts.wall_model import parse_options
from tests.layouts.test_wall import LIMITS, data, text, unit


def _fills(figure, kind="fill") -> int:
    return sum(t["meta"]["shapes"] for t in figure["data"] if str(t.get("name", "")).startswith(f"{kind}:"))


def test_relaxed_discs_never_overlap_and_keep_a_pinned_disc_at_its_point():
    start = np.array([[0.0, 0.0]] * 6 + [[10.0, 0.0], [400.0, 0.0]])  # six at one point, a seventh beside them
    pinned = np.array([False] * 6 + [True, False])
    centres = relax(start, pinned, 20.0)
    assert overlapping(centres, 20.0) == 0
    gaps = [math.dist(a, b) for i, a in enumerate(centres) for b in centres[i + 1 :]]
    assert min(gaps) >= 40.0 - 0.01
    assert tuple(centres[6]) == (10.0, 0.0)  # the unit with a point of its own is drawn there
    assert tuple(centres[7]) == (400.0, 0.0)  # nothing near it: it stays too
    both = relax(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([True, True]), 20.0)
    assert both[0][0] == pytest.approx(-15.0, abs=2.0) and both[1][0] == pytest.approx(25.0, abs=2.0)  # shared


def test_placement_keeps_far_apart_units_in_their_order_and_is_the_same_each_time():
    anchors: tuple[Anchor, ...] = (
        ("west", 10.80, 106.40, True),
        ("east", 10.78, 106.90, True),
        *((f"core-{i}", 10.78 + 0.002 * i, 106.70, False) for i in range(12)),
        ("north", 11.10, 106.66, True),
    )
    found = place(anchors, 40.0, (1200, 800))
    discs = {d.key: d for d in found.discs}
    assert len(discs) == 15 and overlapping(np.array([(d.x, d.y) for d in found.discs]), 40.0) == 0
    assert discs["west"].x < discs["east"].x and discs["north"].y > discs["west"].y > discs["east"].y - 80
    assert found.box[1] - found.box[0] <= 1200 and found.box[3] - found.box[2] <= 800
    place.cache_clear()
    assert place(anchors, 40.0, (1200, 800)) == found  # deterministic, not only cached


def test_an_offshore_unit_is_drawn_in_the_framed_corner():
    anchors = (("land-a", 10.8, 106.7, True), ("land-b", 10.9, 106.8, True), ("con-dao", 8.69, 106.61, False))
    found = place(anchors, 13.0, (800, 800), (300, 40))
    [island] = [d for d in found.discs if d.offshore]
    x0, x1, y0, y1 = found.frame
    assert island.key == "con-dao" and x0 < island.x - 13 and island.x + 13 < x1 and y0 < island.y < y1
    assert x1 - x0 >= 300 and found.box[2] <= y0
    corner = (("south-west", 10.30, 106.30, True), ("north-east", 11.2, 107.2, True), anchors[2])
    taken = place(corner, 13.0, (800, 800), (300, 40))
    x0, x1, y0, y1 = taken.frame
    for disc in taken.discs:  # the corner is taken: the frame goes under the map, clear of every disc
        if not disc.offshore:
            assert not (x0 - 13 < disc.x < x1 + 13 and y0 - 13 < disc.y < y1 + 13)


def district_places() -> tuple[list, tuple[UnitPlace, ...]]:
    """The 24 districts of 2019 (units.csv's points), each with a status: Quận 1 alarm, Gò Vấp stale."""
    rows = [u for u in load_units() if u["kind"] == "district" and u["valid_from"] is None]
    rows = [u for u in rows if u["valid_to"] is None or u["valid_to"].year >= 2020]
    statuses = [unit(u["key"], code=u["code"]) for u in rows]
    statuses = [
        dataclasses.replace(s, name_vi=r["name_vi"], name_en=r["name_en"], short_name_vi=r["short_name_vi"])
        for s, r in zip(statuses, rows, strict=True)
    ]
    statuses = [
        dataclasses.replace(s, backlog=dataclasses.replace(s.backlog, overdue=12)) if s.key == "quan-1" else s
        for s in statuses
    ]
    statuses = [dataclasses.replace(s, stale=True) if s.key == "quan-go-vap" else s for s in statuses]
    return statuses, unit_places(load_units(), {u["key"] for u in rows})


def test_the_districts_of_2019_are_labelled_inside_equal_discs_that_keep_the_citys_shape():
    statuses, places = district_places()
    figure = cartogram_map(statuses, places, "overdue_share", LIMITS, "vi", "dark", scale=1.0, clickable=True)
    go.Figure(figure)
    assert len(statuses) == 24 and _fills(figure) == 24 and _fills(figure, "pattern") == 1  # quận 1's ring
    labels = next(t for t in figure["data"] if t["name"] == "labels")
    by_key = dict(zip(labels["customdata"], labels["text"], strict=True))
    assert by_key["quan-1"] == "Quận 1<br><span style='font-size:28px'><b>12,0%</b></span>"
    assert by_key["quan-go-vap"] == "Gò Vấp<br>◷\u202f08:50"  # ◷ and a narrow space: the time of its last data
    assert by_key["quan-binh-thanh"].startswith("Bình<br>Thạnh<br>")  # two lines: the discs stay small
    names = {s.key: s.label("vi") for s in statuses}
    placed = zip(labels["customdata"], labels["x"], labels["y"], strict=True)
    at = {key: (x, y - disc_fit(names[key])[1]) for key, x, y in placed}  # the discs' centres
    assert overlapping(np.array(list(at.values())), _radius(figure)) == 0
    assert at["huyen-cu-chi"][0] < at["huyen-can-gio"][0] and at["huyen-cu-chi"][1] > at["huyen-can-gio"][1]
    assert at["huyen-cu-chi"][1] > at["quan-1"][1] > at["huyen-nha-be"][1]  # Củ Chi north, Nhà Bè south
    assert at["quan-9"][0] > at["quan-1"][0] > at["huyen-binh-chanh"][0]  # east to west
    where = {p.key: (p.lon * math.cos(math.radians(10.8)), p.lat) for p in places}
    keys = sorted(at)
    kept = wall_cartogram.kept_order(np.array([where[k] for k in keys]), np.array([at[k] for k in keys]))
    assert kept >= 0.92  # of all pairs' west–east and south–north orders, the best placement tried keeps 93 %
    radius = _radius(figure)
    for words in by_key.values():  # every label's lines inside its disc at 28 px
        lines = [re.sub(r"<[^>]+>", "", line) for line in words.split("<br>")]
        assert (
            label_radius([(text_px(line, 28, bold=i == len(lines) - 1), 28) for i, line in enumerate(lines)]) < radius
        )
    meta = figure["layout"]["meta"]
    assert meta["labelled"] is True and meta["discs"] == 24 and 0.8 < meta["aspect"] < 1.3
    x0, x1 = figure["layout"]["xaxis"]["range"]
    y0, y1 = figure["layout"]["yaxis"]["range"]
    shrink = min(1240 / (x1 - x0), 816 / (y1 - y0))  # the map's part of a 1080 p wall
    assert shrink * radius >= radius - DISC_PAD  # drawn at most DISC_PAD smaller: the words still inside


def _radius(figure) -> float:
    ring = next(t for t in figure["data"] if t["name"].startswith("fill:"))
    xs = [x for x in ring["x"] if x is not None]
    return (max(xs[:49]) - min(xs[:49])) / 2


def test_names_longer_than_seven_letters_go_on_two_even_lines():
    assert name_lines("Quận 12") == ["Quận 12"]
    assert name_lines("Bình Thạnh") == ["Bình", "Thạnh"]
    assert name_lines("Thành phố Thủ Đức") == ["Thành phố", "Thủ Đức"]
    assert name_lines("Ngã") == ["Ngã"]


def wards_2025(own_points: int = 0):
    """168 units of three former provinces (102, 36, 30) around made-up old districts; the worst: two alarms, three
    warnings, one stale; the others normal with distinct shares; `own_points` of them with a point of their own."""
    statuses, places = [], []
    areas = ["79"] * 102 + ["74"] * 36 + ["77"] * 30
    shares = {0: 30, 1: 20, 2: 9, 3: 8, 4: 7}  # overdue of 100: alarm, alarm, warn, warn, warn
    for i, area in enumerate(areas):
        key = f"u{i:03d}"
        status = unit(key, shares.get(i, 0 if i > 20 else 5 - i % 5), kind="ward", stale=i == 5)
        statuses.append(status)
        district = i % 7
        lat, lon = {"79": (10.78, 106.68), "74": (11.05, 106.7), "77": (10.5, 107.2)}[area]
        own = i < own_points
        places.append(UnitPlace(key, lat + 0.03 * district + (0.001 * i if own else 0), lon, own, area))
    return statuses, tuple(places)


def test_the_168_units_of_2025_are_unlabelled_dots_with_the_worst_8_named_and_all_counted_per_province():
    statuses, places = wards_2025()
    figure = cartogram_map(statuses, places, "overdue_share", LIMITS, "vi")
    go.Figure(figure)
    assert _fills(figure) == 168 and figure["layout"]["meta"]["discs"] == 168
    labels = next(t for t in figure["data"] if t["name"] == "labels")
    assert labels["mode"] == "markers" and "text" not in labels and len(set(labels["customdata"])) == 168
    assert figure["layout"]["meta"]["labelled"] is False
    patterned = {t["name"]: t["meta"]["shapes"] for t in figure["data"] if t["name"].startswith("pattern:")}
    assert patterned == {"pattern:alarm": 2, "pattern:warn": 3}  # whole dots hatched or dotted
    named = [u.key for u in wall_legend.named_units(statuses, LIMITS)]
    assert named == ["u000", "u001", "u002", "u003", "u004", "u005", "u010", "u015"]  # alarm, warn, stale, 5 % …
    wall = dataclasses.replace(data(statuses), places=places)
    legend = wall_legend.map_legend(wall, "overdue_share", "vi", "dark")
    words = text(legend)
    assert "Cần chú ý nhất Đơn vị u000 30,0% Đơn vị u001 20,0% Đơn vị u002 9,0%" in words
    assert len(legend.children[1].children[1].children) == 8  # the side part's list: exactly the 8 worst
    assert "Theo tỉnh, thành cũ TP.HCM cũ 102 đơn vị · 2 báo động · 3 cảnh báo · 1 dữ liệu cũ" in words
    assert "Bình Dương cũ 36 đơn vị · 0 báo động · 0 cảnh báo" in words
    assert "Bà Rịa – Vũng Tàu cũ 30 đơn vị · 0 báo động · 0 cảnh báo" in words
    assert legend.className == "wall-map-legend is-wide"


def test_units_are_counted_per_area_exactly():
    statuses, places = wards_2025()
    areas = {p.key: p.area for p in places}
    counts = wall_gauges.area_counts(statuses[:10] + statuses[150:], areas, LIMITS)
    assert counts == [
        wall_gauges.AreaCount("77", 18, 0, 0, 0),
        wall_gauges.AreaCount("79", 10, 2, 3, 1),
    ]
    assert wall_gauges.area_words(counts[1], "en") == "10 units · 2 alarms · 3 warnings · 1 stale"
    block = wall_gauges.district_meters(statuses, LIMITS, "vi", areas)
    assert block.children[2].children == (
        "Còn lại 156 đơn vị: TP.HCM cũ 90 đơn vị · 0 báo động · 0 cảnh báo; "
        "Bình Dương cũ 36 đơn vị · 0 báo động · 0 cảnh báo; Bà Rịa – Vũng Tàu cũ 30 đơn vị · 0 báo động · 0 cảnh báo"
    )
    assert len(wall_gauges.district_meters(statuses, LIMITS, "vi").children) == 2  # without areas: as before


def test_the_map_says_what_it_is_in_both_eras():
    statuses, places = district_places()
    wall = dataclasses.replace(data(statuses), places=places)
    figure, notes = map_figure(wall, parse_options(""), MapShapes("cartogram"), read_tile_grid(), 1.0)
    assert notes == (
        "Sơ đồ vị trí: mỗi hình tròn là một quận, huyện, đặt gần vị trí thật, cùng kích thước (không phải ranh giới)",
    )
    assert not [t for t in figure["data"] if t["name"].startswith("Phản ánh")]  # no feedback dots on it
    tiles, notes = map_figure(wall, parse_options("?map=tiles"), MapShapes("tiles"), read_tile_grid(), 1.0)
    assert _fills(tiles) == 24 and notes == (
        "Sơ đồ ô: mỗi ô là một quận, huyện, xếp gần vị trí thật (không phải ranh giới)",
    )
    statuses, places = wards_2025(own_points=20)
    wall = dataclasses.replace(data(statuses), places=places[1:])  # one unit without a place
    figure, notes = map_figure(wall, parse_options("?lang=en"), MapShapes("cartogram", error="x.geojson"), [], 1.0)
    assert notes == (
        "Position diagram: each dot is a ward, commune or special zone; 19 of 167 at the unit's own point, the "
        "others around their former district (not boundaries)",
        "Units with no position, not drawn: 1",
        "Cannot read the boundary file, showing the position diagram: x.geojson",
    )
    wall = dataclasses.replace(wall, places=wards_2025()[1])
    assert map_figure(wall, parse_options(""), MapShapes("cartogram"), [], 1.0)[1] == (
        "Sơ đồ vị trí: mỗi chấm là một phường, xã, đặc khu, đặt quanh quận, huyện cũ (không phải ranh giới)",
    )


def _square(code: str, lon: float, lat: float, side: float) -> Shape:
    ring = (
        (lon, lon + side, lon + side, lon, lon),
        (lat, lat, lat + side, lat + side, lat),
    )
    return Shape(code, None, code, (ring,), lon + side / 2, lat + side / 2)


def test_a_boundary_map_says_how_many_labels_it_left_off():
    units = [unit("quan-1", 12), unit("quan-go-vap", 1), unit("c", 0, code="999")]
    # Three districts 0.1° wide whose label points nearly coincide: only the worst one's label can be written.
    shapes = (
        _square("760", 106.60, 10.70, 0.1),
        _square("764", 106.602, 10.701, 0.1),
        _square("999", 106.604, 10.702, 0.1),
        _square("888", 107.2, 11.2, 0.1),  # far away: labelled
    )
    wall = data(units)
    figure, notes = map_figure(wall, parse_options(""), MapShapes("districts", shapes), [], 1.0)
    labels = next(t for t in figure["data"] if t["name"] == "labels")
    assert [bool(words) for words in labels["text"]] == [True, False, False, True]  # quận 1 (alarm) wins
    assert figure["layout"]["meta"] == {"unlabelled": 2}
    assert notes == (
        "Bản đồ ranh giới hành chính (tệp ranh giới đã cấu hình)",
        "2 nhãn bị bỏ vì sẽ chồng lên nhau; màu vẫn cho biết mức của đơn vị",
    )
    apart = tuple(_square(s.code, 106.0 + 0.5 * i, 10.7, 0.1) for i, s in enumerate(shapes))
    assert map_figure(wall, parse_options(""), MapShapes("districts", apart), [], 1.0)[1] == (
        "Bản đồ ranh giới hành chính (tệp ranh giới đã cấu hình)",
    )


def test_the_legend_counts_feedback_per_unit_in_words():
    from dashboard.pages.wall import FeedbackPoint

    units = [unit("quan-1", 1), unit("quan-go-vap", 1)]
    points = [FeedbackPoint(10.7, 106.7, "quan-1")] * 3 + [FeedbackPoint(10.8, 106.6, "quan-go-vap")]
    wall = dataclasses.replace(data(units), feedback_points=tuple(points))
    assert (
        wall_legend.feedback_words(wall, "vi") == "Phản ánh có vị trí, 24 giờ qua: 4; nhiều nhất: Quận 1 3 · Gò Vấp 1"
    )
    assert wall_legend.feedback_words(data(units), "vi") == "Chưa có vị trí phản ánh trong 24 giờ qua"


def test_the_real_168_units_of_2025_all_get_a_place_from_the_packaged_points():
    units = load_units()
    today = [u for u in units if u["valid_from"] is not None and u["valid_from"].isoformat() == "2025-07-01"]
    places = unit_places(units, {u["key"] for u in today})
    assert len(today) == 168 and len(places) == 168 and not any(p.own for p in places)
    assert {p.area for p in places} == {"79", "74", "77"}
    con_dao = next(p for p in places if p.key == "dac-khu-con-dao")
    assert (con_dao.lat, con_dao.lon) == (8.69, 106.61) and con_dao.lat < wall_cartogram.OFFSHORE_LAT
