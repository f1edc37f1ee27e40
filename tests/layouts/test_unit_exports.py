"""The unit tile's downloads on the hand-built store of tests/callbacks/test_unit.py: the tile's workbook reads back
with numbers as numbers and the tile's exact figures; a drill-through list is exported whole (every page, read in
chunks), with one header row, plain values and formula-looking codes made inert, as CSV and as a workbook."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime, timedelta

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from openpyxl import load_workbook

from callbacks import unit as unit_callbacks
from callbacks.routing import route
from dashboard.core.cache import cache_of
from dashboard.metrics.kpis import Backlog
from dashboard.metrics.service_index import load_index_config, score_unit
from dashboard.pages import unit_export
from layouts.ids import UnitIds
from layouts.unit_xlsx import kpi_sheet
from tests.callbacks import test_unit
from tests.callbacks.test_overview import registered
from tests.callbacks.test_unit import AS_OF, FEEDBACK, ROWS, at, make
from tests.layouts.test_overview import texts
from tests.layouts.test_unit import figures_of, view
from tests.signin import acting_as

tile = test_unit.tile  # the fixture: the hand-built store, pulled at 15:00 on 27/11/2019
TITLE = "Quận 1 · {} · kỳ 30 ngày · Số liệu lúc 15:00 27/11/2019"
WINDOW = "Kỳ: 00:00 29/10/2019 – 15:00 27/11/2019"
BULK = 120
HOSTILE = ("=1+1", "@SUM(A1)")
DOSSIER_HEADER = ["Mã hồ sơ", "Mã thủ tục", "Thủ tục", "Kênh nộp", "Tiếp nhận", "Hẹn trả", "Trạng thái", "Hoàn thành",
                  "Ngày làm việc quá hạn", "Ngày gửi phiếu xin lỗi", "Hẹn trả lại", "Đánh giá"]  # fmt: skip


def sent_workbook(sent: dict):
    assert sent["base64"] is True
    return load_workbook(io.BytesIO(base64.b64decode(sent["content"])))


def sent_csv(sent: dict) -> list[list[str]]:
    text = base64.b64decode(sent["content"]).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Vietnamese
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def rows_of(sheet, first: int = 4) -> dict:
    """The sheet's lines below its header, by their first cell's value: the cells, numbers and formats read back."""
    return {line[0].value: line for line in sheet.iter_rows(min_row=first)}


def no_formulas(book) -> bool:
    return not [cell for sheet in book for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]


def test_the_tile_workbook_holds_the_tiles_exact_figures_as_numbers(tile, app):
    tile()
    sent = registered(app, UnitIds.DOWNLOAD)(1, "/unit/quan-1", "")
    assert sent["filename"] == "don-vi-quan-1-30d-20191127-1500.xlsx"
    book = sent_workbook(sent)
    assert book.sheetnames == ["Chỉ số", "Cam kết", "Xu hướng 90 ngày", "Tuổi hồ sơ", "Thủ tục trễ hạn"]
    titles = ["Chỉ số", "Cam kết", "Xu hướng 90 ngày", "Tuổi hồ sơ đang giải quyết", "Thủ tục làm đơn vị trễ hạn"]
    for sheet, title in zip(book, titles, strict=True):
        assert (sheet["A1"].value, sheet["A2"].value, sheet.freeze_panes) == (TITLE.format(title), WINDOW, "A4")
    assert no_formulas(book)

    kpis = book["Chỉ số"]
    assert [cell.value for cell in kpis[3]] == ["Chỉ số", "Giá trị", "Tử số", "Mẫu số", "Toàn thành phố"]
    lines = rows_of(kpis)
    on_time = lines["Giải quyết đúng hạn"]
    assert [c.value for c in on_time] == ["Giải quyết đúng hạn", pytest.approx(1 / 3), 1, 3, pytest.approx(0.6)]
    assert (on_time[1].data_type, on_time[1].number_format, on_time[2].number_format) == ("n", "0.0%", "#,##0")

    def figures(label: str) -> tuple:
        return tuple(cell.value for cell in lines[label][1:])

    assert figures("Hồ sơ đang giải quyết") == (4, None, None, 5)
    assert figures("Quá hạn đang giải quyết") == (2, None, None, 2)
    assert figures("Tỷ lệ quá hạn") == (0.5, 2, 4, 0.4)
    assert figures("Xin lỗi khi trễ hạn") == (0.5, 2, 4, 0.5)  # 2 of (2 completed late + 2 overdue)
    assert figures("Thời gian giải quyết, trung vị (ngày làm việc)") == (2.5, None, None, 1.5)
    assert figures("Thời hạn quy định trung bình (ngày làm việc)") == (3.0, None, None, 3.0)
    assert figures("Nộp trực tuyến") == (pytest.approx(2 / 7), 2, 7, pytest.approx(0.2))
    assert figures("Trực tuyến toàn trình") == (pytest.approx(1 / 7), 1, 7, pytest.approx(0.1))
    assert figures("Hài lòng về giải quyết hồ sơ") == (0.5, 1, 2, 0.5)
    assert figures("Phản ánh trả lời đúng hạn") == (1.0, 1, 1, 1.0)
    assert figures("Hồ sơ tiếp nhận trong kỳ") == (7, None, None, 10)
    assert figures("Hồ sơ đã giải quyết trong kỳ") == (3, None, None, 5)
    assert figures("Hồ sơ giải quyết trễ hạn") == (2, None, None, 2)
    assert figures("Phản ánh đang mở")[0] == 1 and figures("Phản ánh quá hạn trả lời")[0] == 1
    assert figures("Điểm chỉ số phục vụ (0–100)")[0] == pytest.approx(57.06, abs=0.005)  # "Điểm 57,06" on the tile
    assert lines["Điểm chỉ số phục vụ (0–100)"][1].number_format == "0.00"  # as it ranks, as the tile writes it
    # "Hạng 1/2 … trong 2 đơn vị đủ số liệu (trên 24)" on the tile: 1 of the 2 ranked, not of the 24 districts
    assert figures("Xếp hạng trong 2 đơn vị đủ số liệu (trên 24)") == (1, None, 2, None)
    assert lines["Xin lỗi khi trễ hạn"][4].number_format == "0.0%"
    assert lines["Hồ sơ đang giải quyết"][1].number_format == "#,##0"

    commitments = rows_of(book["Cam kết"])
    assert [c.value for c in book["Cam kết"][3]] == ["Tiêu chí", "Cam kết", "Đạt được", "Tử số", "Mẫu số",
                                                      "Mức đạt so với cam kết", "Kết quả"]  # fmt: skip
    assert [c.value for c in commitments["Giải quyết đúng hạn"][1:]] == [
        0.98, pytest.approx(1 / 3), 1, 3, pytest.approx(1 / 3 / 0.98), "chưa đạt"]  # fmt: skip
    assert [c.value for c in commitments["Nộp trực tuyến"][1:]] == [
        0.4, pytest.approx(2 / 7), 2, 7, pytest.approx(2 / 7 / 0.4), "chưa đạt"]  # fmt: skip
    assert commitments["Phản ánh trả lời đúng hạn"][6].value == "đạt"  # 100% of a 95% target
    assert commitments["Giải quyết đúng hạn"][1].number_format == "0.0%"

    trend = book["Xu hướng 90 ngày"]
    days = list(trend.iter_rows(min_row=4, values_only=True))
    assert len(days) == 90
    assert days[0][0] == datetime(2019, 8, 30) and trend["A4"].number_format == "dd/mm/yyyy"
    assert days[-1] == (datetime(2019, 11, 27), 1, 0, 0, 4)  # Q1-OPEN received; 4 in progress at the day's end
    assert days[-9][:3] == (datetime(2019, 11, 19), 0, 1)  # Q1-ONTIME completed on 19/11

    ageing = book["Tuổi hồ sơ"]
    assert list(ageing.iter_rows(min_row=4, values_only=True)) == [
        ("Còn hạn", 1, 0.25),
        ("Sắp đến hạn (≤ 2 ngày)", 1, 0.25),
        ("Quá hạn 1–5 ngày", 1, 0.25),
        ("Quá hạn 6–20 ngày", 1, 0.25),
        ("Quá hạn trên 20 ngày", 0, 0),
    ]
    assert ageing["C4"].number_format == "0.0%" and ageing["B4"].data_type == "n"
    assert list(book["Thủ tục trễ hạn"].iter_rows(min_row=3, values_only=True)) == [
        ("Mã thủ tục", "Thủ tục", "Hồ sơ trễ hạn"),
        ("HT-KH", "Đăng ký kết hôn", 4),  # 2 completed late + 2 overdue
    ]


def standing(sheet) -> list[tuple]:
    """The key-figure sheet's last two rows, score and rank, as plain values."""
    return [tuple(getattr(cell, "value", cell) for cell in row) for row in sheet.rows[-2:]]


def test_the_workbook_ranks_among_the_units_ranked_and_says_not_enough_data_as_the_tile_does():
    """Hạng 3/17 of the 17 units with enough data (of 24): 17, not 24; all 24 ranked: the league's own words; 10
    dossiers received, 8 completed, under the minimum of 20: no score, not ranked, in the tile's words."""
    score = pytest.approx(view().index.score)
    assert standing(kpi_sheet(view(ranked_count=17), "vi"))[1] == (
        "Xếp hạng trong 17 đơn vị đủ số liệu (trên 24)", 3, None, 17, None
    )  # fmt: skip
    assert standing(kpi_sheet(view(ranked_count=24), "vi")) == [
        ("Điểm chỉ số phục vụ (0–100)", score, None, None, None),
        ("Xếp hạng trong 24 quận, huyện", 3, None, 24, None),
    ]
    few = figures_of("quan-1", {"received": 10, "completed": 8, "completed_on_time": 6}, Backlog(2, 0, 0))
    index = score_unit(few, load_index_config())
    assert index.state == "too_few"
    unranked = view(kpis=few, index=index, rank=None, movement=None, ranked_count=17)
    assert standing(kpi_sheet(unranked, "vi")) == [
        ("Điểm chỉ số phục vụ (0–100)", "chưa đủ số liệu", None, None, None),
        ("Xếp hạng trong 17 đơn vị đủ số liệu (trên 24)", "Chưa xếp hạng — chưa đủ số liệu", None, None, None),
    ]
    assert standing(kpi_sheet(unranked, "en")) == [
        ("Service index score (0–100)", "not enough data", None, None, None),
        ("Rank among the 17 units with enough data (of 24)", "Not ranked — not enough data", None, None, None),
    ]


def test_the_tile_workbook_in_english_and_over_another_period(tile, app):
    tile()
    sent = registered(app, UnitIds.DOWNLOAD)(1, "/unit/quan-1", "?lang=en&period=7d")
    assert sent["filename"] == "don-vi-quan-1-7d-20191127-1500.xlsx"
    book = sent_workbook(sent)
    assert book.sheetnames == ["Key figures", "Commitments", "Last 90 days", "Ageing", "Late procedures"]
    assert book["Key figures"]["A1"].value == "District 1 · Key figures · period 7 days · Data as of 15:00 27/11/2019"
    assert registered(app, UnitIds.DOWNLOAD)(1, "/unit/quan-99", "") is no_update  # a key no unit has


@pytest.fixture
def crowded(app, services, source_db, pull):
    """The tile's rows, 120 more dossiers received in the period and two with formula-looking codes."""
    bulk = [make(f"BULK-{n:03d}", at(2019, 11, 1, 8) + timedelta(hours=3 * n), 3) for n in range(BULK)]
    hostile = [make(code, at(2019, 11, 26, 8 + n), 2) for n, code in enumerate(HOSTILE)]
    source_db.insert("dossiers", *ROWS, *bulk, *hostile)
    source_db.insert("feedback", *FEEDBACK)
    services.clock.set(AS_OF)
    pull()
    return services


def test_a_list_is_exported_whole_every_page_read_in_chunks(crowded, app, monkeypatch):
    services = crowded
    received = 7 + BULK + len(HOSTILE)  # the tile's 7 in the period, the bulk and the two hostile ones
    with acting_as(app):  # as a leader would see it
        page = route(services, cache_of(app), "/unit/quan-1", "?list=received")
    assert f"Hồ sơ 1–50 trong {received}" in texts(page[UnitIds.DRILL])  # the page shows 50
    reads = []
    original = services.store.lists.page
    monkeypatch.setattr(services.store.lists, "page", lambda *a, **k: reads.append(a[4:6]) or original(*a, **k))
    monkeypatch.setattr(unit_export, "EXPORT_CHUNK", 40)
    sent = unit_callbacks.export_list(services, "/unit/quan-1", "?list=received&page=2", as_csv=True)
    assert sent["filename"] == "ho-so-quan-1-received-20191127-1500.csv"
    assert reads == [(1, 40), (2, 40), (3, 40), (4, 40)]  # 40 + 40 + 40 + 9, whatever page the tile shows
    lines = sent_csv(sent)
    assert lines[0] == DOSSIER_HEADER and len(lines) == 1 + received
    codes = [line[0] for line in lines[1:]]
    assert len(set(codes)) == received and {f"BULK-{n:03d}" for n in range(BULK)} <= set(codes)
    assert codes[:2] == ["Q1-OPEN", "Q1-SOON"]  # newest received first, as the list shows them
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code["Q1-LATE"] == ["Q1-LATE", "HT-KH", "Đăng ký kết hôn", "Trực tuyến một phần",
                                  "2019-11-18T09:00:00+07:00", "2019-11-19T23:59:59+07:00", "Đã có kết quả",
                                  "2019-11-21T09:00:00+07:00", "2", "", "", ""]  # fmt: skip
    assert by_code["Q1-ONTIME"][3] == "Trực tuyến toàn trình" and by_code["Q1-ONTIME"][-1] == "Hài lòng"
    assert by_code["Q1-OPEN"][6:9] == ["Đang giải quyết", "", ""]  # open and not late: no late days

    workbook = unit_callbacks.export_list(services, "/unit/quan-1", "?list=received", as_csv=False)
    assert workbook["filename"] == "ho-so-quan-1-received-20191127-1500.xlsx"
    sheet = sent_workbook(workbook).active
    assert (
        sheet["A1"].value
        == f"Hồ sơ tiếp nhận trong kỳ: {received} hồ sơ · Quận 1 · kỳ 30 ngày · Số liệu lúc 15:00 27/11/2019"
    )
    assert sheet["A2"].value == WINDOW and sheet.freeze_panes == "A4"
    assert [cell.value for cell in sheet[3]] == DOSSIER_HEADER
    lines = rows_of(sheet)
    assert len(lines) == received and set(lines) == set(by_code)
    late = lines["Q1-LATE"]
    assert late[4].value == datetime(2019, 11, 18, 9, 0) and late[4].number_format == "dd/mm/yyyy hh:mm"
    assert late[7].value == datetime(2019, 11, 21, 9, 0) and late[4].is_date
    assert (late[8].value, late[8].data_type, late[8].number_format) == (2, "n", "#,##0")
    assert lines["Q1-OPEN"][7].value is None and lines["Q1-OPEN"][8].value is None


def test_formula_looking_codes_are_made_inert_in_the_csv_and_the_workbook(crowded):
    csv_lines = sent_csv(unit_callbacks.export_list(crowded, "/unit/quan-1", "?list=received", as_csv=True))
    assert [line[0] for line in csv_lines if line[0].startswith("'")] == ["'@SUM(A1)", "'=1+1"]
    book = sent_workbook(unit_callbacks.export_list(crowded, "/unit/quan-1", "?list=received", as_csv=False))
    cells = [line[0] for line in book.active.iter_rows(min_row=4)]
    hostile = {cell.value: cell.data_type for cell in cells if cell.value.startswith("'")}
    assert hostile == {"'=1+1": "s", "'@SUM(A1)": "s"} and no_formulas(book)


def test_a_backlog_list_and_a_feedback_list(tile, services):
    tile()
    overdue = sent_workbook(unit_callbacks.export_list(services, "/unit/quan-1", "?list=overdue&lang=en", False)).active
    assert overdue["A1"].value == "Overdue dossiers in progress: 2 dossiers · District 1 · Data as of 15:00 27/11/2019"
    assert overdue["A2"].value == "The list at the as-of time, whatever the period"
    assert [line[0].value for line in overdue.iter_rows(min_row=4)] == ["Q1-OVERDUE-1", "Q1-OVERDUE-2"]
    assert [line[8].value for line in overdue.iter_rows(min_row=4)] == [10, 1]  # working days late, as on the tile
    sent = unit_callbacks.export_list(services, "/unit/quan-1", "?list=feedback_overdue", True)
    assert sent["filename"] == "phan-anh-quan-1-feedback_overdue-20191127-1500.csv"
    assert sent_csv(sent) == [
        ["Mã phản ánh", "Lĩnh vực", "Kênh", "Tiếp nhận", "Hạn trả lời", "Trạng thái", "Trả lời", "Đánh giá"],
        ["F-OVERDUE", "Môi trường", "Ứng dụng", "2019-11-18T09:00:00+07:00", "2019-11-22T23:59:59+07:00",
         "Mới tiếp nhận", "", ""],
    ]  # fmt: skip
    english = sent_csv(unit_callbacks.export_list(services, "/unit/quan-1", "?list=feedback_overdue&lang=en", True))
    assert [english[0][1], english[1][1]] == ["Category", "Environment"]  # the packaged English name
    assert unit_callbacks.export_list(services, "/unit/quan-1", "", True) is no_update  # no list open


def test_the_buttons_and_the_callbacks_that_send_the_files(tile, app):
    page = tile("/unit/quan-1", "?list=overdue")
    assert page[UnitIds.XLSX].children == "Tải Excel"
    assert (page[UnitIds.DRILL_CSV].children, page[UnitIds.DRILL_XLSX].children) == ("Tải CSV", "Tải Excel")
    assert UnitIds.DRILL_CSV not in str(tile())  # no list open: nothing to download but the tile
    send = registered(app, UnitIds.DRILL_DOWNLOAD)
    for button, extension in ((UnitIds.DRILL_CSV, "csv"), (UnitIds.DRILL_XLSX, "xlsx")):
        pressed = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{button}.n_clicks", "value": 1}]))
        try:
            sent = send(1, None, "/unit/quan-1", "?list=overdue")
        finally:
            context_value.reset(pressed)
        assert sent["filename"] == f"ho-so-quan-1-overdue-20191127-1500.{extension}"
