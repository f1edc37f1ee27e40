"""Office time as a number line: vectorised "N office seconds after t" over a working-day calendar.

Instants are integer epoch seconds (UTC). `offset(t)` counts the office seconds (07:30–11:30, 13:00–17:00 on
working days) from the timeline's first day up to t; `instant(c)` is the inverse, landing inside a block.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import OFFICE_BLOCKS, WorkCalendar

NEVER = np.iinfo(np.int64).max  # the time of an event that does not happen


def epoch(day: date, at: time) -> int:
    """Epoch seconds of a local wall-clock time in the city."""
    return int(datetime.combine(day, at, CITY_TZ).timestamp())


def local_day(moment: int) -> date:
    """The city's calendar day of an epoch second."""
    return datetime.fromtimestamp(moment, CITY_TZ).date()


class OfficeTimeline:
    """Office blocks of the working days from `first` to `last` (inclusive), in epoch seconds."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        starts, lengths = [], []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for begin, end in OFFICE_BLOCKS:
                    start = epoch(day, begin)
                    starts.append(start)
                    lengths.append(epoch(day, end) - start)
            day += timedelta(days=1)
        if not starts:
            raise ValueError(f"no working day between {first} and {last}")
        self.first, self.last = first, last
        self.starts = np.array(starts, dtype=np.int64)
        self.lengths = np.array(lengths, dtype=np.int64)
        self.before = np.concatenate(([0], np.cumsum(self.lengths)[:-1])).astype(np.int64)

    def offset(self, moments: np.ndarray) -> np.ndarray:
        """Office seconds from the timeline's start up to each moment."""
        moments = np.asarray(moments, dtype=np.int64)
        block = np.clip(np.searchsorted(self.starts, moments, side="right") - 1, 0, None)
        inside = np.clip(moments - self.starts[block], 0, self.lengths[block])
        return self.before[block] + inside

    def instant(self, offsets: np.ndarray) -> np.ndarray:
        """The moment at which each (integer) offset is reached; a block's end maps to the next block's start."""
        offsets = np.asarray(offsets, dtype=np.int64)
        block = np.clip(np.searchsorted(self.before, offsets, side="right") - 1, 0, None)
        return self.starts[block] + (offsets - self.before[block])
