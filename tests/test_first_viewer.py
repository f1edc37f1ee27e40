"""Every first viewer fast: leagues, tiles and the API's KPIs of a new data version are computed off the request
path, once per address however many viewers poll and however many workers share the cache; meanwhile each viewer
gets the newest value of its own address at once, and the key says which it is. The league's weekly trend in one
grouped read gives the numbers of one KPI pass per week."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask

from dashboard.core.cache import background_for
from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window
from dashboard.core.settings import Settings
from dashboard.core.vocabulary import WEEK_PERIOD
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.service_index import score_unit
from dashboard.pages import api as api_pages
from dashboard.pages import league as league_pages
from dashboard.pages import unit as unit_pages
from dashboard.pages.common import current_key
from dashboard.pages.kpis import unit_kpis
from dashboard.pages.unit import TileQuery
from dashboard.web.cache import attach_cache, key_prefix
from tests.conftest import START
from tests.factories import counting_every_dossier, dossier
from tests.statements import statements_of

VIEWERS = 20


def simple_cache():
    """The in-process backend as the app factory configures it."""
    return attach_cache(Flask(f"w{uuid.uuid4().hex[:6]}"), Settings(store_url="sqlite:///unused.sqlite"))


def rows(prefix: str, n: int, unit: str = "760") -> list[dict[str, Any]]:
    """`n` dossiers received over the last weeks, every third still open, the others resolved in 1–6 days."""
    found = []
    for i in range(n):
        received = START - timedelta(days=3 + 2 * i, hours=i % 5)
        done = i % 3 != 0
        completed = received + timedelta(days=1 + i % 6) if done else None
        found.append(
            dossier(f"{prefix}-{i}", unit=unit, received=received, status="completed" if done else "processing",
                    completed=completed, channel="online_full" if i % 2 else "counter")
        )  # fmt: skip
    return found


# Each address: (module, the function that computes its value, a viewer's request → (key shown, version shown)).
def _league(services, cache) -> tuple[list[Any], int]:
    key, view = league_pages.league_keyed(services, cache, current_key(services), "district", "30d")
    return key, view.data_version


def _tile(services, cache, unit: str = "quan-1") -> tuple[list[Any], int]:
    key, view = unit_pages.tile_keyed(services, cache, current_key(services), TileQuery(unit))
    assert view is not None and view.unit["key"] == unit  # never another unit's tile
    return key, key[0]


def _api(services, cache) -> tuple[list[Any], int]:
    view = api_pages.kpis_data(services, cache, current_key(services), "30d")
    return [view.data_version], view.data_version


ADDRESSES = {
    "league": (league_pages, "league_view", _league),
    "tile": (unit_pages, "unit_view", _tile),
    "api": (api_pages, "kpis_view", _api),
}


def counting(monkeypatch, module, name: str, gate: threading.Event | None = None) -> list[int]:
    """Count the computations of `module.name` (each waits for `gate` when given)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        if gate is not None:
            assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def at_once(viewers: int, ask: Callable[[int], Any]) -> list[Any]:
    """`viewers` threads asking together; what each got."""
    barrier, answers, errors = threading.Barrier(viewers), [None] * viewers, []

    def viewer(i: int) -> None:
        barrier.wait(10)
        try:
            answers[i] = ask(i)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=viewer, args=(i,)) for i in range(viewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return answers


def changed(services, source_db, pull, code: str) -> int:
    """A data change (one more dossier pulled); the new data version."""
    before = services.store.data_version()[0]
    source_db.insert("dossiers", dossier(code, received=START - timedelta(hours=2)))
    pull()
    after = services.store.data_version()[0]
    assert after > before
    return after


@pytest.mark.parametrize("address", ADDRESSES)
def test_twenty_viewers_of_a_new_version_cost_one_computation_and_get_the_previous_value_meanwhile(
    address, services, source_db, pull, monkeypatch
):
    module, name, ask = ADDRESSES[address]
    source_db.insert("dossiers", *rows("A", 12))
    pull()
    cache, old = simple_cache(), services.store.data_version()[0]
    assert ask(services, cache)[1] == old  # the first value ever: computed on the request
    new = changed(services, source_db, pull, "NEW")
    gate = threading.Event()
    calls = counting(monkeypatch, module, name, gate)

    answers = at_once(VIEWERS, lambda _i: ask(services, cache))
    assert {version for _key, version in answers} == {old}  # at once, while the new value is computed
    gate.set()
    background_for(cache).wait(timeout=30)
    assert len(calls) == 1
    assert ask(services, cache)[1] == new  # once computed, the new version's
    assert len(calls) == 1


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_past_as_of_is_computed_on_the_request(address, services, source_db, pull, monkeypatch):
    module, name, _ask = ADDRESSES[address]
    source_db.insert("dossiers", *rows("A", 6))
    pull()
    cache, key, past = simple_cache(), current_key(services), START - timedelta(days=2)
    calls = counting(monkeypatch, module, name)
    if address == "league":
        view: Any = league_pages.league_keyed(services, cache, key, "district", "30d", past)[1]
    elif address == "tile":
        view = unit_pages.tile_keyed(services, cache, key, TileQuery("quan-1", as_of=past))[1]
    else:
        view = api_pages.kpis_data(services, cache, key, "30d", as_of=past)
    assert view.as_of == past and len(calls) == 1


def test_one_units_newest_tile_never_answers_another_units_request(services, source_db, pull, monkeypatch):
    source_db.insert("dossiers", *rows("A", 9), *rows("D", 6, unit="773"))
    pull()
    cache = simple_cache()
    first_key, quan_1 = unit_pages.tile_keyed(services, cache, current_key(services), TileQuery("quan-1"))
    assert quan_1 is not None
    changed(services, source_db, pull, "NEW")
    gate = threading.Event()
    counting(monkeypatch, unit_pages, "unit_view", gate)
    shown, stale = unit_pages.tile_keyed(services, cache, current_key(services), TileQuery("quan-1"))
    assert shown == first_key and stale == quan_1  # quan-1's newest, while its new tile is computed
    gate.set()  # quan-4 has no tile yet: its own, computed now — never quan-1's
    key_4, quan_4 = unit_pages.tile_keyed(services, cache, current_key(services), TileQuery("quan-4"))
    assert quan_4 is not None and quan_4.unit["key"] == "quan-4" and key_4 == current_key(services)
    other_list = TileQuery("quan-1", list_name="overdue")  # another list of the same unit: another address too
    assert unit_pages.tile_keyed(services, cache, current_key(services), other_list)[1].drill_filter == "overdue"
    assert unit_pages.tile_keyed(services, cache, current_key(services), TileQuery("quan-99")) == (
        current_key(services),
        None,
    )
    background_for(cache).wait(timeout=30)


def test_a_leagues_newest_never_answers_another_league_or_period(services, source_db, pull):
    source_db.insert("dossiers", *rows("A", 6))
    pull()
    cache = simple_cache()
    league_pages.league_keyed(services, cache, current_key(services), "district", "30d")
    changed(services, source_db, pull, "NEW")
    _key, district_7d = league_pages.league_keyed(services, cache, current_key(services), "district", "7d")
    _key, departments = league_pages.league_keyed(services, cache, current_key(services), "department", "30d")
    assert (district_7d.kind, district_7d.period) == ("district", "7d")
    assert (departments.kind, departments.period) == ("department", "30d")
    background_for(cache).wait(timeout=30)


@pytest.mark.parametrize("address", ADDRESSES)
def test_two_workers_sharing_redis_compute_a_new_version_once(
    address, redis_url, services, source_db, pull, monkeypatch
):
    """Two workers (two caches on one Redis, each with its own background threads), twenty viewers: one
    computation in all."""
    module, name, ask = ADDRESSES[address]
    source_db.insert("dossiers", *rows("A", 9))
    pull()
    settings = Settings(
        store_url="sqlite:///unused.sqlite", cache_url=redis_url, cache_prefix=f"t{uuid.uuid4().hex[:8]}"
    )
    workers = [attach_cache(Flask(f"worker{i}"), settings) for i in (1, 2)]
    try:
        ask(services, workers[0])
        new = changed(services, source_db, pull, "NEW")
        gate = threading.Event()
        calls = counting(monkeypatch, module, name, gate)
        at_once(VIEWERS, lambda i: ask(services, workers[i % 2]))
        gate.set()
        for worker in workers:
            background_for(worker).wait(timeout=30)
        at_once(VIEWERS, lambda i: ask(services, workers[i % 2]))  # after it: served, never computed again
        for worker in workers:
            background_for(worker).wait(timeout=30)
        assert len(calls) == 1
        assert {ask(services, worker)[1] for worker in workers} == {new}
    finally:
        import redis

        client = redis.Redis.from_url(redis_url)
        stored = client.keys(f"{key_prefix(settings)}*")
        if stored:
            client.delete(*stored)


def test_the_background_queue_is_bounded_and_a_full_one_keeps_the_newest_value():
    from dashboard.core.cache import Background

    background, release = Background(threads=1, max_pending=2), threading.Event()
    first = background.submit("a", lambda: release.wait(10))
    assert background.submit("a", lambda: 1 / 0) is first  # one per key
    assert background.submit("b", lambda: "b") is not None
    assert background.submit("c", lambda: "c") is None  # full: nothing queued, the caller asks again later
    release.set()
    background.wait(timeout=10)
    assert background.submit("c", lambda: "c") is not None
    background.wait(timeout=10)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])  # the store's dialects
def test_the_weekly_trend_in_one_grouped_read_equals_a_kpi_pass_per_week(
    backend, request, tmp_path, settings, clock, source_db, services
):
    """The eight weekly scores from `Series.unit_weeks` (three statements) equal eight `unit_kpis` passes."""
    url = {
        "sqlite": lambda: f"sqlite:///{tmp_path / 'trend.sqlite'}",
        "postgresql": lambda: request.getfixturevalue("pg_schema_url"),
    }[backend]()
    from dashboard.store import Store
    from tests.conftest import _seeded

    store = _seeded(Store(url))
    try:
        source_db.insert("dossiers", *rows("A", 30), *rows("C", 20, unit="770"), *rows("D", 25, unit="773"))
        source = SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1", interval=60)
        Ingestor(store, clock, settings).pull(source)
        keys = [u["key"] for u in league_pages.league_units(store, "district", START)]
        calendar, config = services.calendar, counting_every_dossier(services.index_config)  # a score a week
        with statements_of(store) as statements:
            trend = league_pages.weekly_trend(store, calendar, config, keys, START)
        assert len(statements) == 3  # dossier days, feedback days, processing times: every week at once

        midnight = datetime.combine(START.date(), time(0), CITY_TZ)
        for back in range(league_pages.TREND_WEEKS - 1, -1, -1):  # the former reading: one KPI pass per week
            end = midnight - timedelta(days=7 * back)
            span = Window(end - timedelta(days=7), end)
            kpis = unit_kpis(store, calendar, WEEK_PERIOD, end, units=keys, span=span, instant=False)
            week = league_pages.TREND_WEEKS - 1 - back
            assert {key: trend[key][week] for key in keys} == {key: score_unit(kpis[key], config).score for key in keys}
        scored = [score for key in ("quan-1", "quan-3", "quan-4") for score in trend[key] if score is not None]
        assert len(scored) >= 12  # the comparison is over real scores, not only n/a
    finally:
        store.dispose()
