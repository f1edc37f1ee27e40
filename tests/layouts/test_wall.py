"""The wall's pure builders: URL options, the KPI tiles, gauges, league halves, alerts, ticker and maps."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest

from dashboard.core.geo import Shape, TileCell, read_tile_grid
from dashboard.metrics.alerts import Alert
from dashboard.metrics.direction import Change
from dashboard.metrics.kpis import Backlog, CityOverview, Ratio
from dashboard.pages.wall import Limits, UnitStatus, WallData
from dashboard.pages.wall_compare import Comparison
from layouts import maps, wall, wall_gauges, wall_geo, wall_views
from layouts.ids import WallIds
from layouts.wall_model import WallOptions, kiosk_requested, parse_options
from tests.conftest import START

NAMES = ("in_progress", "overdue", "on_time", "online", "feedback", "satisfaction")
LIMITS = Limits(overdue_warn=0.05, overdue_alarm=0.10, online_target=0.3, new_late_warn=5, new_late_alarm=20)


def unit(key, overdue=0, in_progress=100, *, kind="district", code=None, rank=None, score=None, stale=False, **kw):
    names = {
        "quan-1": ("Quận 1", "District 1", "1", "760"),
        "quan-go-vap": ("Quận Gò Vấp", "Go Vap District", "Gò Vấp", "764"),
    }
    name_vi, name_en, short, default_code = names.get(key, (f"Đơn vị {key}", f"Unit {key}", key, key))
    return UnitStatus(
        key=key,
        kind=kind,
        code=code or default_code,
        name_vi=name_vi,
        name_en=name_en,
        short_name_vi=short,
        backlog=Backlog(in_progress=in_progress, overdue=overdue),
        on_time=kw.get("on_time", Ratio(95, 100)),
        online=kw.get("online", Ratio(20, 100)),
        score=score,
        rank=rank,
        stale=stale,
        data_as_of=kw.get("data_as_of", START - timedelta(minutes=10)),
        new_late=kw.get("new_late", 0),
        score_state=kw.get("score_state", "scored"),
    )


def data(units=(), alerts=(), **kw) -> WallData:
    overview = CityOverview(3075, 66, Ratio(15581, 16397), Ratio(207, 1000), 254, START, 7)
    return WallData(
        as_of=START,
        version=7,
        changed_at=kw.get("changed_at", START - timedelta(seconds=31)),
        overview=kw.get("overview", overview),
        satisfaction=Ratio(5494, 6336),
        units=tuple(units),
        sources_ok=kw.get("sources_ok", 40),
        sources_total=41,
        stale_sources=kw.get("stale_sources", 1),
        alerts=tuple(alerts),
        limits=LIMITS,
        unit_names={"quan-1": ("Quận 1", "District 1"), "hcmc": ("Thành phố Hồ Chí Minh", "Ho Chi Minh City")},
    )


def text(component) -> str:
    """Every string in a component tree, joined by spaces."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def test_options_from_the_url_with_defaults_for_anything_unknown():
    options = parse_options("?views=map,alerts,bogus,map&dwell=2&theme=light&lang=en&map=wards&metric=online&kiosk=0")
    assert options == WallOptions(("map", "alerts"), 2.0, "light", "en", False, "wards", "online", ("views=bogus",))
    assert parse_options("", "vi", 20) == WallOptions()
    odd = parse_options("?views=&dwell=abc&theme=pink&lang=fr&map=moon&metric=x", "en", 15)
    assert (odd.views, odd.dwell_s, odd.theme, odd.lang, odd.map, odd.metric) == (
        WallOptions().views,
        15,
        "dark",
        "en",
        None,
        "overdue_share",
    )
    assert odd.ignored == ("theme=pink", "map=moon", "metric=x", "dwell=abc")  # the wall says so (issue 15)
    assert parse_options("?dwell=0.1").dwell_s == 2.0 and parse_options("?dwell=1e9").dwell_s == 3600.0
    assert parse_options("?dwell=nan").dwell_s == 20.0
    assert kiosk_requested("?kiosk=1") and not kiosk_requested("?kiosk=0") and not kiosk_requested(None)


def test_unit_levels_andlabel_trace():
    assert unit("a", overdue=5).level(LIMITS) == "ok"  # 5 % is not above the warning limit
    assert unit("a", overdue=6).level(LIMITS) == "warn"
    assert unit("a", overdue=11).level(LIMITS) == "alarm"
    assert unit("a", overdue=50, stale=True).level(LIMITS) == "stale"
    assert unit("a", in_progress=0).level(LIMITS) == "none"
    assert (unit("quan-1").label("vi"), unit("quan-1").label("en")) == ("Quận 1", "District 1")
    assert (unit("quan-go-vap").label("vi"), unit("quan-go-vap").label("en")) == ("Gò Vấp", "Go Vap")


def test_kpi_tiles_show_counts_rates_and_the_online_target_in_words():
    tiles = wall_views.kpi_tiles(data(), "vi")
    values = [c.children[1].children for c in tiles.children]
    assert values == ["3.075", "66", "95,0%", "20,7%", "254", "86,7%"]
    assert "2,1% số hồ sơ đang giải quyết" in text(tiles)
    assert "mục tiêu 30,0%: ✗ chưa đạt" in text(tiles)
    assert tiles.children[3].className == "wall-kpi is-missed"
    english = wall_views.kpi_tiles(data(), "en")
    assert "target 30.0%: ✗ not met" in text(english) and "5,494 / 6,336 ratings" in text(english)


def words(component) -> str:
    return " ".join(text(component).split())


def compared_data() -> WallData:
    """Hand-built comparisons: every kind of change, and figures with no earlier value to compare with."""
    yesterday = {
        "in_progress": Change("count", 3075, 1841, 1234.0, "up", "neutral"),
        "overdue": Change("count", 66, 54, 12.0, "up", "worse"),
        "on_time": Change("rate", 0.95, 0.954, -0.004, "steady", "steady"),
        "online": Change("rate", 0.207, 0.2, 0.007, "up", "better"),
        "feedback": None,
        "satisfaction": Change("rate", 0.867, 0.867, 0.0, "steady", "steady"),
    }
    week = {
        **yesterday,
        "overdue": Change("count", 66, 70, -4.0, "down", "better"),
        "on_time": Change("rate", 0.95, 0.962, -0.012, "down", "worse"),
        "feedback": None,
        "satisfaction": None,
    }
    compared = (
        Comparison("yesterday", START - timedelta(days=1), yesterday),
        Comparison("week", START - timedelta(days=7), week),
    )
    return dataclasses.replace(data(), compared=compared)


def test_kpi_tiles_say_better_or_worse_than_yesterday_and_a_week_ago_in_vietnamese():
    tiles = wall_views.kpi_tiles(compared_data(), "vi").children
    lines = dict(zip(NAMES, (tile.children[3] for tile in tiles), strict=True))
    assert [words(line) for line in lines["in_progress"].children] == [
        "▲ +1.234 so với hôm qua",
        "▲ +1.234 so với 7 ngày trước",
    ]
    assert [line.className for line in lines["in_progress"].children] == ["wall-compare is-neutral"] * 2
    assert [words(line) for line in lines["overdue"].children] == ["▲ +12 so với hôm qua", "▼ −4 so với 7 ngày trước"]
    assert [line.className for line in lines["overdue"].children] == ["wall-compare is-worse", "wall-compare is-better"]
    assert [words(line) for line in lines["on_time"].children] == [
        "≈ −0,4 điểm % so với hôm qua",
        "▼ −1,2 điểm % so với 7 ngày trước",
    ]
    # steady (|Δ| < 0,5 điểm %) but moved: "≈" and the signed change, worded "gần như", never a bare "không đổi"
    assert lines["on_time"].children[0].title == "gần như không đổi: −0,4 điểm % so với hôm qua"
    assert lines["on_time"].children[1].title == "kém hơn: −1,2 điểm % so với 7 ngày trước"
    assert words(lines["online"].children[0]) == "▲ +0,7 điểm % so với hôm qua"
    assert lines["online"].children[0].className == "wall-compare is-better"
    assert [words(line) for line in lines["satisfaction"].children] == [
        "= 0,0 điểm % so với hôm qua",
        "7 ngày trước: chưa có số liệu để so sánh",
    ]
    assert (lines["feedback"].className, words(lines["feedback"])) == (
        "wall-kpi-compare is-none",
        "chưa có số liệu để so sánh",
    )
    assert [tile.children[1].children for tile in tiles] == ["3.075", "66", "95,0%", "20,7%", "254", "86,7%"]


def test_kpi_tiles_compare_in_english_too_and_never_invent_a_zero():
    tiles = wall_views.kpi_tiles(compared_data(), "en").children
    lines = dict(zip(NAMES, (tile.children[3] for tile in tiles), strict=True))
    assert [words(line) for line in lines["in_progress"].children] == [
        "▲ +1,234 vs yesterday",
        "▲ +1,234 vs 7 days ago",
    ]
    assert [words(line) for line in lines["on_time"].children] == ["≈ −0.4 pp vs yesterday", "▼ −1.2 pp vs 7 days ago"]
    assert lines["on_time"].children[0].title == "about the same: −0.4 pp vs yesterday"
    assert lines["satisfaction"].children[0].title == "unchanged: 0.0 pp vs yesterday"
    assert lines["overdue"].children[0].title == "worse: +12 vs yesterday"
    assert words(lines["satisfaction"].children[1]) == "7 days ago: no figure to compare with"
    assert words(lines["feedback"]) == "no earlier figures to compare with"
    plain = wall_views.kpi_tiles(data(), "vi").children  # no comparisons computed: said so, in every tile
    assert {words(tile.children[3]) for tile in plain} == {"chưa có số liệu để so sánh"}


def test_kpi_tiles_say_when_the_data_does_not_cover_an_earlier_30_days():
    """The store's data begins 02/11: a week ago's 30 days are a fragment, so its rates are withheld and say why;
    yesterday's are compared, and the figures of the instant always are."""
    yesterday, week = compared_data().compared
    withheld = {**week.changes, "on_time": None, "online": None, "satisfaction": None}
    short = dataclasses.replace(week, changes=withheld, data_from=date(2019, 11, 2))
    tiles = wall_views.kpi_tiles(dataclasses.replace(data(), compared=(yesterday, short)), "vi").children
    lines = dict(zip(NAMES, (tile.children[3] for tile in tiles), strict=True))
    assert [words(line) for line in lines["on_time"].children] == [
        "≈ −0,4 điểm % so với hôm qua",
        "7 ngày trước: chưa đủ số liệu (số liệu từ 02/11/2019)",
    ]
    assert words(lines["in_progress"].children[1]) == "▲ +1.234 so với 7 ngày trước"  # an instant's figure
    both = dataclasses.replace(yesterday, changes=withheld, data_from=date(2019, 11, 2))
    english = wall_views.kpi_tiles(dataclasses.replace(data(), compared=(both, short)), "en").children
    assert words(english[5].children[3]) == "no full data to compare with (data from 02/11/2019)"  # satisfaction


def test_city_gauge_is_banded_at_the_limits_and_says_its_level():
    figure = wall_gauges.city_gauge(data().overview, LIMITS, "vi", "dark", 2.0)
    go.Figure(figure)  # a valid Plotly figure
    [indicator] = figure["data"]
    assert indicator["value"] == 2.1 and indicator["gauge"]["axis"]["range"] == [0, 20.0]
    assert [s["range"] for s in indicator["gauge"]["steps"]] == [[0, 5.0], [5.0, 10.0], [10.0, 20.0]]
    assert figure["layout"]["separators"] == ",." and indicator["number"]["font"]["size"] == 220
    words = text(wall_gauges.city_gauge_text(data().overview, LIMITS, "vi"))
    assert (
        "Bình thường" in words and "66 / 3.075 hồ sơ" in words and "cảnh báo trên 5,0% · báo động trên 10,0%" in words
    )
    assert wall_gauges.gauge_top(LIMITS, 0.47) == 0.5 and wall_gauges.gauge_top(LIMITS, None) == 0.2


def test_district_meters_worst_first_and_stale_ones_grey_with_their_time():
    units = [unit("ok", 1), unit("alarm", 30), unit("stale", 2, stale=True), unit("warn", 7), unit("none", 0, 0)]
    meters = wall_gauges.district_meters(units, LIMITS, "vi")
    assert [m.className for m in meters.children] == [
        "wall-meter is-alarm",
        "wall-meter is-warn",
        "wall-meter is-stale",
        "wall-meter is-ok",
        "wall-meter is-none",
    ]
    assert "dữ liệu cũ từ 08:50" in text(meters.children[2])
    assert "Báo động" in text(meters.children[0]) and "30 / 100 hồ sơ" in text(meters.children[0])
    never = wall_gauges.district_meter(unit("x", stale=True, data_as_of=None), LIMITS, 0.2, "en")
    assert "no data yet" in text(never)


def test_league_halves_never_repeat_a_unit():
    ranked = [unit(f"u{i}", rank=i, score=100 - i) for i in range(1, 13)] + [unit("na")]
    top, bottom = wall_views.league_halves(ranked)
    assert [u.key for u in top] == ["u1", "u2", "u3", "u4", "u5"]
    assert [u.key for u in bottom] == ["u8", "u9", "u10", "u11", "u12"]
    top, bottom = wall_views.league_halves(ranked[:7])
    assert len(top) == 5 and [u.key for u in bottom] == ["u6", "u7"]
    assert wall_views.league_halves([unit("na")]) == ([], [])


def test_league_view_greys_a_stale_unit_with_dữ_liệu_cũ_từ():
    units = [unit("quan-1", rank=1, score=84.94), unit("b", rank=2, score=70, stale=True)]
    view = wall_views.league_view(units, "vi")
    rows = view.children[0].children[0].children[1].children[1].children
    assert rows[0].className == "wall-league-row" and "84,9" in text(rows[0])
    assert rows[1].className == "wall-league-row is-stale" and "dữ liệu cũ từ 08:50" in text(rows[1])
    assert "Chưa có đơn vị nào" in text(wall_views.league_view([unit("x")], "vi"))


def test_a_score_on_no_criterion_with_enough_data_reads_not_enough_data_never_0_0():
    """docs/metrics.md: a unit none of whose criteria has enough data has no score and no rank — the wall's league
    leaves it out of its halves and counts it as not ranked; a row of one says why, as the web league does."""
    units = [
        unit("a", rank=1, score=47.619, kind="department"),
        unit("b", rank=2, score=0.0, kind="department"),  # criteria with enough data, all at 0 points: a real 0
        unit("c", kind="department", on_time=Ratio(3, 3), score_state="too_few"),
        unit("d", kind="department", score_state="no_data"),
    ]
    view = wall_views.league_view(units, "vi")
    rows = view.children[0].children[0].children[1].children[1].children
    assert [[text(cell) for cell in row.children[::2]] for row in rows] == [["1", "47,62", "0"], ["2", "0,00", "0"]]
    assert text(view.children[1]) == "2 / 4 đơn vị được xếp hạng theo chỉ số phục vụ"
    assert [wall_views.league_score(u, lang) for u in units[2:] for lang in ("vi", "en")] == [
        "chưa đủ số liệu",
        "not enough data",
        "không có số liệu",
        "no data",
    ]


def test_alerts_in_words_newest_first_and_the_ticker():
    alerts = [
        Alert("overdue_share", "alarm", "hcmc", START, 0.123, 0.10),
        Alert("new_late", "warn", "quan-1", START - timedelta(minutes=5), 6, 5),
        Alert(
            "stale_source",
            "warn",
            "quan-1",
            START - timedelta(minutes=7),
            600,
            180,
            "q1-motcua",
            START - timedelta(minutes=10),
        ),
        Alert("stale_source", "warn", "quan-1", START, 0, 180, "q1-hscv", None),
    ]
    wall_data = data(alerts=alerts)
    assert [wall_views.alert_text(a, wall_data, "vi") for a in alerts] == [
        "Toàn thành phố: 12,3% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)",
        "Quận 1: 6 hồ sơ mới quá hạn trong 24 giờ (ngưỡng 5)",
        "Nguồn q1-motcua (Quận 1): dữ liệu cũ từ 08:50",
        "Nguồn q1-hscv (Quận 1): chưa kéo được dữ liệu",
    ]
    listed = wall_views.alerts_view(wall_data, "en")
    assert [li.className for li in listed.children][:3] == [
        "wall-alert is-count",
        "wall-alert is-alarm",
        "wall-alert is-warn",
    ]
    assert text(listed.children[0]) == "alerts: 4 · alarms: 1 · acknowledged: 0"  # every alert counted, first
    assert text(listed.children[1]).startswith("since 09:00 · 0 min") and "Alarm" in text(listed.children[1])
    label, track = wall_views.ticker(wall_data, "vi")
    assert "Quận 1: 6 hồ sơ mới quá hạn" in text(track)
    assert track.children.style["animationDuration"].endswith("s")
    assert "Không có cảnh báo nào." in text(wall_views.ticker(data(), "vi"))
    assert "Không có cảnh báo nào." in text(wall_views.alerts_view(data(), "vi"))


def test_header_parts_and_clock_times():
    now = START + timedelta(seconds=5)
    shown = data()
    assert wall.updated_text(shown, now, "vi") == "cập nhật 36 giây trước"
    assert wall.updated_text(data(changed_at=START - timedelta(minutes=5)), now, "en") == "updated 5 min ago"
    assert wall.updated_text(data(changed_at=None), now, "vi") == "chưa có dữ liệu"
    assert wall.header_class(shown) == "wall-header is-stale"
    assert wall.header_class(data(stale_sources=0)) == "wall-header"
    assert "nguồn cập nhật đúng hạn: 40 / 41" in text(wall.sources_status(shown, "vi"))
    times = wall.times(shown, now)
    assert times == {
        "now": int(now.timestamp() * 1000),
        "changed": int((START - timedelta(seconds=31)).timestamp() * 1000),
        "offset": 420,
    }
    assert wall.texts("en")["seconds"] == "updated {n} s ago" and wall.texts("vi")["unit_path"] == "/unit/"


def test_the_layout_holds_only_the_views_asked_for_each_filled():
    options = parse_options("?views=alerts,summary&dwell=7")
    figures = {"gauge": wall_gauges.city_gauge(data().overview, LIMITS, "vi")}
    page = wall.layout(data(), options, START, figures, 5000, [7, "2019-11-27T09:00", 1.0])
    assert page.className == "wall theme-dark"
    views = page[WallIds.VIEWS].children
    assert [v.id for v in views] == [wall.view_id("alerts"), wall.view_id("summary")]
    assert [v.className for v in views] == ["wall-view is-active", "wall-view"]
    assert page[WallIds.ROTATE].interval == 7000 and page[WallIds.POLL].interval == 5000
    assert page[WallIds.CLOCK].children == "09:00:00"
    assert text(page[wall.body_id("kpis")]).startswith("Hồ sơ đang giải quyết 3.075")
    assert WallIds.ROOT and not [c for c in page.children if getattr(c, "className", "") == "wall-notice"]
    typo = wall.layout(data(), parse_options("?views=sumary,alerts"), START, figures, 5000, [7, "x", 1.0])
    [notice] = [c for c in typo.children if getattr(c, "className", "") == "wall-notice"]
    assert notice.children == "Địa chỉ màn hình có giá trị không hợp lệ, đã bỏ qua và dùng mặc định: views=sumary"
    single = wall.layout(data(), parse_options("?views=map&kiosk=0"), START, {"map": {}}, 5000, [7, "x", 1.0])
    assert single[WallIds.ROTATE].disabled and single.className == "wall theme-dark is-interactive"
    assert single[wall.graph_id("map")].config["staticPlot"] is False


def _fill_rings(figure, kind="fill") -> int:
    return sum(t["meta"]["shapes"] for t in figure["data"] if str(t.get("name", "")).startswith(f"{kind}:"))


def test_tile_map_draws_every_district_labelled_with_value_and_level():
    cells = read_tile_grid()
    units = {c.unit_key: unit(c.unit_key) for c in cells}
    units["quan-1"] = unit("quan-1", 12)
    units["quan-go-vap"] = unit("quan-go-vap", 1, stale=True)
    figure = maps.tile_map(cells, units, "overdue_share", LIMITS, "vi", "dark", scale=1.5, clickable=True)
    go.Figure(figure)
    assert _fill_rings(figure) == 24 and _fill_rings(figure, "pattern") == 1  # quận 1's hatched band
    labels = next(t for t in figure["data"] if t["name"] == "labels")
    assert len(labels["text"]) == 24 and len(set(labels["customdata"])) == 24
    by_key = dict(zip(labels["customdata"], labels["text"], strict=True))
    assert by_key["quan-1"].startswith("Quận 1<br>") and "12,0%" in by_key["quan-1"]
    assert by_key["quan-go-vap"] == "Gò Vấp<br>dữ liệu cũ<br>từ 08:50"
    alarm = next(t for t in figure["data"] if t["name"] == "pattern:alarm")
    assert alarm["fillpattern"]["shape"] == "/" and alarm["fillcolor"] == maps.LEVEL_FILL["alarm"]
    assert figure["layout"]["hovermode"] == "closest" and figure["layout"]["uirevision"] == "wall-map-tiles"
    still = maps.tile_map(cells, units, "overdue_share", LIMITS, "vi", clickable=False)
    assert still["layout"]["hovermode"] is False


def test_unit_look_is_grey_when_stale_and_words_every_level():
    palette = maps.PALETTES["dark"]
    look = maps.unit_look(unit("a", 12), "overdue_share", LIMITS, "en", palette, [])
    assert (look.level, look.fill, look.pattern, look.ink, look.value, look.note) == (
        "alarm",
        "#D55E00",
        "/",
        "#000000",
        "12.0%",
        "Alarm",
    )
    stale = maps.unit_look(unit("a", stale=True), "overdue_share", LIMITS, "vi", palette, [])
    assert (stale.fill, stale.note) == (palette.stale_fill, "dữ liệu cũ từ 08:50")
    assert maps.unit_look(None, "online", LIMITS, "vi", palette, []).note == "Chưa có số liệu"
    edges = maps.rate_bins([0.12, 0.31])
    assert edges == [0.12, 0.158, 0.196, 0.234, 0.272, 0.31]
    rate = maps.unit_look(unit("a", online=Ratio(31, 100)), "online", LIMITS, "vi", palette, edges)
    assert rate.level == "4" and rate.value == "31,0%"
    assert maps.rate_bins([]) == [0.0, 1.0]
    for same in (0.5, 1.0):
        bins = maps.rate_bins([same, same])
        assert bins[0] <= same <= bins[-1] and bins[0] < bins[-1]
    assert maps.ink_on("#F0E442") == "#000000" and maps.ink_on("#0b1320") == "#ffffff"
    assert maps.ink_on("rgb(0, 34, 78)") == "#ffffff"


def _shape(code, x, parent=None) -> Shape:
    ring = ((x, x + 0.1, x + 0.1, x, x), (10.7, 10.7, 10.8, 10.8, 10.7))
    return Shape(code, parent, code, (ring,), x + 0.05, 10.75)


def test_geo_map_paints_districts_by_code_and_wards_by_their_district():
    units = {"760": unit("quan-1", 12), "764": unit("quan-go-vap", 1)}
    districts = [_shape("760", 106.6), _shape("764", 106.7), _shape("999", 106.8)]
    figure = wall_geo.geo_map(districts, units, "overdue_share", LIMITS, "vi", "light")
    go.Figure(figure)
    assert _fill_rings(figure) == 3
    assert {t["name"] for t in figure["data"] if t["name"].startswith("fill:")} == {
        "fill:alarm",
        "fill:ok",
        "fill:none",
    }
    labels = next(t for t in figure["data"] if t["name"] == "labels")
    assert labels["customdata"] == ["quan-1", "quan-go-vap", "999"]
    assert labels["text"][0] == "Quận 1<br><b>12,0%</b>"  # 0.1° wide: big enough for words
    assert figure["layout"]["yaxis"]["scaleratio"] == pytest.approx(1.0178, abs=1e-4)
    wards = [_shape("26734", 106.6, "760"), _shape("26737", 106.65, "760"), _shape("26740", 106.7, "764")]
    figure = wall_geo.geo_map(wards, units, "overdue_share", LIMITS, "vi", level="ward", outlines=districts)
    assert _fill_rings(figure) == 3
    assert next(t for t in figure["data"] if t["name"] == "fill:alarm")["meta"]["shapes"] == 2
    assert any(t["name"] == "outlines" for t in figure["data"])


def test_map_legend_explains_colours_in_words_and_lists_the_worst():
    units = [unit("quan-1", 12), unit("quan-go-vap", 2, stale=True), unit("c", 1)]
    legend = wall_views.map_legend(data(units), "overdue_share", "vi", "dark", ("ghi chú",))
    words = text(legend)
    assert "Báo động > 10,0%" in words and "Cảnh báo > 5,0%" in words and "Dữ liệu cũ" in words
    assert "Cần chú ý nhất Quận 1 12,0% Gò Vấp dữ liệu cũ từ 08:50" in words
    assert "Chưa có vị trí phản ánh trong 24 giờ qua" in words and "ghi chú" in words
    online = text(wall_views.map_legend(data(units), "online", "en", "light"))
    assert "20.0% – 20.0%" not in online and "Received online, 30 days" in online


def test_tile_points_stay_inside_their_districts_tile():
    from dashboard.pages.wall import FeedbackPoint

    cells = [TileCell("quan-1", 2, 4)]
    points = [FeedbackPoint(10.77, 106.70, "quan-1") for _ in range(30)] + [FeedbackPoint(1, 1, "nowhere")]
    [trace] = maps.tile_point_traces(cells, points, 1.0, maps.PALETTES["dark"], "vi")
    assert len(trace["x"]) == 30
    assert all(4 < x < 5 for x in trace["x"]) and all(-3 < y < -2 for y in trace["y"])


def test_districts_too_small_to_label_get_an_enlarged_inset():
    units = {"760": unit("quan-1", 12), "764": unit("quan-go-vap", 1)}
    big = _shape("764", 106.7)  # 0.1° × 0.1°: labelled on the city map
    small = Shape(
        "760",
        None,
        "760",
        (((106.60, 106.63, 106.63, 106.60, 106.60), (10.70, 10.70, 10.73, 10.73, 10.70)),),
        106.615,
        10.715,
    )
    figure = wall_geo.geo_map([small, big], units, "overdue_share", LIMITS, "vi", outlines=())
    go.Figure(figure)
    names = [t["name"] for t in figure["data"]]
    assert _fill_rings(figure) == 2 and _fill_rings(figure, "inset") == 1  # only the small one meets the inset
    city, inset = (next(t for t in figure["data"] if t["name"] == name) for name in ("labels", "labels2"))
    assert city["text"] == ["", "Gò Vấp<br><b>1,0%</b>"] and inset["text"] == ["Quận 1<br><b>12,0%</b>"]
    assert inset["xaxis"] == "x2" and "labels2" in names
    layout = figure["layout"]
    assert layout["xaxis"]["domain"] == [0.0, 0.4] and layout["xaxis2"]["domain"] == [0.43, 1.0]
    assert layout["xaxis2"]["range"][0] < 106.60 < 106.63 < layout["xaxis2"]["range"][1]
    assert layout["shapes"][0]["xref"] == "x"  # the inset's frame on the city map
