"""A backfill at the driver's pace: the pull time-out bounds one chunk, not the whole pull, so a big source is read
chunk after chunk until done; a chunk slower than the time-out stops the pull after it (kept) and the next pull
resumes; the writer lease is renewed between chunks; progress (rows read, rows/s, share done) is logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from dashboard.core.errors import LeaseError
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store.lease import WriterLease
from data_sources.reader import SourceReader
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.ingest.slow_reads import SlowReads


@pytest.fixture
def big_source(tmp_path):
    """2,500 dossiers, updated one a minute."""
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    db.insert("dossiers", *[dossier(f"D{i:04}", updated=START - timedelta(days=3, minutes=-i)) for i in range(2500)])
    yield db
    db.dispose()


def config(db: SourceDB) -> SourceConfig:
    return SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)


def chunked(settings):
    return settings.model_copy(update={"pull_timeout_s": 10.0, "chunk_size": 100})


def test_a_pull_longer_than_the_time_out_whose_every_chunk_is_quicker_stores_everything(
    store, clock, settings, big_source, monkeypatch
):
    timer = SlowReads(monkeypatch, lambda n: 1.0)  # 25 chunks of 1 s: 25 s in all, over a 10 s time-out
    ingestor = Ingestor(store, clock, chunked(settings), timer=timer)
    dossiers, _feedback = ingestor.pull(config(big_source))
    assert (dossiers.outcome, dossiers.rows_read, dossiers.rows_stored, dossiers.rows_new) == ("ok", 2500, 2500, 2500)
    assert (timer.chunks, timer(), store.count("dossiers")) == (25, 25.0, 2500)
    state = store.state("quan-1", "dossiers")
    assert (state["last_outcome"], state["rows_total"], state["last_error"]) == ("ok", 2500, None)


def test_a_chunk_slower_than_the_time_out_stops_the_pull_after_it_and_the_next_pull_resumes(
    sqlite_store, clock, settings, big_source, monkeypatch
):
    timer = SlowReads(monkeypatch, lambda n: 12.0 if n == 7 else 1.0)  # the eighth chunk takes 12 s
    ingestor = Ingestor(sqlite_store, clock, chunked(settings), timer=timer)
    dossiers, _feedback = ingestor.pull(config(big_source))
    assert (dossiers.outcome, dossiers.rows_read, dossiers.rows_stored, dossiers.error) == ("slow", 800, 800, None)
    assert sqlite_store.count("dossiers") == 800  # the slow chunk is kept: read again, it would be as slow
    state = sqlite_store.state("quan-1", "dossiers")
    assert (state["last_outcome"], state["consecutive_failures"], state["next_retry_at"]) == ("slow", 0, None)
    assert state["watermark"] == START - timedelta(days=3, minutes=-799)
    again, _feedback = ingestor.pull(config(big_source))
    assert (again.outcome, again.rows_read, again.rows_new) == ("ok", 1701, 1700)  # D0799 read again at the mark
    assert sqlite_store.count("dossiers") == 2500


def test_a_long_pull_renews_the_writer_lease_every_third_of_it(sqlite_store, clock, settings, big_source, monkeypatch):
    lease = sqlite_store.lease
    assert lease is not None and lease.duration == timedelta(seconds=15)
    renewals: list[float] = []
    renew = lease.renew

    def counted() -> bool:
        renewals.append(timer())
        return renew()

    monkeypatch.setattr(lease, "renew", counted)
    timer = SlowReads(monkeypatch, lambda n: 1.0)
    Ingestor(sqlite_store, clock, chunked(settings), timer=timer).pull(config(big_source))
    assert renewals == [5.0, 10.0, 15.0, 20.0, 25.0]


def test_a_pull_that_loses_the_lease_to_another_writer_stops_and_keeps_what_it_stored(
    sqlite_store, clock, settings, big_source, monkeypatch
):
    rival = WriterLease(sqlite_store.engine, "rival", 15, now=lambda: datetime.now(UTC) + timedelta(days=1))

    def seconds(n: int) -> float:
        if n == 12:  # while the thirteenth chunk is read, the lease runs out and a standby takes over
            assert rival.acquire()
        return 1.0

    timer = SlowReads(monkeypatch, seconds)
    with pytest.raises(LeaseError, match="lost the writer lease"):
        Ingestor(sqlite_store, clock, chunked(settings), timer=timer).pull(config(big_source))
    assert sqlite_store.count("dossiers") == 1200


def test_progress_is_logged_with_rows_per_second_and_the_share_done(
    sqlite_store, clock, settings, big_source, monkeypatch, caplog
):
    seen = []
    timer = SlowReads(monkeypatch, lambda n: 1.0)
    ingestor = Ingestor(
        sqlite_store,
        clock,
        chunked(settings),
        timer=timer,
        watcher=lambda p: seen.append(p.line()),
    )
    with caplog.at_level(logging.INFO, logger="dashboard.ingest.pull"):
        ingestor.pull(config(big_source))
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("pull of quan-1/dossiers")] == [
        "pull of quan-1/dossiers: 1,000 of ~2,500 rows read (40.0%), 100 rows/s",
        "pull of quan-1/dossiers: 2,000 of ~2,500 rows read (80.0%), 100 rows/s",
        "pull of quan-1/dossiers: 2,500 of ~2,500 rows read (100.0%), 100 rows/s, done",
    ]
    assert len(seen) == 25 and seen[0] == "quan-1/dossiers: 100 of ~2,500 rows read (4.0%), 100 rows/s"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dashboard.ingest.pull"):
        ingestor.pull(config(big_source))  # not a backfill: no share; one chunk, quicker than a progress line
    assert not [r for r in caplog.records if "rows read" in r.getMessage()]
    assert seen[-1] == "quan-1/dossiers: 1 rows read, 1 rows/s"


@pytest.mark.postgres
def test_a_postgresql_source_estimates_its_rows_from_the_planners_statistics(pg_schema_url):
    db = SourceDB(pg_schema_url, "egov_pg")
    db.insert("dossiers", *[dossier(f"P{i:03}") for i in range(300)])
    reader = SourceReader(db.url, db.profile, 10)
    assert reader.estimated_rows("dossiers") is None  # never analysed: unknown, not 0
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE application"))
    assert reader.estimated_rows("dossiers") == 300
    reader.dispose()
    db.dispose()


@pytest.mark.mariadb
def test_a_mariadb_source_estimates_its_rows_from_the_table_statistics(mariadb_url):
    db = SourceDB(mariadb_url, "hscv_mariadb")
    db.insert("dossiers", *[dossier(f"M{i:03}") for i in range(300)])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE TABLE ho_so"))
    reader = SourceReader(db.url, db.profile, 10)
    assert reader.estimated_rows("dossiers") == 300
    reader.dispose()
    db.dispose()
