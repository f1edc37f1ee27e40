"""In headless Chromium: nothing on the wall is smaller than 28 px at 1920×1080, or 56 px at 3840×2160 — its
HTML and the text of its Plotly figures alike (the gauge's ticks and number, the map's labels or message), in every
view — for the city of 2019 (24 districts) and today's (168 wards and communes), with the longest names of units
and more alerts than fit; and every view still fits its screen, with no text cut."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import update

from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.core.settings import Settings
from dashboard.core.vocabulary import DEPARTMENT, DISTRICT
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.store.schema import source_state
from dashboard.web.app import create_app
from layouts.wall_model import VIEWS
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.signin import start_signed_in
from tests.test_wall_browser import FITS, open_wall, set_viewport

pytestmark = pytest.mark.browser
LEAST_PX = 28  # at 1080 p; twice that at 2160 p
ERAS = {"2019": START, "2025": datetime(2025, 11, 26, 9, 0, tzinfo=CITY_TZ)}
LOCAL_KINDS = {"2019": {DISTRICT}, "2025": {"ward", "commune"}}
LONGEST = 6  # of each league, the units with the longest names get a source (so the wall writes their names)

SMALL_TEXT = """
const least = arguments[0];
const own = e => [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
const named = e => {
  const cls = (e.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).join('.');
  return e.tagName.toLowerCase() + (cls ? '.' + cls : '');
};
const found = [];
for (const e of document.querySelectorAll('.wall *')) {
  if (!own(e)) continue;
  const style = getComputedStyle(e), box = e.getBoundingClientRect();
  if (style.visibility !== 'visible' || box.width === 0 || box.height === 0) continue;
  const size = parseFloat(style.fontSize);
  const cut = style.display !== 'inline' && style.overflow !== 'visible'
    && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
  if (size < least - 0.01 || cut) {
    found.push({size: Math.round(size * 10) / 10, cut: cut, what: named(e), text: e.textContent.trim().slice(0, 50)});
  }
}
return found;"""
SHOW = """
document.querySelectorAll('.wall-view').forEach(v => {
  v.className = v.dataset.view === arguments[0] ? 'wall-view is-active' : 'wall-view';
});"""
ONE_SHOWN = """
const shown = [...document.querySelectorAll('.wall-view')].filter(v => getComputedStyle(v).visibility === 'visible');
return shown.length === 1 && shown[0].classList.contains('is-active');"""
GAUGE_FONT = """
const gd = document.querySelector('.wall-graph-gauge .js-plotly-plot');
return gd && gd._fullLayout ? gd.layout.font.size : null;"""


def rows(code: str, prefix: str, now: datetime) -> list[dict]:
    """Two dossiers completed (one late), two open (one overdue): half the backlog overdue, an alarm."""
    day = timedelta(days=1)
    return [
        dossier(f"{prefix}-1", unit=code, received=now - 10 * day, days=5, status="completed", completed=now - 7 * day),
        dossier(f"{prefix}-2", unit=code, received=now - 9 * day, days=2, status="completed", completed=now - 5 * day),
        dossier(f"{prefix}-3", unit=code, received=now - 8 * day, days=3),
        dossier(f"{prefix}-4", unit=code, received=now - timedelta(hours=2), days=10),
    ]


def _valid(unit: dict, day: date) -> bool:
    return (unit["valid_from"] is None or unit["valid_from"] <= day) and (
        unit["valid_to"] is None or day <= unit["valid_to"]
    )


@pytest.fixture
def city(tmp_path):
    """A store on a day of `era`, with a source for each of the local units and departments of the longest names
    (each half overdue: more alerts than the wall lists), one of them stale."""
    opened: list[SourceDB] = []
    built: list[Services] = []

    def build(era: str) -> Services:
        now = ERAS[era]
        (tmp_path / era).mkdir()
        settings = Settings(data_dir=tmp_path / era, refresh_ms=500, safety_lag_s=0)
        services = Services.build(settings, FixedClock(now))
        assert services.store.hold_lease("tests").acquire()
        units = [u for u in services.store.units() if _valid(u, now.date())]
        chosen = []
        for kinds in (LOCAL_KINDS[era], {DEPARTMENT}):
            of_kind = [u for u in units if u["kind"] in kinds and u["ranked"]]
            chosen += sorted(of_kind, key=lambda u: (-len(u["name_vi"]), u["key"]))[:LONGEST]
        services.sources = []
        for i, unit in enumerate(chosen):
            source_db = SourceDB(f"sqlite:///{tmp_path / f'{era}-{i}.sqlite'}")
            source_db.insert("dossiers", *rows(unit["code"], f"D{i}", now))
            opened.append(source_db)
            services.sources.append(
                SourceConfig(name=f"nguon-{unit['key']}", unit=unit["key"], url=source_db.url, profile="motcua_v1")
            )
        ingestor = Ingestor(services.store, services.clock, settings, services.calendar)
        for source in services.sources:
            ingestor.pull(source)
        with services.store.engine.begin() as conn:  # one source stale: the header turns amber and says so
            stale = source_state.c.source == services.sources[0].name
            conn.execute(update(source_state).where(stale).values(last_good_pull_at=now - timedelta(hours=3)))
        built.append(services)
        return services

    yield build
    for services in built:
        services.store.dispose()
    for source_db in opened:
        source_db.dispose()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("era", list(ERAS))
@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_no_text_on_the_wall_is_under_28_px_at_1080p_and_none_is_cut(
    chromium, dash_duo, city, era, lang, width, height
):
    start_signed_in(dash_duo, create_app(city(era)))
    set_viewport(dash_duo.driver, width, height)
    open_wall(dash_duo, f"?dwell=3600&lang={lang}")
    scale = round(height / 1080, 2)
    least = LEAST_PX * scale
    driver = dash_duo.driver
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(GAUGE_FONT) == least)  # drawn at the screen's scale
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return !!document.querySelector('.wall-stale-flag')"))
    offenders: list[str] = []
    for view in VIEWS:
        driver.execute_script(SHOW, view)
        WebDriverWait(driver, 5).until(lambda d: d.execute_script(ONE_SHOWN))  # the one before has faded out
        offenders += [
            f"{view}: {found['size']} px{' (cut)' if found['cut'] else ''} {found['what']} «{found['text']}»"
            for found in driver.execute_script(SMALL_TEXT, least)
        ]
    assert offenders == [], f"under {least:g} px or cut at {width}×{height} ({era}, {lang}):\n" + "\n".join(offenders)
    measured = driver.execute_script(FITS)
    scroll_width, client_width, scroll_height, client_height = measured["page"]
    assert scroll_width <= client_width and scroll_height <= client_height
    assert measured["wall"] == [width, height, width, height]
    assert measured["overflowing"] == []
    assert dash_duo.get_logs() == []
