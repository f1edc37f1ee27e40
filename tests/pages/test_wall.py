"""The wall's model: what it shows for one data version and minute, computed over a real store and source."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from dashboard.core.cache import cache_of
from dashboard.core.geo import Boundaries
from dashboard.core.vocabulary import DISTRICT, WARD
from dashboard.pages import wall as wall_pages
from dashboard.store.schema import source_state
from layouts.wall_model import parse_options
from tests.conftest import START
from tests.factories import dossier


def back_date(services, minutes: int) -> None:
    with services.store.engine.begin() as conn:
        conn.execute(update(source_state).values(last_good_pull_at=START - timedelta(minutes=minutes)))


def test_compute_gathers_the_city_units_freshness_and_alerts(services, source_db, pull):
    source_db.insert(
        "dossiers",
        dossier("A"),  # due in 2 days
        dossier("B", received=START - timedelta(days=6), days=5),  # fell overdue 1 day ago: new late
        dossier("C", received=START - timedelta(days=10), days=5),  # overdue for 5 days
    )
    pull()
    data = wall_pages.compute(services, START)
    assert (data.overview.in_progress, data.overview.overdue_in_progress) == (3, 2)
    assert (data.sources_ok, data.sources_total, data.stale_sources) == (1, 1, 0)
    assert data.changed_at is not None and data.version == services.store.data_version()[0]
    quan_1 = next(u for u in data.units if u.key == "quan-1")
    assert (quan_1.kind, quan_1.code, quan_1.backlog.overdue, quan_1.new_late, quan_1.stale) == (
        "district",
        "760",
        2,
        1,
        False,
    )
    assert len(data.of_kind("district")) == 24 and data.of_kind("department")
    # 3 dossiers, below every criterion's minimum count: no score and no rank, and the wall says why
    assert (quan_1.score, quan_1.rank, quan_1.score_state) == (None, None, "too_few")
    quan_3 = next(u for u in data.units if u.key == "quan-3")
    assert (quan_3.score, quan_3.rank, quan_3.score_state) == (None, None, "no_data")
    kinds = [(a.kind, a.severity, a.unit_key) for a in data.alerts]
    assert kinds == [("overdue_share", "alarm", "hcmc"), ("overdue_share", "alarm", "quan-1")]
    assert data.feedback_points == ()  # no feedback in the last 24 hours


def test_a_back_dated_pull_makes_the_unit_stale_and_raises_an_alert(services, source_db, pull):
    source_db.insert("dossiers", dossier("A"))
    pull()
    back_date(services, 10)
    data = wall_pages.compute(services, START)
    quan_1 = next(u for u in data.units if u.key == "quan-1")
    assert quan_1.stale and quan_1.data_as_of == START - timedelta(minutes=10)
    assert (data.sources_ok, data.stale_sources) == (0, 1)
    [alert] = data.alerts
    assert (alert.kind, alert.source, alert.at) == ("stale_source", "quan-1", START - timedelta(minutes=7))


def test_the_cache_serves_a_second_viewer_without_recomputing(app, services, monkeypatch):
    key = wall_pages.current_key(services, 1.0)
    first = wall_pages.wall_data(services, cache_of(app), key)
    assert first[0] == tuple(key[:2])
    monkeypatch.setattr(wall_pages, "compute", lambda *a, **k: 1 / 0)
    assert wall_pages.wall_data(services, cache_of(app), [*key[:2], 2.0]) == first


def test_the_map_is_the_configured_one_else_the_cartogram_and_the_tiles_when_asked(tmp_path):
    none, both = Boundaries(), Boundaries(tmp_path / "d.geojson", tmp_path / "w.geojson")
    wards_only = Boundaries(None, tmp_path / "w.geojson")
    assert wall_pages.map_kind(parse_options("").map, none) == "cartogram"  # the default (issue 15)
    assert wall_pages.map_kind(parse_options("?map=wards").map, none) == "cartogram"
    assert wall_pages.map_kind(parse_options("?map=tiles").map, none) == "tiles"
    assert wall_pages.map_kind(parse_options("").map, both) == "districts"  # a boundary file still wins
    assert wall_pages.map_kind(parse_options("?map=wards").map, both) == "wards"
    assert wall_pages.map_kind(parse_options("?map=tiles").map, both) == "tiles"
    assert wall_pages.map_kind(parse_options("?map=cartogram").map, both) == "cartogram"
    assert wall_pages.map_kind(parse_options("?map=districts").map, wards_only) == "wards"
    assert wall_pages.map_shapes(None, none) == wall_pages.MapShapes("cartogram")
    broken = wall_pages.map_shapes(None, Boundaries(tmp_path / "missing.geojson"))
    assert broken.kind == "cartogram" and "missing.geojson" in (broken.error or "")


def test_each_local_unit_is_placed_at_its_point_or_around_its_old_districts():
    day = date(2025, 7, 1)
    rows = [
        {"key": "quan-1", "code": "760", "kind": DISTRICT, "lat": 10.7762, "lon": 106.6971, "valid_from": None,
         "valid_to": date(2025, 6, 30), "former_province": None, "origin": None},
        {"key": "quan-2", "code": "769", "kind": DISTRICT, "lat": 10.7792, "lon": 106.7563, "valid_from": None,
         "valid_to": date(2020, 12, 31), "former_province": None, "origin": None},
        {"key": "tp-thu-duc", "code": "769", "kind": DISTRICT, "lat": 10.8266, "lon": 106.7620,
         "valid_from": date(2021, 1, 1), "valid_to": date(2025, 6, 30), "former_province": None, "origin": None},
        {"key": "a", "code": "1", "kind": WARD, "lat": None, "lon": None, "valid_from": day, "valid_to": None,
         "former_province": "79", "origin": "79:760;79:769"},
        {"key": "b", "code": "2", "kind": WARD, "lat": 11.0, "lon": 106.6, "valid_from": day, "valid_to": None,
         "former_province": "74", "origin": "74:718"},
        {"key": "c", "code": "3", "kind": WARD, "lat": None, "lon": None, "valid_from": day, "valid_to": None,
         "former_province": "77", "origin": "77:747"},
        {"key": "d", "code": "4", "kind": WARD, "lat": None, "lon": None, "valid_from": day, "valid_to": None,
         "former_province": "77", "origin": "77:999"},
    ]  # fmt: skip
    places = wall_pages.unit_places(rows, {"quan-1", "a", "b", "c", "d"})
    assert places == (
        wall_pages.UnitPlace("a", 10.8014, 106.72955, False, "79"),  # between Quận 1 and Thành phố Thủ Đức
        wall_pages.UnitPlace("b", 11.0, 106.6, True, "74"),  # its own point
        wall_pages.UnitPlace("c", 10.40, 107.10, False, "77"),  # Vũng Tàu, from the packaged origin_points.csv
        wall_pages.UnitPlace("quan-1", 10.7762, 106.6971, True, "79"),
    )  # "d": an origin nobody knows, left out


def test_feedback_points_are_the_last_24_hours_with_a_location(services, source_db, pull):
    def item(code, hours_ago, lat=10.776543, lon=106.700987):
        received = START - timedelta(hours=hours_ago)
        return {
            "native_id": code,
            "unit": "760",
            "category": "Giao thông",
            "channel": "app",
            "received_at": received,
            "due_at": received + timedelta(days=10),
            "answered_at": None,
            "status": "open",
            "rating": None,
            "lat": lat,
            "lon": lon,
            "source_updated_at": received,
        }

    source_db.insert("feedback", item("RECENT", 3), item("OLD", 30), item("NOWHERE", 2, lat=None, lon=None))
    pull()
    [point] = wall_pages.feedback_points(services, START - timedelta(hours=24), START)
    assert (point.lat, point.lon, point.unit_key) == (10.777, 106.701, "quan-1")  # rounded: ~110 m, not a door
