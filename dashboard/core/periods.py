"""Reporting periods: half-open windows of calendar days in Asia/Ho_Chi_Minh.

- `today`: from 00:00 today; `7d` / `30d`: from 00:00 six / twenty-nine days before today;
  `qtd`: from 00:00 on the first day of the calendar quarter; `ytd`: from 00:00 on 1 January — each up to the
  as-of instant;
- `lw`: the last full week, Monday 00:00 to Monday 00:00, before the as-of's week; `lm`: the last full calendar
  month before the as-of's month;
- a custom range `YYYY-MM-DD..YYYY-MM-DD`: from 00:00 on the first day to 24:00 on the last (inclusive), cut
  at the as-of instant if that comes first.

The previous period is of the same length in whole days, just before: the days the current window touches
(today: 1, a 7-day window that began at 00:00 six days ago: 7, whatever the hour now), counted back from its
start — so "7 ngày" at 09:00 on a Monday compares with the seven whole days before, not a window cut at
Monday 09:00. For `qtd` and `ytd`, the same days of the previous quarter or year (from its first day, as many
whole days in, never past the current start); for `lm`, the calendar month before; for `lw`, the week before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import PeriodError
from dashboard.core.vocabulary import (
    LAST_7_DAYS,
    LAST_30_DAYS,
    LAST_MONTH,
    LAST_WEEK,
    PERIODS,
    QUARTER_TO_DATE,
    TODAY,
    YEAR_TO_DATE,
)

MAX_RANGE_DAYS = 400  # a custom range of at most this many days (a year and its neighbours)


@dataclass(frozen=True)
class Window:
    """[start, end): aware instants."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def _midnight(moment: datetime) -> datetime:
    local = moment.astimezone(CITY_TZ)
    return datetime.combine(local.date(), time(0), CITY_TZ)


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), CITY_TZ)


def custom_range(period: str) -> tuple[date, date] | None:
    """(first, last) day of a custom period `YYYY-MM-DD..YYYY-MM-DD`; None for a named period; PeriodError when
    it looks like a range but is not a valid one."""
    if ".." not in period:
        return None
    first_text, _, last_text = period.partition("..")
    try:
        first, last = date.fromisoformat(first_text), date.fromisoformat(last_text)
    except ValueError:
        raise PeriodError(f"period {period!r}: a range is two dates YYYY-MM-DD..YYYY-MM-DD") from None
    if last < first:
        raise PeriodError(f"period {period!r}: the range ends before it begins")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise PeriodError(f"period {period!r}: a range is at most {MAX_RANGE_DAYS} days")
    return first, last


def check_period(period: str) -> str:
    """`period` when it is a named period or a valid custom range, else PeriodError."""
    if period not in PERIODS and custom_range(period) is None:
        raise PeriodError(
            f"unknown period {period!r}: use one of {', '.join(PERIODS)}, or a range YYYY-MM-DD..YYYY-MM-DD"
        )
    return period


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(first: date) -> date:
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


def window(period: str, as_of: datetime) -> Window:
    """The window of `period` at `as_of` (ending at `as_of`, or at its own end when that comes first)."""
    midnight = _midnight(as_of)
    local = as_of.astimezone(CITY_TZ)
    if period == TODAY:
        return Window(midnight, as_of)
    if period == LAST_7_DAYS:
        return Window(midnight - timedelta(days=6), as_of)
    if period == LAST_30_DAYS:
        return Window(midnight - timedelta(days=29), as_of)
    if period == QUARTER_TO_DATE:
        return Window(datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=CITY_TZ), as_of)
    if period == YEAR_TO_DATE:
        return Window(datetime(local.year, 1, 1, tzinfo=CITY_TZ), as_of)
    if period == LAST_WEEK:
        monday = local.date() - timedelta(days=local.weekday())
        return Window(_day(monday - timedelta(days=7)), _day(monday))
    if period == LAST_MONTH:
        this_month = _month_start(local.date())
        return Window(_day(_previous_month(this_month)), _day(this_month))
    found = custom_range(check_period(period))
    assert found is not None  # check_period let it through: a valid range
    first, last = found
    return Window(_day(first), min(_day(last + timedelta(days=1)), max(as_of, _day(first))))


def whole_days(span: Window) -> int:
    """How many calendar days a window touches (at least one)."""
    last = (span.end - timedelta(microseconds=1)).astimezone(CITY_TZ).date()
    return max(1, (last - span.start.astimezone(CITY_TZ).date()).days + 1)


def previous_window(period: str, as_of: datetime) -> Window:
    """The comparison window just before `window(period, as_of)`: as many whole days as it touches."""
    current = window(period, as_of)
    days = timedelta(days=whole_days(current))
    start_local = current.start.astimezone(CITY_TZ).date()
    if period == LAST_MONTH:
        return Window(_day(_previous_month(start_local)), current.start)
    if period == QUARTER_TO_DATE:
        year, month = (start_local.year, start_local.month - 3) if start_local.month > 3 else (start_local.year - 1, 10)
        start = datetime(year, month, 1, tzinfo=CITY_TZ)
        return Window(start, min(start + days, current.start))
    if period == YEAR_TO_DATE:
        start = datetime(start_local.year - 1, 1, 1, tzinfo=CITY_TZ)
        return Window(start, min(start + days, current.start))
    return Window(current.start - days, current.start)


def covered(span: Window, history_start: date | None) -> bool:
    """Whether the store's data covers `span`, so that a figure over it may be compared with: the store's history
    start (the first day any dossier was received in it) is on or before the window's first day. A store without
    dossiers (None) covers nothing."""
    return history_start is not None and history_start <= span.start.astimezone(CITY_TZ).date()
