"""The unit tile's callbacks on a hand-built store: exact figures, ranks, the city, lists and the refresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from dash import no_update

from callbacks import unit as unit_callbacks
from callbacks.routing import route
from dashboard.auth.roles import UNIT_HEAD, UNIT_STAFF, USER, Principal
from dashboard.core.cache import background_for, cache_of
from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import default_calendar
from dashboard.pages import unit as unit_pages
from dashboard.pages.common import current_key
from layouts import unit as unit_layout
from layouts.ids import NotFoundIds, ShellIds, TodoIds, UnitIds
from tests.callbacks.test_overview import registered
from tests.factories import counting_every_dossier, dossier
from tests.layouts.test_overview import texts
from tests.signin import LEADER_PRINCIPAL, acting_as

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)  # a Wednesday afternoon


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


def due(received: datetime, days: int) -> datetime:
    return default_calendar().due_after_working_days(received, days)


def make(code: str, received: datetime, days: int, **kw):
    """A dossier (HT-KH, 3 working days statutory) due `days` working days after receipt."""
    row = dossier(code, received=received, **kw)
    row["due_original_at"] = row["due_current_at"] = due(received, days)
    return row


def feedback(code: str, received: datetime, days: int, status: str, answered=None, rating=None) -> dict:
    return {
        "native_id": code,
        "unit": "760",
        "category": "Môi trường",
        "channel": "app",
        "received_at": received,
        "due_at": due(received, days),
        "answered_at": answered,
        "status": status,
        "rating": rating,
        "lat": 10.78,
        "lon": 106.70,
        "source_updated_at": answered or received,
    }


MONDAY = at(2019, 11, 18, 9)
ROWS = (
    # Quận 1 (760): one on time, two late (one with an apology), two overdue (one with an apology), two open
    make(
        "Q1-ONTIME",
        MONDAY,
        3,
        status="completed",
        completed=at(2019, 11, 19, 10),
        channel="online_full",
        rating="satisfied",
    ),
    make(
        "Q1-LATE-APOLOGY",
        MONDAY,
        1,
        status="completed",
        completed=at(2019, 11, 22, 10),
        apology_at=at(2019, 11, 19, 16),
        apology_new_due_at=at(2019, 11, 22, 23, 59),
        rating="dissatisfied",
    ),
    make("Q1-LATE", MONDAY, 1, status="completed", completed=at(2019, 11, 21, 9), channel="online_partial"),
    make("Q1-OVERDUE-1", at(2019, 11, 11, 9), 2),  # due 13/11: 10 working days late on 27/11
    make(
        "Q1-OVERDUE-2",
        at(2019, 11, 25, 9),
        1,
        apology_at=at(2019, 11, 27, 8),
        apology_new_due_at=at(2019, 11, 29, 23, 59),
    ),  # due 26/11: 1 working day late
    make("Q1-SOON", at(2019, 11, 26, 9), 2),  # due 28/11
    make("Q1-OPEN", at(2019, 11, 27, 9), 5),  # due 04/12
    make("Q1-OLD", at(2019, 10, 1, 9), 1, status="completed", completed=at(2019, 10, 10, 9)),  # previous period, late
    # the store's history starts 01/08, before the previous period (29/09 – 29/10) and the tile's 90 days
    make("Q1-HISTORY", at(2019, 8, 1, 9), 3, status="completed", completed=at(2019, 8, 2, 9)),
    # Quận 3 (770): on time now and before; one open.  Sở Tư pháp: one on time.
    make("Q3-A", MONDAY, 3, unit="770", status="completed", completed=at(2019, 11, 19, 14)),
    make("Q3-B", at(2019, 11, 27, 10), 5, unit="770"),
    make("Q3-OLD", at(2019, 10, 1, 9), 3, unit="770", status="completed", completed=at(2019, 10, 1, 14)),
    make("STP-A", MONDAY, 3, unit="so-tu-phap", status="completed", completed=at(2019, 11, 20, 9)),
)
FEEDBACK = (
    feedback("F-ANSWERED", at(2019, 11, 18, 9), 5, "answered", answered=at(2019, 11, 20, 9), rating="satisfied"),
    feedback("F-OVERDUE", at(2019, 11, 18, 9), 4, "open"),  # due 22/11
)


@pytest.fixture
def tile(app, services, source_db, pull):
    """The app's store holds the rows above, pulled at 15:00 on 27/11/2019; returns (path, search) → page. A handful
    of dossiers: ranked with a minimum count of 1 (the packaged minimum: `test_a_tile_below_the_minimum_count`)."""
    services.index_config = counting_every_dossier(services.index_config)
    source_db.insert("dossiers", *ROWS)
    source_db.insert("feedback", *FEEDBACK)
    services.clock.set(AS_OF)
    pull()

    def page(path="/unit/quan-1", search="", viewer=LEADER_PRINCIPAL):
        with acting_as(app, viewer):
            return route(services, cache_of(app), path, search)

    return page


def test_the_tile_shows_exact_figures_rank_and_city(tile):
    page = tile()
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 15:00 27/11/2019"
    # 2nd behind Quận 3 over the previous 30 days; ranked among the 2 units with data (of 24 districts)
    assert page[UnitIds.RANK].children == "Hạng 1/2 · ▲ 1 bậc"
    assert "trong 2 đơn vị đủ số liệu (trên 24)" in texts(page[UnitIds.SUMMARY])
    assert page[UnitIds.SCORE].children == "Điểm 57,06 · Trung bình"
    assert page[UnitIds.KPI_ON_TIME].children == "33,3%"  # 1 of 3 completed
    assert page[UnitIds.KPI_IN_PROGRESS].children == "4"
    assert page[UnitIds.KPI_OVERDUE].children == "2"
    assert page[UnitIds.KPI_APOLOGY].children == "50,0%"  # 2 of (2 completed late + 2 overdue)
    assert page[UnitIds.KPI_ONLINE].children == "28,6%"  # 2 of 7 received
    assert page[UnitIds.KPI_ONLINE_FULL].children == "14,3%"
    assert page[UnitIds.KPI_DOSSIER_SATISFACTION].children == "50,0%"
    assert page[UnitIds.KPI_FEEDBACK_ON_TIME].children == "100,0%"
    assert page[UnitIds.KPI_PROCESSING].children == "2,5 ngày"  # half-days 1, 5, 7: lower median 5
    words = texts(page[UnitIds.KPIS])
    assert "Toàn thành phố: 60,0%" in words  # on time: Q1 1 + Q3 1 + STP 1 of 5
    assert "Toàn thành phố: 5" in words and "Toàn thành phố: 2 (40,0%)" in words
    assert "đạt 34,0% mức cam kết · " in words and "đạt 71,4% mức cam kết · " in words  # 1/3 ÷ 98%, 2/7 ÷ 40%
    assert "Toàn thành phố: 1,5 ngày (quy định 3,0 ngày)" in words  # half-days 1, 2, 3, 5, 7
    assert texts(page[UnitIds.FEEDBACK]) == ["Đang mở", "1", "Trong đó quá hạn", "1", "Tiếp nhận trong kỳ", "2"]
    assert page[UnitIds.AGEING].figure.data[0].x == (1, 1, 1, 1, 0)
    assert page[UnitIds.SEEN].data[1] == "2019-11-27T15:00"


def test_the_overdue_and_late_without_apology_lists(tile):
    page = tile()
    # the to-do, first on the tile: one line a dossier, how late in working days (the drill list has every date)
    assert texts(page[UnitIds.OVERDUE]) == [
        "Q1-OVERDUE-1",
        "Đăng ký kết hôn",
        "quá 10 ngày làm việc",  # due 13/11, open at 27/11
        "Q1-OVERDUE-2",
        "Đăng ký kết hôn",
        "quá 1 ngày làm việc",
    ]  # both show, on a phone too: no "see all"
    verdict = texts(page[TodoIds.VERDICT])
    assert verdict == [
        "Cần xử lý: ", "2 hồ sơ quá hạn", ", ", "1 sắp đến hạn", ", ", "2 trễ hạn chưa có phiếu xin lỗi", ".",
    ]  # fmt: skip
    assert texts(page[TodoIds.DUE_SOON]) == ["Q1-SOON", "Đăng ký kết hôn", "hạn 28/11/2019 23:59"]  # due tomorrow
    no_apology = texts(page[UnitIds.NO_APOLOGY])
    assert [w for w in no_apology if w.startswith("Q1-")] == ["Q1-LATE", "Q1-OVERDUE-1"]  # newest received first
    assert no_apology[:3] == ["Q1-LATE", "Đăng ký kết hôn", "quá 2 ngày làm việc"]  # completed 21/11, due 19/11
    assert texts(page[UnitIds.LATE_PROCEDURES]) == ["Đăng ký kết hôn", "4 hồ sơ trễ"]  # 2 late + 2 overdue
    trend = page[UnitIds.TREND].figure
    assert len(trend.data) == 3 and len(trend.data[0].x) == 13  # weekly: the 13 weeks Monday 02/09 … 25/11
    # in progress at the end of 27/11 (the week to date): OVERDUE-1, OVERDUE-2, SOON, OPEN; received since 25/11:
    # OVERDUE-2, SOON, OPEN
    assert trend.data[2].y[-1] == 4 and trend.data[0].y[-1] == 3


def test_another_units_head_sees_the_figures_but_no_dossier(tile):
    head_of_quan_3 = Principal(USER, "an", "An", UNIT_HEAD, frozenset({"quan-3"}))
    page = tile(viewer=head_of_quan_3)
    assert page[UnitIds.KPI_IN_PROGRESS].children == "4" and page[UnitIds.KPI_OVERDUE].children == "2"  # the figures
    withheld = "Danh sách từng hồ sơ chỉ dành cho cán bộ của đơn vị; các số liệu trên đây ai cũng xem được."
    assert texts(page[UnitIds.OVERDUE]) == [withheld] and texts(page[UnitIds.NO_APOLOGY]) == [withheld]
    assert not any(w.startswith("Q1-") for w in texts(page))  # no dossier code anywhere on the page
    assert not [h for h in props(page, "href") if "list=" in h]  # no link to a list
    assert UnitIds.XLSX not in props(page, "id")  # nor the tile's workbook
    own = tile(viewer=Principal(USER, "binh", "Bình", UNIT_STAFF, frozenset({"quan-1", "quan-3"})))
    assert "Q1-OVERDUE-1" in texts(own[UnitIds.OVERDUE]) and UnitIds.XLSX in props(own, "id")
    assert "/unit/quan-1?lang=vi&list=overdue" in props(own, "href")


def props(page, name: str) -> list:
    return [getattr(c, name) for c in page._traverse() if isinstance(getattr(c, name, None), str)]


def test_a_number_opens_its_dossiers_fifty_a_page(tile, monkeypatch):
    page = tile("/unit/quan-1", "?list=overdue")
    drill = texts(page[UnitIds.DRILL])
    assert "Hồ sơ quá hạn đang giải quyết: 2 hồ sơ" in drill and "Q1-OVERDUE-1" in drill and "Q1-OVERDUE-2" in drill
    assert page[UnitIds.FOCUS].data is True
    monkeypatch.setattr(unit_pages, "DRILL_PAGE_SIZE", 2)
    second = tile("/unit/quan-1", "?list=received&page=2&lang=en")
    assert "Dossiers 3–4 of 7" in texts(second[UnitIds.DRILL])
    assert second[UnitIds.DRILL_NEXT].href == "/unit/quan-1?lang=en&list=received&page=3"
    past_the_end = tile("/unit/quan-1", "?list=received&page=9")
    assert "Hồ sơ 7–7 trong 7" in texts(past_the_end[UnitIds.DRILL])  # the last page instead


def test_feedback_numbers_open_their_feedback_lists(tile):
    overdue = texts(tile("/unit/quan-1", "?list=feedback_overdue")[UnitIds.DRILL])
    assert "Phản ánh quá hạn trả lời: 1 phản ánh" in overdue and "F-OVERDUE" in overdue and "F-ANSWERED" not in overdue
    on_time = texts(tile("/unit/quan-1", "?list=feedback_answered_on_time&lang=en")[UnitIds.DRILL])
    assert "F-ANSWERED" in on_time and "F-OVERDUE" not in on_time and "App" in on_time


def test_another_period_and_a_department(tile):
    today = tile("/unit/quan-1", "?period=today")
    assert today[UnitIds.KPI_ON_TIME].children == "—" and today[UnitIds.KPI_IN_PROGRESS].children == "4"
    assert "Chỉ số: Hôm nay · 27/11/2019 – 15:00\u00a027/11/2019" in texts(today)
    department = tile("/unit/so-tu-phap", "?lang=en")
    assert department[UnitIds.RANK].children == "Rank 1/1"  # the only department with data; no previous period
    assert department[UnitIds.KPI_ON_TIME].children == "100.0%"
    assert "Whole city: 60.0%" in texts(department[UnitIds.KPIS])
    assert "Department of Justice" in texts(department)


def test_unknown_key_and_the_router(app, services):
    page = route(services, cache_of(app), "/unit/quan-99", "")
    assert page[UnitIds.NOT_FOUND].children == "Không có đơn vị nào có mã “quan-99”."
    english = registered(app, ShellIds.PAGE)("/unit/", "?lang=en")
    assert english[UnitIds.NOT_FOUND].children == "There is no unit with the key “”."
    assert (
        route(services, cache_of(app), "/units", "")[NotFoundIds.TEXT].children
        == "Không có trang nào ở địa chỉ /units."
    )


def test_a_unit_without_data_or_sources_still_has_a_tile(app, services):
    page = route(services, cache_of(app), "/unit/quan-3", "")
    assert page[UnitIds.KPI_ON_TIME].children == "—"
    assert page[UnitIds.RANK].children == "Chưa xếp hạng — không có số liệu trong kỳ"
    assert texts(page[TodoIds.VERDICT]) == ["Chưa kết nối nguồn dữ liệu nào — chưa có số liệu"]  # not "nothing to do"
    assert texts(page[UnitIds.OVERDUE]) == [] and texts(page[UnitIds.NO_APOLOGY]) == []
    assert page[UnitIds.TREND].figure.layout.annotations[0].text == "Chưa có hồ sơ trong 90 ngày qua"


def test_stale_sources_are_marked(tile, app, services):
    assert UnitIds.STALE not in str(tile())
    services.clock.advance(timedelta(minutes=4))  # the source pulls every 60 s: stale after 3 minutes
    assert UnitIds.STALE not in str(tile())  # the previous minute's tile at once, this minute's in the background
    background_for(cache_of(app)).wait(timeout=30)
    assert tile()[UnitIds.STALE].children == "Dữ liệu cũ"


def test_refresh_returns_no_update_until_the_data_version_changes(app, services, source_db, pull):
    services.clock.set(AS_OF)
    refresh = registered(app, UnitIds.KPIS)
    first = refresh(1, None, "/unit/quan-1", "")
    as_of_text, *parts, seen = first
    assert as_of_text == "Số liệu lúc 15:00 27/11/2019" and len(parts) == len(unit_layout.REFRESHED)
    assert parts[unit_layout.REFRESHED.index(UnitIds.KPIS)][UnitIds.KPI_IN_PROGRESS].children == "0"
    assert refresh(2, seen, "/unit/quan-1", "") == (no_update,) * (len(unit_layout.REFRESHED) + 2)

    source_db.insert("dossiers", *ROWS)
    pull()
    # the new version's tile is computed in the background; meanwhile the page keeps the one it shows
    assert refresh(3, seen, "/unit/quan-1", "?lang=en") == (no_update,) * (len(unit_layout.REFRESHED) + 2)
    background_for(cache_of(app)).wait(timeout=30)
    _as_of_text, *parts, new_seen = refresh(4, seen, "/unit/quan-1", "?lang=en")
    assert new_seen != seen
    assert parts[unit_layout.REFRESHED.index(UnitIds.KPIS)][UnitIds.KPI_IN_PROGRESS].children == "4"
    trend = parts[unit_layout.REFRESHED.index(UnitIds.TREND)]
    assert trend.layout.uirevision == "trend-quan-1" and trend.data[0].name == "Received"
    assert refresh(4, None, "/unit/quan-99", "")[0] is no_update  # a key no unit has: nothing to refresh


def test_the_cache_serves_a_second_viewer_without_recomputing(tile, app, services, monkeypatch):
    key = current_key(services)
    query = unit_callbacks.tile_query("/unit/quan-1", "?list=overdue")
    first = unit_pages.tile_data(services, cache_of(app), key, query)
    monkeypatch.setattr(unit_pages, "standings", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(unit_pages, "unit_view", lambda *a, **k: 1 / 0)
    assert unit_pages.tile_data(services, cache_of(app), key, query) == first
    other = unit_callbacks.tile_query("/unit/quan-1", "")
    with pytest.raises(ZeroDivisionError):  # another tile shares the city context but builds its own view
        unit_pages.tile_data(services, cache_of(app), key, other)


@pytest.mark.parametrize(
    ("path", "search", "expected"),
    [
        ("/unit/quan-1", "?period=7d&list=overdue&page=2", ("quan-1", "7d", "overdue", 2)),
        ("/unit/so-tu-phap/", "", ("so-tu-phap", "30d", None, 1)),
        ("/unit/quan-1", "?period=week&list=nope&page=-1", ("quan-1", "30d", None, 1)),
        ("/unit/qu%E1%BA%ADn", "?page=0", ("quận", "30d", None, 1)),
        (None, None, ("", "30d", None, 1)),
    ],
)
def test_the_address_names_a_unit_a_period_a_list_and_a_page(path, search, expected):
    query = unit_callbacks.tile_query(path, search)
    assert (query.key, query.period, query.list_name, query.page) == expected
