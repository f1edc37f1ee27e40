"""The league builders on plain data: grid rows with their words and numbers, columns, the page and the XLSX."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dashboard.core.periods import previous_window, window
from dashboard.metrics.service_index import load_index_config, score_unit
from dashboard.pages.league import LeagueRow, LeagueView
from layouts import league, league_grid, league_xlsx
from layouts.aggrid_locale import AG_GRID_LOCALE_VI
from layouts.ids import LeagueIds, ShellIds
from tests.layouts.test_overview import texts
from tests.metrics.test_service_index import AS_OF, kpis

CONFIG = load_index_config()


def row(
    key: str,
    name: str,
    rank: int | None,
    previous: int | None,
    figures,
    *,
    stale: bool = False,
    targets: dict | None = None,
    trend=(None, 70.0, 80.0),
) -> LeagueRow:
    index = score_unit(figures, CONFIG)
    targets = {"on_time": 0.98, "online": 0.4} if targets is None else targets
    values = {"on_time": figures.on_time.value, "online": figures.online.value}
    return LeagueRow(
        unit_key=key,
        name_vi=name,
        name_en=name.replace("Quận", "District"),
        kpis=figures,
        index=index,
        rank=rank,
        previous_rank=previous,
        movement=None if rank is None or previous is None else previous - rank,
        trend=trend,
        targets=targets,
        progress={k: None if values[k] is None else values[k] / t for k, t in targets.items()},
        stale=stale,
        data_as_of=AS_OF - timedelta(hours=6, minutes=45) if stale else AS_OF,
    )


@pytest.fixture
def rows() -> list[LeagueRow]:
    full = kpis("quan-3", on_time=(20, 20), online=(20, 20))  # 20: the minimum count of a dossier criterion
    return [
        row("quan-3", "Quận 3", 1, 3, full, stale=True),
        row("quan-4", "Quận 4", 1, None, kpis("quan-4", on_time=(20, 20), online=(20, 20))),
        row("quan-1", "Quận 1", 3, 1, kpis("quan-1", on_time=(45, 50), online=(5, 20))),
        row("quan-5", "Quận 5", 4, 4, kpis("quan-5", on_time=(20, 60), online=(0, 60))),
        row("quan-6", "Quận 6", None, 2, kpis("quan-6"), targets={}, trend=(None, None, None)),
    ]


def view_of(rows, kind="district", period="30d") -> LeagueView:
    span, previous = window(period, AS_OF), previous_window(period, AS_OF)
    return LeagueView(kind, period, span, previous, AS_OF, 7, tuple(rows), ("district", "department"))  # 2019


def test_ranks_show_ties_and_movement_reads_without_colour(rows):
    data = league_grid.grid_rows(rows, "vi")
    tied = "1\nđồng hạng"  # "=1" read as nothing (issue 15): the words, beneath the number
    assert [(r["rank"], r["rank_text"]) for r in data] == [(1, tied), (1, tied), (3, "3"), (4, "4"), (None, "—")]
    assert data[0]["rank_title"] == "Đồng hạng 1"
    assert data[4]["rank_title"] == "Chưa xếp hạng — không có số liệu trong kỳ"
    assert (data[4]["score"], data[4]["score_text"]) == (None, "không có số liệu")
    assert league_grid.grid_rows(rows, "en")[0]["rank_text"] == "1\ntied"
    moves = [(r["movement"], r["movement_text"], r["movement_class"]) for r in data]
    assert moves == [
        (2, "▲2", "is-up"),
        (None, "mới", "is-new"),
        (-2, "▼2", "is-down"),
        (0, "–", "is-same"),
        (None, "—", "is-na"),
    ]
    assert data[2]["movement_title"] == "Giảm 2 bậc so với kỳ trước"
    assert league_grid.grid_rows(rows, "en")[1]["movement_text"] == "new"


def test_scores_points_and_kpis_are_numbers_beside_their_words(rows):
    quan_1 = league_grid.grid_rows(rows, "vi")[2]
    # on time 45/50 = 0.9 → 18 points; online 5/20 = 0.25 ÷ 0.5 → 11 points; (18 + 11) ÷ 42 × 100 = 69.05
    assert (quan_1["score"], quan_1["score_text"], quan_1["grade"], quan_1["grade_text"]) == (
        69.05,
        "69,05",
        "fair",
        "khá",
    )
    assert (quan_1["points_on_time"], quan_1["points_on_time_text"]) == (18.0, "18,00")
    assert quan_1["points_online_formula"] == "Trực tuyến: 5 / 20 hồ sơ = 25,0% (mục tiêu 50,0%) → 11,00 / 22 điểm"
    words = league_grid.grid_rows(rows, "en")[2]["points_feedback_on_time_formula"]
    assert words == "Feedback on time: no data in the period — not scored"
    assert quan_1["points_feedback_on_time"] is None and quan_1["points_feedback_on_time_text"] == "—"
    assert (quan_1["on_time"], quan_1["on_time_label"], quan_1["on_time_detail"]) == (90.0, "90,0% (45/50)", "45/50")
    assert quan_1["on_time_title"] == "45 / 50 hồ sơ giải quyết đúng hạn"
    assert (quan_1["online"], quan_1["online_text"]) == (25.0, "25,0%")
    assert quan_1["satisfaction"] is None and quan_1["satisfaction_label"] == "—"
    assert quan_1["href"] == "/unit/quan-1?lang=vi" and quan_1["name"] == "Quận 1"
    english = league_grid.grid_rows(rows, "en", period="7d")[2]
    assert (english["score_text"], english["name"], english["grade_text"]) == ("69.05", "District 1", "fair")
    assert english["href"] == "/unit/quan-1?lang=en&period=7d"


def test_commitments_trend_and_the_stale_mark(rows):
    data = league_grid.grid_rows(rows, "vi")
    quan_1, quan_3, quan_6 = data[2], data[0], data[4]
    assert quan_1["commit_text"] == "đạt 0/2"  # on time 90% of 98%, online 25% of 40%
    assert quan_1["commit"] == pytest.approx(round((0.9 / 0.98 + 0.25 / 0.4) / 2 * 100, 2))
    assert quan_1["commit_title"].split("\n") == [
        "Đúng hạn: 90,0% / mục tiêu 98,0% = 91,8% mục tiêu",
        "Trực tuyến: 25,0% / mục tiêu 40,0% = 62,5% mục tiêu",
    ]
    assert [p["met"] for p in quan_3["commit_parts"]] == [True, True] and quan_3["commit_text"] == "đạt 2/2"
    assert quan_6["commit"] is None and quan_6["commit_text"] == "Không có cam kết"
    assert quan_1["trend"] == [None, 70.0, 80.0] and quan_1["trend_title"] == "Điểm 8 tuần: 70,00 → 80,00"
    assert quan_3["stale"] is True and quan_3["stale_text"] == "dữ liệu cũ từ 08:15 27/11"
    assert quan_3["stale_title"] == "08:15 27/11/2019" and quan_3["data_as_of"] == "2019-11-27T08:15:00+07:00"
    assert quan_1["stale"] is False and quan_1["stale_text"] == ""


def test_the_grid_sorts_filters_and_exports_in_vietnamese(rows):
    grid = league.league_grid(rows, "vi", export_name="league-district-30d")
    assert grid.id == LeagueIds.GRID and grid.getRowId == "params.data.unit_key"
    assert grid.dashGridOptions["localeText"] == dict(AG_GRID_LOCALE_VI)
    assert grid.dashGridOptions["localeText"]["contains"] == "Chứa"
    assert grid.dashGridOptions["rowClassRules"] == {"pulse-league-row-stale": "params.data.stale"}
    top = [c.get("field") or c["headerName"] for c in grid.columnDefs]
    assert top[:4] == ["rank", "name", "score", "movement"]  # the score pinned beside the unit: seen on a phone
    assert [c.get("pinned") for c in grid.columnDefs[:4]] == ["left", "left", "left", None]
    assert top[4:] == ["Điểm thành phần", "Chỉ số trong kỳ", "commit", "trend", "tie", "grade_text", "stale_text"]
    subs = grid.columnDefs[4]["children"]
    assert [c["field"] for c in subs] == [f"points_{s.key}" for s in CONFIG.criteria]
    assert (
        subs[0]["tooltipField"] == "points_on_time_formula" and subs[0]["headerTooltip"] == "Đúng hạn: tối đa 20 điểm"
    )
    score = grid.columnDefs[2]
    assert score["sortingOrder"][0] == "desc" and score["comparator"] == {"function": "pulseNullsLast"}
    assert grid.columnDefs[1]["filter"] == "agTextColumnFilter"
    assert grid.csvExportParams["fileName"] == "league-district-30d.csv"
    assert "trend" not in grid.csvExportParams["columnKeys"] and "grade_text" in grid.csvExportParams["columnKeys"]
    assert "localeText" not in league.league_grid(rows, "en").dashGridOptions


def test_the_compact_grid_for_the_wall_keeps_rank_score_kpis_and_trend(rows):
    grid = league.league_grid(rows, "vi", grid_id="wall-league", compact=True)
    fields = [c.get("field") or c["headerName"] for c in grid.columnDefs]
    assert grid.id == "wall-league" and "is-compact" in grid.className
    assert fields == [
        "rank",
        "name",
        "score",
        "movement",
        "Chỉ số trong kỳ",
        "trend",
        "tie",
        "grade_text",
        "stale_text",
    ]
    assert league.league_grid([], "vi").rowData == []


def test_the_page_has_the_kind_switch_the_periods_and_the_summary(rows):
    page = league.layout(view_of(rows, "district", "7d"), "vi", "/league", 5000, [7, "2019-11-27T15:00"])
    kinds = page[LeagueIds.KINDS].children
    assert [(k.children, k.href, "is-current" in k.className) for k in kinds] == [
        ("Quận, huyện", "/league?lang=vi&kind=district&period=7d", True),
        ("Sở, ban, ngành", "/league?lang=vi&kind=department&period=7d", False),
    ]
    periods = page[LeagueIds.PERIODS].children
    assert [p.children for p in periods] == [
        "Hôm nay",
        "7 ngày",
        "30 ngày",
        "Quý này",
        "Năm nay",
        "Tuần trước",
        "Tháng trước",
    ]
    assert [p.href for p in periods if "is-current" in p.className] == ["/league?lang=vi&kind=district&period=7d"]
    summary = texts(page[LeagueIds.SUMMARY])[0]
    assert summary.startswith("4 / 5 đơn vị được xếp hạng theo chỉ số phục vụ, 00:00 21/11/2019 – 15:00 27/11/2019")
    assert page[LeagueIds.SEEN].data == [7, "2019-11-27T15:00"] and page[LeagueIds.INTERVAL].interval == 5000
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 15:00 27/11/2019"
    assert "Bảng xếp hạng thi đua · Quận, huyện" in texts(page)
    assert page[LeagueIds.GRID].csvExportParams["fileName"] == "league-district-7d-20191127-1500.csv"
    assert "is-current" in page[ShellIds.NAV_LEAGUE].className


def test_the_workbook_has_the_rows_in_the_order_shown_with_numbers_as_numbers(rows):
    content = league_xlsx.league_workbook(view_of(rows), "vi", order=["quan-1", "quan-3", "unknown"])
    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A1"].value == "Bảng xếp hạng Quận, huyện — 30 ngày"
    assert sheet["A3"].value == "Số liệu lúc 15:00 27/11/2019 · Phiên bản dữ liệu 7"
    header = [cell.value for cell in sheet[league_xlsx.HEADER_ROW]]
    assert header[:8] == [
        "Hạng",
        "Hạng kỳ trước",
        "So kỳ trước",
        "Đơn vị",
        "Mã đơn vị",
        "Điểm",
        "Đồng hạng",
        "Xếp loại",
    ]
    assert header[8] == "Đúng hạn (20)" and header[-2:] == ["Dữ liệu cũ", "Dữ liệu nguồn lúc"]
    first = {name: cell.value for name, cell in zip(header, sheet[league_xlsx.HEADER_ROW + 1], strict=True)}
    assert (first["Hạng"], first["Hạng kỳ trước"], first["So kỳ trước"], first["Mã đơn vị"]) == (3, 1, -2, "quan-1")
    assert first["Điểm"] == 69.05 and first["Xếp loại"] == "khá"
    assert (first["Giải quyết đúng hạn"], first["Đã giải quyết"], first["Đúng hạn"]) == (45, 50, 0.9)
    assert first["Cam kết: Đúng hạn"] == pytest.approx(0.9 / 0.98) and first["Dữ liệu cũ"] is None
    second = [cell.value for cell in sheet[league_xlsx.HEADER_ROW + 2]]
    assert second[4] == "quan-3" and second[-2] == "có" and str(second[-1]) == "2019-11-27 08:15:00"
    assert sheet.max_row == league_xlsx.HEADER_ROW + 2  # the unknown key is left out
    every_row = load_workbook(BytesIO(league_xlsx.league_workbook(view_of(rows), "en"))).active
    assert every_row.max_row == league_xlsx.HEADER_ROW + 5 and every_row["A1"].value == "League of districts — 30 days"
    assert every_row.cell(league_xlsx.HEADER_ROW + 2, 3).value == "new"
