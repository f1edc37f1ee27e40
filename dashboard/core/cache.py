"""The cache interface pages and the API share: `cached`, and `cached_or_latest` for slow computations. The
backends (Redis across workers, or in-process) are `dashboard.web.cache`'s; the app factory attaches one, and
callbacks find it with `cache_of(app)`. A cache that fails (Redis down) is logged and bypassed: the page
computes the value itself.

`cached_or_latest` keeps a slow computation off the request path (stale-while-revalidate): a page that polls
gets the newest value already computed at once, while the value for the new key is computed in the
background, one computation of a kind at a time (per process, and across workers sharing Redis).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
EXTENSION = "cchc_pulse_cache"  # where the app factory puts the cache: app.server.extensions[EXTENSION]
_BACKGROUNDS: weakref.WeakKeyDictionary[Cache, Background] = weakref.WeakKeyDictionary()
_BACKGROUNDS_LOCK = threading.Lock()
LATEST_TIMEOUT_S = 3600  # the newest value of a kind outlives its key: it is what a poll shows meanwhile
COMPUTING_TIMEOUT_S = 120  # a worker that died mid-computation holds a kind's lock this long at most
T = TypeVar("T")


class Cache(Protocol):
    """What the pages need of a cache (Flask-Caching's `Cache` is one)."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def delete(self, key: str) -> Any: ...


def cache_of(app: Any) -> Cache:
    """The cache the app factory attached to `app`."""
    return app.server.extensions[EXTENSION]


def background_for(cache: Cache) -> Background:
    """The background computer of `cache` (one per cache and process)."""
    with _BACKGROUNDS_LOCK:
        background = _BACKGROUNDS.get(cache)
        if background is None:
            background = _BACKGROUNDS[cache] = Background()
        return background


def _get(cache: Cache, key: str) -> Any:
    try:
        return cache.get(key)
    except Exception as exc:  # a cache outage must not take the wall down
        log.warning("cache read of %s failed, computing instead: %s", key, exc)
        return None


def _set(cache: Cache, key: str, value: Any, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:
        log.warning("cache write of %s failed: %s", key, exc)


def _add(cache: Cache, key: str, timeout: int) -> bool:
    """Set `key` only if absent (atomic on Redis): whether this caller took it. A failing cache says yes."""
    try:
        return bool(cache.add(key, 1, timeout=timeout))
    except Exception as exc:
        log.warning("cache add of %s failed, going ahead: %s", key, exc)
        return True


def _delete(cache: Cache, key: str) -> None:
    try:
        cache.delete(key)
    except Exception as exc:
        log.warning("cache delete of %s failed: %s", key, exc)


def cached(cache: Cache, key: str, compute: Callable[[], T]) -> T:
    """The cached value for `key`, computed and stored on a miss; a failing cache is bypassed."""
    value = _get(cache, key)
    if value is None:
        value = compute()
        _set(cache, key, value)
    return value


class Background:
    """Computes values off the request path: one worker thread, and at most one computation per key at a time."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="cchc-pulse-background")
        self._pending: dict[str, Future] = {}
        self._lock = threading.RLock()  # a future already done runs its callback inside submit

    def submit(self, key: str, compute: Callable[[], Any]) -> Future:
        """Start `compute` unless a computation of `key` is already queued or running; its future either way."""
        with self._lock:
            running = self._pending.get(key)
            if running is not None and not running.done():
                return running
            future = self._executor.submit(compute)
            self._pending[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
            return future

    def _forget(self, key: str, future: Future) -> None:
        with self._lock:
            if self._pending.get(key) is future:
                del self._pending[key]
        if future.exception() is not None:
            log.error("background computation of %s failed", key, exc_info=future.exception())

    def wait(self, timeout: float | None = None) -> None:
        """Block until everything submitted so far has finished (tests, benchmarks, shutdown)."""
        with self._lock:
            futures = list(self._pending.values())
        for future in futures:
            future.exception(timeout)


def cached_or_latest(
    cache: Cache,
    kind: str,
    key: tuple[Any, ...],
    compute: Callable[[], T],
) -> tuple[tuple[Any, ...], T]:
    """(key, value) when the value of `kind` for `key` is cached. On a miss, the newest value of `kind` computed
    so far with its own key, while `key`'s is computed in the background (`background_for(cache)`, one
    computation of a kind at a time, so work stays bounded however many viewers poll; across workers sharing
    a Redis cache too, through an atomic `add` of `<kind>:computing`); with none yet, computed now.

    Keys are tuples that sort in time order (e.g. data version, minute): a late background result never
    replaces a newer one as the newest."""
    name = f"{kind}:" + ":".join(map(str, key))
    value = _get(cache, name)
    if value is not None:
        return key, value

    def run() -> T:
        result = compute()
        _set(cache, name, result)
        newest = _get(cache, f"{kind}:latest")
        if newest is None or tuple(newest[0]) <= key:
            _set(cache, f"{kind}:latest", (key, result), timeout=LATEST_TIMEOUT_S)
        return result

    def run_unless_another_worker_is() -> T | None:
        if not _add(cache, f"{kind}:computing", COMPUTING_TIMEOUT_S):
            return None  # another worker sharing the cache computes it; its result reaches this one too
        try:
            return run()
        finally:
            _delete(cache, f"{kind}:computing")

    newest = _get(cache, f"{kind}:latest")
    if newest is None:
        return key, run()
    background_for(cache).submit(kind, run_unless_another_worker_is)  # one at a time per kind and process
    return tuple(newest[0]), newest[1]
