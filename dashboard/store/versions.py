"""The store's data version as the pages' polls read it: at most every `max_age_s` seconds per store (a web worker's,
however many viewers poll: `CCHC_VERSION_CHECK_MS`), and at once after this process wrote the store itself (the
demo's writer, a test's pull), so that a process never shows less than it wrote."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

_writes = itertools.count(1)  # this process's data-version bumps, by any store object
_last_write = 0


def note_write() -> None:
    """A data version was bumped by this process (`Store.bump_data_version`)."""
    global _last_write
    _last_write = next(_writes)


class VersionReads:
    """`read` (the store's data version) answered from the last read while it is younger than `max_age_s` and no write
    of this process came after it. One thread reads at a time; while it does, the other polls get the last version at
    once (stale by at most one read) instead of queueing behind a slow read, unless this process wrote since then or
    there is no version yet: those wait for a read that started after the write."""

    def __init__(self, read: Callable[[], int], monotonic: Callable[[], float] = time.monotonic) -> None:
        self._read, self._monotonic = read, monotonic
        self._last: tuple[float, int, int] | None = None  # (when, version, the process's write count then)
        self._reading = False  # a thread is reading
        self._changed = threading.Condition()

    def version(self, max_age_s: float) -> int:
        with self._changed:
            while True:
                now, writes, last = self._monotonic(), _last_write, self._last
                current = last is not None and last[2] == writes  # no write of this process since it was read
                if last and current and (now - last[0] < max_age_s or (self._reading and max_age_s > 0)):
                    return last[1]
                if not self._reading:
                    break
                self._changed.wait()  # no version to give yet, or the read in flight may not see this write
            self._reading = True
        read: tuple[float, int, int] | None = None
        try:
            read = (now, self._read(), writes)
            return read[1]
        finally:  # a failed read leaves the last version; the next poll tries again
            with self._changed:
                self._last, self._reading = read or self._last, False
                self._changed.notify_all()


REFERENCE_MAX_AGE_S = 5.0  # the units as a process last read them serve its pages this long (`ReferenceReads`)
_reference_writes = itertools.count(1)  # this process's writes of the units and procedures, by any store object
_last_reference = 0


def note_reference() -> None:
    """The units and procedures were written by this process (`Store.seed_reference`)."""
    global _last_reference
    _last_reference = next(_reference_writes)


class ReferenceReads:
    """The registry's units as the pages read them — every tile's and league's computation asks for all of them,
    several times: read again when older than `max_age_s` or after this process wrote them (`note_reference`), so a
    change by another process (the writer seeding them, the CLI) shows within `max_age_s`; until then each caller
    gets its own copies of the rows last read."""

    def __init__(
        self,
        read: Callable[[], list[dict]],
        max_age_s: float = REFERENCE_MAX_AGE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read, self._max_age_s, self._monotonic = read, max_age_s, monotonic
        self._last: tuple[float, int, list[dict]] | None = None  # (when, the process's reference writes then, rows)
        self._lock = threading.Lock()

    def rows(self) -> list[dict]:
        with self._lock:
            last, writes, now = self._last, _last_reference, self._monotonic()
            if last is None or last[1] != writes or now - last[0] >= self._max_age_s:
                last = self._last = (now, writes, self._read())
        return [dict(row) for row in last[2]]
