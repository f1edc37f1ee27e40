"""The league page's exports done right: the server's XLSX (a tie column, counts with a format, text inert, a
filtered grid said so in the title row and the file name) and the browser's CSV (one header row, each cell the
plain value of the row's `csv_cells`, checked by running assets/league_grid.js in Node as AG Grid calls it)."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import socket
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.core.cells import neutralise
from dashboard.core.vocabulary import DEFAULT_PERIOD, DISTRICT
from dashboard.web.app import create_app
from layouts import league_grid, league_xlsx
from layouts.ids import LeagueIds
from tests import league_scenario
from tests.callbacks.test_overview import registered
from tests.factories import counting_every_dossier
from tests.layouts.test_league import CONFIG, row, view_of
from tests.metrics.test_service_index import kpis
from tests.signin import start_signed_in


@pytest.fixture
def city(tmp_path, settings, clock):
    """The league scenario's city (tests/league_scenario.py), its handful of dossiers ranked with a minimum count of 1."""
    services, databases = league_scenario.build(tmp_path, settings, clock)
    services.index_config = counting_every_dossier(services.index_config)
    yield services
    services.store.dispose()
    for database in databases:
        database.dispose()


SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "league_grid.js"
HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def rows():
    full = kpis("quan-3", on_time=(20, 20), online=(20, 20))  # 20: the minimum count of a dossier criterion
    return [
        row("quan-3", "Quận 3", 1, 3, full, stale=True),
        row("quan-4", HOSTILE, 1, None, kpis("quan-4", on_time=(20, 20), online=(20, 20))),
        row("quan-1", "Quận 1", 3, 1, kpis("quan-1", on_time=(45, 50), online=(5, 20))),
        row("quan-6", "@SUM(A1)", None, 2, kpis("quan-6"), targets={}, trend=(None, None, None)),
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (None, "league-district-30d-20191127-1500"),
        ("   ", "league-district-30d-20191127-1500"),
        ("quận", "league-district-30d-20191127-1500-loc-quan"),
        ("Quận 1", "league-district-30d-20191127-1500-loc-quan-1"),
        ("Thủ Đức", "league-district-30d-20191127-1500-loc-thu-duc"),
        ("=1+1", "league-district-30d-20191127-1500-loc-1-1"),
        ("!!!", "league-district-30d-20191127-1500-loc"),
    ],
)
def test_a_filtered_export_says_so_in_its_file_name(text, name):
    assert league_xlsx.filtered_name("league-district-30d-20191127-1500", text) == name


def test_the_workbook_has_a_tie_column_counts_with_a_format_and_inert_text(rows):
    sheet = load_workbook(BytesIO(league_xlsx.league_workbook(view_of(rows), "vi"))).active
    header = [cell.value for cell in sheet[league_xlsx.HEADER_ROW]]
    assert header[6] == "Đồng hạng"  # the whole header: tests/layouts/test_league.py
    lines = {line[4].value: dict(zip(header, line, strict=True)) for line in sheet.iter_rows(min_row=6)}
    assert [(lines[key]["Hạng"].value, lines[key]["Đồng hạng"].value) for key in lines] == [
        (1, "có"),
        (1, "có"),
        (3, None),
        (None, None),
    ]
    quan_1 = lines["quan-1"]
    assert (quan_1["Giải quyết đúng hạn"].value, quan_1["Giải quyết đúng hạn"].number_format) == (45, "#,##0")
    assert (quan_1["Đúng hạn"].value, quan_1["Đúng hạn"].number_format) == (0.9, "0.0%")
    hostile, at_sign = lines["quan-4"]["Đơn vị"], lines["quan-6"]["Đơn vị"]
    assert (hostile.value, hostile.data_type) == (neutralise(HOSTILE), "s") and at_sign.value == "'@SUM(A1)"
    assert not [cell.coordinate for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]
    assert sheet.freeze_panes == "E6" and sheet["A1"].value == "Bảng xếp hạng Quận, huyện — 30 ngày"


def test_the_workbook_of_a_filtered_grid_says_by_what_text_in_its_title_row(rows):
    content = league_xlsx.league_workbook(view_of(rows), "vi", order=["quan-1"], quick_filter=" quận 1 ")
    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A1"].value == (
        "Bảng xếp hạng Quận, huyện — 30 ngày · chỉ các đơn vị có tên chứa “quận 1” (lọc bằng ô tìm kiếm)"
    )
    english = load_workbook(BytesIO(league_xlsx.league_workbook(view_of(rows), "en", quick_filter="1"))).active
    assert english["A1"].value.endswith("· only units whose name contains “1” (filtered by the search box)")


def test_the_grid_exports_one_header_row_of_plain_values(rows):
    grid = league_grid.league_grid(rows, "vi", export_name="league-district-30d")
    params = grid.csvExportParams
    assert params["skipColumnGroupHeaders"] is True and params["fileName"] == "league-district-30d.csv"
    assert params["processCellCallback"] == {"function": "pulseCsvCell(params)"}
    assert params["columnKeys"][:3] == ["rank", "tie", "name"]
    cells = [data["csv_cells"] for data in grid.rowData]
    assert cells[2] == {
        "rank": 3,
        "tie": 0,
        "name": "Quận 1",
        "movement": -2,
        "score": 69.05,
        "grade_text": "khá",
        "on_time": 0.9,
        "online": 0.25,
        "satisfaction": None,
        "commit": pytest.approx((0.9 / 0.98 + 0.25 / 0.4) / 2),
        "stale_text": 0,
    } | {
        f"points_{sub.key}": points for sub, points in zip(CONFIG.criteria, (18.0, 11.0, None, None, None), strict=True)
    }
    assert [(c["rank"], c["tie"], c["name"], c["stale_text"]) for c in cells] == [
        (1, 1, "Quận 3", 1),
        (1, 1, neutralise(HOSTILE), 0),
        (3, 0, "Quận 1", 0),
        (None, None, "'@SUM(A1)", 0),
    ]
    assert set(params["columnKeys"]) <= set(cells[0])


NODE = """
global.window = {};
require(process.argv[1]);
const functions = window.dashAgGridFunctions;
const grid = JSON.parse(require("fs").readFileSync(0, "utf8"));
const flat = grid.columnDefs.flatMap((c) => c.children || [c]);
const column = (key) => {
  const def = flat.find((c) => (c.colId || c.field) === key);
  return { getColId: () => key, getColDef: () => def };
};
const keys = grid.csvExportParams.columnKeys;
const header = keys.map((key) => functions.pulseCsvHeader({ column: column(key) }));
const lines = grid.rowData.map((data) =>
  keys.map((key) => functions.pulseCsvCell({ node: { data }, column: column(key), value: data[key] }))
);
const loose = ["=1+1", "Quận 1", 7].map((value) =>
  functions.pulseCsvCell({ node: { data: {} }, column: column("name"), value })
);
console.log(JSON.stringify({ header, lines, loose }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_browser_csv_writes_the_plain_values_with_one_header_row(rows):
    grid = league_grid.league_grid(rows, "vi")
    data = {"columnDefs": grid.columnDefs, "rowData": grid.rowData, "csvExportParams": grid.csvExportParams}
    done = subprocess.run(["node", "-e", NODE, str(SCRIPT)], input=json.dumps(data), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["header"][:6] == ["Hạng", "Đồng hạng", "Đơn vị", "So kỳ trước", "Điểm", "Xếp loại"]
    assert out["header"][6:11] == ["Đúng hạn (20)", "Trực tuyến (22)", "PAKN đúng hạn (6)", "Hài lòng PAKN (6)",
                                   "Hài lòng hồ sơ (6)"]  # fmt: skip
    assert out["header"][11:] == ["Đúng hạn", "Trực tuyến", "Hài lòng", "Cam kết", "Dữ liệu cũ"]
    quan_1 = dict(zip(grid.csvExportParams["columnKeys"], out["lines"][2], strict=True))
    assert (quan_1["rank"], quan_1["tie"], quan_1["on_time"], quan_1["score"], quan_1["satisfaction"]) == (
        3, 0, 0.9, 69.05, None)  # fmt: skip
    assert [line[:3] for line in out["lines"]] == [[1, 1, "Quận 3"], [1, 1, neutralise(HOSTILE)], [3, 0, "Quận 1"],
                                                   [None, None, "'@SUM(A1)"]]  # fmt: skip
    assert out["loose"] == ["'=1+1", "Quận 1", 7]


def test_the_callbacks_name_a_filtered_export_and_pass_the_search_text(city):
    app = create_app(city)
    search = f"?kind={DISTRICT}&period={DEFAULT_PERIOD}"
    sent = registered(app, LeagueIds.DOWNLOAD)(1, [{"unit_key": "quan-1"}], search, "Quận 1")
    assert sent["filename"] == "league-district-30d-20191127-1500-loc-quan-1.xlsx"
    sheet = load_workbook(BytesIO(base64.b64decode(sent["content"]))).active
    assert "“Quận 1”" in sheet["A1"].value and sheet.max_row == league_xlsx.HEADER_ROW + 1
    [entry] = [entry for key, entry in app.callback_map.items() if key == f"{LeagueIds.GRID}.csvExportParams"]
    patch = entry["callback"].__wrapped__  # the search box's callback naming the CSV
    operations = patch("Quận 1", search).to_plotly_json()["operations"]
    assert operations == [
        {
            "operation": "Assign",
            "location": ["fileName"],
            "params": {"value": "league-district-30d-20191127-1500-loc-quan-1.csv"},
        }
    ]
    plain = patch("", search).to_plotly_json()["operations"][0]["params"]["value"]
    assert plain == "league-district-30d-20191127-1500.csv"


CAPTURE = """
    window.pulseExports = [];
    const create = document.createElement.bind(document);
    document.createElement = function (tag, options) {
      const element = create(tag, options);
      if (String(tag).toLowerCase() === "a") window.pulseExports.push(element);
      return element;
    };
    const blobUrl = URL.createObjectURL.bind(URL);
    window.pulseCsv = [];
    URL.createObjectURL = function (blob) {
      blob.text().then((text) => window.pulseCsv.push(text));
      return blobUrl(blob);
    };
"""
EXPORTED = """
    const names = window.pulseExports.map((a) => a.getAttribute("download")).filter(Boolean);
    return window.pulseCsv.length ? [names[names.length - 1], window.pulseCsv[window.pulseCsv.length - 1]] : null;
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.browser
def test_the_browser_csv_of_a_filtered_grid(chromium, dash_duo, city):
    """Type in the search box, press CSV: one header row, plain values, a tie column and the "-loc-" file name."""
    start_signed_in(dash_duo, create_app(city), port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/league?lang=vi&kind={DISTRICT}&period={DEFAULT_PERIOD}")
    dash_duo.wait_for_element(f"#{LeagueIds.GRID} .pulse-league-unit-link", timeout=15)
    dash_duo.driver.execute_script(CAPTURE)
    dash_duo.find_element(f"#{LeagueIds.SEARCH}").send_keys("Quận\n")
    name = text = ""
    for _press in range(10):  # the search box's callback renames the CSV: press until the new name is in use
        dash_duo.find_element(f"#{LeagueIds.CSV}").click()
        name, text = WebDriverWait(dash_duo.driver, 10).until(lambda driver: driver.execute_script(EXPORTED))
        if name.endswith("-loc-quan.csv"):
            break
        dash_duo.driver.execute_script("window.pulseCsv = [];")
    assert name == "league-district-30d-20191127-1500-loc-quan.csv"
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Hạng", "Đồng hạng", "Đơn vị", "So kỳ trước", "Điểm", "Xếp loại", "Đúng hạn (20)",
                        "Trực tuyến (22)", "PAKN đúng hạn (6)", "Hài lòng PAKN (6)", "Hài lòng hồ sơ (6)",
                        "Đúng hạn", "Trực tuyến", "Hài lòng", "Cam kết", "Dữ liệu cũ"]  # fmt: skip
    rows = {line[2]: line for line in lines[1:]}
    assert rows["Quận 3"][:6] == ["1", "1", "Quận 3", "1", "100", "xuất sắc"] and rows["Quận 3"][-1] == "1"
    assert rows["Quận 1"][:5] == ["3", "0", "Quận 1", "-2", "76.19"] and rows["Quận 1"][11:13] == ["0.5", "0.5"]
    assert rows["Quận 10"][:2] == ["", ""] and all("=" not in line[0] for line in lines)
