"""Incremental pulls into the store, on SQLite and PostgreSQL, with exact expected rows."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages.kpis import unit_kpis
from tests.conftest import START
from tests.factories import SourceDB, dossier


@pytest.fixture
def source_db(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    yield db
    db.dispose()


def config(db: SourceDB, name: str = "quan-1") -> SourceConfig:
    return SourceConfig(name=name, unit="quan-1", url=db.url, profile="motcua_v1", interval=60)


def comparable(rows):
    return [{k: v for k, v in r.items() if k not in ("id", "ingested_at")} for r in rows]


def test_pulling_twice_gives_the_same_rows(store, clock, settings, source_db):
    source_db.insert("dossiers", *[dossier(f"D{i}", received=START - timedelta(hours=10 - i)) for i in range(5)])
    ingestor = Ingestor(store, clock, settings)
    first = ingestor.pull(config(source_db))
    rows_after_first = comparable(store.rows("dossiers"))
    version = store.data_version()
    clock.advance(timedelta(minutes=1))
    second = ingestor.pull(config(source_db))
    assert [(r.rows_read, r.rows_stored, r.rows_new) for r in first] == [(5, 5, 5), (0, 0, 0)]
    # the boundary row at the watermark is re-read, harmlessly: read, unchanged, so not stored
    assert [(r.rows_read, r.rows_stored, r.rows_new) for r in second] == [(1, 0, 0), (0, 0, 0)]
    assert store.data_version() == version  # nothing changed: the pages recompute nothing
    state = store.state("quan-1", "dossiers")
    assert (state["rows_total"], state["rows_seen"]) == (5, 6)  # 5 rows held; 6 read over two pulls
    assert comparable(store.rows("dossiers")) == rows_after_first
    assert [r["native_code"] for r in rows_after_first] == ["D0", "D1", "D2", "D3", "D4"]
    assert {r["unit_key"] for r in rows_after_first} == {"quan-1"}
    assert rows_after_first[0]["received_at"] == START - timedelta(hours=10)


def test_a_dossier_completed_later_is_updated_not_duplicated(store, clock, settings, source_db):
    received = START - timedelta(days=2)
    source_db.insert("dossiers", dossier("000.00.07.H29-191125-0001", received=received))
    ingestor = Ingestor(store, clock, settings)
    ingestor.pull(config(source_db))
    completed = START + timedelta(minutes=30)
    clock.set(START + timedelta(hours=1))
    source_db.update(
        "dossiers",
        dossier(
            "000.00.07.H29-191125-0001", received=received, status="completed", completed=completed, rating="satisfied"
        ),
    )
    ingestor.pull(config(source_db))
    rows = store.rows("dossiers")
    assert len(rows) == 1
    assert (rows[0]["status"], rows[0]["completed_at"], rows[0]["rating"]) == ("completed", completed, "satisfied")
    assert store.data_version()[0] == 2


def test_chunks_with_tied_cursors_read_every_row(store, clock, settings, source_db):
    same = START - timedelta(hours=1)
    source_db.insert(
        "dossiers", *[dossier(f"T{i}", received=same - timedelta(hours=i), updated=same) for i in range(7)]
    )
    results = Ingestor(store, clock, settings).pull(config(source_db))  # chunk_size 3: chunks of 3, 3, 1
    assert results[0].rows_read == 7
    assert len(store.rows("dossiers")) == 7
    assert store.state("quan-1", "dossiers")["watermark"] == same


def test_the_watermark_never_passes_rows_not_yet_stored(store, clock, settings, source_db, monkeypatch):
    times = [START - timedelta(hours=h) for h in (7, 6, 5, 4, 3, 2, 1)]
    source_db.insert("dossiers", *[dossier(f"W{i}", received=t) for i, t in enumerate(times)])
    ingestor = Ingestor(store, clock, settings)
    real_upsert, calls = store.upsert, []

    def failing_second_chunk(conn, stream, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_upsert(conn, stream, rows)

    monkeypatch.setattr(store, "upsert", failing_second_chunk)
    result = ingestor.pull(config(source_db))[0]
    assert (result.outcome, result.rows_stored) == ("error", 3)
    state = store.state("quan-1", "dossiers")
    assert state["watermark"] == times[2]  # the last stored row; rows W3..W6 are after it
    assert [r["native_code"] for r in store.rows("dossiers")] == ["W0", "W1", "W2"]
    assert state["last_error"] == "RuntimeError: disk full"
    monkeypatch.setattr(store, "upsert", real_upsert)
    clock.advance(timedelta(minutes=5))
    result = ingestor.pull(config(source_db))[0]
    assert (result.outcome, result.rows_read) == ("ok", 5)  # W2 again (at the watermark), then W3..W6
    assert len(store.rows("dossiers")) == 7


def test_the_watermark_stays_a_safety_lag_behind_the_pull(store, clock, settings, source_db):
    settings = settings.model_copy(update={"safety_lag_s": 120})
    source_db.insert("dossiers", dossier("L1", received=START - timedelta(seconds=30)))
    Ingestor(store, clock, settings).pull(config(source_db))
    assert store.state("quan-1", "dossiers")["watermark"] == START - timedelta(seconds=120)


def test_rows_that_cannot_be_mapped_are_rejected_with_reason_and_raw_values(store, clock, settings, source_db):
    source_db.insert(
        "dossiers",
        dossier("OK1"),
        dossier("BADUNIT", unit="999"),
        dossier("EARLY", days=-1),
        dossier("NOPROC", procedure="XX-99"),
    )
    results = Ingestor(store, clock, settings).pull(config(source_db))
    assert (results[0].rows_stored, results[0].rows_rejected) == (1, 3)
    rejected = {r["native_key"]: r for r in store.rejected("quan-1")}
    assert {k: (r["field"], r["reason"]) for k, r in rejected.items()} == {
        "BADUNIT": ("unit", "unknown unit '999' on 24/11/2019"),
        "EARLY": ("due_original_at", "due before received"),
        "NOPROC": ("procedure_code", "unknown procedure 'XX-99'"),
    }
    assert '"unit_code": "999"' in rejected["BADUNIT"]["raw"]


def test_unit_codes_resolve_to_the_unit_valid_on_the_day(store, clock, settings, source_db):
    source_db.insert(
        "dossiers",
        dossier("Q2", unit="769", received=START - timedelta(days=1)),
        dossier("TD", unit="769", received=START.replace(year=2021) - timedelta(days=1)),
    )
    clock.set(START.replace(year=2021))
    Ingestor(store, clock, settings).pull(config(source_db))
    assert {r["native_code"]: r["unit_key"] for r in store.rows("dossiers")} == {"Q2": "quan-2", "TD": "tp-thu-duc"}


def test_a_source_that_is_down_does_not_stop_the_others_and_backs_off(store, clock, settings, source_db, caplog):
    down = SourceConfig(
        name="quan-9", unit="quan-9", profile="motcua_v1", url="postgresql+psycopg://reader:s3cr3t-pw@127.0.0.1:9/none"
    )
    source_db.insert("dossiers", dossier("G1"))
    ingestor = Ingestor(store, clock, settings)
    with caplog.at_level(logging.DEBUG):
        down_results = ingestor.pull(down)
        good_results = ingestor.pull(config(source_db))
    assert [r.outcome for r in down_results] == ["error", "error"]
    assert [r.outcome for r in good_results] == ["ok", "ok"]
    assert len(store.rows("dossiers")) == 1
    state = store.state("quan-9", "dossiers")
    assert state["next_retry_at"] == START + timedelta(seconds=30)
    assert "s3cr3t-pw" not in caplog.text and "s3cr3t-pw" not in state["last_error"]
    assert not ingestor.due_for_pull(down)
    clock.advance(timedelta(seconds=30))
    assert ingestor.due_for_pull(down)
    ingestor.pull(down)
    assert store.state("quan-9", "dossiers")["next_retry_at"] == START + timedelta(seconds=30 + 60)


def test_a_dossier_seen_by_two_sources_is_counted_once_for_the_unit_that_received_it(store, clock, settings, tmp_path):
    district = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    department = SourceDB(f"sqlite:///{tmp_path / 'stp.sqlite'}")
    received = START - timedelta(days=4)
    code = "000.00.07.H29-191123-0042"
    # The department's database shows it later (forwarded, liên thông), and first to be pulled.
    department.insert(
        "dossiers",
        dossier(code, unit="so-tu-phap", received=received + timedelta(hours=3), procedure="TP-LLTP"),
        dossier("STP-ONLY", unit="so-tu-phap"),
    )
    district.insert("dossiers", dossier(code, unit="760", received=received, procedure="TP-LLTP"))
    ingestor = Ingestor(store, clock, settings)
    ingestor.pull(SourceConfig(name="so-tu-phap", unit="so-tu-phap", url=department.url, profile="motcua_v1"))
    ingestor.pull(SourceConfig(name="quan-1", unit="quan-1", url=district.url, profile="motcua_v1"))
    rows = {(r["source"], r["native_code"]): (r["unit_key"], r["counted"]) for r in store.rows("dossiers")}
    assert rows == {
        ("quan-1", code): ("quan-1", True),
        ("so-tu-phap", code): ("so-tu-phap", False),
        ("so-tu-phap", "STP-ONLY"): ("so-tu-phap", True),
    }
    kpis = unit_kpis(store, default_calendar(), "30d", START)
    assert (kpis["quan-1"].received, kpis["so-tu-phap"].received) == (1, 1)


def test_a_pull_with_a_chunk_slower_than_the_time_out_is_slow_not_failing(
    store, clock, settings, source_db, monkeypatch
):
    """A chunk that takes longer than the pull time-out: the pull keeps what it stored (that chunk included), stops,
    does not back off, says 'catching up', and the next pull resumes from its watermark."""
    from dashboard.pages.freshness import source_freshness
    from tests.ingest.slow_reads import SlowReads

    source_db.insert("dossiers", *[dossier(f"D{i:02}", received=START - timedelta(hours=20 - i)) for i in range(10)])
    timer = SlowReads(monkeypatch, lambda n: 5.0 if n == 1 else 1.0)  # the second chunk takes 5 s, the others 1 s
    settings = settings.model_copy(update={"pull_timeout_s": 2.5, "chunk_size": 3})
    ingestor = Ingestor(store, clock, settings, timer=timer)
    first, _feedback = ingestor.pull(config(source_db))
    assert (first.outcome, first.rows_read, first.rows_stored, first.error) == ("slow", 6, 6, None)
    state = store.state("quan-1", "dossiers")
    assert (state["last_outcome"], state["consecutive_failures"], state["next_retry_at"], state["last_error"]) == (
        "slow",
        0,
        None,
        None,
    )
    assert ingestor.due_for_pull(config(source_db))  # no back-off
    [health] = source_freshness(store, [config(source_db)], START, settings.stale_factor)
    assert (health.status, health.rows_total) == ("slow", 6)
    timer.seconds = lambda n: 0.0
    second, _feedback = ingestor.pull(config(source_db))
    assert (second.outcome, second.rows_new) == ("ok", 4)
    [health] = source_freshness(store, [config(source_db)], START, settings.stale_factor)
    assert (health.status, health.rows_total, store.count("dossiers")) == ("ok", 10, 10)


def test_nothing_changing_at_the_source_changes_no_data_version(store, clock, settings, source_db):
    """The issue's "35 s, 96 bumps": pull again and again with nothing new — the version stays."""
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    ingestor = Ingestor(store, clock, settings)
    ingestor.pull(config(source_db))
    version = store.data_version()
    for _ in range(10):
        clock.advance(timedelta(seconds=5))
        assert [r.rows_stored for r in ingestor.pull(config(source_db))] == [0, 0]
    assert store.data_version() == version
