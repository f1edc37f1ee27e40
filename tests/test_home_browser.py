"""In headless Chromium: the home page a leader opens first — the verdict, the map, the units to act on linking to
their tiles, the alerts, the period picker changing the figures, the jump-to-unit search found without diacritics,
and no sources table (a freshness line linking to /sources); at 390 px (a phone) nothing is wider than the screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.ids import HomeIds, OverviewIds
from tests.conftest import START
from tests.factories import SourceDB
from tests.pages.test_overview import city_rows
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
NO_OVERFLOW = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"


@pytest.fixture
def city(tmp_path, clock):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *city_rows())
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)]
    clock.set(START)
    Ingestor(services.store, clock, settings).pull(services.sources[0])
    yield services
    services.store.dispose()
    db.dispose()


def test_the_home_page_a_leader_opens_first(chromium, dash_duo, city):
    start_signed_in(dash_duo, create_app(city))
    dash_duo.wait_for_contains_text(f"#{HomeIds.VERDICT}", "20,0% hồ sơ đang giải quyết quá hạn", timeout=15)
    assert "▼ tốt hơn hôm qua (25,0%)" in dash_duo.find_element(f"#{HomeIds.VERDICT}").text
    dash_duo.wait_for_element(f"#{HomeIds.MAP} .main-svg")  # the map drew (offline: plotly.js is served locally)
    drawn = dash_duo.find_element(f"#{HomeIds.MAP}").text.split("\n")  # every district, by name, with its share
    assert len(drawn) == 24 and "Quận 150,0%" in drawn and "Cần Giờ—" in drawn

    units = dash_duo.find_elements(f"#{HomeIds.UNITS} li a")
    assert [(a.text, a.get_attribute("href").split("/", 3)[3]) for a in units] == [
        ("Quận 1", "unit/quan-1?lang=vi"),
        ("Quận Bình Thạnh", "unit/quan-binh-thanh?lang=vi"),
    ]
    alerts = dash_duo.find_element(f"#{HomeIds.ALERTS}").text
    assert "Quận 1: 50,0% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)" in alerts
    assert dash_duo.find_element(f"#{HomeIds.ALERTS} a").get_attribute("href").endswith("/alerts?lang=vi")

    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "table") == []  # the sources' table is /sources now
    freshness = dash_duo.find_element(f"#{OverviewIds.SOURCES}")
    assert freshness.text == "Nguồn dữ liệu: 1 / 1 bình thường — chi tiết từng nguồn"
    assert freshness.find_element(By.TAG_NAME, "a").get_attribute("href").endswith("/sources?lang=vi")

    assert dash_duo.find_element(f"#{OverviewIds.ON_TIME}").text == "50,0%"  # 30 days: 1 of 2 on time
    period = dash_duo.driver.find_element(By.XPATH, f"//*[@id='{HomeIds.PERIODS}']//label[normalize-space()='7 ngày']")
    period.click()
    dash_duo.wait_for_text_to_equal(f"#{OverviewIds.ON_TIME}", "100,0%", timeout=15)  # 7 days: the late one is older
    assert "7 ngày: 00:00 21/11/2019" in dash_duo.find_element(f"#{HomeIds.PERIOD_LINE}").text

    dash_duo.find_element(f"#{HomeIds.SEARCH}").click()
    typed = dash_duo.driver.switch_to.active_element
    typed.send_keys("binh thanh")
    shown = WebDriverWait(dash_duo.driver, 10).until(
        lambda driver: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if "Bình Thạnh" in o.text]
    )
    assert [o.text for o in shown] == ["Quận Bình Thạnh"]
    shown[0].click()
    WebDriverWait(dash_duo.driver, 10).until(lambda driver: "/unit/quan-binh-thanh" in driver.current_url)
    dash_duo.wait_for_contains_text("h1", "Quận Bình Thạnh", timeout=15)
    assert dash_duo.get_logs() == []


def test_the_home_page_fits_a_phone(chromium, dash_duo, city):
    start_signed_in(dash_duo, create_app(city))
    dash_duo.driver.set_window_size(390, 844)
    WebDriverWait(dash_duo.driver, 5).until(lambda driver: driver.execute_script("return innerWidth") <= 390)
    dash_duo.driver.get(f"{dash_duo.server_url}/?lang=en")
    dash_duo.wait_for_contains_text(f"#{HomeIds.VERDICT}", "20.0% of dossiers in progress are overdue", timeout=15)
    dash_duo.wait_for_element(f"#{HomeIds.MAP} .main-svg")
    assert dash_duo.driver.execute_script(NO_OVERFLOW)
    units = dash_duo.find_element(f"#{HomeIds.UNITS}").rect
    map_panel = dash_duo.find_element(f"#{HomeIds.MAP}").rect
    assert units["y"] > map_panel["y"] + map_panel["height"] - 1  # one column: the units below the map
    assert dash_duo.get_logs() == []
