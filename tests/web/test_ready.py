"""Ready answers (`dashboard.web.ready`): however many walls poll after a data change, the wall's refresh is computed
and encoded once per key, every wall gets the same bytes with the server's clock of its own request, a wall that
already shows the key is answered by the callback as before (nothing to send), and a new data version is one more
computation — not one per wall."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bench import load
from callbacks import wall as wall_callbacks
from dashboard.core.cache import background_for, cache_of
from dashboard.web import ready
from dashboard.web.app import create_app
from layouts import wall as wall_layout
from layouts.ids import WallIds
from tests.conftest import START
from tests.factories import dossier
from tests.signin import signed_client
from tests.statements import statements_of

PARTS = ["kpis", "alerts"]
GRAPHS = ["gauge", "map"]
VIEWERS = 20


def _body(app, seen, search: str = "?lang=en") -> dict:
    """The refresh's request as the browser sends it (bench/load.py's), for the parts and graphs of `PARTS`, `GRAPHS`."""
    [output] = [key for key in app.callback_map if f"{WallIds.SEEN}.data" in key and "..." in key]
    return load.payload(output, PARTS, GRAPHS, seen, 1.0, search)


@pytest.fixture
def app(eager_app):
    return eager_app


@pytest.fixture
def counted(monkeypatch):
    """The wall refresh's calls (the callback's body), counted."""
    calls = []
    real = wall_callbacks.refresh

    def refresh(*args, **kwargs):
        calls.append(args[2])  # the key the wall shows
        return real(*args, **kwargs)

    monkeypatch.setattr(wall_callbacks, "refresh", refresh)
    return calls


def _poll_all(app, body: dict) -> list:
    clients = [signed_client(app) for _ in range(VIEWERS)]
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda client: client.post("/_dash-update-component", json=body), clients))


def _clock_of(response) -> int:
    return json.loads(response.get_data())["response"][WallIds.TIMES]["data"]["now"]


def test_twenty_walls_after_a_change_cost_one_computation_and_get_the_same_bytes(
    app, services, source_db, pull, counted
):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    first = _poll_all(app, _body(app, None))
    assert [r.status_code for r in first] == [200] * VIEWERS
    waiting = [r for r in first if r.get_data(as_text=True) == wall_callbacks.READY_WAITING]
    drawn = {r.get_data() for r in first if r not in waiting}  # the walls that came while it was drawn: ask again
    assert len(drawn) == 1 and len(waiting) < VIEWERS
    responses = _poll_all(app, _body(app, None))  # their next poll (a second later in a browser)
    assert len(counted) == 1  # one computation and one encoding for twenty walls, twice
    assert {r.get_data() for r in responses} == drawn
    shown = json.loads(responses[0].get_data())["response"]
    key = shown[WallIds.SEEN]["data"]
    assert key == [services.store.data_version()[0], "2019-11-27T09:00", 1.0]
    assert _clock_of(responses[0]) == int(services.clock.now().timestamp() * 1000)

    services.clock.advance(timedelta(seconds=20))  # the same minute: the same bytes, with this request's clock
    later = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    assert len(counted) == 1 and _clock_of(later) == int(services.clock.now().timestamp() * 1000)
    strip = lambda r: re.sub(rb'"now": ?\d+', b"", r.get_data())  # noqa: E731
    assert strip(later) == strip(responses[0])

    unchanged = signed_client(app).post("/_dash-update-component", json=_body(app, key))
    assert json.loads(unchanged.get_data()) == {"multi": True, "response": {}}  # a wall showing the key: nothing
    assert len(counted) == 1  # answered without the callback

    source_db.insert("dossiers", dossier("C"))
    pull()
    starting = signed_client(app).post("/_dash-update-component", json=_body(app, key))
    assert starting.get_data(as_text=True) == wall_callbacks.READY_WAITING  # computing the new version: ask again
    assert len(counted) == 1  # … answered without the callback
    background_for(cache_of(app)).wait(timeout=30)
    _poll_all(app, _body(app, key))
    again = _poll_all(app, _body(app, key))
    new_key = json.loads(again[0].get_data())["response"][WallIds.SEEN]["data"]
    assert new_key[0] == key[0] + 1 and len(counted) == 2  # the new version: once more, for all twenty


def test_an_answer_still_waiting_for_its_figures_is_never_kept(app, services, pull, counted):
    pull()
    first = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    key = json.loads(first.get_data())["response"][WallIds.SEEN]["data"]
    services.clock.advance(timedelta(minutes=1))  # a new minute: its figures are computed in the background
    waiting = signed_client(app).post("/_dash-update-component", json=_body(app, key))
    assert json.loads(waiting.get_data()) == json.loads(wall_callbacks.READY_WAITING)  # keep it, ask again in 1 s
    assert len(counted) == 1  # answered without the callback: the wall shows the newest figures so far
    background_for(cache_of(app)).wait(timeout=30)
    ready = signed_client(app).post("/_dash-update-component", json=_body(app, key))
    assert json.loads(ready.get_data())["response"][WallIds.SEEN]["data"][1] == "2019-11-27T09:01"
    assert len(counted) == 2  # the waiting answer was not served again in place of the ready one


def _new_version(app, source_db, pull, seen: list, number: str) -> list:
    """A dossier more, pulled, and the wall's figures of the new version computed: the key a refresh shows now."""
    source_db.insert("dossiers", dossier(number, received=START - timedelta(days=8), updated=START))
    pull()
    signed_client(app).post("/_dash-update-component", json=_body(app, seen))  # starts computing them
    background_for(cache_of(app)).wait(timeout=30)
    answer = signed_client(app).post("/_dash-update-component", json=_body(app, seen))
    return json.loads(answer.get_data())["response"][WallIds.SEEN]["data"]


def test_walls_however_far_behind_cost_one_patch_and_one_whole_answer_a_key(app, source_db, pull, counted):
    source_db.insert("dossiers", dossier("A"))
    pull()
    first = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    oldest = json.loads(first.get_data())["response"][WallIds.SEEN]["data"]
    previous = _new_version(app, source_db, pull, oldest, "B")
    newest = _new_version(app, source_db, pull, previous, "C")
    assert [oldest[0] + 1, oldest[0] + 2] == [previous[0], newest[0]]
    calls = len(counted)
    client = signed_client(app)
    seens = [previous, oldest, None, [oldest[0] - 1, oldest[1], 1.0], previous, oldest, None]  # 4 keys behind
    answers = [client.post("/_dash-update-component", json=_body(app, seen)).get_data() for seen in seens]
    assert len(counted) == calls + 1  # one whole drawing: the patch was drawn for `_new_version`'s own wall
    assert answers[0] == answers[4] and answers[1] == answers[2] == answers[3] == answers[5] == answers[6]
    patched, whole = (json.loads(answers[i])["response"] for i in (0, 1))
    assert patched[WallIds.SEEN]["data"] == whole[WallIds.SEEN]["data"] == newest
    gauge = lambda sent: sent[json.dumps(wall_layout.graph_id("gauge"), separators=(",", ":"), sort_keys=True)]  # noqa: E731
    assert gauge(patched)["figure"]["__dash_patch_update"] == "__dash_patch_update"
    assert gauge(whole)["figure"]["data"][0]["value"] == 66.7  # the whole figure: 2 of 3 dossiers overdue
    value = {"location": ["data", 0, "value"], "operation": "Assign", "params": {"value": 66.7}}
    assert value in gauge(patched)["figure"]["operations"]  # from `previous`'s 1 of 2 (50.0)


def test_walls_showing_the_newest_key_cost_the_store_one_read_however_many_poll(services, pull, counted):
    pull()
    app = create_app(services)  # the version read at most every 500 ms (the default)
    assert services.settings.version_check_ms == 500 and wall_callbacks.UNCHANGED == ready.UNCHANGED
    first = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    key = json.loads(first.get_data())["response"][WallIds.SEEN]["data"]
    with statements_of(services.store) as sent:
        responses = _poll_all(app, _body(app, key))
    assert [r.get_data(as_text=True) for r in responses] == [ready.NOTHING] * VIEWERS
    versions = [statement for statement in sent if "data_version" in statement]
    assert len(versions) <= 1 and len(counted) == 1  # twenty walls: at most one read of the version, no callback


def test_a_wall_showing_the_previous_key_is_sent_only_what_changed(app, services, source_db, pull):
    source_db.insert("dossiers", dossier("A"))
    pull()
    first = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    key = json.loads(first.get_data())["response"][WallIds.SEEN]["data"]
    overdue = dossier("B", received=START - timedelta(days=8), updated=START)  # the gauge moves
    source_db.insert("dossiers", overdue)
    pull()
    background_for(cache_of(app)).wait(timeout=30)
    body = _body(app, key)
    signed_client(app).post("/_dash-update-component", json=body)  # may still be the old figures: draw the new
    background_for(cache_of(app)).wait(timeout=30)
    changed = signed_client(app).post("/_dash-update-component", json=body)
    sent = json.loads(changed.get_data())["response"]
    assert sent[WallIds.SEEN]["data"][0] == key[0] + 1
    graph = lambda name: sent.get(json.dumps(wall_layout.graph_id(name), separators=(",", ":"), sort_keys=True))  # noqa: E731
    gauge = graph("gauge")["figure"]
    assert gauge["__dash_patch_update"] == "__dash_patch_update"  # a patch of the gauge, not the whole figure
    assert {"location": ["data", 0, "value"], "operation": "Assign", "params": {"value": 50.0}} in gauge["operations"]
    assert WallIds.HEADER not in sent and WallIds.SOURCES not in sent  # unchanged: not sent again


def test_a_workers_walls_read_a_kept_answer_from_the_shared_cache_once(app, source_db, pull, counted):
    source_db.insert("dossiers", dossier("A"))
    pull()
    cache = cache_of(app)
    first = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    assert len(counted) == 1 and first.status_code == 200
    asked: list[str] = []
    get = cache.get
    cache.get = lambda name: asked.append(name) or get(name)  # type: ignore[method-assign]
    polls = _poll_all(app, _body(app, None))
    assert {r.get_data() for r in polls} == {first.get_data()} and len(counted) == 1
    assert [name for name in asked if name.startswith("ready:")] == []  # the worker kept what it wrote


def test_an_answer_another_worker_is_drawing_is_not_drawn_again_its_walls_wait(
    app, source_db, pull, counted, monkeypatch
):
    source_db.insert("dossiers", dossier("A"))
    pull()
    cache, claimed, real_claim = cache_of(app), [], ready.claim
    monkeypatch.setattr(ready, "claim", lambda cache, name, timeout_s: claimed.append(name) and False)
    waiting = _poll_all(app, _body(app, None))  # another worker holds the drawing (its `claim` taken)
    assert {r.get_data(as_text=True) for r in waiting} == {wall_callbacks.READY_WAITING}
    assert len(counted) == 0 and len(set(claimed)) == 1  # answered without the callback: keep what is shown
    monkeypatch.setattr(ready, "claim", real_claim)  # the other worker is done (or gone): this one draws
    drawn = signed_client(app).post("/_dash-update-component", json=_body(app, None))
    assert len(counted) == 1 and WallIds.SEEN in json.loads(drawn.get_data())["response"]
    assert cache.get(f"{claimed[0]}:computing") is None  # let go once drawn: the next key's drawing is free
