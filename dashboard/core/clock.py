"""The one clock: everything that reads the time asks a `Clock`.

Tests use `FixedClock` and move it by hand; the demo uses `ScaledClock` to run faster than real time;
production uses `SystemClock`. All clocks return time-zone-aware datetimes.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone aware."""


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give a time zone")
    return moment


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)  # the only call of now() in the project


class FixedClock:
    """A clock that stands still until a test sets or advances it."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = _aware(moment)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


class ScaledClock:
    """Time that starts at `start` and runs `speed` times faster than the real clock."""

    def __init__(self, start: datetime, speed: float = 1.0, real: Clock | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start = _aware(start)
        self.speed = speed
        self._real = real or SystemClock()
        self._real_start = self._real.now()
        self._mono_start = time.monotonic()

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._mono_start
        return self.start + timedelta(seconds=elapsed * self.speed)


def city_time(moment: datetime) -> datetime:
    """The same instant seen in Asia/Ho_Chi_Minh."""
    return _aware(moment).astimezone(CITY_TZ)
