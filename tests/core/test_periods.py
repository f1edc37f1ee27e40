"""The reporting periods (dashboard.core.periods): named windows, the last full week and month, custom ranges, and
previous periods of as many whole days, just before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import PeriodError
from dashboard.core.periods import Window, check_period, covered, previous_window, whole_days, window

MONDAY_0900 = datetime(2026, 11, 30, 9, 0, tzinfo=CITY_TZ)  # a Monday morning
TUESDAY_0900 = datetime(2026, 12, 1, 9, 0, tzinfo=CITY_TZ)


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CITY_TZ)


CASES = {
    # period, as-of: its window, then the previous one
    "today": ("today", TUESDAY_0900, (at(2026, 12, 1), TUESDAY_0900), (at(2026, 11, 30), at(2026, 12, 1))),
    "7d on a Monday morning": (
        "7d", MONDAY_0900, (at(2026, 11, 24), MONDAY_0900), (at(2026, 11, 17), at(2026, 11, 24))
    ),  # seven whole days before: not a window cut at Monday 09:00
    "30d": ("30d", TUESDAY_0900, (at(2026, 11, 2), TUESDAY_0900), (at(2026, 10, 3), at(2026, 11, 2))),
    "qtd": ("qtd", TUESDAY_0900, (at(2026, 10, 1), TUESDAY_0900), (at(2026, 7, 1), at(2026, 9, 1))),  # 62 days
    "qtd in January": (
        "qtd", at(2027, 1, 2, 9), (at(2027, 1, 1), at(2027, 1, 2, 9)), (at(2026, 10, 1), at(2026, 10, 3))
    ),
    "ytd": ("ytd", TUESDAY_0900, (at(2026, 1, 1), TUESDAY_0900), (at(2025, 1, 1), at(2025, 12, 2))),  # 335 days
    "ytd on 1 January": ("ytd", at(2027, 1, 1, 8), (at(2027, 1, 1), at(2027, 1, 1, 8)), (at(2026, 1, 1), at(2026, 1, 2))),
    "lw on a Tuesday": ("lw", TUESDAY_0900, (at(2026, 11, 23), at(2026, 11, 30)), (at(2026, 11, 16), at(2026, 11, 23))),
    "lw on a Monday at 00:00": (
        "lw", at(2026, 11, 30), (at(2026, 11, 23), at(2026, 11, 30)), (at(2026, 11, 16), at(2026, 11, 23))
    ),
    "lw on a Sunday night": (
        "lw", at(2026, 11, 29, 23), (at(2026, 11, 16), at(2026, 11, 23)), (at(2026, 11, 9), at(2026, 11, 16))
    ),
    "lm": ("lm", TUESDAY_0900, (at(2026, 11, 1), at(2026, 12, 1)), (at(2026, 10, 1), at(2026, 11, 1))),
    "lm in March": ("lm", at(2028, 3, 10), (at(2028, 2, 1), at(2028, 3, 1)), (at(2028, 1, 1), at(2028, 2, 1))),
    "lm in January": ("lm", at(2027, 1, 5), (at(2026, 12, 1), at(2027, 1, 1)), (at(2026, 11, 1), at(2026, 12, 1))),
    "a range in the past": (
        "2026-11-01..2026-11-15", TUESDAY_0900, (at(2026, 11, 1), at(2026, 11, 16)), (at(2026, 10, 17), at(2026, 11, 1))
    ),
    "a range that runs on past now": (
        "2026-11-25..2026-12-31", TUESDAY_0900, (at(2026, 11, 25), TUESDAY_0900), (at(2026, 11, 18), at(2026, 11, 25))
    ),  # cut at the as-of: 7 days touched
    "one day": ("2026-11-30..2026-11-30", TUESDAY_0900, (at(2026, 11, 30), at(2026, 12, 1)), (at(2026, 11, 29), at(2026, 11, 30))),
}  # fmt: skip


@pytest.mark.parametrize(("period", "as_of", "current", "previous"), CASES.values(), ids=CASES.keys())
def test_windows_and_previous_windows(period, as_of, current, previous):
    assert window(period, as_of) == Window(*current)
    assert previous_window(period, as_of) == Window(*previous)


def test_whole_days_counts_the_days_a_window_touches():
    assert whole_days(Window(at(2026, 12, 1), at(2026, 12, 1, 0) + (at(2026, 12, 1, 1) - at(2026, 12, 1)))) == 1
    assert whole_days(Window(at(2026, 11, 24), MONDAY_0900)) == 7
    assert whole_days(Window(at(2026, 11, 23), at(2026, 11, 30))) == 7  # ends at midnight: Sunday is the last
    assert whole_days(Window(at(2026, 12, 1), at(2026, 12, 1))) == 1


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("week", "unknown period 'week': use one of today, 7d, 30d, qtd, ytd, lw, lm, or a range"),
        ("2026-11-31..2026-12-01", "a range is two dates YYYY-MM-DD..YYYY-MM-DD"),
        ("2026-12-01..2026-11-01", "the range ends before it begins"),
        ("2025-01-01..2026-12-01", "a range is at most 400 days"),
        ("..", "a range is two dates"),
    ],
)
def test_a_bad_period_is_refused_naming_it(period, message):
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_period(period)
    with pytest.raises(PeriodError):
        window(period, TUESDAY_0900)


def test_an_earlier_window_is_covered_only_from_a_history_start_on_or_before_its_first_day():
    earlier = previous_window("30d", at(2019, 12, 2, 10))  # the 30 days before 03/11: 04/10 00:00 – 03/11 00:00
    assert earlier == Window(at(2019, 10, 4), at(2019, 11, 3))
    assert covered(earlier, date(2019, 10, 4))  # the data begins on the window's first day: comparable
    assert covered(earlier, date(2019, 9, 1))
    assert not covered(earlier, date(2019, 10, 5))  # one day later: a fragment of the period
    assert not covered(earlier, date(2019, 11, 2))  # the demo with --history-days 30: its first day is 02/11
    assert not covered(earlier, None)  # a store without dossiers covers nothing
    late_night = Window(datetime(2019, 10, 3, 17, 30, tzinfo=UTC), at(2019, 11, 3))  # 00:30 on 04/10 in the city
    assert covered(late_night, date(2019, 10, 4)) and not covered(late_night, date(2019, 10, 5))
