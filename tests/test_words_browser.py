"""In headless Chromium: every word a page shows comes from the catalogue, in the page's language.

In the pseudo-locale (setting `pseudo_locale`: each catalogue string between ⟦ and ⟧) every page — home, leagues,
a district's and a department's tile, the wall, alerts, sources, briefings, the audit log, sign-in, not found —
shows no text outside the marks but digits, punctuation, symbols, dates and times; proper names carry their own
`lang` (layouts.names) and machine identifiers are `<code>`, both exempt. The tooltips, placeholders and aria
labels likewise. In Vietnamese and English, `<html lang>` is the page's language and the tab names the page, also
after the language is switched without a reload.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.auth.roles import ADMIN, LEADER
from dashboard.briefings.snapshot import take
from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.core.i18n import t
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from dashboard.web.sessions import SESSION_COOKIE
from layouts.ids import ShellIds
from tests.factories import SourceDB, dossier
from tests.signin import account, session_cookie, start_signed_in

pytestmark = pytest.mark.browser
AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
DAY = timedelta(days=1)
UNITS = (  # source name, unit key, unit code in the source, late, on time, overdue
    ("quan-1", "quan-1", "760", 1, 3, 1),
    ("binh-tan", "quan-binh-tan", "777", 2, 2, 2),
    ("tu-phap", "so-tu-phap", "so-tu-phap", 0, 3, 1),
)
LEADER_PAGES = (
    "/",
    "/league",
    "/league?kind=department",
    "/unit/quan-1",
    "/unit/so-tu-phap",
    "/wall",
    "/alerts",
    "/sources",
    "/briefings",
    "/no-such-page",
)
ADMIN_PAGES = ("/audit", "/sources")

# Every visible text node and every title / placeholder / aria-label / alt of the page, with what is left of it
# once the ⟦…⟧ marks are taken out; exempt: inside a name (`[lang]` below <html>) or a `<code>`. The marks are taken
# out of all text nodes in a row, so a catalogue string split by markup (a bold number inside) still reads as one.
ESCAPED = r"""
const SEP = '\u0001';
const exempt = el => !!el.closest('[lang]:not(html), code, script, style, noscript, template');
const visible = el => el.checkVisibility ? el.checkVisibility({visibilityProperty: true, opacityProperty: false})
                                        : !!el.getClientRects().length;
const strip = s => { let prev; do { prev = s; s = s.replace(/⟦[^⟦⟧]*⟧/g, ''); } while (s !== prev); return s; };
const wordy = s => /[\p{L}]/u.test(s);  // letters left: words outside the catalogue (digits, marks are data)
const named = el => {
  const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean).slice(0, 2).join('.');
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls : '');
};
const found = [];
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || !node.textContent.trim()) continue;
  texts.push(SEP, exempt(el) || !visible(el) ? '' : node.textContent);
}
for (const piece of strip(texts.join('')).split(SEP)) {
  if (wordy(piece)) found.push({what: 'text', text: piece.trim().slice(0, 80)});
}
// the pieces above lost their element; name it for each escaped text node
for (const item of found) {
  const walker2 = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker2.nextNode(); node; node = walker2.nextNode()) {
    if (node.textContent.includes(item.text.slice(0, 20))) { item.what = named(node.parentElement); break; }
  }
}
for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
  if (exempt(el)) continue;
  for (const attr of ['title', 'placeholder', 'aria-label', 'alt']) {
    const value = el.getAttribute(attr);
    if (value && wordy(strip(value))) found.push({what: named(el) + '@' + attr, text: value.slice(0, 80)});
  }
}
for (const el of document.body.querySelectorAll('[lang]')) {  // a lang inside the page marks a name, nothing else
  if (!el.hasAttribute('data-name')) found.push({what: named(el) + '@lang', text: el.getAttribute('lang')});
}
return found;
"""
BUSY = "return !!document.querySelector('[data-dash-is-loading=\"true\"], ._dash-loading');"


def rows(unit: str, prefix: str, late: int, on_time: int, overdue: int) -> list[dict]:
    """`late` completed after their due, `on_time` before it, `overdue` open past it, each received 10 days ago."""
    received = AS_OF - 10 * DAY
    made = [dossier(f"{prefix}-L{i}", unit=unit, received=received, days=3, status="completed",
                    completed=received + 5 * DAY) for i in range(late)]  # fmt: skip
    made += [dossier(f"{prefix}-T{i}", unit=unit, received=received, days=5, status="completed",
                     completed=received + 2 * DAY, rating="satisfied") for i in range(on_time)]  # fmt: skip
    made += [dossier(f"{prefix}-O{i}", unit=unit, received=received, days=3) for i in range(overdue)]
    return made


def feedback(unit: str, prefix: str) -> list[dict]:
    """One answered on time, one open and overdue."""
    received = AS_OF - 6 * DAY
    base = {"unit": unit, "category": "Môi trường", "channel": "app", "rating": None, "lat": 10.78, "lon": 106.70}
    return [
        base | {"native_id": f"{prefix}-F1", "received_at": received, "due_at": received + 5 * DAY,
                "answered_at": received + DAY, "status": "answered", "source_updated_at": received + DAY},
        base | {"native_id": f"{prefix}-F2", "received_at": received, "due_at": received + 2 * DAY,
                "answered_at": None, "status": "open", "source_updated_at": received},
    ]  # fmt: skip


@pytest.fixture
def city(tmp_path):
    """A small city at 15:00 on 27/11/2019 in `language` (or the pseudo-locale): Quận 1, Bình Tân and the Sở Tư
    pháp with dossiers and feedback pulled, and a briefing snapshot."""
    made: list[tuple[Services, list[SourceDB]]] = []

    def build(**options) -> Services:
        folder = tmp_path / str(len(made))
        folder.mkdir()
        settings = Settings(data_dir=folder, refresh_ms=500, safety_lag_s=0, **options)
        services = Services.build(settings, FixedClock(AS_OF))
        assert services.store.hold_lease("tests").acquire()
        databases, services.sources = [], []
        for name, unit, code, late, on_time, overdue in UNITS:
            db = SourceDB(f"sqlite:///{folder / f'{name}.sqlite'}")
            db.insert("dossiers", *rows(code, name.upper(), late, on_time, overdue))
            db.insert("feedback", *feedback(code, name.upper()))
            databases.append(db)
            services.sources.append(SourceConfig(name=name, unit=unit, url=db.url, profile="motcua_v1", interval=60))
        ingestor = Ingestor(services.store, services.clock, settings, services.calendar)
        for source in services.sources:
            ingestor.pull(source)
        take(services, "30d", AS_OF, "lanh-dao")
        made.append((services, databases))
        return services

    yield build
    for services, databases in made:
        services.store.dispose()
        for db in databases:
            db.dispose()


def settle(driver) -> None:
    """Wait until no callback is pending (the router's, then each section's)."""
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return !!document.querySelector('[data-page-title]')"))
    WebDriverWait(driver, 15).until(lambda d: not d.execute_script(BUSY))


def escaped_on(dash_duo, path: str) -> list[dict]:
    """What `path` shows outside the catalogue once its callbacks have filled it (read until two reads agree)."""
    dash_duo.driver.get(f"{dash_duo.server_url}{path}")
    try:
        settle(dash_duo.driver)
    except TimeoutException:
        return [{"what": "the page", "text": "did not render within 15 s"}]
    last: list[dict] | None = None

    def stable(driver) -> bool:
        nonlocal last
        now = driver.execute_script(ESCAPED)
        agreed, last = now == last, now
        return agreed and not driver.execute_script(BUSY)

    WebDriverWait(dash_duo.driver, 15, poll_frequency=0.5).until(stable)
    return last or []


def test_in_the_pseudo_locale_no_page_shows_a_word_outside_the_catalogue(chromium, dash_duo, city):
    app = create_app(city(pseudo_locale=True))
    start_signed_in(dash_duo, app, LEADER)
    escaped = {path: escaped_on(dash_duo, path) for path in LEADER_PAGES}
    dash_duo.driver.add_cookie({"name": SESSION_COOKIE, "value": session_cookie(app, account(app, ADMIN))})
    escaped |= {f"{path} (admin)": escaped_on(dash_duo, path) for path in ADMIN_PAGES}
    dash_duo.driver.delete_all_cookies()
    escaped["/signin"] = escaped_on_plain(dash_duo, "/signin")
    report = "\n".join(f"{path}: {item['what']}: {item['text']!r}" for path, items in escaped.items() for item in items)
    assert not report, f"words outside the catalogue:\n{report}"


def escaped_on_plain(dash_duo, path: str) -> list[dict]:
    """The same reading of a plain page of the server's own (no Dash, nothing to wait for)."""
    dash_duo.driver.get(f"{dash_duo.server_url}{path}")
    return dash_duo.driver.execute_script(ESCAPED)


def document_marks(driver) -> tuple[str, str]:
    lang, title = driver.execute_script("return [document.documentElement.lang, document.title];")
    return lang, title


HEADING = "const h = document.querySelector('h1'); return h ? h.textContent : null;"


def named_tab(driver, lang: str) -> bool:
    """Whether `<html lang>` is `lang` and the tab reads "<the page's heading> · CCHC Pulse"."""
    heading = driver.execute_script(HEADING)
    return heading is not None and document_marks(driver) == (lang, f"{heading} · CCHC Pulse")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_html_lang_and_the_tab_title_follow_the_page(chromium, dash_duo, city, lang):
    app = create_app(city(language=lang))
    other = "en" if lang == "vi" else "vi"
    start_signed_in(dash_duo, app, LEADER, path="/")
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/league")
    settle(driver)
    WebDriverWait(driver, 10).until(lambda d: named_tab(d, lang))
    assert driver.execute_script("return document.querySelectorAll('[lang]:not(html):not([data-name])').length") == 0

    heading = driver.execute_script(HEADING)
    dash_duo.find_element(f"#{ShellIds.LANG_EN if lang == 'vi' else ShellIds.LANG_VI}").click()  # no reload
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(HEADING) != heading and named_tab(d, other))

    driver.get(f"{dash_duo.server_url}/sources?lang={other}")  # a fresh load in the other language
    assert driver.execute_script("return document.documentElement.lang") == other  # before any callback ran
    WebDriverWait(driver, 10).until(lambda d: named_tab(d, other))
    assert driver.execute_script(HEADING) == t("sourcespage.title", other)

    driver.get(f"{dash_duo.server_url}/signin?lang={lang}")
    assert named_tab(driver, lang) and driver.execute_script(HEADING) == t("auth.title", lang)
    assert dash_duo.get_logs() == []
