"""The shared cache: a value per key, and the newest value of a kind while a new one is computed."""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask
from flask_caching import Cache

from dashboard.core import cache as cache_module
from dashboard.core.cache import (
    NEWEST_KEY_CHECK_S,
    Recent,
    background_for,
    cached,
    cached_once,
    cached_or_latest,
    computed_here,
    key_before,
    newest_key,
)
from dashboard.core.settings import Settings
from dashboard.web.cache import attach_cache, key_prefix
from tests.factories import Ticking


def simple_cache() -> Cache:
    """The in-process backend as the app factory configures it (values stored as JSON)."""
    return attach_cache(Flask("test"), Settings(store_url="sqlite:///unused.sqlite"))


def redis_settings(redis_url: str) -> Settings:
    """Settings of one deployment on the shared Redis: its own prefix, so tests never see each other's keys."""
    return Settings(store_url="sqlite:///unused.sqlite", cache_url=redis_url, cache_prefix=f"t{uuid.uuid4().hex[:8]}")


def test_the_first_value_is_computed_at_once_and_then_served_from_the_cache():
    cache, calls = simple_cache(), []
    assert cached_or_latest(cache, "wall", (1, "09:00"), lambda: calls.append(1) or "v1") == (
        (1, "09:00"),
        "v1",
    )
    assert cached_or_latest(cache, "wall", (1, "09:00"), lambda: 1 / 0) == ((1, "09:00"), "v1")
    assert calls == [1]


def test_a_new_key_serves_the_newest_value_until_its_own_is_computed_in_the_background():
    cache = simple_cache()
    background = background_for(cache)
    cached_or_latest(cache, "wall", (1, "09:00"), lambda: "v1")
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        return "v2"

    assert cached_or_latest(cache, "wall", (2, "09:00"), slow) == ((1, "09:00"), "v1")
    # asked again while it runs, for it or for a newer key: the newest so far, and no second computation
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: 1 / 0) == ((1, "09:00"), "v1")
    assert cached_or_latest(cache, "wall", (3, "09:00"), lambda: 1 / 0) == ((1, "09:00"), "v1")
    release.set()
    background.wait(timeout=10)
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: 1 / 0) == ((2, "09:00"), "v2")
    assert cached_or_latest(cache, "wall", (3, "09:00"), lambda: "v3") == ((2, "09:00"), "v2")  # now it starts
    background.wait(timeout=10)
    assert cached_or_latest(cache, "wall", (3, "09:00"), lambda: 1 / 0) == ((3, "09:00"), "v3")


def test_a_late_result_never_replaces_a_newer_one_as_the_newest():
    cache = simple_cache()
    background = background_for(cache)
    cached_or_latest(cache, "wall", (5, "09:01"), lambda: "v5")
    cached_or_latest(cache, "wall", (4, "09:00"), lambda: "v4")  # an older key, computed late
    background.wait(timeout=10)
    assert cached_or_latest(cache, "wall", (6, "09:02"), lambda: "v6") == ((5, "09:01"), "v5")
    background.wait(timeout=10)
    assert cache.get("wall:latest") == ((6, "09:02"), "v6")


def test_the_newest_key_and_the_key_it_followed_are_read_without_their_values():
    cache = simple_cache()
    background = background_for(cache)
    assert newest_key(cache, "wall") is None
    cached_or_latest(cache, "wall", (5, "09:01"), lambda: "v5")
    cached_or_latest(cache, "wall", (7, "09:02"), lambda: "v7")
    background.wait(timeout=10)
    cached_or_latest(cache, "wall", (6, "09:01"), lambda: "v6")  # an older key, computed late: not the newest
    background.wait(timeout=10)
    assert cache.get("wall:6:09:01") == "v6"
    assert newest_key(cache, "wall") == (7, "09:02")
    assert key_before(cache, "wall", (7, "09:02")) == (5, "09:01")  # what a viewer that kept up showed before
    assert key_before(cache, "wall", (5, "09:01")) is None and key_before(cache, "wall", (6, "09:01")) is None
    cached_or_latest(cache, "wall", (8, "09:02"), lambda: "v8")
    background.wait(timeout=10)
    assert (newest_key(cache, "wall"), key_before(cache, "wall", (8, "09:02"))) == ((8, "09:02"), (7, "09:02"))


def test_a_failing_background_computation_is_logged_and_the_newest_value_stays(caplog):
    cache = simple_cache()
    background = background_for(cache)
    cached_or_latest(cache, "wall", (1, "09:00"), lambda: "v1")
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: 1 / 0) == ((1, "09:00"), "v1")
    background.wait(timeout=10)
    assert "background computation of wall failed" in caplog.text
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: "v2") == ((1, "09:00"), "v1")
    background.wait(timeout=10)
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: 1 / 0) == ((2, "09:00"), "v2")


def test_a_kind_another_worker_is_computing_is_not_computed_again():
    cache = simple_cache()
    background = background_for(cache)
    cached_or_latest(cache, "wall", (1, "09:00"), lambda: "v1")
    cache.add("wall:computing", 1)  # as another worker sharing the cache would, while it computes
    assert cached_or_latest(cache, "wall", (2, "09:00"), lambda: 1 / 0) == ((1, "09:00"), "v1")
    background.wait(timeout=10)
    assert cache.get("wall:2:09:00") is None and cache.get("wall:computing") == 1  # left to the other worker
    cache.delete("wall:computing")
    cached_or_latest(cache, "wall", (2, "09:00"), lambda: "v2")
    background.wait(timeout=10)
    assert cache.get("wall:2:09:00") == "v2" and cache.get("wall:computing") is None  # released when done


def test_workers_sharing_redis_compute_a_new_key_once(redis_url):
    """Two workers (two caches on one Redis, each with its own background thread) and one computation."""
    settings = redis_settings(redis_url)
    first, second = (attach_cache(Flask(f"worker{i}"), settings) for i in (1, 2))
    cached_or_latest(first, "wall", (1, "09:00"), lambda: "v1")
    release, calls = threading.Event(), []

    def slow(name: str):
        def compute() -> str:
            calls.append(name)
            release.wait(10)
            return "v2"

        return compute

    assert cached_or_latest(first, "wall", (2, "09:00"), slow("first")) == ((1, "09:00"), "v1")
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:  # the first worker has taken the kind
        time.sleep(0.01)
    assert cached_or_latest(second, "wall", (2, "09:00"), slow("second")) == ((1, "09:00"), "v1")
    background_for(second).wait(timeout=10)  # the second worker's attempt returns at once
    release.set()
    background_for(first).wait(timeout=10)
    assert calls == ["first"]
    assert cached_or_latest(second, "wall", (2, "09:00"), lambda: 1 / 0) == ((2, "09:00"), "v2")
    first.clear()


class Planted:
    """What an attacker with write access to the Redis would plant: unpickling it runs a command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_redis_holds_json_only_and_a_planted_pickle_is_refused_never_run(redis_url, tmp_path, caplog):
    import redis

    settings = redis_settings(redis_url)
    cache = attach_cache(Flask("web"), settings)
    client = redis.Redis.from_url(redis_url)
    prefix = key_prefix(settings)
    assert prefix.startswith(f"{settings.cache_prefix}:") and prefix.endswith(":")
    cached(cache, "overview:7:2019-11-27T09:00", lambda: {"in_progress": 12, "as_of": (2019, 11, 27)})
    stored = client.get(f"{prefix}overview:7:2019-11-27T09:00")
    assert stored == b'{"in_progress":12,"as_of":{"__cchc__":"tuple","items":[2019,11,27]}}'  # JSON, no pickle
    marker = tmp_path / "pwned"
    client.set(f"{prefix}overview:8:2019-11-27T09:01", b"!" + pickle.dumps(Planted(marker)))
    value = cached(cache, "overview:8:2019-11-27T09:01", lambda: "recomputed")
    assert value == "recomputed" and not marker.exists()  # read as a miss: computed again, nothing ran
    assert "refusing a stored value" in caplog.text
    client.delete(*client.keys(f"{prefix}*"))


def test_a_process_keeps_its_most_recently_used_entries_each_with_the_time_it_was_put():
    ticking = Ticking()
    recent = Recent(entries=2, monotonic=ticking)
    recent.put("a", 1)
    ticking.now += 1.0
    recent.put("b", 2)
    assert recent.get("a") == 1  # used: "b" is now the oldest
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)
    assert recent.get("a", max_age_s=1.0) is None and recent.get("c", max_age_s=0.001) == 3  # "a" was put 1 s ago
    recent.put("a", 4)  # put again: a new value and time
    assert recent.get("a", max_age_s=0.001) == 4


def counted_gets(cache: Cache) -> list[str]:
    """The names `cache` is asked for from now on."""
    asked: list[str] = []
    get = cache.get

    def counting(name: str):
        asked.append(name)
        return get(name)

    cache.get = counting  # type: ignore[method-assign]
    return asked


def test_polls_read_the_newest_key_from_the_shared_cache_once_a_quarter_second_and_this_process_writes_at_once(
    monkeypatch,
):
    cache, ticking = simple_cache(), Ticking()
    monkeypatch.setitem(cache_module._RECENTS, cache, Recent(monotonic=ticking))
    cached_or_latest(cache, "wall", (5, "09:01"), lambda: "v5")
    asked = counted_gets(cache)
    assert [newest_key(cache, "wall", NEWEST_KEY_CHECK_S) for _ in range(100)] == [(5, "09:01")] * 100
    assert asked == []  # this process wrote it: 100 polls, no read of the shared cache
    cache.set("wall:latest-key", [6, "09:01"])  # another worker computed a newer one
    ticking.now += NEWEST_KEY_CHECK_S - 0.01
    assert newest_key(cache, "wall", NEWEST_KEY_CHECK_S) == (5, "09:01") and asked == []
    ticking.now += 0.01
    assert newest_key(cache, "wall", NEWEST_KEY_CHECK_S) == (6, "09:01") and asked == ["wall:latest-key"]
    assert newest_key(cache, "wall", NEWEST_KEY_CHECK_S) == (6, "09:01") and len(asked) == 1
    cache.set("wall:latest-key", [7, "09:01"])
    assert newest_key(cache, "wall") == (7, "09:01")  # without an age (a computation's question): the shared cache
    background_for(cache).wait(timeout=10)


def test_the_key_a_key_followed_is_read_from_the_shared_cache_once_per_process():
    cache = simple_cache()
    cached_or_latest(cache, "wall", (5, "09:01"), lambda: "v5")
    cached_or_latest(cache, "wall", (6, "09:01"), lambda: "v6")
    background_for(cache).wait(timeout=10)
    asked = counted_gets(cache)
    assert [key_before(cache, "wall", (6, "09:01")) for _ in range(50)] == [(5, "09:01")] * 50
    assert asked == ["wall:before:6:09:01"]
    assert key_before(cache, "wall", (5, "09:01")) is None and key_before(cache, "wall", (5, "09:01")) is None
    assert asked.count("wall:before:5:09:01") == 2  # none yet is not kept: it may still be written


def held(calls: list[str], value: Any) -> tuple[Callable[[], Any], threading.Event, threading.Event]:
    """A computation that notes "first" in `calls`, says it has started, and returns `value` once released."""
    started, release = threading.Event(), threading.Event()

    def slow() -> Any:
        calls.append("first")
        started.set()
        assert release.wait(10)
        return value

    return slow, started, release


def test_a_value_computed_once_is_computed_by_one_worker_sharing_redis_and_read_once_a_process(redis_url):
    settings = redis_settings(redis_url)
    first, second = (attach_cache(Flask(f"worker{i}"), settings) for i in (1, 2))
    calls: list[str] = []
    slow, started, release = held(calls, ("ward-1", "ward-2"))
    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(cached_once, first, "unit-keys:7", slow)
        assert started.wait(10)
        other = pool.submit(cached_once, second, "unit-keys:7", lambda: calls.append("second") or ())
        time.sleep(0.2)
        assert not other.done()  # waits for the first worker's value rather than computing it again
        release.set()
        assert one.result(10) == other.result(10) == ("ward-1", "ward-2")
    assert calls == ["first"] and second.get("unit-keys:7:computing") is None
    asked = counted_gets(second)
    values = [cached_once(second, "unit-keys:7", lambda: 1 / 0) for _ in range(20)]
    assert all(value is values[0] for value in values) and asked == []  # kept by the process: no Redis read
    first.clear()


def test_a_value_computed_here_is_computed_once_a_process_and_never_written_to_the_shared_cache(redis_url):
    settings = redis_settings(redis_url)
    first, second = (attach_cache(Flask(f"worker{i}"), settings) for i in (1, 2))
    calls: list[str] = []
    slow, started, release = held(calls, {"league": [3, 1, 2]})
    with ThreadPoolExecutor(3) as pool:
        one = pool.submit(computed_here, first, "standings:7", slow)
        assert started.wait(10)
        same = pool.submit(computed_here, first, "standings:7", lambda: calls.append("again") or {})
        time.sleep(0.2)
        assert not same.done()  # a thread of the same process waits for that computation
        release.set()
        assert one.result(10) is same.result(10)
    asked = counted_gets(first)
    assert computed_here(first, "standings:7", lambda: 1 / 0) == {"league": [3, 1, 2]} and asked == []
    assert first.get("standings:7") is None and second.get("standings:7") is None  # nothing shared
    assert computed_here(second, "standings:7", lambda: calls.append("second") or {"league": [1]}) == {"league": [1]}
    assert calls == ["first", "second"]  # each worker computes its own, once
    for version in range(8, 8 + cache_module.HERE_ENTRIES):
        computed_here(first, f"standings:{version}", lambda: {})
    assert computed_here(first, "standings:7", lambda: calls.append("forgotten") or {}) == {}
    assert calls[-1] == "forgotten"  # past HERE_ENTRIES newer values, the oldest is computed again
    first.clear()


def test_a_keys_value_is_read_and_decoded_once_a_process_then_kept_there(redis_url):
    settings = redis_settings(redis_url)
    first, second = (attach_cache(Flask(f"worker{i}"), settings) for i in (1, 2))
    assert cached_or_latest(first, "wall", (3, "09:00"), lambda: {"late": [4, 1]}) == ((3, "09:00"), {"late": [4, 1]})
    drawing = cached(first, "wall-drawn:3", lambda: ["map", 4], keep=True)
    asked = counted_gets(first)
    assert cached_or_latest(first, "wall", (3, "09:00"), lambda: 1 / 0)[1] == {"late": [4, 1]}
    assert cached(first, "wall-drawn:3", lambda: 1 / 0, keep=True) is drawing
    assert asked == []  # the worker that computed them keeps them
    asked = counted_gets(second)
    shown = [cached_or_latest(second, "wall", (3, "09:00"), lambda: 1 / 0)[1] for _ in range(3)]
    drawings = [cached(second, "wall-drawn:3", lambda: 1 / 0, keep=True) for _ in range(3)]
    assert shown == [{"late": [4, 1]}] * 3 and all(value is shown[0] for value in shown)
    assert drawings == [["map", 4]] * 3 and all(value is drawings[0] for value in drawings)
    assert asked == ["wall:3:09:00", "wall-drawn:3"]  # another worker reads each once
    first.clear()


def test_a_worker_computes_a_value_itself_when_the_one_computing_it_does_not_finish(redis_url, monkeypatch):
    monkeypatch.setattr(cache_module, "OTHER_WORKER_WAIT_S", 0.2)
    cache = attach_cache(Flask("worker"), redis_settings(redis_url))
    cache.add("unit-keys:7:computing", 1, timeout=120)  # taken by a worker that died mid-computation
    assert cached_once(cache, "unit-keys:7", lambda: "v7") == "v7"
    assert cache.get("unit-keys:7") == "v7" and cache.get("unit-keys:7:computing") == 1  # not its to release
    cache.clear()
