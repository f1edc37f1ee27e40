"""Faults around one pull, on real servers: the store's connections terminated mid-pull, a source whose schema
drifts, a source that goes down and comes back. Each ends reconciled (0 lost, 0 duplicated) and verified."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from dashboard.cli import main
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig, write_sources
from dashboard.store import Store
from tests.conftest import PG_ADMIN_URL, START, _seeded
from tests.factories import SourceDB, dossier
from tests.faults.consistency import assert_consistent

pytestmark = [pytest.mark.faults]


def big_source(tmp_path, rows: int) -> tuple[SourceDB, SourceConfig]:
    db = SourceDB(f"sqlite:///{tmp_path / 'big.sqlite'}")
    db.insert("dossiers", *[dossier(f"B-{j:05}", received=START - timedelta(minutes=j)) for j in range(rows)])
    return db, SourceConfig(name="big", unit="quan-1", url=db.url, profile="motcua_v1", interval=60)


@pytest.mark.postgres
def test_the_stores_connections_terminated_mid_pull(tmp_path, pg_schema_url, clock, settings):
    name = f"cchc_fault_{uuid.uuid4().hex[:8]}"
    store = _seeded(Store(f"{pg_schema_url}&application_name={name}"))
    db, source = big_source(tmp_path, 5000)
    settings = settings.model_copy(update={"chunk_size": 50})
    ingestor = Ingestor(store, clock, settings)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    observer = Store(pg_schema_url)  # the test's own view of the store, on connections nobody cuts
    killed: list[bool] = []
    done = threading.Event()

    def keep_terminating() -> None:  # every 20 ms, every connection of the store: idle, active or in a transaction
        statement = text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n")
        with admin.connect() as conn:
            while not done.wait(0.02):
                killed.extend(row[0] for row in conn.execute(statement, {"n": name}))

    killer = threading.Thread(target=keep_terminating)
    killer.start()
    try:
        cut = ingestor.pull(source)[0]  # the pull while its store connections are cut, again and again
    finally:
        done.set()
        killer.join(30)
    assert sum(killed) >= 1, "no connection of the store was cut"
    kept = observer.count("dossiers")
    assert (cut.outcome, kept < 5000) == ("error", True), (cut, kept)  # it failed part-way; what committed stays
    clock.advance(timedelta(seconds=settings.retry_base_s))
    again = ingestor.pull(source)[0]  # the store is back: the pull resumes from the watermark
    assert again.outcome == "ok" and observer.count("dossiers") == 5000
    assert_consistent(observer, [source], START - timedelta(days=30))
    store.dispose()
    observer.dispose()
    admin.dispose()
    db.dispose()


def test_a_source_schema_drifting_and_drifting_back(tmp_path, sqlite_store, clock, settings):
    db, source = big_source(tmp_path, 300)
    write_sources(tmp_path / "sources.yaml", [source.model_dump(exclude_none=True)])
    ingestor = Ingestor(sqlite_store, clock, settings)
    ingestor.pull(source)
    with db.engine.begin() as conn:  # the vendor renames the updated-at column in an upgrade
        conn.execute(text("ALTER TABLE hs_dossier RENAME COLUMN updated_at TO updated"))
    failed = ingestor.pull(source)[0]
    assert failed.outcome == "error" and "updated_at" in failed.error
    checked = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"], env={"CCHC_LANGUAGE": "en"})
    assert checked.exit_code == 1 and "dossiers: column updated_at is missing (mapped to source_updated_at)" in (
        checked.output
    )
    with db.engine.begin() as conn:  # the vendor puts it back
        conn.execute(text("ALTER TABLE hs_dossier RENAME COLUMN updated TO updated_at"))
    db.insert("dossiers", *[dossier(f"AFTER-{j}", updated=START + timedelta(hours=1)) for j in range(20)])
    clock.advance(timedelta(seconds=settings.retry_base_s))
    assert ingestor.pull(source)[0].outcome == "ok"
    assert sqlite_store.count("dossiers") == 320
    assert_consistent(sqlite_store, [source], START - timedelta(days=30))
    db.dispose()
