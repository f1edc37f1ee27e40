"""In headless Chromium: the wall fills a 1080p and a 4K screen without scrollbars, rotates without reloading
or blanking, greys a stale unit, draws its default map (the cartogram, edge to edge beside its legend), the tile map
and the configured boundary files offline, and (outside kiosk mode) opens a unit's page from the map."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import update

from dashboard.core.i18n import t
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.store.schema import source_state
from dashboard.web.app import create_app
from layouts.wall_model import VIEWS
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DISTRICT_FILE = SHARED_DATA / "vn-demographic_CityScope_HCMC_Population_District_Level.geojson"
WARD_FILE = SHARED_DATA / "vn-demographic_CityScope_HCMC_Population_Ward_Level.geojson"

FITS = """
const fits = e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1;
const root = document.documentElement, wall = document.querySelector('.wall').getBoundingClientRect();
const parts = [...document.querySelectorAll(
  '.wall-header, .wall-ticker, .wall-view, .wall-view-content, .wall-part, .wall-meter, .wall-kpi, .wall-league-side')];
return {
  page: [root.scrollWidth, root.clientWidth, root.scrollHeight, root.clientHeight],
  wall: [wall.width, wall.height, innerWidth, innerHeight],
  overflowing: parts.filter(e => !fits(e)).map(e => e.className),
  kpiFont: parseFloat(getComputedStyle(document.querySelector('.wall-kpi-value')).fontSize),
};"""
RINGS = """
const gd = document.querySelector('.wall-graph-map .js-plotly-plot');
if (!gd || !gd._fullData) return null;
const groups = gd.querySelectorAll('g.scatterlayer g.trace');
let rings = 0;
gd._fullData.forEach((trace, i) => {
  if (String(trace.name).startsWith('fill:')) {
    const path = groups[i] && groups[i].querySelector('path.js-fill');
    rings += ((path && path.getAttribute('d')) || '').split('M').length - 1;
  }
});
return {rings: rings, labels: gd.querySelectorAll('g.textpoint').length};"""

CARTOGRAM = """
const gd = document.querySelector('.wall-graph-map .js-plotly-plot');
const block = document.querySelector('.wall-map-block').getBoundingClientRect();
const legend = document.querySelector('.wall-map-legend').getBoundingClientRect();
return {uirevision: gd.layout.uirevision, fills: block.left < 40 && legend.left - block.right < 40};"""


@pytest.fixture
def wall_services(tmp_path, clock):
    """A store with one pulled source (quận 1) and a fixed clock at 09:00; settings may be overridden."""
    source_db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    source_db.insert(
        "dossiers",
        dossier("D1"),
        dossier("D2", received=START - timedelta(days=8)),
        dossier("D3", channel="online_full"),
    )
    built: list[Services] = []

    def build(**overrides) -> Services:
        settings = Settings(data_dir=tmp_path, refresh_ms=500, safety_lag_s=0, **overrides)
        services = Services.build(settings, clock)
        assert services.store.hold_lease("tests").acquire()
        services.sources = [
            SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1", interval=60)
        ]
        Ingestor(services.store, clock, settings).pull(services.sources[0])
        built.append(services)
        return services

    build.source_db = source_db  # type: ignore[attr-defined]  # for a test that changes the data
    yield build
    for services in built:
        services.store.dispose()
    source_db.dispose()


def set_viewport(driver, width: int, height: int) -> None:
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def open_wall(dash_duo, query: str = "") -> None:
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall{query}")
    dash_duo.wait_for_element(".wall-view.is-active", timeout=10)


def only_local_requests(dash_duo) -> list[str]:
    names = dash_duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [name for name in names if not name.startswith(dash_duo.server_url)]


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_the_wall_fills_the_screen_exactly_with_no_scrollbars(chromium, dash_duo, wall_services, width, height):
    start_signed_in(dash_duo, create_app(wall_services()))
    set_viewport(dash_duo.driver, width, height)
    open_wall(dash_duo)
    scale = round(height / 1080, 2)
    WebDriverWait(dash_duo.driver, 10).until(  # the client told the server its scale, and the map was redrawn
        lambda d: d.execute_script(
            "const gd = document.querySelector('.wall-graph-map .js-plotly-plot');"
            "return gd && gd.layout.font.size === arguments[0];",
            16 * scale,
        )
    )
    measured = dash_duo.driver.execute_script(FITS)
    scroll_width, client_width, scroll_height, client_height = measured["page"]
    assert scroll_width <= client_width and scroll_height <= client_height
    assert measured["wall"] == [width, height, width, height]
    assert measured["overflowing"] == []
    assert measured["kpiFont"] >= 64 * scale
    # the header's freshness line is one line high in 28 px (56 px) text, written for the 2025 city's ~190 sources
    widest = t("wall.sources", "vi", ok="188", total="188")
    height, line, size = dash_duo.driver.execute_script(FRESHNESS_LINE, widest)
    assert (round(height), size) == (round(line), 28 * scale)
    assert dash_duo.get_logs() == []


FRESHNESS_LINE = """const line = document.querySelector('.wall-sources'), style = getComputedStyle(line);
line.querySelector('.wall-sources-count').textContent = arguments[0];
return [line.getBoundingClientRect().height, parseFloat(style.lineHeight), Math.round(parseFloat(style.fontSize))];"""


def test_the_views_rotate_without_a_reload_and_never_blank(chromium, dash_duo, wall_services):
    start_signed_in(dash_duo, create_app(wall_services()))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?dwell=2")
    driver = dash_duo.driver
    driver.execute_script("window.__wallMarker = 'no reload'")
    first_clock = driver.find_element("css selector", ".wall-clock").text
    shown = []
    for _ in range(120):  # at most 30 s; stops once four views have been seen (a loaded machine is slower)
        active, view, text_length, marker = driver.execute_script(
            "const a = document.querySelectorAll('.wall-view.is-active');"
            "return [a.length, a.length ? a[0].dataset.view : null,"
            " a.length ? a[0].innerText.trim().length : 0, window.__wallMarker];"
        )
        assert active == 1 and text_length > 0 and marker == "no reload"
        if not shown or shown[-1] != view:
            shown.append(view)
        if len(set(shown)) >= 4:
            break
        time.sleep(0.25)
    assert len(set(shown)) >= 4, shown
    playlist = list(VIEWS)  # the default playlist
    for before, after in zip(shown, shown[1:], strict=False):  # each view follows the one before it, in order
        assert playlist[(playlist.index(before) + 1) % len(playlist)] == after, shown
    assert driver.find_element("css selector", ".wall-clock").text != first_clock  # the clock ticks client-side
    assert dash_duo.get_logs() == []


def test_a_back_dated_pull_greys_the_unit_and_turns_the_header_amber(chromium, dash_duo, wall_services):
    services = wall_services()
    with services.store.engine.begin() as conn:
        conn.execute(update(source_state).values(last_good_pull_at=START - timedelta(minutes=10)))
    start_signed_in(dash_duo, create_app(services))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?views=backlog,districts")
    stale = dash_duo.find_element(".wall-meter.is-stale")
    assert "Quận 1" in stale.text and "dữ liệu cũ từ 08:50" in stale.text
    grey = dash_duo.driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", stale)
    assert grey == "rgb(155, 161, 169)"
    header = dash_duo.find_element(".wall-header")
    assert "is-stale" in header.get_attribute("class") and "Có nguồn dữ liệu cũ" in header.text
    assert "nguồn cập nhật đúng hạn: 0 / 1" in header.text
    assert dash_duo.get_logs() == []


GAUGE_VALUE = """const gd = document.getElementById('{"name":"gauge","type":"wall-graph"}').querySelector('.js-plotly-plot');
return gd && gd.data ? gd.data[0].value : null;"""


def test_a_data_change_reaches_the_wall_as_a_patch_of_what_changed(chromium, dash_duo, wall_services):
    services = wall_services()
    start_signed_in(dash_duo, create_app(services))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?views=summary")
    driver = dash_duo.driver
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(GAUGE_VALUE) is not None)
    assert round(driver.execute_script(GAUGE_VALUE), 1) == 33.3  # D2 of D1–D3 overdue
    wall_services.source_db.insert("dossiers", dossier("D4", received=START - timedelta(days=9), updated=START))
    Ingestor(services.store, services.clock, services.settings).pull(services.sources[0])
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(GAUGE_VALUE) == 50.0)  # D2 and D4 of four
    assert "4" in dash_duo.find_element(".wall-view.is-active [data-kpi=in_progress]").text
    wall_services.source_db.insert("dossiers", dossier("D5", updated=START))  # this time a patch of the figures
    Ingestor(services.store, services.clock, services.settings).pull(services.sources[0])
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(GAUGE_VALUE) == 40.0)  # D2 and D4 of five
    assert "5" in dash_duo.find_element(".wall-view.is-active [data-kpi=in_progress]").text
    assert dash_duo.get_logs() == []


def test_a_4k_wall_is_drawn_once_at_its_scale(chromium, dash_duo, wall_services):
    start_signed_in(dash_duo, create_app(wall_services()))
    set_viewport(dash_duo.driver, 3840, 2160)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?views=summary")
    dash_duo.wait_for_element(".wall-view.is-active", timeout=10)
    driver = dash_duo.driver
    assert driver.execute_script("return location.search") == "?views=summary&scale=2"  # before the page was asked
    answers = (
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'))"
        ".map(e => e.transferSize)"
    )
    driver.execute_script("performance.clearResourceTimings()")  # the page itself (the router's answer) is drawn
    time.sleep(2.5)  # polls and ticks: the client's scale is the one drawn, so no refresh redraws
    figures = driver.execute_script(answers)
    assert figures and max(figures) < 2000, figures  # polls answered; none carried a new drawing
    assert dash_duo.get_logs() == []


def test_the_default_cartogram_and_the_tile_map_draw_the_24_districts(chromium, dash_duo, wall_services):
    start_signed_in(dash_duo, create_app(wall_services()))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?views=map")
    drawn = WebDriverWait(dash_duo.driver, 10).until(lambda d: d.execute_script(RINGS))
    assert drawn == {"rings": 24, "labels": 24}
    driver = dash_duo.driver
    assert driver.execute_script(CARTOGRAM) == {"uirevision": "wall-map-cartogram", "fills": True}
    assert "Sơ đồ vị trí: mỗi hình tròn là một quận, huyện" in dash_duo.find_element(".wall-map-legend").text
    open_wall(dash_duo, "?views=map&map=tiles")
    drawn = WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.querySelector('.wall-graph-map .js-plotly-plot')"
                                   ".layout.uirevision === 'wall-map-tiles'") and d.execute_script(RINGS)
    )  # fmt: skip
    assert drawn == {"rings": 24, "labels": 24}
    assert only_local_requests(dash_duo) == []
    assert dash_duo.get_logs() == []


@pytest.mark.skipif(
    not (DISTRICT_FILE.exists() and WARD_FILE.exists()), reason="CityScope GeoJSON not in ../shared/data"
)
def test_the_configured_boundary_files_draw_offline(chromium, dash_duo, wall_services):
    services = wall_services(boundary_file=DISTRICT_FILE, ward_boundary_file=WARD_FILE)
    start_signed_in(dash_duo, create_app(services))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?views=map")
    drawn = WebDriverWait(dash_duo.driver, 10).until(lambda d: d.execute_script(RINGS))
    assert drawn["rings"] == 24
    open_wall(dash_duo, "?views=map&map=wards")
    drawn = WebDriverWait(dash_duo.driver, 10).until(
        lambda d: (found := d.execute_script(RINGS)) and found["rings"] > 24 and found
    )
    assert drawn["rings"] == 322
    assert only_local_requests(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_a_tile_click_outside_kiosk_opens_the_units_page(chromium, dash_duo, wall_services):
    start_signed_in(dash_duo, create_app(wall_services()))
    set_viewport(dash_duo.driver, 1920, 1080)
    open_wall(dash_duo, "?views=map&kiosk=0&lang=en")
    driver = dash_duo.driver
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(RINGS))
    label = driver.execute_script(
        "const gd = document.querySelector('.wall-graph-map .js-plotly-plot');"
        "const trace = gd._fullData.find(t => t.name === 'labels');"
        "return gd.querySelectorAll('g.trace')[trace.index].querySelectorAll('g.textpoint')"
        "[trace.customdata.indexOf('quan-1')];"
    )
    ActionChains(driver).move_to_element(label).click().perform()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("/unit/quan-1?lang=en"))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.querySelector('.wall') === null"))


def test_kiosk_on_any_page_hides_the_navigation(chromium, dash_duo, wall_services):
    start_signed_in(dash_duo, create_app(wall_services()))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?kiosk=1")
    dash_duo.wait_for_element(".pulse-kiosk .pulse-header", timeout=10)
    assert not dash_duo.find_element(".pulse-nav").is_displayed()
    assert not dash_duo.find_element(".pulse-lang").is_displayed()
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(".pulse-nav", timeout=10)
    assert dash_duo.find_element(".pulse-nav").is_displayed()
    assert dash_duo.get_logs() == []
