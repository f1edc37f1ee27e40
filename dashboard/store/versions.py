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
