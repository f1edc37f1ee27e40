"""A page's polls (`callbacks.polls`): a tile, league or home page that shows the newest key already is answered
without its callback (nothing to send); one that shows an older key gets its refresh from the callback, for its
viewer — the home page's also when its viewer picks another period."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from callbacks import league as league_callbacks
from callbacks import overview as overview_callbacks
from callbacks import unit as unit_callbacks
from dashboard.auth.roles import UNIT_HEAD
from dashboard.core.cache import background_for, cache_of
from dashboard.core.vocabulary import DEFAULT_PERIOD, LAST_7_DAYS
from dashboard.pages import unit as unit_pages
from dashboard.web import ready
from layouts.ids import HomeIds, LeagueIds, OverviewIds, ShellIds, UnitIds
from tests.conftest import START
from tests.factories import dossier
from tests.signin import signed_client

# page: (its refresh's module, the key it shows, its address, the value of each input but the interval)
PAGES = {
    "tile": (unit_callbacks, UnitIds.SEEN, "/unit/quan-1", {}),
    "league": (league_callbacks, LeagueIds.SEEN, "/league", {}),
    "home": (overview_callbacks, OverviewIds.SEEN, "/", {HomeIds.PERIODS: None}),
}


@pytest.fixture
def app(eager_app):
    return eager_app


@pytest.fixture
def counted(monkeypatch):
    """Each page's refresh calls (the callback's body), by page, the key the viewer shows."""
    calls: dict[str, list] = {name: [] for name in PAGES}
    for name, (module, *_rest) in PAGES.items():
        real = module.refresh

        def refresh(*args, _real=real, _calls=calls[name], **kwargs):
            _calls.append(args[2])
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "refresh", refresh)
    return calls


def _poll(client, app, page: str, seen, **inputs):
    """The page's refresh request as the browser sends it: built from the callback Dash registered (its outputs,
    inputs and states), the interval ticked, `seen` the key shown, the other inputs' values as given."""
    _module, seen_id, pathname, defaults = PAGES[page]
    [output] = [key for key in app.callback_map if f"{seen_id}.data" in key]
    spec = app.callback_map[output]
    values = {**defaults, **inputs}
    states = {
        (seen_id, "data"): seen,
        (ShellIds.LOCATION, "pathname"): pathname,
        (ShellIds.LOCATION, "search"): "?lang=vi",
    }
    body = {
        "output": output,
        "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in output[2:-2].split("...")],
        "inputs": [
            {
                "id": i["id"],
                "property": i["property"],
                "value": 1 if i["property"] == "n_intervals" else values[i["id"]],
            }
            for i in spec["inputs"]
        ],
        "state": [
            {
                "id": s["id"],
                "property": s["property"],
                "value": states[(s["id"], s["property"])],
            }
            for s in spec["state"]
        ],
        "changedPropIds": [next(f"{i['id']}.n_intervals" for i in spec["inputs"] if i["property"] == "n_intervals")],
    }
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize("page", ["league", "home"])
def test_a_page_showing_the_newest_key_is_answered_without_its_callback(app, services, source_db, pull, counted, page):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    client = signed_client(app)
    first = _poll(client, app, page, None)
    background_for(cache_of(app)).wait()  # the figures of the new key are computed in the background: shown once
    shown = _poll(client, app, page, None)
    assert first.status_code == shown.status_code == 200 and counted[page] == [None, None]
    key = json.loads(shown.get_data())["response"][PAGES[page][1]]["data"]
    assert key[0] == services.store.data_version()[0]
    for _ in range(5):  # the common poll: the viewer shows the newest key
        unchanged = _poll(client, app, page, key)
        assert (unchanged.status_code, unchanged.get_data(as_text=True)) == (200, ready.NOTHING)
    assert counted[page] == [None, None]  # … answered without the callback
    source_db.insert("dossiers", dossier("C"))
    pull()
    assert _poll(client, app, page, key).status_code in (200, 204) and counted[page] == [None, None, key]  # asked
    assert all(calls == [] for name, calls in counted.items() if name != page)


def test_the_home_page_asks_its_callback_when_another_period_is_picked(app, source_db, pull, counted):
    source_db.insert("dossiers", dossier("A"))
    pull()
    client = signed_client(app)
    _poll(client, app, "home", None)
    background_for(cache_of(app)).wait()
    key = json.loads(_poll(client, app, "home", None).get_data())["response"][OverviewIds.SEEN]["data"]
    assert _poll(client, app, "home", key).get_data(as_text=True) == ready.NOTHING
    assert counted["home"] == [None, None]
    assert key[-1] == DEFAULT_PERIOD
    _poll(client, app, "home", key, **{HomeIds.PERIODS: LAST_7_DAYS})
    assert counted["home"] == [None, None, key]


def _tile_key(response) -> list:
    return json.loads(response.get_data())["response"][UnitIds.SEEN]["data"]


def test_the_tile_is_answered_once_a_key_for_every_viewer_who_may_see_the_same(app, services, source_db, pull, counted):
    overdue = dossier("Q1-OVERDUE-1", received=START - timedelta(days=8), updated=START)
    source_db.insert("dossiers", dossier("A"), overdue)
    pull()
    leaders = [signed_client(app, login=f"leader-{n}") for n in range(3)]  # three people of the same role
    first = _poll(leaders[0], app, "tile", None)
    assert counted["tile"] == [None] and _tile_key(first)[0] == services.store.data_version()[0]
    again = [_poll(client, app, "tile", None) for client in leaders]
    assert {r.get_data() for r in again} == {first.get_data()} and counted["tile"] == [None]  # the same bytes
    assert "Q1-OVERDUE-1" in first.get_data(as_text=True)  # a leader sees the unit's dossiers
    key = _tile_key(first)
    for client in leaders:  # the common poll
        assert _poll(client, app, "tile", key).get_data(as_text=True) == ready.NOTHING
    other_head = signed_client(app, UNIT_HEAD, ["quan-3"])  # may see the figures, not quan-1's dossiers
    withheld = _poll(other_head, app, "tile", None)
    assert counted["tile"] == [None, None] and "Q1-OVERDUE-1" not in withheld.get_data(as_text=True)
    assert _tile_key(withheld) == key and withheld.get_data() != first.get_data()
    own_head = signed_client(app, UNIT_HEAD, ["quan-1"])
    assert "Q1-OVERDUE-1" in _poll(own_head, app, "tile", None).get_data(as_text=True)
    assert len(counted["tile"]) == 3


def test_a_new_version_of_the_tile_is_computed_once_while_its_viewers_keep_the_newest_so_far(
    app, services, source_db, pull, counted, monkeypatch
):
    source_db.insert("dossiers", dossier("A"))
    pull()
    client = signed_client(app)
    key = _tile_key(_poll(client, app, "tile", None))
    release, real_view = threading.Event(), unit_pages.unit_view
    monkeypatch.setattr(unit_pages, "unit_view", lambda *a, **k: release.wait(10) and real_view(*a, **k))
    source_db.insert("dossiers", dossier("B"))
    pull()
    for _ in range(3):  # computed in the background: meanwhile the tile shows the newest so far, nothing to send
        assert _poll(client, app, "tile", key).get_data(as_text=True) == ready.NOTHING
    assert counted["tile"] == [None]
    release.set()  # the background computation ends (held until the polls are done: however fast it is)
    background_for(cache_of(app)).wait()
    answers = [_poll(signed_client(app, login=f"leader-{n}"), app, "tile", key) for n in range(3)]
    assert [_tile_key(r)[0] for r in answers] == [key[0] + 1] * 3 and counted["tile"] == [None, key]
