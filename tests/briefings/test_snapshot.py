"""A briefing snapshot is a frozen record: its figures equal the API's at the same as-of and data version, its
body is canonical JSON with a sha256 checked on every read, the one writer makes it (a request from elsewhere
waits for the writer), and "what changed" between two snapshots is computed from their bodies alone."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from dashboard.briefings.changes import changes
from dashboard.briefings.snapshot import FORMAT, carry_out_requests, load, take
from dashboard.cli import main
from dashboard.core.errors import LeaseError, StoreError
from dashboard.store import Store
from dashboard.store.schema import snapshots
from dashboard.web.app import create_app
from tests.conftest import START
from tests.factories import counting_every_dossier, dossier
from tests.signin import signed_client
from tests.web.test_as_of import PAST, insert_then_and_now

STAMP = ("as_of", "data_version")


@pytest.fixture
def city(services, source_db, pull):
    services.index_config = counting_every_dossier(services.index_config)  # a handful of dossiers, ranked
    insert_then_and_now(source_db)
    pull()
    return services


def api(services, path: str) -> dict:
    response = signed_client(create_app(services)).get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {k: v for k, v in response.get_json().items() if k not in STAMP}


@pytest.mark.parametrize("as_of", [START, PAST], ids=["now", "a past as-of"])
def test_a_snapshots_figures_are_the_apis_at_the_same_as_of_and_data_version(city, as_of):
    made = take(city, "30d", as_of, "test")
    body = load(city, made)
    moment = as_of.isoformat().replace("+", "%2B")
    assert (body["format"], body["period"], body["data_version"]) == (FORMAT, "30d", city.store.data_version()[0])
    assert body["kpis"] == api(city, f"/api/v1/kpis?period=30d&as_of={moment}")
    assert sorted(body["leagues"]) == ["department", "district"]  # the leagues of that day
    for kind, league in body["leagues"].items():
        assert league == api(city, f"/api/v1/league?kind={kind}&period=30d&as_of={moment}")
    quan_1 = next(u for u in body["kpis"]["units"] if u["unit"]["key"] == "quan-1")["kpis"]
    expected = (1, 1, 1) if as_of == PAST else (1, 0, 1)  # in progress, overdue, open feedback
    assert (quan_1["backlog"]["in_progress"], quan_1["backlog"]["overdue"], quan_1["open_feedback"]) == expected
    assert body["city_figures"]["in_progress"] == 1 and body["recounted_in_event_time"] is (as_of == PAST)
    assert set(body["computed_with"]) == {"rules", "service_index", "commitments", "calendar"}
    assert [f["source"] for f in body["freshness"]] == ["quan-1"]


def test_a_snapshot_says_whether_the_stores_data_covers_the_previous_period(city):
    """The store's data begins 17/11: the 30 days before 29/10 are not covered (no previous ranks); yesterday is."""
    month = load(city, take(city, "30d", START, "test"))
    assert (month["previous_covered"], month["history_start"]) == (False, "2019-11-17")
    for league in month["leagues"].values():
        assert (league["previous_covered"], league["history_start"]) == (False, "2019-11-17")
        assert {(row["previous_rank"], row["movement"]) for row in league["rows"]} == {(None, None)}
    today = load(city, take(city, "today", START, "test"))
    assert (today["previous_covered"], today["leagues"]["district"]["previous_covered"]) == (True, True)


def test_the_body_is_canonical_json_hashed_and_the_hash_is_checked_on_every_read(city):
    made = take(city, "lw", START, "test")
    [row] = city.store.snapshots.list()
    text = city.store.snapshots.body(made)
    assert row["content_hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "Quận 1" in text  # Vietnamese as is, not \\u escapes
    assert take(city, "lw", START, "someone else") == made  # the same figures: the same snapshot
    assert (row["period"], row["requested_by"], row["as_of"]) == ("lw", "test", START)
    with city.store.engine.begin() as conn:  # tampered with behind our back
        conn.execute(update(snapshots).values(body=text.replace('"in_progress":1', '"in_progress":9', 1)))
    with pytest.raises(StoreError, match=f"does not match its hash {row['content_hash'][:12]}"):
        load(city, made)


def test_only_the_writer_stores_a_snapshot_others_file_requests_it_carries_out(city):
    web = Store(city.settings.resolved_store_url)  # a web worker's store: no lease
    try:
        with pytest.raises(LeaseError):
            web.snapshots.save({"period": "lw", "as_of": START, "data_version": 1, "requested_by": "x",
                                "created_at": START}, "{}")  # fmt: skip
        good = web.snapshots.request("7d", "web:lan", START)
        bad = web.snapshots.request("fortnight", "web:minh", START)
        past = web.snapshots.request("30d", "web:lan", START, as_of=PAST)
    finally:
        web.dispose()
    assert [r["id"] for r in city.store.snapshots.pending()] == [good, bad, past]
    made = carry_out_requests(city)  # the writer's job
    assert len(made) == 2 and city.store.snapshots.pending() == []
    states = {r: city.store.snapshots.request_state(r) for r in (good, bad, past)}
    assert states[good]["snapshot_id"] == made[0] and states[good]["error"] is None
    assert states[bad]["snapshot_id"] is None and "unknown period 'fortnight'" in states[bad]["error"]
    assert load(city, states[past]["snapshot_id"])["as_of"] == "2019-11-23T09:00:00+07:00"


def test_what_changed_between_two_snapshots(city):
    before = load(city, take(city, "30d", PAST, "test"))
    after = load(city, take(city, "30d", START, "test"))
    found = changes(before, after)
    assert (found.since, found.until) == ("2019-11-23T09:00:00+07:00", "2019-11-27T09:00:00+07:00")
    quan_1 = next(u for u in found.units if u.unit_key == "quan-1")
    overdue, in_progress = quan_1.figures["overdue"], quan_1.figures["in_progress"]
    assert (overdue.before, overdue.after, overdue.change) == (1, 0, -1)
    assert (in_progress.before, in_progress.after, in_progress.change) == (1, 1, 0)
    assert quan_1.figures["on_time"].before == 1.0 and quan_1.figures["on_time"].after == 0.5  # LATE completed since
    assert (quan_1.rank_before, quan_1.rank_after, quan_1.places_up, quan_1.newly_late) == (1, 1, 0, False)
    assert found.city["overdue_in_progress"].change == -1
    closed = {(a["kind"], a["unit_key"]) for a in found.alerts_closed}
    assert closed == {("overdue_share", "quan-1"), ("overdue_share", "hcmc")}  # 1 of 1 overdue, then 0 of 1
    assert found.alerts_opened == ()
    reverse = changes(after, before)
    assert next(u for u in reverse.units if u.unit_key == "quan-1").newly_late  # no overdue, then one
    assert {(a["kind"], a["unit_key"]) for a in reverse.alerts_opened} == closed


def test_the_snapshot_command_makes_one_or_waits_for_the_running_writer(city, monkeypatch, tmp_path):
    monkeypatch.setenv("CCHC_STORE_URL", city.settings.resolved_store_url)
    city.store.lease.release()  # no `ingest` running
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "snapshot", "--period", "7d", "--by", "clerk"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Snapshot 1: period 7d, as of ")
    [row] = city.store.snapshots.list()
    assert row["requested_by"] == "clerk"
    other = Store(city.settings.resolved_store_url).hold_lease("vm:ingest", duration_s=60)
    assert other.acquire()  # an `ingest` writer holds the lease and is not looking at requests
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "snapshot", "--wait", "0.5"])
    assert result.exit_code == 1 and "not carried out within 0.5 s" in result.output
    assert "A writer is running: request 1 filed" in result.output
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "snapshot", "--period", "week"])
    assert result.exit_code == 1 and "unknown period 'week'" in result.output
    other.release()


@pytest.mark.slow
def test_a_running_ingest_carries_out_the_snapshot_command_s_request(tmp_path):
    import os
    import subprocess
    import sys

    from dashboard.ingest.sources_file import SourceConfig, write_sources
    from tests.factories import SourceDB
    from tests.faults.test_writers import wait_for  # tolerates a store still being created
    from tests.ingest.test_writer import ROOT, _ingest

    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("A"), dossier("B"))
    source = SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=1)
    write_sources(tmp_path / "sources.yaml", [source.model_dump(exclude_none=True)])
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    writer = _ingest(tmp_path, url, 3, tmp_path / "ingest.log")
    store = Store(url)
    try:
        assert wait_for(lambda: store.count("dossiers") == 2, 60), (tmp_path / "ingest.log").read_text()
        env = {**os.environ, "CCHC_STORE_URL": url}
        command = [sys.executable, "-m", "dashboard", "--data-dir", str(tmp_path), "snapshot", "--by", "clerk"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "A writer is running: request 1 filed" in done.stdout and "Snapshot 1: period lw" in done.stdout
        [row] = store.snapshots.list()
        assert (row["requested_by"], store.snapshots.request_state(1)["snapshot_id"]) == ("clerk", 1)
    finally:
        writer.terminate()
        writer.wait(15)
        store.dispose()
        db.dispose()
