"""The cache interface pages and the API share: `cached`, and `cached_or_latest` for slow computations. The
backends (Redis across workers, or in-process) are `dashboard.web.cache`'s; the app factory attaches one, and
callbacks find it with `cache_of(app)`. A cache that fails (Redis down) is logged and bypassed: the page
computes the value itself.

`cached_or_latest` keeps a slow computation off the request path (stale-while-revalidate): a page that polls
gets the newest value already computed at once, while the value for the new key is computed in the
background, one computation of a kind at a time (per process, and across workers sharing Redis). A kind is an
address (the wall; a league and period; a tile's unit, period, list and page; an API query), so one address's
newest value never answers another's. `cached_once` is `cached` with one computation per key and process;
`computed_here` the same kept by that process alone; `kept` a process's copy of a value; `claim` the one flag.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
EXTENSION = "cchc_pulse_cache"  # where the app factory puts the cache: app.server.extensions[EXTENSION]
_BACKGROUNDS: weakref.WeakKeyDictionary[Cache, Background] = weakref.WeakKeyDictionary()
_PER_CACHE_LOCK = threading.Lock()
LATEST_TIMEOUT_S = 3600  # the newest value of a kind outlives its key: it is what a poll shows meanwhile
COMPUTING_TIMEOUT_S = 120  # a worker that died mid-computation holds a kind's lock this long at most
OTHER_WORKER_WAIT_S = 10.0  # `cached_once`: how long a worker waits for another's computation of a value
OTHER_WORKER_POLL_S = 0.02  # … and how often it looks for the value meanwhile
BACKGROUND_THREADS = 2  # kinds computed at once per process: one slow league does not hold every tile back
MAX_PENDING = 256  # kinds queued or running at most per process; past it a poll keeps its newest value and retries
UNCHANGED = "unchanged"  # a ready answer's identity meaning: the viewer shows the newest, nothing to send
WAITING = "waiting"  # … the viewer shows the newest so far while the next is computed: keep it, ask again soon
NO_CLOCK = -1  # a ready answer's stamp: final, and holding no server clock to write anew (served as it is)
NEWEST_KEY_CHECK_S = 0.25  # a process reads a kind's newest key for the polls at most this often (its own at once)
RECENT_ENTRIES = 64  # values a process keeps in front of the shared cache (`recent_for`)
HERE_ENTRIES = 16  # large values a process keeps for itself (`computed_here`, `kept(large=True)`)
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


def _one_per_cache(registry: weakref.WeakKeyDictionary[Cache, T], cache: Cache, make: Callable[[], T]) -> T:
    found = registry.get(cache)  # every poll's question: no lock once made
    if found is not None:
        return found
    with _PER_CACHE_LOCK:
        found = registry.get(cache)
        if found is None:
            found = registry[cache] = make()
        return found


def background_for(cache: Cache) -> Background:
    """The background computer of `cache` (one per cache and process)."""
    return _one_per_cache(_BACKGROUNDS, cache, Background)


class Recent:
    """A few entries a process keeps in front of the shared cache (most recently used first out of `entries`), each
    with the monotonic time it was put: what every poll of a worker reads, so that 200 viewers do not cost 200
    Redis reads and decodings. For values that never change under their name (ready answers, the key a key
    followed), and for the newest key of a kind, read again once older than `NEWEST_KEY_CHECK_S`."""

    def __init__(self, entries: int = RECENT_ENTRIES, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._entries, self._monotonic = entries, monotonic
        self._values: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, max_age_s: float | None = None) -> Any:
        """The value put under `key` (None: none, or older than `max_age_s`)."""
        with self._lock:
            found = self._values.pop(key, None)
            if found is None:
                return None
            self._values[key] = found  # the most recently used goes last
        return found[1] if max_age_s is None or self._monotonic() - found[0] < max_age_s else None

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._values.pop(key, None)
            self._values[key] = (self._monotonic(), value)
            while len(self._values) > self._entries:
                del self._values[next(iter(self._values))]


_RECENTS: weakref.WeakKeyDictionary[Cache, Recent] = weakref.WeakKeyDictionary()
_HERES: weakref.WeakKeyDictionary[Cache, Recent] = weakref.WeakKeyDictionary()


def recent_for(cache: Cache) -> Recent:
    """The entries this process keeps in front of `cache` (one `Recent` per cache and process)."""
    return _one_per_cache(_RECENTS, cache, Recent)


def _get(cache: Cache, key: str) -> Any:
    try:
        return cache.get(key)
    except Exception as exc:  # a cache outage must not take the wall down
        log.warning("cache read of %s failed, computing instead: %s", key, exc)
        return None


def here_for(cache: Cache) -> Recent:
    """The large values this process keeps for itself (`HERE_ENTRIES` at most): one `Recent` per cache and process."""
    return _one_per_cache(_HERES, cache, lambda: Recent(HERE_ENTRIES))


def kept(cache: Cache, key: str, max_age_s: float | None = None, large: bool = False) -> Any:
    """The value under `key` as this process last read or wrote it (`recent_for`, or `here_for` when `large`;
    younger than `max_age_s` when given), else read from the shared cache and kept; None when there is none (or the
    cache fails). A kept value is shared by this process's readers: they never change it."""
    recent = here_for(cache) if large else recent_for(cache)
    found = recent.get(key, max_age_s)
    if found is None:
        found = _get(cache, key)
        if found is not None:
            recent.put(key, found)
    return found


def _set(cache: Cache, key: str, value: Any, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:
        log.warning("cache write of %s failed: %s", key, exc)


def claim(cache: Cache, key: str, timeout_s: int = COMPUTING_TIMEOUT_S) -> bool:
    """Whether this caller took the computing of `key` (`<key>:computing`, set only if absent: atomic on Redis, so
    one worker of those sharing the cache takes it), for `timeout_s` at most (a worker that died holding it). A
    failing cache says yes: the caller computes, as without a cache."""
    try:
        return bool(cache.add(f"{key}:computing", 1, timeout=timeout_s))
    except Exception as exc:
        log.warning("cache add of %s:computing failed, going ahead: %s", key, exc)
        return True


def release(cache: Cache, key: str) -> None:
    """Let go of `claim(cache, key)`."""
    try:
        cache.delete(f"{key}:computing")
    except Exception as exc:
        log.warning("cache delete of %s:computing failed: %s", key, exc)


def _set_and_keep(cache: Cache, key: str, value: Any) -> None:
    """Store a large value that never changes under `key`, and keep it for this process's next readers."""
    _set(cache, key, value)
    here_for(cache).put(key, value)


def cached(cache: Cache, key: str, compute: Callable[[], T], keep: bool = False) -> T:
    """The cached value for `key`, computed and stored on a miss; a failing cache is bypassed. With `keep`, for a
    large value that never changes under its key: kept by this process too (`kept(large=True)`), so its next
    readers here neither read nor decode it again."""
    value = kept(cache, key, large=True) if keep else _get(cache, key)
    if value is None:
        value = compute()
        (_set_and_keep if keep else _set)(cache, key, value)
    return value


def cached_once(cache: Cache, key: str, compute: Callable[[], T]) -> T:
    """`cached` for a value that never changes under its key, computed once: threads of this process that miss it
    meanwhile wait for that one's value (`Background.once`), and so does a worker sharing the cache with the one
    computing it (for `OTHER_WORKER_WAIT_S` at most: then it computes it too). Kept in front of the cache for this
    process's next readers (`recent_for`): the value is shared, and never changed by its readers."""
    value = kept(cache, key)
    if value is None:
        value = background_for(cache).once(key, lambda: _computed_once(cache, key, compute))
        recent_for(cache).put(key, value)
    return value


def computed_here(cache: Cache, key: str, compute: Callable[[], T]) -> T:
    """A value that never changes under its key, computed once per process — threads that ask meanwhile wait for
    that computation (`Background.once`) — and kept by this process alone (its `HERE_ENTRIES` most recently used),
    never written to the shared cache: for a value larger than it is slow, such as every league's standings, whose
    JSON (~700 KiB at the demo's size) costs more to encode for another worker and decode there than computing it
    again costs that worker."""
    here = here_for(cache)
    value = here.get(key)
    if value is None:

        def compute_and_keep() -> T:
            result = compute()
            here.put(key, result)  # before the flight ends: a thread missing it after that finds it here
            return result

        value = background_for(cache).once(key, compute_and_keep)
    return value


def _computed_once(cache: Cache, key: str, compute: Callable[[], T]) -> T:
    waited_until = time.monotonic() + OTHER_WORKER_WAIT_S
    while True:
        found = _get(cache, key)  # stored by a computation that ended between the miss and now
        if found is not None:
            return found
        taken = claim(cache, key)
        if taken or time.monotonic() >= waited_until:  # computing it, or the other worker is gone or stuck
            break
        time.sleep(OTHER_WORKER_POLL_S)
    try:
        result = compute()
        _set(cache, key, result)
        return result
    finally:
        if taken:
            release(cache, key)


class Background:
    """Computes values off the request path: a few worker threads (`BACKGROUND_THREADS`), at most one computation
    per key at a time and at most `MAX_PENDING` keys queued or running."""

    def __init__(self, threads: int = BACKGROUND_THREADS, max_pending: int = MAX_PENDING) -> None:
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="cchc-pulse-background")
        self._max_pending = max_pending
        self._pending: dict[str, Future] = {}
        self._flights: dict[str, Future] = {}  # `once`: computations running in a caller's thread
        self._lock = threading.RLock()  # a future already done runs its callback inside submit

    def submit(self, key: str, compute: Callable[[], Any]) -> Future | None:
        """Start `compute` unless a computation of `key` is already queued or running (its future then); None,
        and nothing started, when `MAX_PENDING` keys are: the caller keeps what it has and asks again later."""
        with self._lock:
            running = self._pending.get(key)
            if running is not None and not running.done():
                return running
            if len(self._pending) >= self._max_pending:
                log.info("background queue full (%d): %s waits for a later poll", self._max_pending, key)
                return None
            future = self._executor.submit(compute)
            self._pending[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
            return future

    def _forget(self, key: str, future: Future) -> None:
        if future.exception() is not None:  # logged before it is forgotten: `wait` returns after both
            log.error("background computation of %s failed", key, exc_info=future.exception())
        with self._lock:
            if self._pending.get(key) is future:
                del self._pending[key]

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` in the calling thread, unless another thread of this process is computing `key`: then that
        computation's value (or error), without computing it twice."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = Future()
                owner = True
            else:
                owner = False
        if not owner:
            return flight.result()
        try:
            value = compute()
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        else:
            flight.set_result(value)
            return value
        finally:
            with self._lock:
                del self._flights[key]

    def wait(self, timeout: float | None = None) -> None:
        """Block until everything submitted so far, and anything that submitted, has finished (tests, benchmarks,
        shutdown)."""
        while True:
            with self._lock:
                futures = [*self._pending.values(), *self._flights.values()]
            if not futures:
                return
            for future in futures:
                future.exception(timeout)
            if all(future.done() for future in futures):
                time.sleep(0.001)  # done, its callback (`_forget`) still running


def _named(kind: str, key: tuple[Any, ...]) -> str:
    return f"{kind}:" + ":".join(map(str, key))


def computed(cache: Cache, kind: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """The value of `kind` for `key`: cached, else computed in this thread (or the result of the computation of
    it already running in this process, `Background.once`) and stored, and as the kind's newest unless a newer
    key's is (for `cached_or_latest`). For a computation that needs another kind's value of the same key."""
    name = _named(kind, key)
    value = kept(cache, name, large=True)
    if value is not None:
        return value

    def run() -> T:
        done = kept(cache, name, large=True)  # computed by another thread or worker between this one's miss and now
        if done is not None:
            return done
        result = compute()
        _set_and_keep(cache, name, result)
        newest = newest_key(cache, kind)
        if newest is None or newest <= key:
            _set(cache, f"{kind}:latest", (key, result), timeout=LATEST_TIMEOUT_S)
            if newest is not None and newest != key:  # what it follows first: a reader of the newest key finds it
                _set(cache, _named(f"{kind}:before", key), newest, timeout=LATEST_TIMEOUT_S)
            _set(cache, f"{kind}:latest-key", key, timeout=LATEST_TIMEOUT_S)
            recent_for(cache).put(f"{kind}:latest-key", key)  # this process's polls see it at once
        return result

    return background_for(cache).once(name, run)


def cached_or_latest(
    cache: Cache,
    kind: str,
    key: tuple[Any, ...],
    compute: Callable[[], T],
) -> tuple[tuple[Any, ...], T]:
    """(key, value) when the value of `kind` for `key` is cached. On a miss, the newest value of `kind` computed
    so far with its own key, while `key`'s is computed in the background (`background_for(cache)`, one
    computation of a kind at a time, so work stays bounded however many viewers poll; across workers sharing
    a Redis cache too, through an atomic `add` of `<kind>:computing`); with none yet, computed now (once per
    process: concurrent first viewers wait for the same computation).

    Keys are tuples that sort in time order (e.g. data version, minute): a late background result never
    replaces a newer one as the newest."""
    value = kept(cache, _named(kind, key), large=True)  # a key's value never changes: kept by the process
    if value is not None:
        return key, value
    newest = _get(cache, f"{kind}:latest")
    if newest is None:
        return key, computed(cache, kind, key, compute)
    compute_in_background(cache, kind, key, compute)
    return tuple(newest[0]), newest[1]


def compute_in_background(cache: Cache, kind: str, key: tuple[Any, ...], compute: Callable[[], Any]) -> None:
    """Start computing `kind`'s value for `key` in the background (`cached_or_latest`'s), unless it is already
    computed or computing, in this process or in another worker sharing the cache."""

    def run_unless_another_worker_is() -> Any:
        if not claim(cache, kind):
            return None  # another worker sharing the cache computes it; its result reaches this one too
        try:
            return computed(cache, kind, key, compute)
        finally:
            release(cache, kind)

    background_for(cache).submit(kind, run_unless_another_worker_is)  # one at a time per kind and process


def shown_key(cache: Cache, kind: str, key: tuple[Any, ...], compute: Callable[[], Any]) -> tuple[Any, ...] | None:
    """The key of the value `cached_or_latest(cache, kind, key, compute)` answers now, found without reading any
    value: `key` once its value is computed, or before any of the kind is (it is computed then); the newest so
    far while it is (its computation started, as `cached_or_latest` starts it). None when it cannot tell: a newer
    key's value is the newest (a worker whose polled version lags; `key`'s may or may not be kept)."""
    newest = newest_key(cache, kind, NEWEST_KEY_CHECK_S)
    if newest is None:
        return key
    if newest > key:
        return None
    if newest < key:
        compute_in_background(cache, kind, key, compute)
    return newest


def newest_key(cache: Cache, kind: str, max_age_s: float = 0.0) -> tuple[Any, ...] | None:
    """The key of `kind`'s newest value so far (`cached_or_latest` shows it while a newer one is computed), read
    without the value; None before the first. With `max_age_s`, as this process last read or wrote it if that is
    more recent (a poll's question; a computation deciding what is newest reads the shared cache)."""
    found = kept(cache, f"{kind}:latest-key", max_age_s)  # an age of 0: read from the shared cache, and kept
    return None if found is None else tuple(found)


def key_before(cache: Cache, kind: str, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The key that was `kind`'s newest when `key`'s value became the newest: what a viewer that kept up showed
    just before `key` (None: the first, or forgotten)."""
    found = kept(cache, _named(f"{kind}:before", key))  # written once, when `key`'s value became the newest
    return None if found is None else tuple(found)
