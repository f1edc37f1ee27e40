"""Ready answers: a callback whose answer is the same for every viewer of the same key (the wall's refresh; a
tile's, for every viewer of the same role and units) is serialised once per key and served as the same bytes to
every viewer and worker, from the shared cache — not rebuilt and re-encoded for each of 200 walls, and drawn by one
worker at a time (`claim`): the other's viewers are answered `waiting` meanwhile, and get the same bytes next.

Dash's own callback view stays in charge: on a miss it answers as always, and the answer's `stamp` says whether
it is final for the request's identity (everything the answer depends on) — the bytes are then kept under that
identity — and which server clock it holds. That one value, the server's clock (for the wall's client-side
clock), is written into the bytes anew for each request. An answer still waiting for figures computed in the
background is not final: the next poll asks again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import Dash
from flask import Response, request

from dashboard.core.cache import NO_CLOCK, UNCHANGED, WAITING, Cache, claim, kept, recent_for, release

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 300  # an answer lives a few minutes: its key (data version, minute) moves on by then
DRAWING_CLAIM_S = 30  # a worker drawing an answer holds it this long at most (the others' viewers wait meanwhile)
NOTHING = '{"multi":true,"response":{}}'  # Dash's own answer when every output is no_update
CLOCK_FORMS = ('"now":%d', '"now": %d')  # the server's clock as an encoder writes it (compact, or spaced)


@dataclass(frozen=True)
class ReadyAnswer:
    """A callback whose answers are shared: `matches(body)` tells its requests; `identity(body)` is what its answer
    depends on, worked out cheaply before the callback runs (None: answer this request as usual; `UNCHANGED`: the
    viewer shows the newest already, nothing to send; `WAITING`: it shows the newest so far, answer `waiting`);
    `stamp(identity, answer)`: the server clock (epoch ms) the decoded answer holds, when it is final for the
    identity (`NO_CLOCK` when it holds none), else None; `waiting`: the answer while the next is computed, or
    another thread of the worker draws the same identity (keep what is shown, ask again soon) — so no viewer
    queues behind it."""

    matches: Callable[[dict[str, Any]], bool]
    identity: Callable[[dict[str, Any]], str | None]
    stamp: Callable[[str, dict[str, Any]], int | None]
    waiting: str


def _name(identity: str) -> str:
    return "ready:" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def install(app: Dash, cache: Cache, answers: list[ReadyAnswer], now_ms: Callable[[], int]) -> None:
    """Serve `answers`' callbacks from ready bytes when the cache holds them; keep them when a callback offers."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    view = app.server.view_functions[endpoint]
    locks: dict[str, threading.Lock] = {}
    locks_lock = threading.Lock()

    def ready_view(*args: Any, **kwargs: Any) -> Any:
        body = request.get_json(silent=True)
        answer = next((a for a in answers if isinstance(body, dict) and a.matches(body)), None)
        identity = answer.identity(body) if answer is not None and isinstance(body, dict) else None
        if answer is None or identity is None:
            return view(*args, **kwargs)
        if identity == UNCHANGED:  # the common poll: answered without the store, the callback or the cache
            return Response(NOTHING, 200, mimetype="application/json")
        if identity == WAITING:  # the viewer shows the newest so far: keep it, ask again soon
            return Response(answer.waiting, 200, mimetype="application/json")
        name = _name(identity)
        found: tuple[str, int, str] | Response | None = _read(cache, name)
        if found is None:
            with locks_lock:
                lock = locks.setdefault(name, threading.Lock())
            if not lock.acquire(blocking=False):  # another thread draws it: this viewer asks again soon
                return Response(answer.waiting, 200, mimetype="application/json")
            try:
                draw = lambda: app.server.make_response(view(*args, **kwargs))  # noqa: E731
                found = _read(cache, name) or _drawn(cache, name, answer, identity, draw)
            finally:
                lock.release()
                with locks_lock:
                    locks.pop(name, None)
        if isinstance(found, Response):
            return found
        form, stamped, text = found
        served = text.replace(form % stamped, form % now_ms(), 1) if form else text
        return Response(served, 200, mimetype="application/json")

    app.server.view_functions[endpoint] = ready_view


def _drawn(
    cache: Cache, name: str, answer: ReadyAnswer, identity: str, draw: Callable[[], Response]
) -> tuple[str, int, str] | Response:
    """The answer under `name` drawn by this worker and kept, unless another worker sharing the cache draws it
    (`claim`): then `waiting`, and its bytes come at the viewer's next poll. A response that cannot be kept (an error,
    one still waiting for figures) is returned as it is."""
    if not claim(cache, name, DRAWING_CLAIM_S):
        return Response(answer.waiting, 200, mimetype="application/json")
    try:
        response = draw()
        found = _keepable(answer, identity, response)
        if found is None:
            return response
        _write(cache, name, found)
        return found
    finally:
        release(cache, name)


def _keepable(answer: ReadyAnswer, identity: str, response: Response) -> tuple[str, int, str] | None:
    """(clock form, clock, text) of a final answer; None for any other (an error, a 204, one still waiting). Text,
    not bytes: the cache stores JSON (`dashboard.web.cache`)."""
    if response.status_code != 200 or response.mimetype != "application/json":
        return None
    text = response.get_data(as_text=True)
    stamped = answer.stamp(identity, json.loads(text))
    if stamped == NO_CLOCK:
        return "", NO_CLOCK, text
    form = next((f for f in CLOCK_FORMS if stamped is not None and f % stamped in text), None)
    return None if form is None or stamped is None else (form, stamped, text)


def _read(cache: Cache, name: str) -> tuple[str, int, str] | None:
    """The answer kept under `name`: from this process's recent entries (an identity's answer never changes), else
    from the shared cache."""
    found = kept(cache, name)  # a cache outage reads as none: the callback answers, as without ready bytes
    return None if found is None else (found[0], found[1], found[2])


def _write(cache: Cache, name: str, found: tuple[str, int, str]) -> None:
    recent_for(cache).put(name, found)
    try:
        cache.set(name, found, timeout=READY_TIMEOUT_S)
    except Exception as exc:
        log.warning("ready answer %s not kept: %s", name, exc)
