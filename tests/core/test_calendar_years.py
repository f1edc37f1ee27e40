"""The calendar that does not end: `holidays` for every year, the government's decisions on top, unconfirmed years
flagged on /sources and in `check`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
import pytest
from cachelib import SimpleCache

from callbacks import sources as sources_callbacks
from dashboard.checks import calendar_lines
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import CATALOGUE
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.settings import Settings
from dashboard.core.workdays import CalendarError, WorkCalendar, default_calendar, library_days
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages.sources import sources_view
from dashboard.store import Store
from layouts import sources as sources_layout
from tests.factories import dossier

# The hand-written dashboard/data/holidays.yaml this calendar replaces (git show HEAD:dashboard/data/holidays.yaml
# before the change), as expected values: `holidays` plus the overrides must give exactly these days.
OLD_FILE = {
    2018: {
        "days_off": [
            *("2018-01-01", "2018-02-14", "2018-02-15", "2018-02-16", "2018-02-19", "2018-02-20"),
            *("2018-04-25", "2018-04-30", "2018-05-01", "2018-09-03", "2018-12-31"),
        ],
        "makeup_days": [],
    },
    2019: {
        "days_off": [
            *("2019-01-01", "2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08"),
            *("2019-04-15", "2019-04-29", "2019-04-30", "2019-05-01", "2019-09-02"),
        ],
        "makeup_days": ["2019-01-05", "2019-05-04"],
    },
    2020: {
        "days_off": [
            *("2020-01-01", "2020-01-23", "2020-01-24", "2020-01-27", "2020-01-28", "2020-01-29"),
            *("2020-04-02", "2020-04-30", "2020-05-01", "2020-09-02"),
        ],
        "makeup_days": [],
    },
    2021: {
        "days_off": [
            *("2021-01-01", "2021-02-10", "2021-02-11", "2021-02-12", "2021-02-15", "2021-02-16"),
            *("2021-04-21", "2021-04-30", "2021-05-03", "2021-09-02", "2021-09-03"),
        ],
        "makeup_days": [],
    },
}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


def end_of(*parts: int) -> datetime:
    return at(*parts, 23, 59, 59)


def days_of(calendar: WorkCalendar, year: int) -> tuple[list[str], list[str]]:
    off = sorted(d.isoformat() for d in calendar.off if d.year == year and d.weekday() < 5)
    return off, sorted(d.isoformat() for d in calendar.makeup if d.year == year)


@pytest.mark.parametrize("year", sorted(OLD_FILE))
def test_holidays_and_the_overrides_give_exactly_the_old_files_days(year):
    expected = (sorted(OLD_FILE[year]["days_off"]), sorted(OLD_FILE[year]["makeup_days"]))
    assert days_of(default_calendar(), year) == expected
    assert days_of(WorkCalendar.from_overrides({}), year) == expected  # `holidays` alone already gives them


def test_the_library_is_the_pinned_one_and_knows_the_swaps():
    assert holidays.__version__ == "0.109"
    off, makeup = library_days()
    assert {date(2024, 4, 29), date(2025, 5, 2), date(2026, 8, 31)} <= off  # swapped days off
    assert {date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)} <= makeup  # the Saturdays they are made up on
    assert date(2060, 1, 1) in off and date(2061, 1, 1) not in off  # the index's years, no further


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Tết Giáp Thìn 2024: 08–14/02 (Thông báo 5015/TB-LĐTBXH)
        (at(2024, 2, 7, 10), 1, end_of(2024, 2, 15)),
        (at(2024, 2, 7, 10), 2, end_of(2024, 2, 16)),
        (at(2024, 2, 12, 9), 0, end_of(2024, 2, 15)),  # received during Tết: counts on the first day back
        # Tết Ất Tỵ 2025: 25/01–02/02 (Thông báo 6150/TB-BLĐTBXH)
        (at(2025, 1, 24, 9), 1, end_of(2025, 2, 3)),
        (at(2025, 1, 24, 17, 30), 1, end_of(2025, 2, 4)),  # after hours: counts from Monday 03/02
        # Tết Bính Ngọ 2026: 14–22/02 (Thông báo 9441/TB-BNV)
        (at(2026, 2, 13, 9), 1, end_of(2026, 2, 23)),
        (at(2026, 2, 13, 9), 5, end_of(2026, 2, 27)),
        # New Year 2026: 01–04/01, 02/01 swapped for Saturday 10/01 (Công văn 12729/VPCP-KGVX)
        (at(2025, 12, 31, 9), 1, end_of(2026, 1, 5)),
        (at(2026, 1, 9, 9), 1, end_of(2026, 1, 10)),
        # 30/4–1/5
        (at(2023, 4, 28, 9), 1, end_of(2023, 5, 4)),  # Giỗ Tổ 29/4 (Sat), 30/4 (Sun), 1/5, then 2/5 and 3/5 off
        (at(2024, 4, 26, 9), 1, end_of(2024, 5, 2)),  # 29/4 swapped: 27/4–1/5 off
        (at(2024, 4, 26, 9), 3, end_of(2024, 5, 4)),  # … made up on Saturday 04/5
        (at(2025, 4, 29, 9), 1, end_of(2025, 5, 5)),  # 30/4–4/5 off
        (at(2025, 4, 25, 9), 1, end_of(2025, 4, 26)),  # Saturday 26/4 is worked
        (at(2026, 4, 24, 9), 1, end_of(2026, 4, 28)),  # Giỗ Tổ 26/4 (Sun) → Monday 27/4
        (at(2026, 4, 29, 9), 1, end_of(2026, 5, 4)),
        # 2/9
        (at(2022, 8, 31, 9), 1, end_of(2022, 9, 5)),  # 1/9 and 2/9
        (at(2023, 8, 31, 9), 1, end_of(2023, 9, 5)),  # 1/9, then 2/9 (Sat) compensated on 4/9
        (at(2024, 8, 30, 9), 1, end_of(2024, 9, 4)),  # 2/9 and 3/9
        (at(2025, 8, 29, 9), 1, end_of(2025, 9, 3)),  # 1/9 and 2/9
        (at(2026, 8, 28, 9), 1, end_of(2026, 9, 3)),  # 31/8 (swapped), 1/9, 2/9
        (at(2026, 8, 21, 9), 1, end_of(2026, 8, 22)),  # … made up on Saturday 22/8
        # 24/11/2026 stays a working day (no decision found; see holidays.yaml)
        (at(2026, 11, 23, 9), 1, end_of(2026, 11, 24)),
    ],
)
def test_due_dates_across_the_holidays_of_2022_to_2026(received, days, due):
    assert default_calendar().due_after_working_days(received, days) == due


def test_make_up_saturdays_are_working_days_and_other_saturdays_are_not():
    calendar = default_calendar()
    made_up = [date(2019, 1, 5), date(2019, 5, 4), date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10)]
    assert all(calendar.is_working_day(day) for day in [*made_up, date(2026, 8, 22)])
    assert not any(calendar.is_working_day(day) for day in [date(2024, 5, 11), date(2026, 1, 3), date(2026, 8, 29)])
    assert calendar.working_days_in(date(2026, 1, 5), date(2026, 1, 12)) == 6  # Mon–Fri and Saturday 10/01
    # Received Friday 09/01/2026 at 16:00, done on the make-up Saturday afternoon: one working day
    assert calendar.processing_half_days(at(2026, 1, 9, 16), at(2026, 1, 10, 15)) == 2


def test_a_year_without_a_decision_still_gets_tet_and_the_two_day_national_day():
    calendar = default_calendar()
    assert calendar.unconfirmed_years(2027, 2027) == [2027]
    tet_2027 = [date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)]
    assert not any(calendar.is_working_day(day) for day in tet_2027)
    assert calendar.due_after_working_days(at(2027, 2, 3, 9), 1) == end_of(2027, 2, 11)
    assert not calendar.is_working_day(date(2030, 9, 2)) and not calendar.is_working_day(date(2030, 9, 3))
    assert calendar.is_working_day(date(2030, 9, 4))
    assert not calendar.is_working_day(date(2061, 9, 2)) and calendar.is_working_day(date(2061, 9, 5))  # past 2060


def test_a_hand_broken_calendar_changes_due_dates_and_processing_times(tmp_path, clock, source_db):
    broken = tmp_path / "broken.yaml"  # Thursday 30/01/2025, the 2nd day of Tết Ất Tỵ, removed by hand
    broken.write_text("2025:\n  decision: a test\n  days_off_removed: [2025-01-30]\n", "utf-8")
    good, bad = default_calendar(), WorkCalendar.from_yaml(broken)
    received = at(2025, 1, 24, 9)  # Friday before Tết
    assert good.due_after_working_days(received, 1) == end_of(2025, 2, 3)
    assert bad.due_after_working_days(received, 1) == end_of(2025, 1, 30)
    assert bad.due_after_working_days(received, 2) == end_of(2025, 2, 3)

    # The same through the ingest path (CCHC_HOLIDAYS_FILE): a dossier done on Monday 03/02 in the afternoon
    completed = at(2025, 2, 3, 15)
    source_db.insert("dossiers", dossier("TET-1", received=received, status="completed", completed=completed))
    source = SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1")
    for name, holidays_file, half_days in (("good", None, 2), ("broken", broken, 4)):
        settings = Settings(data_dir=tmp_path / name, safety_lag_s=0, holidays_file=holidays_file)
        store = Store(f"sqlite:///{tmp_path / (name + '.sqlite')}")
        store.migrate()
        store.seed_reference(load_units(), load_procedures())
        assert store.hold_lease("tests").acquire()
        Ingestor(store, clock, settings).pull(source)
        assert [row["processing_half_days"] for row in store.rows("dossiers")] == [half_days], name
        store.dispose()


def test_the_override_file_is_checked_key_by_key(tmp_path):
    path = tmp_path / "holidays.yaml"
    for text, message in [
        ("2026:\n  day_off: [2026-01-02]\n", r"2026: unknown key 'day_off'"),
        ("2026:\n  makeup_days: [2026-01-09]\n", r"2026.makeup_days: 2026-01-09 is not a Saturday or Sunday"),
        ("2026:\n  days_off_removed: [2025-11-24]\n", r"2026.days_off_removed: datetime.date\(2025, 11, 24\) is not"),
        ("2026:\n  decision: 12\n", r"2026.decision: 12 is not text"),
        ("2026: [2026-01-02]\n", r"year 2026 must map to"),
    ]:
        path.write_text(text, "utf-8")
        with pytest.raises(CalendarError, match=message):
            WorkCalendar.from_yaml(path)


def test_unconfirmed_years_are_those_without_a_decision(tmp_path):
    calendar = default_calendar()
    assert calendar.unconfirmed_years(2018, 2026) == []
    assert calendar.unconfirmed_years(2016, 2028) == [2016, 2017, 2027, 2028]
    assert calendar.decision(2024).startswith("Thông báo 5015/TB-LĐTBXH ngày 22/11/2023")
    assert calendar.decision(2027) == ""
    path = tmp_path / "holidays.yaml"
    path.write_text("2027:\n  decision: '  '\n2028:\n  decision: Thông báo 1/TB-BNV\n", "utf-8")
    assert WorkCalendar.from_yaml(path).unconfirmed_years(2027, 2028) == [2027]  # blank is no reference


def _confirmed_file(tmp_path):
    """The packaged overrides plus a (test) decision for 2027: every year up to 2027 confirmed."""
    from importlib import resources

    packaged = resources.files("dashboard").joinpath("data/holidays.yaml").read_text("utf-8")
    path = tmp_path / "confirmed.yaml"
    path.write_text(packaged.replace('2027:\n  decision: ""', "2027:\n  decision: a test decision"), "utf-8")
    assert WorkCalendar.from_yaml(path).unconfirmed_years(2018, 2027) == []
    return path


def test_check_warns_about_unconfirmed_years_around_now_and_stops_once_confirmed(tmp_path):
    settings = Settings(data_dir=tmp_path, language="en")
    (line,) = calendar_lines(settings, at(2026, 12, 1, 9))
    assert line.startswith("WARN  the working-day calendar for 2027 is unconfirmed: no holiday decision is recorded")
    assert line.endswith("add the decision to dashboard/data/holidays.yaml")
    (line,) = calendar_lines(settings.model_copy(update={"language": "vi"}), at(2028, 6, 1, 9))
    assert line.startswith("WARN  lịch ngày làm việc năm 2027, 2028, 2029 chưa được xác nhận")
    assert calendar_lines(settings, at(2025, 6, 1, 9)) == []  # 2024–2026: all decided
    confirmed = settings.model_copy(update={"holidays_file": _confirmed_file(tmp_path)})
    assert calendar_lines(confirmed, at(2026, 12, 1, 9)) == []
    assert calendar_lines(confirmed, at(2027, 12, 1, 9))[0].endswith(f"add the decision to {confirmed.holidays_file}")
    bad = tmp_path / "bad.yaml"
    bad.write_text("2026:\n  day_off: []\n", "utf-8")
    (line,) = calendar_lines(settings.model_copy(update={"holidays_file": bad}), at(2026, 12, 1, 9))
    assert line.startswith("FAIL  working-day calendar: ") and "unknown key 'day_off'" in line


def _texts(component) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def test_the_sources_page_warns_about_unconfirmed_years_and_stops_once_confirmed(services, tmp_path):
    assert sources_view(services, None, 1).calendar_unconfirmed == ()  # the tests' clock: 2019, 2018–2020 decided
    services.clock.set(at(2026, 12, 1, 9))
    view = sources_view(services, None, 1)
    assert view.calendar_unconfirmed == (2027,)
    page = sources_layout.layout(
        [], view.rejected, view.as_of, "vi", "/sources", 5000, [], calendar_unconfirmed=view.calendar_unconfirmed
    )
    assert "Lịch ngày làm việc năm 2027 chưa được xác nhận" in " ".join(_texts(page))
    served = sources_callbacks.page(services, SimpleCache(), "vi", "/sources", None)  # what the route serves
    assert "Lịch ngày làm việc năm 2027 chưa được xác nhận" in " ".join(_texts(served))
    warning = sources_layout.calendar_warning(view.calendar_unconfirmed, "en")
    assert warning is not None and warning.color == "warning"
    assert warning.children.startswith("The working-day calendar for 2027 is unconfirmed")
    services.calendar = WorkCalendar.from_yaml(_confirmed_file(tmp_path))
    view = sources_view(services, None, 1)
    assert view.calendar_unconfirmed == ()
    page = sources_layout.layout([], view.rejected, view.as_of, "vi", "/sources", 5000, [])
    assert not any("chưa được xác nhận" in text for text in _texts(page))
    assert sources_layout.calendar_warning((), "vi") is None


def test_the_warnings_are_in_both_languages():
    for key in ("sourcespage.calendar_unconfirmed", "check.calendar_unconfirmed", "check.calendar_error"):
        vi, en = CATALOGUE[key]
        assert vi and en and vi != en


def test_the_packaged_calendar_holds_every_year_of_the_index():
    calendar = default_calendar()
    for year in range(2000, 2061):  # New Year (or its compensatory day) and at least 4 weekdays of Tết
        assert len([d for d in calendar.off if d.year == year and d.month <= 2]) >= 5, year
    assert calendar.working_days_in(date(2000, 1, 1), date(2061, 1, 1)) == sum(
        calendar.is_working_day(date(2000, 1, 1) + timedelta(days=i)) for i in range(22281)
    )
