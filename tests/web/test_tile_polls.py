"""A unit tile's polls (`callbacks.unit.ready_identity`): a tile that shows the newest key already is answered without
its callback (nothing to send); one that shows an older key gets its refresh from the callback, for its viewer."""

from __future__ import annotations

import json

import pytest

from bench import load
from callbacks import unit as unit_callbacks
from dashboard.core.cache import background_for, cache_of
from dashboard.web import ready
from dashboard.web.app import create_app
from layouts.ids import UnitIds
from tests.factories import dossier
from tests.signin import signed_client


@pytest.fixture
def app(services):
    services.settings = services.settings.model_copy(update={"version_check_ms": 0})
    return create_app(services)


@pytest.fixture
def counted(monkeypatch):
    """The tile refresh's calls (the callback's body), counted by the key the tile shows."""
    calls = []
    real = unit_callbacks.refresh

    def refresh(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(unit_callbacks, "refresh", refresh)
    return calls


def _poll(client, app, seen):
    output, outputs = load.tile_outputs(app)  # the browser's payload
    return client.post("/_dash-update-component", json=load.tile_payload(output, outputs, seen, "/unit/quan-1"))


def test_a_tile_showing_the_newest_key_is_answered_without_its_callback(app, services, source_db, pull, counted):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    client = signed_client(app)
    first = _poll(client, app, None)
    background_for(cache_of(app)).wait()  # the tile of the new key is computed in the background: shown once it is
    shown = _poll(client, app, None)
    assert first.status_code == shown.status_code == 200 and counted == [None, None]
    key = json.loads(shown.get_data())["response"][UnitIds.SEEN]["data"]
    assert key[0] == services.store.data_version()[0]
    for _ in range(5):  # the common poll: the tile shows the newest key
        unchanged = _poll(client, app, key)
        assert (unchanged.status_code, unchanged.get_data(as_text=True)) == (200, ready.NOTHING)
    assert counted == [None, None]  # … answered without the callback
    source_db.insert("dossiers", dossier("C"))
    pull()
    assert _poll(client, app, key).status_code in (200, 204) and counted == [None, None, key]  # a new version: asked
