"""The unit tile's builders on plain data: exact words, numbers and links."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from dash import html

from dashboard.core.clock import CITY_TZ
from dashboard.core.paging import DossierPage
from dashboard.core.periods import window
from dashboard.core.vocabulary import LEAGUE_KINDS
from dashboard.metrics.kpis import Backlog, build_unit_kpis
from dashboard.metrics.service_index import load_index_config, score_unit
from dashboard.pages.unit import UnitView
from layouts import dossiers, unit
from layouts.ids import ShellIds, UnitIds
from tests.layouts.test_overview import texts

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
SPAN = window("30d", AS_OF)
UNIT = {"key": "quan-1", "kind": "district", "name_vi": "Quận 1", "name_en": "District 1", "ranked": True}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


def figures_of(key: str, dossier: dict, backlog: Backlog, feedback: dict | None = None, open_feedback=(0, 0)):
    return build_unit_kpis(key, "30d", SPAN, AS_OF, dossier, feedback or {}, {4: 75, 5: 75}, backlog, open_feedback)


QUAN_1 = figures_of(
    "quan-1",
    {
        "received": 200,
        "received_online": 50,
        "received_online_full": 10,
        "completed": 150,
        "completed_on_time": 120,
        "completed_after_due": 20,
        "completed_after_due_apology": 15,
        "rated": 40,
        "satisfied": 38,
        "statutory_days": 450,
    },
    Backlog(34, 5, 2, {"not_due": 19, "due_soon": 10, "overdue_1_5": 3, "overdue_6_20": 2, "overdue_over_20": 0}),
    {"received": 9, "answered": 8, "answered_on_time": 8},
    (3, 1),
)
CITY = figures_of(
    "city",
    {
        "received": 10000,
        "received_online": 3000,
        "received_online_full": 500,
        "completed": 9000,
        "completed_on_time": 8500,
        "rated": 100,
        "satisfied": 85,
        "statutory_days": 27000,
    },
    Backlog(3075, 66, 10),
    {"answered": 10, "answered_on_time": 9},
)


def overdue_row(code: str, **changes) -> dict:
    row = {
        "native_code": code,
        "procedure_code": "HT-KH",
        "procedure_name_vi": "Đăng ký kết hôn",
        "procedure_name_en": "Marriage registration",
        "received_at": at(2019, 11, 11, 9, 0),
        "due_original_at": at(2019, 11, 13, 23, 59, 59),
        "completed_at": None,
        "status": "processing",
        "apology_at": None,
        "apology_new_due_at": None,
        "late_days": 10,
    }
    return {**row, **changes}


def view(**changes) -> UnitView:
    values = {
        "unit": UNIT,
        "period": "30d",
        "as_of": AS_OF,
        "kpis": QUAN_1,
        "city": CITY,
        "index": score_unit(QUAN_1, load_index_config()),
        "rank": 3,
        "league_size": 24,
        "movement": 2,
        "targets": {"on_time": 0.98, "online": 0.40, "dossier_satisfaction": 0.95, "feedback_on_time": 0.95},
        "stale": False,
        "data_as_of": at(2019, 11, 27, 14, 58),
        "trend": (),
        "late_procedures": (
            {"procedure_code": "CT-BS", "name_vi": "Chứng thực bản sao", "name_en": "Certified copy", "late": 15},
            {"procedure_code": "HT-KH", "name_vi": "Đăng ký kết hôn", "name_en": "Marriage registration", "late": 6},
        ),
        "overdue": DossierPage([overdue_row("Q1-OVERDUE")], total=12, page=1, page_size=10),
        "no_apology": DossierPage([], total=0, page=1, page_size=10),
    }
    return UnitView(**{**values, **changes})


def test_the_address_of_a_tile_and_its_lists():
    assert unit.unit_href("quan-1", "vi") == "/unit/quan-1?lang=vi"
    assert (
        unit.unit_href("so-tu-phap", "en", "7d", "overdue", 2)
        == "/unit/so-tu-phap?lang=en&period=7d&list=overdue&page=2"
    )
    assert unit.unit_href("quan-1", "vi", "30d", "overdue", 1) == "/unit/quan-1?lang=vi&list=overdue"


@pytest.mark.parametrize(
    ("rank", "movement", "lang", "expected"),
    [
        (3, 2, "vi", "Hạng 3/24 · ▲ 2 bậc"),
        (5, -1, "vi", "Hạng 5/24 · ▼ 1 bậc"),
        (4, 0, "vi", "Hạng 4/24 · giữ hạng"),  # was "Hạng 4/24 =", read as nothing (issue 15)
        (4, None, "vi", "Hạng 4/24"),
        (None, None, "vi", "Chưa xếp hạng"),
        (3, 2, "en", "Rank 3/24 · ▲ 2"),
    ],
)
def test_rank_and_movement(rank, movement, lang, expected):
    assert unit.rank_text(rank, 24, movement, lang) == expected


def test_a_shared_rank_says_tied():
    assert unit.rank_text(3, 24, None, "vi", tied=True) == "Đồng hạng 3/24"
    assert unit.rank_text(3, 24, 0, "en", tied=True) == "Tied 3rd of 24 · same rank"
    assert [unit.ordinal_en(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def test_the_header_names_the_unit_its_rank_score_and_freshness():
    page = unit.layout(view(stale=True), "vi", "/unit/quan-1", 5000, [7, "2019-11-27T15:00"])
    words = texts(page)
    assert "Quận 1" in words and "Quận, huyện" in words and "District 1" not in words  # a Vietnamese page: no English
    assert page[UnitIds.RANK].children == "Hạng 3/24 · ▲ 2 bậc"
    assert page[UnitIds.RANK].title == "Xếp hạng trong 24 quận, huyện; tăng 2 bậc so với kỳ trước"
    fewer = unit.layout(view(ranked_count=17), "vi", "/unit/quan-1", 5000, [7, "2019-11-27T15:00"])
    assert fewer[UnitIds.RANK].children == "Hạng 3/17 · ▲ 2 bậc"
    assert "trong 17 đơn vị đủ số liệu (trên 24)" in texts(fewer)
    assert (
        page[UnitIds.SCORE].children == "Điểm 71,67 · Khá"
    )  # (16 + 11 + 6 + 5,7) ÷ 54 × 100, to 2 decimals as it ranks
    # each criterion in words, behind the score: decimal commas, the criterion's name, its target
    assert "Đúng hạn: 120 / 150 hồ sơ = 80,0% (mục tiêu 100,0%) → 16,00 / 20 điểm" in words
    assert not [w for w in words if "min((" in w]
    assert page[UnitIds.STALE].children == "Dữ liệu cũ"
    assert "Dữ liệu nguồn đến 14:58 27/11/2019" in words
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 15:00 27/11/2019"
    assert "Chỉ số: 30 ngày · 29/10/2019 – 15:00\u00a027/11/2019" in words
    assert page[UnitIds.SEEN].data == [7, "2019-11-27T15:00"] and page[UnitIds.FOCUS].data is False
    chips = page[UnitIds.PERIODS].children
    assert [c.children for c in chips] == [
        "Hôm nay",
        "7 ngày",
        "30 ngày",
        "Quý này",
        "Năm nay",
        "Tuần trước",
        "Tháng trước",
    ]
    assert chips[1].href == "/unit/quan-1?lang=vi&period=7d" and "is-current" in chips[2].className


def test_a_unit_outside_the_leagues_and_without_data():
    page = unit.layout(
        view(unit={**UNIT, "kind": "central_agency"}, rank=None, league_size=0, movement=None, data_as_of=None),
        "en",
        "/unit/quan-1",
        5000,
        [],
    )
    assert (
        page[UnitIds.RANK].children == "Not ranked" and page[UnitIds.RANK].title == "This unit is not in a league table"
    )
    assert "Central agency" in texts(page) and not any("Source data" in w for w in texts(page))


def test_kpi_cards_against_commitment_and_city_and_every_number_a_link():
    cards = unit.refreshed(view(), "vi")[unit.REFRESHED.index(UnitIds.KPIS)]
    on_time = cards[UnitIds.KPI_ON_TIME]
    assert on_time.children == "80,0%" and on_time.href == "/unit/quan-1?lang=vi&list=on_time"
    assert cards[UnitIds.KPI_IN_PROGRESS].children == "34"
    assert cards[UnitIds.KPI_IN_PROGRESS].href == "/unit/quan-1?lang=vi&list=in_progress"
    assert cards[UnitIds.KPI_OVERDUE].children == "5"
    assert cards[UnitIds.KPI_OVERDUE].href == "/unit/quan-1?lang=vi&list=overdue"
    assert cards[UnitIds.KPI_APOLOGY].children == "68,0%"  # (15 + 2) ÷ (20 + 5)
    assert cards[UnitIds.KPI_ONLINE].children == "25,0%" and cards[UnitIds.KPI_ONLINE_FULL].children == "5,0%"
    assert cards[UnitIds.KPI_DOSSIER_SATISFACTION].children == "95,0%"
    assert cards[UnitIds.KPI_FEEDBACK_ON_TIME].children == "100,0%"
    assert cards[UnitIds.KPI_PROCESSING].children == "2,0 ngày"
    assert cards[UnitIds.KPI_PROCESSING].href == "/unit/quan-1?lang=vi&list=completed"
    words = texts(cards)
    for expected in (
        "hồ sơ đã giải quyết",
        "Cam kết 98,0%",
        "đạt 81,6% mức cam kết · ",  # 80,0% ÷ 98%
        "chưa đạt",
        "Toàn thành phố: 94,4%",  # 8500 / 9000
        "Toàn thành phố: 85,0%",
        "Cam kết 40,0%",
        "đạt 62,5% mức cam kết · ",
        "đạt 105,3% mức cam kết · ",
        "✓ đạt",
        "Toàn thành phố: 3.075",
        "14,7% số hồ sơ đang giải quyết",
        "Toàn thành phố: 66 (2,1%)",
        "thời hạn quy định trung bình: 3,0 ngày",
        "Toàn thành phố: 2,0 ngày (quy định 3,0 ngày)",
        "Chưa xin lỗi:",
        "Toàn thành phố: 90,0%",  # feedback answered on time, 9 / 10
    ):
        assert expected in words, expected
    links = {(link.children, link.href) for link in cards._traverse() if getattr(link, "href", None)}
    for text, listed in (
        ("120", "on_time"),
        ("150", "completed"),
        ("200", "received"),
        ("8", "late_no_apology"),  # 25 late − 17 with an apology
        ("17", "late_with_apology"),
        ("25", "late_total"),
        ("100,0%", "feedback_answered_on_time"),  # the unit's feedback answered on time
    ):
        assert (text, f"/unit/quan-1?lang=vi&list={listed}") in links, (text, listed)


def test_kpi_cards_without_data_read_na_not_zero():
    empty = build_unit_kpis("quan-1", "30d", SPAN, AS_OF, {}, {}, {}, Backlog(), (0, 0))
    cards = unit.refreshed(view(kpis=empty), "en")[unit.REFRESHED.index(UnitIds.KPIS)]
    assert cards[UnitIds.KPI_ON_TIME].children == "—" and cards[UnitIds.KPI_PROCESSING].children == "—"
    words = texts(cards)
    assert "none resolved in the period" in words and "no data to compare yet" in words
    assert "Resolved on time" in words and "Commitment 98.0%" in words


def test_the_overdue_list_shows_dates_days_and_apologies():
    row = overdue_row("Q1-B", apology_at=at(2019, 11, 27, 8), apology_new_due_at=at(2019, 11, 29, 23, 59), late_days=1)
    table = dossiers.dossier_table([overdue_row("Q1-A"), row], unit.OVERDUE_COLUMNS, "vi")
    words = texts(table)
    assert words[:6] == ["Mã hồ sơ", "Thủ tục", "Tiếp nhận", "Hẹn trả", "Ngày làm việc quá hạn", "Phiếu xin lỗi"]
    assert words[6:12] == ["Q1-A", "Đăng ký kết hôn", "11/11/2019 09:00", "13/11/2019 23:59", "10", "Chưa gửi"]
    assert words[12:] == [
        "Q1-B",
        "Đăng ký kết hôn",
        "11/11/2019 09:00",
        "13/11/2019 23:59",
        "1",
        "Đã gửi · hẹn lại 29/11/2019",
    ]
    cells = [c for c in table._traverse() if isinstance(c, html.Td)]
    assert [c.to_plotly_json()["props"]["data-label"] for c in cells[:2]] == ["Mã hồ sơ", "Thủ tục"]  # phone labels


def test_a_dossier_that_was_not_late_owes_no_apology():
    done = overdue_row("OK", status="completed", completed_at=at(2019, 11, 12, 10), late_days=None)
    words = texts(dossiers.dossier_table([done], unit.LIST_COLUMNS, "en"))
    assert words[7:] == [
        "OK",
        "Marriage registration",
        "11/11/2019 09:00",
        "13/11/2019 23:59",
        "12/11/2019 10:00",
        "—",
        "—",
    ]


def test_the_tile_lists_link_to_all_and_say_when_empty():
    parts = dict(zip(unit.REFRESHED, unit.refreshed(view(), "vi"), strict=True))
    overdue = html.Div(parts[UnitIds.OVERDUE])
    assert "Q1-OVERDUE" in texts(overdue) and "Xem tất cả 12 hồ sơ" in texts(overdue)
    [more] = [c for c in overdue._traverse() if getattr(c, "href", None)]
    assert more.href == "/unit/quan-1?lang=vi&list=overdue"
    assert texts(html.Div(parts[UnitIds.NO_APOLOGY])) == ["Mọi hồ sơ trễ hạn đều có phiếu xin lỗi."]
    assert parts[UnitIds.DRILL] == []
    assert texts(parts[UnitIds.FEEDBACK]) == ["Đang mở", "3", "Trong đó quá hạn", "1", "Tiếp nhận trong kỳ", "9"]


def test_late_procedures_with_bars_relative_to_the_worst():
    listing = dossiers.late_procedures(view().late_procedures, "vi")
    assert texts(listing) == ["Chứng thực bản sao", "15 hồ sơ trễ", "Đăng ký kết hôn", "6 hồ sơ trễ"]
    widths = [c.style["width"] for c in listing._traverse() if getattr(c, "className", "") == "pulse-bar-fill"]
    assert widths == ["100.0%", "40.0%"]
    assert texts(dossiers.late_procedures([], "en")) == ["No late dossiers in the period."]


def test_the_drill_list_pages_fifty_at_a_time_with_previous_and_next():
    listed = DossierPage([overdue_row("Q1-51")], total=120, page=2, page_size=50)
    page = unit.layout(view(drill=listed, drill_filter="overdue"), "vi", "/unit/quan-1", 5000, [])
    drill = page[UnitIds.DRILL]
    words = texts(drill)
    assert "Hồ sơ quá hạn đang giải quyết: 120 hồ sơ" in words and "Hồ sơ 51–51 trong 120" in words
    assert "Trang 2 / 3" in words and "Q1-51" in words
    assert drill[UnitIds.DRILL_PREV].href == "/unit/quan-1?lang=vi&list=overdue"
    assert drill[UnitIds.DRILL_NEXT].href == "/unit/quan-1?lang=vi&list=overdue&page=3"
    assert drill[UnitIds.DRILL_CLOSE].href == "/unit/quan-1?lang=vi"
    assert page[UnitIds.FOCUS].data is True
    last = unit.drill(view(drill=replace(listed, page=3), drill_filter="overdue"), "en")
    assert "Next ›" in texts(html.Div(last)) and not [
        c for c in html.Div(last)._traverse() if getattr(c, "id", None) == UnitIds.DRILL_NEXT
    ]


def test_an_unknown_key_is_named():
    page = unit.not_found("quan-99", "vi", "/unit/quan-99")
    assert page[UnitIds.NOT_FOUND].children == "Không có đơn vị nào có mã “quan-99”."
    assert "Không tìm thấy đơn vị" in texts(page)
    assert unit.not_found("x", "en", "/unit/x")[UnitIds.NOT_FOUND].children == "There is no unit with the key “x”."


def test_every_key_the_tile_builds_from_data_is_in_the_catalogue():
    from dashboard.core.i18n import CATALOGUE
    from dashboard.core.periods import PERIODS
    from dashboard.core.reference import load_units
    from dashboard.core.vocabulary import AGEING_BUCKETS, DOSSIER_FILTERS, DOSSIER_STATUSES
    from layouts.unit_cards import RATE_CARDS

    keys = {f"unit.kind.{u['kind']}" for u in load_units()}
    keys |= {f"unit.status.{status}" for status in DOSSIER_STATUSES}
    keys |= {f"unit.grade.{grade.key}" for grade in load_index_config().grades}
    keys |= {f"unit.period.{period}" for period in PERIODS} | {f"fig.ageing.{b}" for b in AGEING_BUCKETS}
    keys |= {f"unit.list.{name}" for name in DOSSIER_FILTERS} | {f"unit.league.{k}" for k in LEAGUE_KINDS}
    keys |= {f"unit.kpi.{name}{part}" for name in RATE_CARDS for part in ("", ".note", ".none")}
    keys |= {f"unit.col.{column}" for column in unit.LIST_COLUMNS}
    assert sorted(keys - set(CATALOGUE)) == []
