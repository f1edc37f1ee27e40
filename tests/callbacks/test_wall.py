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
from dashboard.pages import wall as wall_pages
from dashboard.store.schema import source_state
from dashboard.web.app import create_app
from layouts import wall as wall_layout
from layouts.ids import OverviewIds, WallIds
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


def test_the_wall_route_renders_every_view_filled(app, services, source_db, pull):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    page = route(services, cache_of(app), "/wall", "?lang=en")
    views = [v.id["view"] for v in page[WallIds.VIEWS].children]
    assert views == ["summary", "backlog", "map", "districts", "departments", "alerts"]
    assert page[WallIds.SEEN].data == [services.store.data_version()[0], "2019-11-27T09:00", 1.0]
    assert page[WallIds.CLOCK].children == "09:00:00" and page[WallIds.UPDATED].children == "updated 0 s ago"
    assert "sources up to date: 1 / 1" in str(page[WallIds.SOURCES].children)
    assert page[wall_layout.graph_id("map")].figure["layout"]["uirevision"] == "wall-map-cartogram"
    assert page[wall_layout.graph_id("map")].config["staticPlot"] is True  # kiosk: nothing to click
    chosen = route(services, cache_of(app), "/wall", "?views=alerts,summary&theme=light")
    assert [v.id["view"] for v in chosen[WallIds.VIEWS].children] == ["alerts", "summary"]
    assert chosen.children.className == "wall theme-light"  # inside the router's frame naming lang and title


def test_kiosk_on_any_page_frames_it_so_the_navigation_hides(app, services):
    framed = route(services, cache_of(app), "/", "?kiosk=1").children
    assert framed.className == "pulse-kiosk" and framed[OverviewIds.KPIS] is not None
    assert getattr(route(services, cache_of(app), "/", "").children, "className", None) != "pulse-kiosk"


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
    assert changed[4][0]["layout"]["uirevision"] == "wall-map-cartogram"


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
    assert labels["textfont"]["size"] == 56  # 28 px × 2: nothing on the wall below 28 px at 1080p
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


def test_an_unreadable_boundary_file_falls_back_to_the_cartogram_and_says_why(app, services, tmp_path):
    services.settings = services.settings.model_copy(update={"boundary_file": Path(tmp_path / "nope.geojson")})
    page = route(services, cache_of(app), "/wall", "?views=map")
    figure = page[wall_layout.graph_id("map")].figure
    assert figure["layout"]["uirevision"] == "wall-map-cartogram"
    assert "Không đọc được tệp ranh giới" in str(page[wall_layout.body_id("map-legend")].children)


def test_the_wall_is_drawn_once_at_the_scale_its_address_says(app, services, pull):
    pull()
    big = route(services, cache_of(app), "/wall", "?scale=2")
    assert big[WallIds.SEEN].data[2] == 2.0 and big[WallIds.SCALE].data == 2.0  # the client's scale: no redraw
    labels = next(t for t in big[wall_layout.graph_id("map")].figure["data"] if t["name"] == "labels")
    assert labels["textfont"]["size"] == 56  # 28 px × 2, drawn at once
    assert [wall_callbacks.screen_scale(s) for s in ("", "?scale=abc", "?scale=9", "?scale=0.1", "?scale=nan")] == [
        1.0,
        1.0,
        4.0,
        0.5,
        1.0,
    ]
