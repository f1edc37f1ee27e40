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
    of this process came after it; one thread reads while the others wait for its answer."""

    def __init__(self, read: Callable[[], int], monotonic: Callable[[], float] = time.monotonic) -> None:
        self._read, self._monotonic = read, monotonic
        self._last: tuple[float, int, int] | None = None  # (when, version, the process's write count then)
        self._lock = threading.Lock()

    def version(self, max_age_s: float) -> int:
        with self._lock:
            now, writes = self._monotonic(), _last_write
            last = self._last
            if last is None or now - last[0] >= max_age_s or last[2] != writes:
                last = self._last = (now, self._read(), writes)
            return last[1]
