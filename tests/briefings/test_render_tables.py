"""The briefing's tables as Excel and CSV, read back (openpyxl, the csv module) from the small city's report:
numbers are numbers with their formats, the rank a number and a tie its own column, n/a empty, one frozen header
row under a title row with the period and the as-of, and a formula-looking name never a formula."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dashboard.briefings.render_csv import BOM, attention_csv, league_csv
from dashboard.briefings.render_xlsx import HEADER_ROW, workbook
from dashboard.briefings.report import report as make_report
from dashboard.core.cells import neutralise
from dashboard.core.vocabulary import CITY_KEY, DEPARTMENT, DISTRICT

SHEETS_VI = [
    "Toàn thành phố",
    "Xếp hạng Sở, ban, ngành",
    "Xếp hạng Quận, huyện",
    "Đơn vị cần chú ý",
    "Cảnh báo",
    "Độ mới dữ liệu",
    "Định nghĩa",
]
LEAGUE_HEADER_VI = [
    "Hạng",
    "Đồng hạng",
    "Đơn vị",
    "Mã đơn vị",
    "Điểm",
    "Xếp loại",
    "Đúng hạn",
    "Trực tuyến",
    "Hài lòng",
    "Tiếp nhận",
    "Đã giải quyết",
    "Đang giải quyết",
    "Quá hạn",
    "So kỳ trước",
    "Dữ liệu cũ",
]
FORMULAS = {"quan-1": '=HYPERLINK("http://x","y")', "quan-3": "+1", "so-tu-phap": "-2", CITY_KEY: "@SUM(A1)"}


def book_of(report, lang="vi"):
    return load_workbook(BytesIO(workbook(report, lang)))


def by_header(sheet) -> dict[str, dict[str, object]]:
    """Each data row of a sheet by its unit key ("Mã đơn vị"), as header → cell."""
    header = [cell.value for cell in sheet[HEADER_ROW]]
    rows = [dict(zip(header, line, strict=False)) for line in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    return {row["Mã đơn vị"].value: row for row in rows if row.get("Mã đơn vị") is not None}


def parsed(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def league(report, kind):
    return next(table for table in report.leagues if table.kind == kind)


def test_the_workbook_has_a_sheet_per_table_each_titled_with_the_period_and_the_as_of(briefing):
    *_, report = briefing
    book = book_of(report)
    assert book.sheetnames == SHEETS_VI
    for sheet in book.worksheets:
        assert sheet["A1"].value == f"{sheet.title} — 30 ngày · số liệu lúc 15:00 27/11/2019"
        assert sheet["A2"].value.startswith("Kỳ: 00:00 29/10/2019 – 15:00 27/11/2019 · phiên bản dữ liệu ")
        assert sheet["A2"].value.endswith(report.content_hash)
        assert sheet.freeze_panes in {"A4", "B4", "D4"}  # the header row (and the names) stay in view
    assert book["Xếp hạng Quận, huyện"].freeze_panes == "D4"
    english = book_of(report, "en")
    assert english.sheetnames[0] == "City" and english.sheetnames[-1] == "Definitions"
    assert english["City"]["A1"].value == "City — 30 days · figures as of 15:00 27/11/2019"


def test_a_league_sheet_has_numbers_with_formats_the_rank_a_number_and_a_tie_column(briefing):
    *_, report = briefing
    sheet = book_of(report)["Xếp hạng Quận, huyện"]
    assert [cell.value for cell in sheet[HEADER_ROW]] == LEAGUE_HEADER_VI
    rows = by_header(sheet)
    quan_3 = rows["quan-3"]
    assert quan_3["Hạng"].value == 2 and type(quan_3["Hạng"].value) is int and quan_3["Đồng hạng"].value is None
    assert quan_3["Đúng hạn"].value == 0.5 and type(quan_3["Đúng hạn"].value) is float
    assert quan_3["Đúng hạn"].number_format == "0.0%"
    assert (quan_3["Quá hạn"].value, quan_3["Quá hạn"].number_format) == (3, "#,##0")
    assert (quan_3["Tiếp nhận"].value, quan_3["Đã giải quyết"].value, quan_3["Đang giải quyết"].value) == (11, 8, 3)
    assert quan_3["Điểm"].value == pytest.approx(10 / 42 * 100) and quan_3["Điểm"].number_format == "0.00"
    assert quan_3["Xếp loại"].value == "yếu" and quan_3["Hài lòng"].value is None  # n/a: an empty cell
    assert quan_3["So kỳ trước"].value is None and quan_3["Dữ liệu cũ"].value is None
    assert rows["quan-1"]["Hạng"].value == 1 and rows["quan-1"]["Đúng hạn"].value == 0.9
    unranked = rows["quan-10"]  # not ranked: why, in words, in the rank and the score cells (as the web league)
    assert (unranked["Hạng"].value, unranked["Đồng hạng"].value, unranked["Điểm"].value) == (
        "Chưa xếp hạng — không có số liệu trong kỳ",
        None,
        "không có số liệu",
    )
    assert unranked["Hạng"].data_type == "s" and unranked["Tiếp nhận"].value == 0


def test_the_city_attention_alerts_freshness_and_definitions_sheets(briefing):
    *_, report = briefing
    book = book_of(report)
    city = [[cell.value for cell in line] for line in book["Toàn thành phố"].iter_rows(min_row=HEADER_ROW)]
    assert city[0] == ["Chỉ số", "Giá trị", "Tử số", "Mẫu số"]
    assert city[1] == ["Hồ sơ đang giải quyết", 4, None, None]
    assert city[4] == ["Tỷ lệ giải quyết đúng hạn", pytest.approx(18 / 23), 18, 23]
    assert book["Toàn thành phố"].cell(HEADER_ROW + 4, 2).number_format == "0.0%"
    attention = [[cell.value for cell in line] for line in book["Đơn vị cần chú ý"].iter_rows(min_row=HEADER_ROW + 1)]
    assert [line[:2] + line[6:9] for line in attention[:2]] == [
        ["Quận 3", "quan-3", "Đúng hạn", 0.98, 0.5],
        ["Quận 3", "quan-3", "Trực tuyến", 0.3, 0],
    ]
    assert attention[0][2:6] == ["Quận, huyện", 2, "Tỷ lệ quá hạn", pytest.approx(0.48 / 0.98 + 1)]
    alerts = book["Cảnh báo"]
    first = [cell.value for cell in alerts[HEADER_ROW + 1]]
    assert first == ["Báo động", "Tỷ lệ quá hạn", "Thành phố Hồ Chí Minh", CITY_KEY, None,
                     datetime(2019, 11, 27, 15, 0), 1, 0.1]  # fmt: skip
    assert alerts.cell(HEADER_ROW + 1, 7).number_format == "0.0%"
    fresh = [[cell.value for cell in line] for line in book["Độ mới dữ liệu"].iter_rows(min_row=HEADER_ROW + 1)]
    assert fresh[1] == ["quan-3", "Quận 3", "quan-3", datetime(2019, 11, 27, 15, 0), None, None]
    words = [cell.value for line in book_of(report, "en")["Definitions"].iter_rows() for cell in line]
    assert "docs/metrics.md in the CCHC Pulse source." in words
    assert report.computed_with["rules"] in words and report.content_hash in words


def test_what_changed_has_its_own_sheet_when_the_report_compares(briefing):
    *_, body, report = briefing
    before = copy.deepcopy(body)
    before["as_of"] = "2019-11-20T15:00:00+07:00"
    before["alerts"] = []
    rows = {row["unit_key"]: row for row in before["leagues"][DISTRICT]["rows"]}
    rows["quan-3"]["rank"], rows["quan-1"]["rank"] = 1, 2
    quan_3 = next(u for u in before["kpis"]["units"] if u["unit"]["key"] == "quan-3")
    quan_3["kpis"]["backlog"]["overdue"] = 0
    before["city_figures"]["in_progress"] = 1
    compared = make_report(body, report.content_hash, previous=before)
    book = book_of(compared)
    assert book.sheetnames == [*SHEETS_VI[:4], "Thay đổi", *SHEETS_VI[4:]]
    assert "so với bản chụp lúc 15:00 20/11/2019" in book["Thay đổi"]["A2"].value
    changed = by_header(book["Thay đổi"])
    assert sorted(changed) == ["quan-1", "quan-3"]
    quan_3 = changed["quan-3"]
    assert (quan_3["Hạng trước"].value, quan_3["Hạng nay"].value, quan_3["Số bậc tăng"].value) == (1, 2, -1)
    assert quan_3["Số bậc tăng"].number_format == "+0;-0;0" and quan_3["Mới có hồ sơ quá hạn"].value == "có"
    overdue = [quan_3[f"Quá hạn: {part}"].value for part in ("trước", "nay", "thay đổi")]
    assert overdue == [0, 3, 3]
    city = [[cell.value for cell in line] for line in book["Toàn thành phố"].iter_rows(min_row=HEADER_ROW, max_row=5)]
    assert city[0][-2:] == ["Bản chụp trước", "Thay đổi"] and city[1] == ["Hồ sơ đang giải quyết", 4, None, None, 1, 3]
    statuses = [cell.value for cell in book["Cảnh báo"]["I"][HEADER_ROW:]]
    assert statuses == ["mới", "mới", "mới"]  # none before


def test_a_league_as_csv_has_one_header_row_plain_values_and_a_tie_column(briefing):
    *_, report = briefing
    lines = parsed(league_csv(league(report, DISTRICT), "vi"))
    assert lines[0] == LEAGUE_HEADER_VI
    assert lines[1] == ["1", "0", "Quận 1", "quan-1", repr(15 / 35 * 100), "yếu", "0.9", "0.0", "", "10", "10",
                        "0", "0", "", "0"]  # fmt: skip
    assert lines[2] == ["2", "0", "Quận 3", "quan-3", repr(10 / 42 * 100), "yếu", "0.5", "0.0", "", "11", "8",
                        "3", "3", "", "0"]  # fmt: skip
    assert lines[3][:5] == ["Chưa xếp hạng — không có số liệu trong kỳ", "", "Huyện Bình Chánh", "huyen-binh-chanh",
                            "không có số liệu"] and len(lines) == 1 + 24  # fmt: skip
    table = league(report, DISTRICT)
    tied = dataclasses.replace(table, rows=tuple(dataclasses.replace(r, rank=1, tied=True) for r in table.rows[:2]))
    assert [line[:3] for line in parsed(league_csv(tied, "en"))] == [
        ["Rank", "Tied", "Unit"],
        ["1", "1", "District 1"],
        ["1", "1", "District 3"],
    ]
    assert "\r\n" in league_csv(table, "vi") and "=" not in "".join(line[0] for line in lines)


def test_the_units_needing_attention_as_csv(briefing):
    *_, report = briefing
    lines = parsed(attention_csv(report.attention, "en"))
    assert lines[0] == ["Unit", "Unit key", "League", "Rank", "Alarms", "Shortfall", "Commitment missed", "Target",
                        "Reached", "Share of target"]  # fmt: skip
    assert lines[1] == ["District 3", "quan-3", "Districts", "2", "Overdue share", repr(0.48 / 0.98 + 1), "On time",
                        "0.98", "0.5", repr(0.5 / 0.98)]  # fmt: skip
    assert [line[1] for line in lines[1:]] == ["quan-3", "quan-3", "so-tu-phap", "quan-1", "quan-1"]
    assert lines[4][4] == ""  # Quận 1 is in no breach: only below its commitments


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Quận 1", "Quận 1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text, inert):
    assert neutralise(text) == inert


def renamed(body: dict) -> dict:
    """The body with formula-looking unit names (and a formula-looking source error)."""
    body = copy.deepcopy(body)
    for figures in body["kpis"]["units"]:
        if figures["unit"]["key"] in FORMULAS:
            figures["unit"]["name_vi"] = figures["unit"]["name_en"] = FORMULAS[figures["unit"]["key"]]
    for league_body in body["leagues"].values():
        for row in league_body["rows"]:
            if row["unit_key"] in FORMULAS:
                row["name_vi"] = row["name_en"] = FORMULAS[row["unit_key"]]
    body["freshness"][0]["last_error"] = "=cmd|' /C calc'!A0"
    return body


def test_a_formula_looking_name_is_text_in_the_csv_and_never_a_formula_in_the_workbook(briefing):
    *_, body, report = briefing
    hostile = make_report(renamed(body), report.content_hash)
    names = [line[2] for line in parsed(league_csv(league(hostile, DISTRICT), "vi"))[1:3]]
    assert names == ['\'=HYPERLINK("http://x","y")', "'+1"]
    assert parsed(league_csv(league(hostile, DEPARTMENT), "vi"))[1][2] == "'-2"
    assert [line[0] for line in parsed(attention_csv(hostile.attention, "vi"))[1:]] == ["'+1", "'+1", "'-2",
            '\'=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")']  # fmt: skip
    book = book_of(hostile)
    cells = [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {neutralise(name) for name in FORMULAS.values()} | {"'=cmd|' /C calc'!A0"} <= texts
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    quan_1 = by_header(book["Xếp hạng Quận, huyện"])["quan-1"]["Đơn vị"]
    assert (quan_1.value, quan_1.data_type) == ('\'=HYPERLINK("http://x","y")', "s")


def test_a_unit_below_the_minimum_count_says_not_enough_data_in_its_rank_and_score_cells(below_the_minimum):
    """Quận 3 (8 completed of 11) is scored on nothing: its rank and score cells say why, in the CSV and the
    workbook, in Vietnamese and English, as the HTML briefing's score cell and the web league's rank title do."""
    *_, made = below_the_minimum
    lines = {line[3]: line for line in parsed(league_csv(league(made, DISTRICT), "vi"))}
    assert lines["quan-3"][:5] == ["Chưa xếp hạng — chưa đủ số liệu", "", "Quận 3", "quan-3", "chưa đủ số liệu"]
    assert lines["quan-1"][:5] == ["1", "0", "Quận 1", "quan-1", repr(18 / 42 * 100)]
    english = {line[3]: line for line in parsed(league_csv(league(made, DISTRICT), "en"))}
    assert english["quan-3"][:5] == ["Not ranked — not enough data", "", "District 3", "quan-3", "not enough data"]
    rows = by_header(book_of(made)["Xếp hạng Sở, ban, ngành"])
    assert (rows["so-tu-phap"]["Hạng"].value, rows["so-tu-phap"]["Điểm"].value) == (
        "Chưa xếp hạng — chưa đủ số liệu",
        "chưa đủ số liệu",
    )
