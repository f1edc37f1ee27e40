"""Nothing lost at the watermark's boundary: rows that commit late (a long source transaction) or carry an old
timestamp are read again within the safety lag, and the reconciliation sweep stores what fell beyond it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.faults.consistency import assert_consistent


def source(db: SourceDB, **extra) -> SourceConfig:
    return SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile=db.profile.name, interval=60, **extra)


def late_rows(prefix: str, n: int, stamped: datetime) -> list[dict]:
    """Rows whose updated-at says `stamped` but which reach the table only now (committed late); received in
    2019 (the units of the packaged reference data), whatever the stamp."""
    return [dossier(f"{prefix}-{i}", updated=stamped) for i in range(n)]


def test_rows_stamped_300_s_before_they_land_are_read_with_the_default_lag(sqlite_store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("EARLY", updated=START - timedelta(minutes=20)))
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"safety_lag_s": 600}))
    ingestor.pull(source(db))
    clock.advance(timedelta(minutes=10))
    db.insert("dossiers", *late_rows("LATE", 50, clock.now() - timedelta(seconds=300)))
    clock.advance(timedelta(minutes=1))
    ingestor.pull(source(db))
    assert sqlite_store.count("dossiers") == 51  # 0 lost
    assert_consistent(sqlite_store, [source(db)], START - timedelta(days=30))


def test_a_lag_too_short_loses_them_and_the_sweep_finds_and_counts_them(sqlite_store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("EARLY", updated=START - timedelta(minutes=20)))
    short = source(db, safety_lag_s=120)  # this source's own lag: 2 minutes
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"safety_lag_s": 600}))
    ingestor.pull(short)
    clock.advance(timedelta(minutes=10))
    db.insert("dossiers", dossier("RECENT", updated=clock.now()))
    ingestor.pull(short)  # the watermark moves to 2 minutes ago
    db.insert("dossiers", *late_rows("LATE", 50, clock.now() - timedelta(seconds=300)))
    clock.advance(timedelta(minutes=1))
    ingestor.pull(short)
    assert sqlite_store.count("dossiers") == 2  # the incremental pull cannot see them: older than its watermark
    swept, _feedback = ingestor.sweep(short)
    assert (swept.outcome, swept.rows_read, swept.rows_stored, swept.rows_new) == ("sweep", 52, 50, 50)
    assert sqlite_store.count("dossiers") == 52  # 0 lost
    assert sqlite_store.pulls(source="quan-1", limit=1)[0]["outcome"] == "sweep"
    again, _feedback = ingestor.sweep(short)
    assert (again.rows_read, again.rows_stored) == (52, 0)  # nothing more to find, nothing re-stored
    state = sqlite_store.state("quan-1", "dossiers")
    assert state["rows_total"] == 52
    assert_consistent(sqlite_store, [short], START - timedelta(days=30))


@pytest.mark.postgres
def test_a_postgres_transaction_open_for_150_s_loses_nothing(pg_schema_url, sqlite_store, clock, settings):
    """PostgreSQL's now() is the transaction's start: a transaction open 150 s stamps its rows 150 s old."""
    db = SourceDB(pg_schema_url, "egov_pg")
    real = datetime.now(UTC)
    db.insert("dossiers", dossier("EARLY", updated=real - timedelta(minutes=30)), dossier("RECENT", updated=real))
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"safety_lag_s": 600}))
    clock.set(real)
    ingestor.pull(source(db))  # the watermark moves up to the source's now() − the lag
    db.insert("dossiers", *late_rows("TX", 10, real - timedelta(seconds=150)))  # committed now, stamped 150 s ago
    ingestor.pull(source(db))
    assert sqlite_store.count("dossiers") == 12  # 0 lost (a lag of 120 s loses all 10)
    assert_consistent(sqlite_store, [source(db)], real - timedelta(days=2))
    db.dispose()


def test_the_safety_lag_is_the_sources_else_its_profiles_else_the_settings(sqlite_store, clock, settings, tmp_path):
    from data_sources.profiles import load_profile

    profile = load_profile("motcua_v1").model_copy(update={"safety_lag_s": 900.0})
    path = tmp_path / "slow_vendor.yaml"
    path.write_text(
        load_profile("motcua_v1").model_dump_json().replace('"safety_lag_s":null', '"safety_lag_s":900.0'), "utf-8"
    )
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"safety_lag_s": 600}))
    plain = SourceConfig(name="a", unit="quan-1", url="sqlite:///a.sqlite", profile="motcua_v1")
    vendor = SourceConfig(name="b", unit="quan-1", url="sqlite:///b.sqlite", profile=str(path))
    own = SourceConfig(name="c", unit="quan-1", url="sqlite:///c.sqlite", profile=str(path), safety_lag_s=30)
    assert profile.safety_lag_s == 900.0
    assert [ingestor.safety_lag_s(s) for s in (plain, vendor, own)] == [600, 900, 30]
