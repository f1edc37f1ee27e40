"""In headless Chromium, printed (assets/print.css, assets/print.js): the unit tile, the league and the overview
show no navigation, language switch, buttons, period chips, search box or Plotly mode bar; the header line with the
title and the as-of time stays; the charts are fitted to the paper; and the PDF has no blank page and none of the
controls' words.

Each test keeps its screenshot (print media, the whole page) and its PDF's pages as PNGs in its tmp_path
(`pytest --basetemp=…` to look at them)."""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.ids import LeagueIds, OverviewIds, ShellIds, UnitIds
from tests.callbacks.test_unit import AS_OF, FEEDBACK, ROWS
from tests.factories import SourceDB
from tests.layouts.test_league_exports import free_port
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
A4_WIDTH_PX = (210 - 2 * 11) / 25.4 * 96  # the portrait page's width inside its margins (assets/print.css)
CONTROLS_WORDS = ("Tổng quan", "Nguồn dữ liệu", "Tải CSV", "Tải Excel")  # two page links, the download buttons
AS_OF_TEXT = "Số liệu lúc 15:00 27/11/2019"
PRINTING = "return window.matchMedia('print').matches;"
CHARTS = """
return [...document.querySelectorAll('.js-plotly-plot')].map((gd) => {
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  const panel = gd.closest('.pulse-panel').getBoundingClientRect();
  return {svg: [svg.left, svg.right], panel: [panel.left, panel.right], page: document.documentElement.clientWidth,
          printed: Number(gd.dataset.pulsePrintWidth || 0), width: gd._fullLayout.width};
});"""


@pytest.fixture
def city_services(tmp_path, clock):
    """The unit tile's hand-built rows (tests/callbacks/test_unit.py), pulled at 15:00 on 27/11/2019."""
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *ROWS)
    db.insert("feedback", *FEEDBACK)
    services = Services.build(Settings(data_dir=tmp_path, safety_lag_s=0), clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)]
    clock.set(AS_OF)
    Ingestor(services.store, clock, services.settings).pull(services.sources[0])
    yield services
    services.store.dispose()
    db.dispose()


@pytest.fixture
def printer(chromium, dash_duo, city_services):
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("pdftoppm and pdftotext (poppler-utils) are not installed")
    start_signed_in(dash_duo, create_app(city_services), port=free_port())
    return dash_duo


def emulate(driver, media: str) -> None:
    """Print media (or back to the screen's) as Chromium's DevTools do it; print.js hears the change."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(PRINTING) == (media == "print"))


def screenshot(driver, path: Path) -> Path:
    """The whole page, not only the window."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width = driver.execute_script("return window.innerWidth")  # no scroll bar once the window is the page's height
    clip = {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def print_pdf(driver, folder: Path, name: str) -> tuple[list[Path], str, str]:
    """Print the page as Chromium does (its own @page sizes): the pages as PNGs (50 dpi), the text, the word boxes."""
    pdf = folder / f"{name}.pdf"
    printed = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})  # backgrounds off, as by default
    pdf.write_bytes(base64.b64decode(printed["data"]))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(folder / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return sorted(folder.glob(f"{name}-*.png")), text, boxes


def blank_pages(pages: list[Path]) -> list[str]:
    """The pages with (almost) no ink above their footer (the page number)."""
    blank = []
    for page in pages:
        image = Image.open(page).convert("L")
        body = image.crop((0, 0, image.width, image.height - 30))  # 30 px at 50 dpi: the bottom margin, 15 mm
        inked = sum(ImageChops.invert(body).histogram()[40:])
        if inked < 0.002 * body.width * body.height:
            blank.append(page.name)
    return blank


def words(boxes: str, text: str) -> list[tuple[float, float]]:
    """(xMin, xMax) in points of each occurrence of the word `text` in `pdftotext -bbox` output."""
    pattern = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(float(x0), float(x1)) for x0, x1, word in re.findall(pattern, boxes) if html.unescape(word) == text]


def hidden(driver, *selectors: str) -> list[str]:
    """Which of `selectors` (each on the page) Selenium sees displayed."""
    shown = []
    for selector in selectors:
        found = driver.find_elements("css selector", selector)
        assert found, f"{selector} is not on the page"
        shown += [selector for element in found if element.is_displayed()]
    return shown


NAVIGATION = (f"#{ShellIds.NAV_OVERVIEW}", f"#{ShellIds.NAV_SOURCES}", f"#{ShellIds.NAV_LEAGUE}", ".pulse-nav",
              f"#{ShellIds.LANG_VI}", f"#{ShellIds.LANG_EN}")  # fmt: skip
TILE_CONTROLS = (*NAVIGATION, f"#{UnitIds.XLSX}", f"#{UnitIds.DRILL_CSV}", f"#{UnitIds.DRILL_XLSX}",
                 f"#{UnitIds.PERIODS}", f"#{UnitIds.DRILL_CLOSE}")  # fmt: skip


def test_the_printed_tile_has_no_controls_its_charts_fit_and_no_page_is_blank(printer, tmp_path):
    driver = printer.driver
    printer.wait_for_page(url=f"{printer.server_url}/unit/quan-1?list=overdue")
    printer.wait_for_contains_text(f"#{UnitIds.DRILL}", "Q1-OVERDUE-2", timeout=10)
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements("css selector", ".js-plotly-plot .main-svg")) >= 2)
    assert hidden(driver, *TILE_CONTROLS) == list(TILE_CONTROLS)  # on the screen, every control is there
    screen_widths = [chart["width"] for chart in driver.execute_script(CHARTS)]

    pages, text, boxes = print_pdf(driver, tmp_path, "tile")
    assert len(pages) >= 2 and blank_pages(pages) == []
    flat = " ".join(text.split())
    assert [word for word in CONTROLS_WORDS if word in flat] == []
    assert "Quận 1" in flat and AS_OF_TEXT in flat and "Q1-OVERDUE-1" in flat
    assert "lang=" not in flat and "/unit/" not in flat and "http" not in flat  # links print as their words only
    charts = driver.execute_script(CHARTS)
    assert all(600 < chart["printed"] <= A4_WIDTH_PX for chart in charts), charts  # fitted to the paper…
    assert [chart["width"] for chart in charts] == pytest.approx(screen_widths, abs=1)  # … and back after printing
    last_tick = words(boxes, "25/11")  # the weekly trend's last week (from Monday 25/11), at its right edge: on paper
    assert last_tick and all(x1 <= 595 - 11 / 25.4 * 72 for _x0, x1 in last_tick), last_tick

    emulate(driver, "print")
    assert hidden(driver, *TILE_CONTROLS, ".modebar-container") == []
    assert driver.find_element("css selector", f"#{ShellIds.AS_OF}").text == AS_OF_TEXT
    assert driver.find_element("css selector", ".pulse-title").text == "Quận 1"
    link = driver.find_element("css selector", f"a#{UnitIds.KPI_OVERDUE}")  # a number that opens its dossiers
    assert link.value_of_css_property("text-decoration-line") == "none" and link.is_displayed()
    for chart in driver.execute_script(CHARTS):
        assert chart["svg"][1] <= chart["panel"][1] + 0.5 and chart["svg"][1] <= chart["page"], chart
        assert chart["svg"][1] - chart["svg"][0] >= 0.9 * (chart["panel"][1] - chart["panel"][0]), chart  # resized
    screenshot(driver, tmp_path / "tile-print-media.png")
    emulate(driver, "")
    assert hidden(driver, f"#{ShellIds.NAV_OVERVIEW}", f"#{UnitIds.XLSX}") == [f"#{ShellIds.NAV_OVERVIEW}",
                                                                             f"#{UnitIds.XLSX}"]  # fmt: skip


def test_the_printed_league_lies_across_with_every_row_and_no_controls(printer, tmp_path):
    driver = printer.driver
    printer.wait_for_page(url=f"{printer.server_url}/league")
    printer.wait_for_element(f"#{LeagueIds.GRID} .pulse-league-unit-link", timeout=15)
    controls = (*NAVIGATION, f"#{LeagueIds.CSV}", f"#{LeagueIds.XLSX}", f"#{LeagueIds.SEARCH}", f"#{LeagueIds.KINDS}",
                f"#{LeagueIds.PERIODS}")  # fmt: skip
    assert hidden(driver, *controls) == list(controls)

    pages, text, _boxes = print_pdf(driver, tmp_path, "league")
    assert blank_pages(pages) == []
    assert all(Image.open(page).width > Image.open(page).height for page in pages)  # A4 landscape
    flat = " ".join(text.split())
    assert [word for word in CONTROLS_WORDS if word in flat] == []
    assert AS_OF_TEXT in flat and "Bảng xếp hạng thi đua · Quận, huyện" in flat
    districts = ("Quận 1", "Quận 3", "Huyện Bình Chánh", "Huyện Nhà Bè", "Quận Tân Phú", "Quận Thủ Đức")
    assert [name for name in districts if name not in flat] == []  # the first rows, the last, and between

    emulate(driver, "print")
    assert hidden(driver, *controls) == []
    screenshot(driver, tmp_path / "league-print-media.png")


def test_the_printed_overview_keeps_its_cards_and_drops_its_controls(printer, tmp_path):
    driver = printer.driver
    printer.wait_for_page(url=f"{printer.server_url}/")
    printer.wait_for_text_to_equal(f"#{OverviewIds.IN_PROGRESS}", "5", timeout=10)
    pages, text, _boxes = print_pdf(driver, tmp_path, "overview")
    flat = " ".join(text.split())
    assert blank_pages(pages) == [] and AS_OF_TEXT in flat and "Hồ sơ đang giải quyết" in flat
    # the page's title and its sources' heading, but not the page links of the same words
    assert (flat.count("Tổng quan"), flat.count("Tổng quan thành phố"), flat.count("Nguồn dữ liệu")) == (1, 1, 1)
    emulate(driver, "print")
    assert hidden(driver, *NAVIGATION) == []
    screenshot(driver, tmp_path / "overview-print-media.png")
