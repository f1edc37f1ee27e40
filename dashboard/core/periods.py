"""Reporting periods: half-open windows of calendar days in Asia/Ho_Chi_Minh that end at the as-of instant.

- `today`: from 00:00 today; `7d` / `30d`: from 00:00 six / twenty-nine days before today;
  `qtd`: from 00:00 on the first day of the calendar quarter; `ytd`: from 00:00 on 1 January.
- The previous period is the window of the same length just before; for `qtd`, the same days of the
  previous quarter (from its first day, as many days and hours in as the current one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import PeriodError
from dashboard.core.vocabulary import (
    LAST_7_DAYS,
    LAST_30_DAYS,
    PERIODS,
    QUARTER_TO_DATE,
    TODAY,
    YEAR_TO_DATE,
)


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


def window(period: str, as_of: datetime) -> Window:
    """The window of `period` ending at `as_of`."""
    midnight = _midnight(as_of)
    local = as_of.astimezone(CITY_TZ)
    if period == TODAY:
        start = midnight
    elif period == LAST_7_DAYS:
        start = midnight - timedelta(days=6)
    elif period == LAST_30_DAYS:
        start = midnight - timedelta(days=29)
    elif period == QUARTER_TO_DATE:
        start = datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=CITY_TZ)
    elif period == YEAR_TO_DATE:
        start = datetime(local.year, 1, 1, tzinfo=CITY_TZ)
    else:
        raise PeriodError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    return Window(start, as_of)


def previous_window(period: str, as_of: datetime) -> Window:
    """The comparison window just before `window(period, as_of)`."""
    current = window(period, as_of)
    if period == QUARTER_TO_DATE:
        start_local = current.start.astimezone(CITY_TZ)
        year, month = (start_local.year, start_local.month - 3) if start_local.month > 3 else (start_local.year - 1, 10)
        start = datetime(year, month, 1, tzinfo=CITY_TZ)
        return Window(start, min(start + current.length, current.start))
    return Window(current.start - current.length, current.start)
