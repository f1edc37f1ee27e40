"""In headless Chromium: open the district league, sort it by clicking column headers, and click a unit to land on
its tile."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.web.app import create_app
from layouts.ids import LeagueIds
from tests import league_scenario
from tests.factories import counting_every_dossier
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser

SHOWN_NAMES = f"""
    const rows = [...document.querySelectorAll('#{LeagueIds.GRID} .ag-pinned-left-cols-container .ag-row')];
    rows.sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')));
    return rows.map(row => row.querySelector('[col-id="name"] .pulse-league-unit-link').textContent);
"""


def shown_names(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(SHOWN_NAMES)


def wait_for_first(dash_duo, names: list[str]) -> None:
    WebDriverWait(dash_duo.driver, 10).until(lambda _driver: shown_names(dash_duo)[: len(names)] == names)


def test_sort_the_district_league_and_open_a_unit(chromium, dash_duo, tmp_path, settings, clock):
    services, databases = league_scenario.build(tmp_path, settings, clock)
    services.index_config = counting_every_dossier(services.index_config)  # its handful of dossiers, ranked
    start_signed_in(dash_duo, create_app(services))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/league?lang=vi&kind=district&period=30d")
    dash_duo.wait_for_element(f"#{LeagueIds.GRID} .pulse-league-unit-link", timeout=15)
    wait_for_first(dash_duo, ["Quận 3", "Quận 4", "Quận 1"])  # rank order: the two tied at 1, then 3
    quan_3 = dash_duo.find_element(f"#{LeagueIds.GRID} .ag-row.pulse-league-row-stale")
    assert "dữ liệu cũ từ 14:00 27/11" in quan_3.text

    dash_duo.find_element(f'#{LeagueIds.GRID} .ag-header-cell[col-id="name"] .ag-header-cell-label').click()
    wait_for_first(dash_duo, ["Huyện Bình Chánh", "Huyện Cần Giờ", "Huyện Củ Chi"])  # Vietnamese order
    names = shown_names(dash_duo)
    assert names.index("Quận 2") < names.index("Quận 10")  # numbers by value

    score_header = dash_duo.find_element(f'#{LeagueIds.GRID} .ag-header-cell[col-id="score"] .ag-header-cell-label')
    score_header.click()  # best first
    wait_for_first(dash_duo, ["Quận 3", "Quận 4", "Quận 1"])
    score_header.click()  # worst first, units without data still last
    wait_for_first(dash_duo, ["Quận 1"])
    assert shown_names(dash_duo)[1:3] == ["Quận 3", "Quận 4"]

    search = dash_duo.find_element(f"#{LeagueIds.SEARCH}")
    search.send_keys("Quận 1\n")  # AG Grid's quick filter, on unit names only
    wait_for_first(dash_duo, ["Quận 1", "Quận 10", "Quận 11", "Quận 12"])
    assert len(shown_names(dash_duo)) == 4

    link = next(
        element
        for element in dash_duo.find_elements(f"#{LeagueIds.GRID} .pulse-league-unit-link")
        if element.text == "Quận 1"
    )
    link.click()
    WebDriverWait(dash_duo.driver, 10).until(lambda driver: "/unit/quan-1" in driver.current_url)
    assert dash_duo.driver.current_url.endswith("/unit/quan-1?lang=vi")
    dash_duo.wait_for_contains_text("h1", "Quận 1", timeout=10)  # the tile, reached without a page load
    assert [entry for entry in dash_duo.get_logs() if "favicon" not in entry["message"]] == []
    services.store.dispose()
    for database in databases:
        database.dispose()
