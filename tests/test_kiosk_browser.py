"""In headless Chromium: a desktop page with ``?kiosk=1`` reads from 5 m — the home page and the league, at
1920×1080 (and 3840×2160), have no text under 28 px (56 px), nothing past the screen's edge and no vertical
scrollbar: the league shows its first rows and says how many more there are, the home page its first units to act
on, and the controls that need a mouse are hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.core.settings import Settings
from dashboard.core.vocabulary import DEPARTMENT, DISTRICT
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.league_kiosk import KIOSK_ROWS
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.signin import start_signed_in
from tests.test_wall_browser import set_viewport

pytestmark = pytest.mark.browser
LEAST_PX = 28  # at 1080 p; twice that at 2160 p
KIOSK_UNITS = 3  # assets/home.css: the units to act on the home page shows in kiosk mode

SMALL_TEXT = """
const least = arguments[0];
const own = e => [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
const named = e => {
  const cls = (e.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).join('.');
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (cls ? '.' + cls : '');
};
const found = [];
for (const e of document.querySelectorAll('body *')) {
  const after = getComputedStyle(e, '::after');
  const texts = [];
  if (own(e)) texts.push([getComputedStyle(e), e.textContent.trim()]);
  if (after.content && after.content !== 'none' && after.content !== 'normal') texts.push([after, after.content]);
  for (const [style, text] of texts) {
    const box = e.getBoundingClientRect();
    if (!e.checkVisibility({visibilityProperty: true}) || box.width === 0 || box.height === 0) continue;
    const size = parseFloat(style.fontSize) * (e.currentCSSZoom || 1);  // as drawn: a chart's text is zoomed
    const outside = box.right > innerWidth + 1;
    if (size < least - 0.01 || outside) {
      found.push(`${Math.round(size * 10) / 10} px${outside ? ' (past the edge)' : ''} ${named(e)} «${text.slice(0, 50)}»`);
    }
  }
}
const root = document.documentElement;
return {small: found, scroll: [root.scrollHeight, root.clientHeight, innerHeight]};"""


@pytest.fixture
def city(tmp_path, clock):
    """A source for each of the 24 districts of 2019 and 6 departments (three dossiers each, one overdue), and one
    that cannot be read (an error in the table): a sources table and a league longer than a screen."""
    settings = Settings(data_dir=tmp_path, refresh_ms=500, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    day = START.date()
    units = [
        u
        for u in services.store.units()
        if (u["valid_from"] is None or u["valid_from"] <= day) and (u["valid_to"] is None or day <= u["valid_to"])
    ]
    chosen = [u for u in units if u["kind"] == DISTRICT] + [u for u in units if u["kind"] == DEPARTMENT][:6]
    assert len(chosen) == 30
    opened = []
    services.sources = []
    for i, unit in enumerate(chosen):
        source_db = SourceDB(f"sqlite:///{tmp_path / f'source-{i}.sqlite'}")
        source_db.insert(
            "dossiers",
            dossier(f"D{i}-1", unit=unit["code"]),
            dossier(f"D{i}-2", unit=unit["code"], received=START - timedelta(days=8)),
            dossier(f"D{i}-3", unit=unit["code"], status="completed", completed=START - timedelta(days=1)),
        )
        opened.append(source_db)
        services.sources.append(
            SourceConfig(name=f"nguon-{unit['key']}", unit=unit["key"], url=source_db.url, profile="motcua_v1")
        )
    broken = f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}"
    services.sources.append(SourceConfig(name="nguon-hong", unit=chosen[0]["key"], url=broken, profile="motcua_v1"))
    ingestor = Ingestor(services.store, services.clock, settings, services.calendar)
    for source in services.sources:
        ingestor.pull(source)
    yield services
    services.store.dispose()
    for source_db in opened:
        source_db.dispose()


def _read_from_5_m(dash_duo, scale: float) -> None:
    measured = dash_duo.driver.execute_script(SMALL_TEXT, LEAST_PX * scale)
    assert measured["small"] == [], f"under {LEAST_PX * scale:g} px or past the edge:\n" + "\n".join(measured["small"])
    scroll_height, client_height, inner_height = measured["scroll"]
    assert scroll_height <= client_height == inner_height  # no vertical scrollbar: the page fits the screen


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_the_overview_in_kiosk_mode_reads_from_5_m_on_one_screen(chromium, dash_duo, city, width, height):
    start_signed_in(dash_duo, create_app(city))
    set_viewport(dash_duo.driver, width, height)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?kiosk=1")
    dash_duo.wait_for_element(".pulse-kiosk #home-verdict", timeout=10)
    dash_duo.wait_for_element("#home-map .main-svg text", timeout=10)  # the map's labels are read too
    _read_from_5_m(dash_duo, height / 1080)
    units = dash_duo.driver.find_elements("css selector", "#home-units .home-unit")
    assert len(units) == 8 and [u.is_displayed() for u in units] == [True] * KIOSK_UNITS + [False] * (8 - KIOSK_UNITS)
    for control in (".home-search-box", ".home-period-bar", "#home-alerts", "#home-trend"):
        assert not dash_duo.find_element(control).is_displayed()  # needs a mouse, or the wall's views show it
    assert not dash_duo.find_element(".pulse-nav").is_displayed()
    assert not dash_duo.find_element(".pulse-lang").is_displayed()
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_the_league_in_kiosk_mode_reads_from_5_m_on_one_screen(chromium, dash_duo, city, width, height):
    start_signed_in(dash_duo, create_app(city))
    set_viewport(dash_duo.driver, width, height)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/league?kiosk=1")
    dash_duo.wait_for_element(".pulse-kiosk .pulse-league-grid .ag-row", timeout=10)
    _read_from_5_m(dash_duo, height / 1080)
    driver = dash_duo.driver
    rows = driver.execute_script(
        "return document.querySelectorAll('.pulse-league-grid .ag-center-cols-container .ag-row').length"
    )
    assert rows == KIOSK_ROWS
    more = dash_duo.find_element(".pulse-kiosk-more")
    assert more.text == f"+{24 - KIOSK_ROWS}" and more.is_displayed()  # and the CSS writes " khác" after it
    assert driver.execute_script("return getComputedStyle(arguments[0], '::after').content", more) == '" khác"'
    for control in ("#league-csv", "#league-xlsx", "#league-search"):
        assert not dash_duo.find_element(control).is_displayed()  # what needs a mouse
    assert dash_duo.find_element("#league-periods").is_displayed()
    assert dash_duo.get_logs() == []
