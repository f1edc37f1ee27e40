"""The working-day calendar: weekends, Tết, compensatory days and make-up Saturdays, the after-hours rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import CalendarError, WorkCalendar, default_calendar


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (at(2019, 11, 26, 10), 3, at(2019, 11, 29, 23, 59, 59)),  # Tue + 3 = Fri
        (at(2019, 11, 29, 10), 1, at(2019, 12, 2, 23, 59, 59)),  # Fri + 1 skips the weekend
        (at(2019, 11, 29, 17, 30), 1, at(2019, 12, 3, 23, 59, 59)),  # after hours: counts from Monday
        (at(2019, 2, 1, 9), 1, at(2019, 2, 11, 23, 59, 59)),  # across Tết Kỷ Hợi (04–08/02)
        (at(2019, 5, 3, 9), 1, at(2019, 5, 4, 23, 59, 59)),  # Saturday 04/05/2019 is a make-up working day
        (at(2019, 4, 26, 9), 1, at(2019, 5, 2, 23, 59, 59)),  # 29/4 compensatory, 30/4 and 1/5 holidays
        (at(2019, 11, 30, 9), 0, at(2019, 12, 2, 23, 59, 59)),  # received on a Saturday: counts on Monday
    ],
)
def test_due_after_working_days(received, days, due):
    assert default_calendar().due_after_working_days(received, days) == due


def test_due_after_working_hours_skips_lunch_and_the_night():
    calendar = default_calendar()
    assert calendar.due_after_working_hours(at(2019, 11, 27, 10, 0), 4) == at(2019, 11, 27, 15, 30)
    assert calendar.due_after_working_hours(at(2019, 11, 29, 16, 0), 4) == at(2019, 12, 2, 10, 30)


def test_working_days_in_a_range():
    calendar = default_calendar()
    assert calendar.working_days_in(date(2019, 2, 1), date(2019, 2, 12)) == 2  # 01/02 and 11/02
    assert calendar.working_days_in(date(2019, 4, 27), date(2019, 5, 6)) == 3  # 02/05, 03/05, Sat 04/05


def test_years_without_data_still_keep_the_fixed_holidays():
    calendar = default_calendar()
    assert not calendar.is_working_day(date(2030, 9, 2))  # a Monday
    assert not calendar.is_working_day(date(2030, 9, 3))  # National Day is two days since the Labour Code 2019
    assert calendar.is_working_day(date(2030, 9, 4))


def test_a_bad_holiday_file_names_the_year_and_field(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("2019:\n  days_off: [2018-01-01]\n", "utf-8")
    with pytest.raises(
        CalendarError, match=r"holidays.yaml: 2019.days_off: datetime.date\(2018, 1, 1\) is not a date in 2019"
    ):
        WorkCalendar.from_yaml(path)


@pytest.mark.parametrize(
    ("received", "completed", "half_days"),
    [
        (at(2019, 11, 25, 9), at(2019, 11, 25, 10), 1),  # same morning: half a day
        (at(2019, 11, 25, 9), at(2019, 11, 25, 16), 1),  # same day: half a day at least
        (at(2019, 11, 25, 9), at(2019, 11, 26, 10), 1),  # next morning
        (at(2019, 11, 25, 9), at(2019, 11, 26, 15), 2),  # next afternoon: one day
        (at(2019, 11, 25, 9), at(2019, 11, 28, 23, 59, 59), 6),  # end of the 3rd working day after: 3 days
        (at(2019, 11, 29, 9), at(2019, 12, 2, 9), 1),  # across a weekend
        (at(2019, 1, 31, 9), at(2019, 2, 11, 15), 4),  # across Tết: 01/02 and 11/02 are the working days
        (at(2019, 5, 3, 18), at(2019, 5, 4, 10), 1),  # received after hours, done on the make-up Saturday
        (at(2019, 5, 3, 9), at(2019, 5, 4, 15), 2),  # the make-up Saturday counts as a working day
    ],
)
def test_processing_half_days(received, completed, half_days):
    assert default_calendar().processing_half_days(received, completed) == half_days


def test_on_time_by_due_equals_processing_within_the_statutory_days():
    calendar = default_calendar()
    received = at(2019, 11, 22, 15)  # a Friday afternoon
    due = calendar.due_after_working_days(received, 3)
    assert calendar.processing_half_days(received, due) == 6
    assert calendar.processing_half_days(received, due + timedelta(hours=10)) == 7


def test_the_vectorised_processing_time_equals_the_scalar_one():
    import random

    import numpy as np

    calendar, rng = default_calendar(), random.Random(7)
    pairs = []
    for _ in range(3000):
        received = at(2018, 12, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 800))
        pairs.append((received, received + timedelta(minutes=rng.randrange(0, 60 * 24 * 40))))
    received_s = np.array([int(r.timestamp()) for r, _ in pairs])
    completed_s = np.array([int(c.timestamp()) for _, c in pairs])
    expected = [calendar.processing_half_days(r, c) for r, c in pairs]
    assert calendar.processing_half_days_many(received_s, completed_s).tolist() == expected


def test_the_vectorised_processing_time_equals_the_scalar_one_across_2022_to_2027():
    import random

    import numpy as np

    calendar, rng = default_calendar(), random.Random(11)
    pairs = []
    for _ in range(3000):
        received = at(2022, 1, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 6))
        pairs.append((received, received + timedelta(minutes=rng.randrange(0, 60 * 24 * 40))))
    received_s = np.array([int(r.timestamp()) for r, _ in pairs])
    completed_s = np.array([int(c.timestamp()) for _, c in pairs])
    expected = [calendar.processing_half_days(r, c) for r, c in pairs]
    assert calendar.processing_half_days_many(received_s, completed_s).tolist() == expected


def test_an_old_style_holiday_file_still_loads_as_overrides(tmp_path):
    path = tmp_path / "holidays.yaml"  # the former format: days_off and makeup_days per year, no decision
    path.write_text("2019:\n  days_off: [2019-11-26]\n  makeup_days: []\n", "utf-8")
    calendar = WorkCalendar.from_yaml(path)
    assert not calendar.is_working_day(date(2019, 11, 26)) and not calendar.is_working_day(date(2019, 2, 5))
    assert calendar.unconfirmed_years(2019, 2019) == [2019]
