"""The wall's callbacks, called directly: its data, the page, and the refresh that skips when nothing changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from sqlalchemy import update

from callbacks import wall as wall_callbacks
from callbacks.routing import route
from dashboard.core.cache import background_for, cache_of
from dashboard.core.geo import Boundaries
from dashboard.pages import wall as wall_pages
from dashboard.store.schema import source_state
from dashboard.web.app import create_app
from layouts import wall as wall_layout
from layouts.ids import OverviewIds, WallIds
from layouts.wall_model import parse_options
from tests.conftest import START
from tests.factories import dossier

PARTS = ["kpis", "gauge-text", "meters", "map-legend", "districts", "departments", "alerts"]
GRAPHS = ["gauge", "map"]
NOTHING = (no_update,) * 3 + ([no_update] * len(PARTS), [no_update] * len(GRAPHS)) + (no_update,) * 3
PENDING = (*NOTHING[:-2], wall_callbacks.PENDING_POLL_MS, no_update)  # keeps its figures, asks again soon


def registered(app, output_id: str):
    [entry] = [entry for key, entry in app.callback_map.items() if f"{output_id}." in key and "..." in key]
    return entry["callback"].__wrapped__


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


def test_the_wall_route_renders_every_view_filled(app, services, source_db, pull):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    page = route(services, cache_of(app), "/wall", "?lang=en")
    views = [v.id["view"] for v in page[WallIds.VIEWS].children]
    assert views == ["summary", "backlog", "map", "districts", "departments", "alerts"]
    assert page[WallIds.SEEN].data == [services.store.data_version()[0], "2019-11-27T09:00", 1.0]
    assert page[WallIds.CLOCK].children == "09:00:00" and page[WallIds.UPDATED].children == "updated 0 s ago"
    assert "sources on time: 1 / 1" in str(page[WallIds.SOURCES].children)
    assert page[wall_layout.graph_id("map")].figure["layout"]["uirevision"] == "wall-map-tiles"
    assert page[wall_layout.graph_id("map")].config["staticPlot"] is True  # kiosk: nothing to click
    chosen = route(services, cache_of(app), "/wall", "?views=alerts,summary&theme=light")
    assert [v.id["view"] for v in chosen[WallIds.VIEWS].children] == ["alerts", "summary"]
    assert chosen.className == "wall theme-light"


def test_kiosk_on_any_page_frames_it_so_the_navigation_hides(app, services):
    framed = route(services, cache_of(app), "/", "?kiosk=1")
    assert framed.className == "pulse-kiosk" and framed[OverviewIds.KPIS] is not None
    assert getattr(route(services, cache_of(app), "/", ""), "className", None) != "pulse-kiosk"


def test_refresh_returns_no_update_until_the_data_version_changes(app, services, source_db, pull):
    pull()
    cache = cache_of(app)
    background = background_for(cache)
    first = wall_callbacks.refresh(services, cache, None, "", 1.0, PARTS, GRAPHS)
    header, _sources, times, parts, figures, _ticker, poll_ms, seen = first
    assert header == "wall-header" and times["offset"] == 420 and len(parts) == 7 and len(figures) == 2
    assert poll_ms == services.settings.refresh_ms == 5000
    nothing = wall_callbacks.refresh(services, cache, seen, "", 1.0, PARTS, GRAPHS)
    assert nothing == NOTHING

    source_db.insert("dossiers", dossier("NEW"))
    pull()
    # The new version's figures are computed in the background; meanwhile the wall keeps what it shows.
    assert wall_callbacks.refresh(services, cache, seen, "?lang=en", 1.0, PARTS, GRAPHS) == PENDING
    background.wait(timeout=30)
    changed = wall_callbacks.refresh(services, cache, seen, "?lang=en", 1.0, ["kpis"], ["map"])
    in_progress = changed[3][0].children[0]
    assert changed[-1] == wall_pages.current_key(services, 1.0) and changed[-1][0] > seen[0]
    assert changed[-2] == 5000  # back to the usual pace
    assert [c.children for c in in_progress.children][:2] == ["Dossiers in progress", "1"]
    assert changed[4][0]["layout"]["uirevision"] == "wall-map-tiles"


def test_a_new_viewer_gets_the_newest_figures_at_once_while_the_new_ones_are_computed(app, services, pull):
    pull()
    cache = cache_of(app)
    background = background_for(cache)
    *_, seen = wall_callbacks.refresh(services, cache, None, "", 1.0, [], [])
    services.clock.advance(timedelta(minutes=1))
    *_, newcomer = wall_callbacks.refresh(services, cache, None, "", 1.0, [], [])
    assert newcomer == seen  # the previous minute's figures, not an empty wall and not a wait
    background.wait(timeout=30)
    later = wall_callbacks.refresh(services, cache, newcomer, "", 1.0, ["period-summary"], [])
    assert later[-1] == [seen[0], "2019-11-27T09:01", 1.0]
    assert later[3] == ["30 ngày qua · số liệu lúc 09:01 27/11/2019"]  # the views' as-of line moves on too


def test_the_registered_refresh_reads_which_parts_are_on_the_page(app, services):
    outputs = [
        {"id": WallIds.HEADER, "property": "className"},
        {"id": WallIds.SOURCES, "property": "children"},
        {"id": WallIds.TIMES, "property": "data"},
        [{"id": wall_layout.body_id("alerts"), "property": "children"}],
        [{"id": wall_layout.graph_id("gauge"), "property": "figure"}],
        {"id": WallIds.TICKER, "property": "children"},
        {"id": WallIds.SEEN, "property": "data"},
    ]
    context_value.set(
        AttributeDict(outputs_list=outputs, triggered_inputs=[{"prop_id": f"{WallIds.POLL}.n_intervals"}])
    )
    result = registered(app, WallIds.SEEN)(1, 1.0, None, "?lang=en")
    assert (
        "Source quan-1 (District 1): never pulled" in str(result[3][0])
        and result[4][0]["data"][0]["type"] == "indicator"
    )


def test_refresh_when_the_minute_or_the_screen_scale_changes(app, services, pull):
    pull()
    cache = cache_of(app)
    background = background_for(cache)
    *_, seen = wall_callbacks.refresh(services, cache, None, "", 1.0, [], ["map"])
    services.clock.advance(timedelta(seconds=59))
    assert wall_callbacks.refresh(services, cache, seen, "", 1.0, [], ["map"])[-1] is no_update
    bigger = wall_callbacks.refresh(services, cache, seen, "", 2.0, [], ["map"])
    assert bigger[-1] == [seen[0], seen[1], 2.0]
    labels = next(t for t in bigger[4][0]["data"] if t["name"] == "labels")
    assert labels["textfont"]["size"] == 44
    services.clock.advance(timedelta(seconds=1))
    assert wall_callbacks.refresh(services, cache, bigger[-1], "", 2.0, [], [])[-2:] == (1000, no_update)
    background.wait(timeout=30)
    assert wall_callbacks.refresh(services, cache, bigger[-1], "", 2.0, [], [])[-1][1] == "2019-11-27T09:01"


def test_a_stale_source_turns_the_header_amber(app, services, pull):
    pull()
    back_date(services, 10)
    header, sources, *_ = wall_callbacks.refresh(services, cache_of(app), None, "", 1.0, [], [])
    assert header == "wall-header is-stale" and "Có nguồn dữ liệu cũ" in str(sources)


def test_a_warmed_app_has_the_wall_figures_before_the_first_wall_asks(services, pull, monkeypatch):
    pull()
    app = create_app(services, warm=True)
    background_for(cache_of(app)).wait(timeout=30)
    monkeypatch.setattr(wall_pages, "compute", lambda *a, **k: 1 / 0)
    header, *_, seen = wall_callbacks.refresh(services, cache_of(app), None, "", 1.0, [], [])
    assert header == "wall-header" and seen == wall_pages.current_key(services, 1.0)


def test_the_cache_serves_a_second_viewer_without_recomputing(app, services, monkeypatch):
    key = wall_pages.current_key(services, 1.0)
    first = wall_pages.wall_data(services, cache_of(app), key)
    assert first[0] == tuple(key[:2])
    monkeypatch.setattr(wall_pages, "compute", lambda *a, **k: 1 / 0)
    assert wall_pages.wall_data(services, cache_of(app), [*key[:2], 2.0]) == first


def test_the_map_is_the_configured_one_or_the_tile_grid(tmp_path):
    none, both = Boundaries(), Boundaries(tmp_path / "d.geojson", tmp_path / "w.geojson")
    wards_only = Boundaries(None, tmp_path / "w.geojson")
    assert wall_pages.map_kind(parse_options("").map, none) == "tiles"
    assert wall_pages.map_kind(parse_options("?map=wards").map, none) == "tiles"
    assert wall_pages.map_kind(parse_options("").map, both) == "districts"
    assert wall_pages.map_kind(parse_options("?map=wards").map, both) == "wards"
    assert wall_pages.map_kind(parse_options("?map=tiles").map, both) == "tiles"
    assert wall_pages.map_kind(parse_options("?map=districts").map, wards_only) == "wards"


def test_an_unreadable_boundary_file_falls_back_to_tiles_and_says_why(app, services, tmp_path):
    services.settings = services.settings.model_copy(update={"boundary_file": Path(tmp_path / "nope.geojson")})
    page = route(services, cache_of(app), "/wall", "?views=map")
    figure = page[wall_layout.graph_id("map")].figure
    assert figure["layout"]["uirevision"] == "wall-map-tiles"
    assert "Không đọc được tệp ranh giới" in str(page[wall_layout.body_id("map-legend")].children)


def test_feedback_points_are_the_last_24_hours_with_a_location(services, source_db, pull):
    def item(code, hours_ago, lat=10.77, lon=106.70):
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
    assert (point.lat, point.lon, point.unit_key) == (10.77, 106.70, "quan-1")
