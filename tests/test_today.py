"""The product on the system's real date (today), never only in the past: a source for one of today's wards and one
for one of today's departments are pulled with nothing rejected, and both appear in their leagues, on their tiles,
on the wall and in the API. The rows are placed relative to now, with their due dates given by the source, so the
expected numbers hold on any day the suite runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.core.clock import CITY_TZ, FixedClock, SystemClock
from dashboard.core.geo import Boundaries, read_tile_grid
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages import wall as wall_page
from dashboard.pages.league import default_kind, league_view, leagues_at
from dashboard.pages.unit import TileQuery, city_context, unit_view
from dashboard.pages.wall import map_shapes
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts import wall as wall_layout
from layouts import wall_gauges
from layouts.wall_figures import map_figure
from layouts.wall_model import parse_options
from tests.factories import SourceDB, counting_every_dossier, dossier
from tests.signin import signed_client

WARD, WARD_CODE = "phuong-ben-thanh", "26743"  # the code Phường Bến Thành of 2025 took over from its predecessor
DEPARTMENT = "so-tu-phap"


def rows_for(unit_code: str, prefix: str, now) -> list[dict]:
    """Four dossiers of the last ten days: one completed on time, one late, one open and overdue, one open."""
    day = timedelta(days=1)
    return [
        dossier(f"{prefix}-ON-TIME", unit=unit_code, received=now - 10 * day, days=5, status="completed",
                completed=now - 7 * day, procedure="TP-LLTP" if prefix == "TP" else "HT-KS"),
        dossier(f"{prefix}-LATE", unit=unit_code, received=now - 9 * day, days=2, status="completed",
                completed=now - 5 * day, procedure="TP-LLTP" if prefix == "TP" else "HT-KS"),
        dossier(f"{prefix}-OVERDUE", unit=unit_code, received=now - 8 * day, days=3,
                procedure="TP-LLTP" if prefix == "TP" else "HT-KS"),
        dossier(f"{prefix}-OPEN", unit=unit_code, received=now - timedelta(hours=2), days=10,
                procedure="TP-LLTP" if prefix == "TP" else "HT-KS"),
    ]  # fmt: skip


@pytest.fixture
def today(tmp_path):
    now = SystemClock().now().astimezone(CITY_TZ).replace(microsecond=0)
    ward_db = SourceDB(f"sqlite:///{tmp_path / 'ward.sqlite'}")
    department_db = SourceDB(f"sqlite:///{tmp_path / 'department.sqlite'}")
    ward_db.insert("dossiers", *rows_for(WARD_CODE, "BT", now))
    department_db.insert("dossiers", *rows_for(DEPARTMENT, "TP", now))
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, FixedClock(now + timedelta(minutes=1)))
    assert services.store.hold_lease("tests").acquire()
    services.sources = [
        SourceConfig(name="ben-thanh", unit=WARD, url=ward_db.url, profile="motcua_v1", interval=60),
        SourceConfig(name="tu-phap", unit=DEPARTMENT, url=department_db.url, profile="motcua_v1", interval=60),
    ]
    ingestor = Ingestor(services.store, services.clock, settings, services.calendar)
    results = [result for source in services.sources for result in ingestor.pull(source)]
    yield services, results
    services.store.dispose()
    ward_db.dispose()
    department_db.dispose()


def test_todays_ward_and_department_are_pulled_with_nothing_rejected(today):
    services, results = today
    dossiers = [r for r in results if r.stream == "dossiers"]
    assert [(r.source, r.rows_stored, r.rows_rejected) for r in dossiers] == [("ben-thanh", 4, 0), ("tu-phap", 4, 0)]
    assert services.store.rejected() == []
    owners = {r["native_code"]: r["unit_key"] for r in services.store.rows("dossiers")}
    assert {owners[f"BT-{n}"] for n in ("ON-TIME", "LATE", "OVERDUE", "OPEN")} == {WARD}
    assert {owners[f"TP-{n}"] for n in ("ON-TIME", "LATE", "OVERDUE", "OPEN")} == {DEPARTMENT}


def test_todays_ward_and_department_are_in_their_leagues_on_their_tiles_and_on_the_wall(today):
    services, _ = today
    now = services.clock.now()
    assert leagues_at(services.store, now) == ("ward", "department")
    assert default_kind(services.store, now) == "ward"
    for kind, key, members in (("ward", WARD, 168), ("department", DEPARTMENT, 19)):
        view = league_view(services, kind, "30d", now)
        assert len(view.rows) == members
        row = next(r for r in view.rows if r.unit_key == key)
        assert (row.kpis.received, row.kpis.completed, row.kpis.backlog.in_progress, row.kpis.backlog.overdue) == (
            4, 2, 2, 1
        )  # fmt: skip
        assert (row.kpis.on_time.numerator, row.kpis.on_time.denominator) == (1, 2)
        assert row.rank is None  # 4 dossiers: below the packaged minimum count, not ranked
    services.index_config = counting_every_dossier(services.index_config)
    for kind, key in (("ward", WARD), ("department", DEPARTMENT)):
        row = next(r for r in league_view(services, kind, "30d", now).rows if r.unit_key == key)
        assert row.rank == 1  # counting every dossier: the only unit with dossiers
    context = city_context(services, "30d", now)
    tile = unit_view(services, context, TileQuery(WARD, "30d"))
    assert (tile.rank, tile.kpis.received, tile.kpis.backlog.overdue, tile.closed_since) == (1, 4, 1, None)
    wall = wall_page.compute(services, now)
    shown = {u.key: u for u in wall.local()}
    assert len(shown) == 168 and (shown[WARD].backlog.in_progress, shown[WARD].backlog.overdue) == (2, 1)
    assert DEPARTMENT in {u.key for u in wall.of_kind("department")}


def test_the_wall_of_today_names_wards_shows_the_worst_12_and_says_what_its_map_needs(today):
    services, _ = today
    wall = wall_page.compute(services, services.clock.now())
    titles = [wall_layout.view_title(view, wall, "vi") for view in ("backlog", "map", "districts", "departments")]
    assert titles == [
        "Hồ sơ quá hạn theo phường, xã",
        "Bản đồ phường, xã",
        "Xếp hạng phường, xã",
        "Xếp hạng sở, ban, ngành",
    ]
    block = wall_gauges.district_meters(wall.local(), wall.limits, "vi")
    meters, foot = block.children
    assert len(meters.children) == 12 and meters.children[0].to_plotly_json()["props"]["data-unit"] == WARD  # 28 px
    assert foot.children == "12 / 168 đơn vị có tỷ lệ quá hạn cao nhất; đủ cả trong bảng xếp hạng"
    figure, notes = map_figure(wall, parse_options(""), map_shapes(None, Boundaries()), read_tile_grid(), 1.0)
    assert figure["layout"]["meta"]["discs"] == 168 and figure["layout"]["meta"]["labelled"] is False
    assert notes == (
        "Sơ đồ vị trí: mỗi chấm là một phường, xã, đặc khu, đặt quanh quận, huyện cũ (không phải ranh giới)",
    )
    tiles, _ = map_figure(wall, parse_options(""), map_shapes("tiles", Boundaries()), read_tile_grid(), 1.0)
    assert tiles["data"] == [] and tiles["layout"]["annotations"][0]["text"].startswith(
        "Chưa có bản đồ cho 168 phường, xã hiện nay"
    )


def test_todays_ward_and_department_are_in_the_api(today):
    services, _ = today
    client = signed_client(create_app(services))
    for unit in (WARD, DEPARTMENT):
        body = client.get(f"/api/v1/kpis?unit={unit}").get_json()
        [figures] = body["units"]
        kpis = figures["kpis"]
        assert (figures["unit"]["key"], kpis["received"], kpis["completed"], figures["closed_unit"]) == (
            unit,
            4,
            2,
            False,
        )
        assert kpis["on_time"] == {"numerator": 1, "denominator": 2, "value": 0.5}
        assert (kpis["backlog"]["in_progress"], kpis["backlog"]["overdue"]) == (2, 1)
    league = client.get("/api/v1/league").get_json()  # no kind: the first league of today
    [ward] = [row for row in league["rows"] if row["unit_key"] == WARD]
    assert league["kind"] == "ward" and ward["rank"] is None  # 4 dossiers: below the minimum count, not ranked
    services.index_config = counting_every_dossier(services.index_config)  # counting every dossier: ranked first
    client = signed_client(create_app(services))
    league = client.get("/api/v1/league").get_json()
    assert league["kind"] == "ward" and league["rows"][0]["unit_key"] == WARD
    departments = client.get("/api/v1/league?kind=department").get_json()
    assert departments["rows"][0]["unit_key"] == DEPARTMENT
