"""The offline HTML briefing: one file that holds everything it shows (plotly.js once, no URL outside it), the
briefing's figures drawn by the pages' own builders, escaped NFC text, and, in headless Chromium with the network
cut, charts that draw and tables that read."""

from __future__ import annotations

import copy
import json
import re
import unicodedata

import pytest
from plotly.offline import get_plotlyjs
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.briefings import figures
from dashboard.briefings.render_html import page
from dashboard.briefings.report import report
from dashboard.core.geo import TileCell
from dashboard.core.settings import Settings
from tests.conftest import pytest_setup_options

PLOTS = ("chart-gauge", "chart-map", "chart-league-district", "chart-league-department")
DRAWN = """
return [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  id: gd.id, traces: gd.querySelectorAll('.trace').length, paths: gd.querySelectorAll('.main-svg path').length,
  labels: gd.querySelectorAll('g.textpoint').length}));"""
WATCH_POLICY = """window.__blocked = [];
document.addEventListener('securitypolicyviolation', e => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));"""


def without_bundle(text: str) -> str:
    """The page with its one inlined copy of plotly.js taken out: all that is the project's own."""
    assert text.count(get_plotlyjs()) == 1
    return text.replace(get_plotlyjs(), "")


def test_the_file_holds_everything_it_needs_and_points_nowhere(briefing):
    """plotly.js is inlined exactly once, inside a <script> without src; outside the bundle there is no URL at all
    (no script src, stylesheet link, CSS url() or @import, CDN, font or MathJax), a policy forbids every fetch,
    and the text is UTF-8, NFC, in the language asked for."""
    text = page(briefing[3])
    own = without_bundle(text)
    assert text.startswith('<!DOCTYPE html>\n<html lang="vi">') and '<meta charset="utf-8">' in own
    assert re.findall(r"https?:|//cdn|<script[^>]*\bsrc\s*=|<link\b|@import|url\(|@font-face", own, re.I) == []
    assert "<script></script>" in own and own.count("<script") == len(PLOTS) + 2  # PlotlyConfig, bundle, charts
    assert "default-src 'none'" in own and "connect-src 'none'" in own
    assert own.count('"typesetMath":false') == len(PLOTS) and "MathJaxConfig: 'local'" in own
    assert unicodedata.is_normalized("NFC", text)
    assert all(f'id="{name}"' in own for name in PLOTS)
    assert "@media print" in own


def test_the_cover_tables_and_alerts_say_what_the_snapshot_holds(briefing):
    _, _, _, made = briefing
    own = without_bundle(page(made))
    for fact in ("30 ngày", "29/10/2019 00:00 – 27/11/2019 15:00", "<dd>27/11/2019 15:00</dd>", "<dd>10</dd>"):
        assert fact in own
    assert f"<code>{made.content_hash}</code>" in own and len(made.content_hash) == 64
    assert all(f"<code>{digest}</code>" in own for digest in made.computed_with.values())
    for section in ("city", "leagues", "attention", "alerts", "freshness"):
        assert f'<section id="{section}">' in own
    assert '<section id="changes">' not in own  # no earlier snapshot given
    assert "<td>Quận 3</td>" in own and "<td class=num>50,0%</td>" in own  # 4 of 8 resolved on time
    assert "Quận 3: 100,0% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)" in own
    english = without_bundle(page(made, "en"))
    assert '<html lang="en">' in english and "<td>District 3</td>" in english and "<td class=num>50.0%</td>" in english


def test_what_changed_is_shown_when_the_report_has_an_earlier_snapshot(briefing):
    _, _, body, made = briefing
    earlier = copy.deepcopy(body)
    earlier["as_of"] = "2019-11-20T15:00:00+07:00"
    earlier["alerts"] = []
    for unit in earlier["kpis"]["units"]:
        if unit["unit"]["key"] == "quan-3":
            unit["kpis"]["backlog"]["overdue"] = 0
    own = without_bundle(page(report(body, made.content_hash, previous=earlier)))
    changes = own[own.index('<section id="changes">') :]
    changes = changes[: changes.index("</section>")]
    assert "Thay đổi so với bản chụp lúc 20/11/2019 15:00" in changes
    assert "<td>Quận 3</td>" in changes and "mới có hồ sơ quá hạn" in changes
    assert "Cảnh báo mới" in changes and "Quận 3: 100,0% hồ sơ" in changes


def test_every_text_is_escaped_and_no_name_can_close_a_script(briefing):
    _, _, body, made = briefing
    hostile = '</script><script>alert("x")</script> & Co'
    changed = copy.deepcopy(body)
    for row in changed["leagues"]["district"]["rows"]:
        if row["unit_key"] == "quan-3":
            row["name_vi"] = hostile
    for unit in changed["kpis"]["units"]:
        if unit["unit"]["key"] == "quan-3":
            unit["unit"]["name_vi"] = unit["unit"]["short_name_vi"] = hostile
    own = without_bundle(page(report(changed, made.content_hash)))
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in own
    assert 'alert("x")' not in own.replace('\\u003c/script>\\u003cscript>alert(\\"x\\")', "")
    assert own.count("</script>") == own.count("<script")


def test_the_same_report_gives_the_same_file(briefing):
    assert page(briefing[3]) == page(briefing[3])


def test_the_figures_are_the_pages_own_rebuilt_from_the_snapshot(briefing):
    _, _, body, made = briefing
    limits = figures.limits(made)  # the snapshot keeps no limits: the settings' defaults
    assert (limits.overdue_warn, limits.overdue_alarm) == (
        Settings.model_fields["wall_overdue_warn"].default,
        Settings.model_fields["wall_overdue_alarm"].default,
    )
    assert figures.limits(report({**body, "limits": {"overdue_alarm": 0.5}}, "x")).overdue_alarm == 0.5
    [indicator] = figures.gauge(made, "vi")["data"]
    assert indicator["value"] == 100.0 and indicator["gauge"]["threshold"]["value"] == 10.0  # 4 of 4 overdue
    quan_3 = figures.unit_statuses(made)["quan-3"]
    assert (quan_3.backlog.in_progress, quan_3.backlog.overdue, quan_3.rank, quan_3.on_time.value) == (3, 3, 2, 0.5)
    assert quan_3.label("vi") == "Quận 3" and quan_3.level(limits) == "alarm"
    tiles = figures.tile_map(made, "vi")
    [labels] = [trace for trace in tiles["data"] if trace["name"] == "labels"]
    assert len(labels["text"]) == 24 and any(
        text.startswith("Quận 3<br>") and "100,0%" in text for text in labels["text"]
    )
    elsewhere = figures.tile_map(made, "vi", cells=[TileCell("somewhere-else", 0, 0)])
    assert elsewhere["data"] == [] and "24" in elsewhere["layout"]["annotations"][0]["text"]
    drawn = figures.all_figures(made, "vi")
    assert list(drawn) == ["gauge", "map", "league-district", "league-department"]
    [bars] = drawn["league-district"]["data"]
    assert bars["y"] == ["1. Quận 1", "2. Quận 3"] and bars["text"][1] == "23,81 · yếu"
    types = {trace["type"] for figure in drawn.values() for trace in figure["data"]}
    assert types <= {"indicator", "scatter", "bar"}  # no geo or tile trace: nothing to fetch
    json.dumps(drawn)  # plain data, as kaleido wants it


@pytest.fixture
def offline_chromium(chromium):
    """Headless Chromium with the repo's options, the network emulated offline, every request logged."""
    options = pytest_setup_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        offline = {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0}
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_POLICY})
        yield driver
    finally:
        driver.quit()


@pytest.mark.browser
def test_the_file_opens_from_disk_offline_and_draws_every_chart(briefing, offline_chromium, tmp_path, capsys):
    """The network is cut, and each way out is watched: DevTools emulates an offline network
    (`Network.emulateNetworkConditions`, offline), so anything fetched from outside would fail and its chart not
    draw; the performance log lists every request the page made (`Network.requestWillBeSent`), and the only one
    must be the file itself; the file's own Content-Security-Policy refuses fetches, and every refusal is recorded
    (`securitypolicyviolation`) and must be none; and the console must stay free of errors. Then each chart must
    have drawn marks, the map its 24 tiles' labels, and the tables their figures."""
    path = tmp_path / "briefing.html"
    path.write_text(page(briefing[3]), encoding="utf-8")
    with capsys.disabled():
        print(f"\noffline HTML briefing: {path.stat().st_size:,} bytes")
    driver = offline_chromium
    driver.get(path.as_uri())
    try:
        WebDriverWait(driver, 20).until(
            lambda d: (
                (found := d.execute_script(DRAWN)) and len(found) == len(PLOTS) and all(p["traces"] for p in found)
            )
        )
    except TimeoutException:
        pytest.fail(f"the charts did not draw: {driver.execute_script(DRAWN)}; console: {driver.get_log('browser')}")
    drawn = {plot["id"]: plot for plot in driver.execute_script(DRAWN)}
    assert sorted(drawn) == sorted(PLOTS)
    assert all(plot["traces"] > 0 and plot["paths"] > 0 for plot in drawn.values()), drawn
    assert drawn["chart-map"]["labels"] == 24
    tables = driver.execute_script("return [...document.querySelectorAll('table')].map(t => t.innerText).join('\\n')")
    assert "Quận 3" in tables and "50,0%" in tables
    events = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    sent = {e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"}
    assert sent == {path.as_uri()}
    assert driver.execute_script("return window.__blocked") == []
    assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []


def league_row_cells(own: str, name: str) -> list[str]:
    """The cells of the league row of unit `name` (its first table row that names it)."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*<td>{re.escape(name)}</td>.*?</tr>", own)
    assert row, name
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(0))


def test_a_unit_below_the_minimum_count_is_not_ranked_for_want_of_data(below_the_minimum):
    """service_index.yaml's 20 dossiers: Quận 1 (20 completed, 18 on time) ranks 1st of the one ranked district;
    Quận 3 (8 completed, 11 received) and Sở Tư pháp (5, 6) say "not enough data", a district without dossiers
    "no data", and each league says how many are not ranked, as the league page does."""
    services, _, body, made = below_the_minimum
    district = next(league for league in made.leagues if league.kind == "district")
    states = {row.unit_key: (row.rank, row.score, row.grade, row.state) for row in district.rows}
    assert states["quan-1"] == (1, pytest.approx(18 / 42 * 100), "weak", "scored")
    assert (states["quan-3"], states["quan-5"]) == ((None, None, None, "too_few"), (None, None, None, "no_data"))
    own = without_bundle(page(made))
    assert league_row_cells(own, "Quận 1")[:4] == ["1", "Quận 1", "42,86", "yếu"]
    assert league_row_cells(own, "Quận 3")[:4] == ["—", "Quận 3", "chưa đủ số liệu", "—"]
    assert league_row_cells(own, "Quận 5")[:4] == ["—", "Quận 5", "không có số liệu", "—"]
    assert league_row_cells(own, "Sở Tư pháp")[:4] == ["—", "Sở Tư pháp", "chưa đủ số liệu", "—"]
    notes = re.findall(r"<p class=note>(.*?)</p>", own)
    assert "23 đơn vị chưa đủ số liệu trong kỳ nên chưa xếp hạng; hạng tính trong 1 đơn vị đủ số liệu." in notes
    assert "Chưa đơn vị nào đủ số liệu trong kỳ để xếp hạng." in notes  # the departments: none ranked
    english = without_bundle(page(made, "en"))
    assert league_row_cells(english, "District 3")[:4] == ["—", "District 3", "not enough data", "—"]
    assert body["leagues"]["district"]["rows"][0]["index"]["state"] == "scored"
