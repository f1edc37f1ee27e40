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
from layouts.ids import TodoIds, UnitIds
from tests.callbacks.test_unit import AS_OF, FEEDBACK, ROWS
from tests.factories import SourceDB, counting_every_dossier
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
NO_OVERFLOW = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"
# the to-do's parts: the verdict and each list (or its "nothing to do" line), by id
TODO = (TodoIds.VERDICT, UnitIds.OVERDUE, TodoIds.DUE_SOON, UnitIds.NO_APOLOGY)
TOPS = "return arguments[0].map(function (id) { return document.getElementById(id).getBoundingClientRect().top; });"


def test_open_the_tile_drill_into_the_overdue_and_fit_a_phone(chromium, dash_duo, tmp_path, clock):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *ROWS)
    db.insert("feedback", *FEEDBACK)
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.index_config = counting_every_dossier(services.index_config)  # a handful of dossiers, ranked
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)]
    clock.set(AS_OF)
    Ingestor(services.store, clock, settings).pull(services.sources[0])

    start_signed_in(dash_duo, create_app(services))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/unit/quan-1")
    dash_duo.wait_for_text_to_equal(f"#{UnitIds.KPI_ON_TIME}", "33,3%", timeout=10)
    assert dash_duo.find_element(f"#{UnitIds.RANK}").text == "Hạng 1/2 · ▲ 1 bậc"
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


def viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (not the window) `width` × `height`."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [innerWidth, innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    WebDriverWait(driver, 5).until(lambda d: d.execute_script("return [innerWidth, innerHeight]") == [width, height])


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_what_to_act_on_is_on_the_first_screen(chromium, dash_duo, tmp_path, clock, width, height):
    """Issue 15: the overdue list started near y = 1950 at 1440 × 900, five screens down on a phone. The verdict and
    the three lists (overdue, due soon, late without an apology) now start within the first screen."""
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *ROWS)
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)]
    clock.set(AS_OF)
    Ingestor(services.store, clock, settings).pull(services.sources[0])

    start_signed_in(dash_duo, create_app(services))
    viewport(dash_duo.driver, width, height)
    dash_duo.driver.get(f"{dash_duo.server_url}/unit/quan-1")  # loaded at this size
    dash_duo.wait_for_contains_text(f"#{UnitIds.OVERDUE}", "Q1-OVERDUE-1", timeout=10)
    dash_duo.wait_for_element(".js-plotly-plot .main-svg")  # the page below has drawn too
    assert "2 hồ sơ quá hạn" in dash_duo.find_element(f"#{TodoIds.VERDICT}").text  # items to act on
    tops = dash_duo.driver.execute_script(TOPS, [str(part) for part in TODO])
    assert all(0 <= top < height for top in tops), dict(zip(TODO, tops, strict=True))
    assert dash_duo.driver.execute_script(NO_OVERFLOW)
    assert dash_duo.get_logs() == []
    services.store.dispose()
    db.dispose()
