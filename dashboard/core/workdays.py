"""Vietnam's working-day calendar for the public service: PyPI `holidays` (VN) for every year of the index, then the
government's decisions per year from an override file (`data/holidays.yaml`, its format documented at its top).

A year whose entry gives no decision reference is *unconfirmed*: its days are `holidays`' estimate
(`WorkCalendar.unconfirmed_years`).

After-hours rule (a local choice, see docs/metrics.md): a dossier received after the end of office hours
(17:00) or on a non-working day counts as received at the start of the next working day. A due date given
in working days is the end (23:59:59 local) of the Nth working day after the (effective) receipt day; a
due time given in working hours counts office hours 07:30–11:30 and 13:00–17:00 on working days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import yaml

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import CalendarError

OFFICE_BLOCKS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
OFFICE_END = time(17, 0)
END_OF_DAY = time(23, 59, 59)
NOON = time(12, 0)
INDEX_START = date(2000, 1, 1).toordinal()  # the range of the O(1) working-day index
INDEX_END = date(2060, 12, 31).toordinal()
CITY_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh: UTC+7 with no daylight saving since 1975
EPOCH_INDEX = INDEX_START - date(1970, 1, 1).toordinal()  # epoch day number of the index's first day
OFFICE_END_S = 17 * 3600
NOON_S = 12 * 3600
# Fixed solar holidays, used for years outside the index that the override file does not list.
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))
LIBRARY_YEARS = range(date.fromordinal(INDEX_START).year, date.fromordinal(INDEX_END).year + 1)
# An override entry's keys: (key, the set it edits, add or remove).
DAY_LISTS = (
    ("days_off", "off", True),
    ("days_off_removed", "off", False),
    ("makeup_days", "makeup", True),
    ("makeup_days_removed", "makeup", False),
)
ENTRY_KEYS = frozenset({"decision", "note", *(name for name, _, _ in DAY_LISTS)})


@dataclass(frozen=True)
class WorkCalendar:
    off: frozenset[date] = field(default_factory=frozenset)
    makeup: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)
    decisions: tuple[tuple[int, str], ...] = ()  # (year, the decision reference it follows), years with one only

    @classmethod
    def from_yaml(cls, path: Path | None = None) -> WorkCalendar:
        """`holidays`' calendar corrected by an override file; the packaged one when no path is given."""
        text = path.read_text("utf-8") if path else _default_text()
        return cls.from_overrides(yaml.safe_load(text) or {}, str(path or "dashboard/data/holidays.yaml"))

    @classmethod
    def from_overrides(cls, raw: Any, where: str = "overrides") -> WorkCalendar:
        """`holidays`' days off and make-up days for the index's years, each year then edited by its entry in `raw`
        ({year: {decision, note, days_off, days_off_removed, makeup_days, makeup_days_removed}})."""
        if not isinstance(raw, Mapping):
            raise CalendarError(f"{where}: expected a mapping of years to entries")
        library_off, library_makeup = library_days()
        days = {"off": set(library_off), "makeup": set(library_makeup)}
        decisions: list[tuple[int, str]] = []
        for year, spec in raw.items():
            if not isinstance(year, int) or not isinstance(spec, Mapping):
                raise CalendarError(f"{where}: year {year!r} must map to {{decision: ..., days_off: [...], ...}}")
            unknown = sorted(set(map(str, spec)) - ENTRY_KEYS)
            if unknown:
                known = ", ".join(sorted(ENTRY_KEYS))
                raise CalendarError(f"{where}: {year}: unknown key {unknown[0]!r} (known: {known})")
            decision = spec.get("decision") or ""
            if not isinstance(decision, str):
                raise CalendarError(f"{where}: {year}.decision: {decision!r} is not text")
            if decision.strip():
                decisions.append((year, decision.strip()))
            for name, target, add in DAY_LISTS:
                for value in _dates(spec.get(name), where, year, name):
                    if target == "makeup" and add and value.weekday() < 5:
                        raise CalendarError(f"{where}: {year}.{name}: {value.isoformat()} is not a Saturday or Sunday")
                    (days[target].add if add else days[target].discard)(value)
        years = frozenset(LIBRARY_YEARS) | {year for year in raw if isinstance(year, int)}
        return cls(frozenset(days["off"]), frozenset(days["makeup"]), years, tuple(sorted(decisions)))

    def decision(self, year: int) -> str:
        """The decision reference the year follows ("" when the year is unconfirmed)."""
        return dict(self.decisions).get(year, "")

    def unconfirmed_years(self, first: int, last: int) -> list[int]:
        """The years first..last (both included) whose override entry gives no decision reference."""
        confirmed = {year for year, _ in self.decisions}
        return [year for year in range(first, last + 1) if year not in confirmed]

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup:
            return True
        if day.weekday() >= 5 or day in self.off:
            return False
        if day.year not in self.years and (day.month, day.day) in FIXED_HOLIDAYS:
            return False
        return True

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def effective_receipt_day(self, received: datetime) -> date:
        """The working day a receipt counts on (after-hours and non-working days move to the next one)."""
        local = received.astimezone(CITY_TZ)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= OFFICE_END:
            return self.next_working_day(day)
        return day

    def due_after_working_days(self, received: datetime, days: int) -> datetime:
        """End (23:59:59 local) of the `days`-th working day after the effective receipt day."""
        day = self.effective_receipt_day(received)
        for _ in range(days):
            day = self.next_working_day(day)
        return datetime.combine(day, END_OF_DAY, CITY_TZ)

    def due_after_working_hours(self, received: datetime, hours: float) -> datetime:
        """The instant when `hours` office hours have passed since receipt."""
        local = received.astimezone(CITY_TZ)
        remaining = timedelta(hours=hours)
        day, cursor = local.date(), local.time()
        while True:
            if self.is_working_day(day):
                for start, end in OFFICE_BLOCKS:
                    begin = max(cursor, start)
                    if begin >= end:
                        continue
                    span = datetime.combine(day, end) - datetime.combine(day, begin)
                    if remaining <= span:
                        return datetime.combine(day, begin, CITY_TZ) + remaining
                    remaining -= span
            day, cursor = day + timedelta(days=1), time(0, 0)

    def working_days_in(self, start: date, end: date) -> int:
        """Number of working days d with start <= d < end."""
        cumulative = self._cumulative
        first, last = start.toordinal() - INDEX_START, end.toordinal() - INDEX_START
        if 0 <= first < len(cumulative) and 0 <= last < len(cumulative):
            return max(cumulative[last] - cumulative[first], 0)
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    @cached_property
    def _cumulative(self) -> list[int]:
        """cumulative[i] = working days before day INDEX_START + i (for O(1) counts)."""
        counts, total = [], 0
        for ordinal in range(INDEX_START, INDEX_END + 1):
            counts.append(total)
            total += self.is_working_day(date.fromordinal(ordinal))
        return counts

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(is working day, cumulative working days, next working day) indexed by ordinal − INDEX_START."""
        working = np.array([self.is_working_day(date.fromordinal(o)) for o in range(INDEX_START, INDEX_END + 2)])
        cumulative = np.concatenate(([0], np.cumsum(working)))
        following = np.empty(len(working), dtype=np.int64)
        nxt = len(working)  # beyond the index: never read for dates inside it
        for i in range(len(working) - 1, -1, -1):
            following[i] = nxt
            if working[i]:
                nxt = i
        return working, cumulative, following

    def processing_half_days_many(self, received_s: np.ndarray, completed_s: np.ndarray) -> np.ndarray:
        """`processing_half_days` for arrays of UTC epoch seconds (the city keeps UTC+7 all year)."""
        working, cumulative, following = self._arrays
        local_r, local_c = received_s + CITY_OFFSET_S, completed_s + CITY_OFFSET_S
        r_day, r_sec = np.divmod(local_r, 86400)
        c_day, c_sec = np.divmod(local_c, 86400)
        r_idx, c_idx = r_day - EPOCH_INDEX, c_day - EPOCH_INDEX
        move = ~working[r_idx] | (r_sec >= OFFICE_END_S)
        r_idx = np.where(move, following[r_idx], r_idx)
        later = c_idx > r_idx
        half = np.where(later, 2 * (cumulative[c_idx + 1] - cumulative[r_idx + 1]), 0)
        half = half - (later & working[c_idx] & (c_sec < NOON_S))
        return np.maximum(half, 1)

    def processing_half_days(self, received: datetime, completed: datetime) -> int:
        """Processing time in working half-days (see docs/metrics.md), at least 1.

        With r the effective receipt day and c the completion day (local): 2 × working days in (r, c],
        minus 1 when c is a later working day and the completion came before 12:00. So a dossier whose
        due is N working days is on time exactly when this is at most 2N.
        """
        r = self.effective_receipt_day(received)
        local = completed.astimezone(CITY_TZ)
        c = local.date()
        half = 2 * self.working_days_in(r + timedelta(days=1), c + timedelta(days=1)) if c > r else 0
        if c > r and self.is_working_day(c) and local.time() < NOON:
            half -= 1
        return max(half, 1)


def _dates(values: Any, where: str, year: int, name: str) -> list[date]:
    """An entry's list of dates, each checked to be a date in its year."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise CalendarError(f"{where}: {year}.{name}: {values!r} is not a list of dates")
    for value in values:
        if not isinstance(value, date) or isinstance(value, datetime) or value.year != year:
            raise CalendarError(f"{where}: {year}.{name}: {value!r} is not a date in {year}")
    return values


@lru_cache(maxsize=1)
def library_days() -> tuple[frozenset[date], frozenset[date]]:
    """PyPI `holidays`' Vietnam for the index's years: (weekdays off, weekend days worked).

    Days off are the Labour Code's public holidays (Tết and Hùng Kings' day from the lunar calendar), the
    compensatory days when one falls on a weekend, and the swapped days off it knows; the days worked are the
    Saturdays those swaps are made up on (`weekend_workdays`).
    """
    vietnam = holidays.country_holidays("VN", years=LIBRARY_YEARS)
    first, last = date.fromordinal(INDEX_START), date.fromordinal(INDEX_END)
    off = frozenset(day for day in vietnam if day.weekday() < 5)
    makeup = frozenset(day for day in vietnam.weekend_workdays if first <= day <= last)
    return off, makeup


def _default_text() -> str:
    return resources.files("dashboard").joinpath("data/holidays.yaml").read_text("utf-8")


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The packaged calendar (immutable, so caching it is safe)."""
    return WorkCalendar.from_yaml()
