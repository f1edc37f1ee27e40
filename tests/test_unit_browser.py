"""In headless Chromium: the unit tile of Quận 1 shows its figures, its overdue number opens the overdue dossiers,
and at 390 px wide (a phone) nothing is wider than the screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.ids import UnitIds
from tests.callbacks.test_unit import AS_OF, FEEDBACK, ROWS
from tests.factories import SourceDB
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
NO_OVERFLOW = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"


def test_open_the_tile_drill_into_the_overdue_and_fit_a_phone(chromium, dash_duo, tmp_path, clock):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *ROWS)
    db.insert("feedback", *FEEDBACK)
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)]
    clock.set(AS_OF)
    Ingestor(services.store, clock, settings).pull(services.sources[0])

    start_signed_in(dash_duo, create_app(services))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/unit/quan-1")
    dash_duo.wait_for_text_to_equal(f"#{UnitIds.KPI_ON_TIME}", "33,3%", timeout=10)
    assert dash_duo.find_element(f"#{UnitIds.RANK}").text == "Hạng 1/24 ▲1"
    assert dash_duo.find_element(f"#{UnitIds.KPI_OVERDUE}").text == "2"

    dash_duo.find_element(f"#{UnitIds.KPI_OVERDUE}").click()
    dash_duo.wait_for_contains_text(f"#{UnitIds.DRILL}", "Q1-OVERDUE-1", timeout=10)
    listed = dash_duo.find_element(f"#{UnitIds.DRILL}").text
    assert "Hồ sơ quá hạn đang giải quyết: 2 hồ sơ" in listed and "Q1-OVERDUE-2" in listed
    assert "Q1-OPEN" not in listed and "list=overdue" in dash_duo.driver.current_url
    dash_duo.wait_for_element(".js-plotly-plot .main-svg")  # the charts drew (offline: plotly.js is served locally)
    assert dash_duo.driver.find_elements("css selector", ".modebar-btn") == []  # no toolbar, no "share" online

    dash_duo.driver.set_window_size(390, 844)
    WebDriverWait(dash_duo.driver, 5).until(lambda driver: driver.execute_script("return innerWidth") <= 390)
    WebDriverWait(dash_duo.driver, 5).until(lambda driver: driver.execute_script(NO_OVERFLOW))
    dash_duo.driver.get(f"{dash_duo.server_url}/unit/quan-1?list=late_no_apology")  # a fresh load at phone width
    dash_duo.wait_for_contains_text(f"#{UnitIds.DRILL}", "Q1-LATE", timeout=10)
    dash_duo.wait_for_element(".js-plotly-plot .main-svg")
    assert dash_duo.driver.execute_script(NO_OVERFLOW)
    assert dash_duo.get_logs() == []
    services.store.dispose()
    db.dispose()
