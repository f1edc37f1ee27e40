"""Faults of the writer itself, with real `ingest` processes on a real PostgreSQL store: two started at once, and
the writer killed with SIGKILL in the middle of a pull. Each ends reconciled and verified."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.ingest.sources_file import SourceConfig, write_sources
from dashboard.store import Store
from dashboard.store.schema import source_state
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.faults.consistency import assert_consistent

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.slow]


def ingest(folder: Path, store_url: str, name: str, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CCHC_STORE_URL": store_url,
        "CCHC_WRITER_LEASE_S": "5",  # short for a test, long enough for a loaded CI machine
        "CCHC_SAFETY_LAG_S": "0",
        **{f"CCHC_{key.upper()}": value for key, value in settings.items()},
    }
    log = (folder / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--data-dir", str(folder), "ingest"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def stop(*processes: subprocess.Popen | None) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(15)


def wait_for(condition, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # the store is still being created by the first writer
            pass
        time.sleep(0.1)
    return False


def sources_of(tmp_path: Path, n: int, rows: int) -> tuple[list[SourceDB], list[SourceConfig]]:
    dbs, configs = [], []
    for i in range(n):
        db = SourceDB(f"sqlite:///{tmp_path / f's{i}.sqlite'}")
        db.insert("dossiers", *[dossier(f"S{i}-{j:05}", received=START - timedelta(minutes=j)) for j in range(rows)])
        dbs.append(db)
        configs.append(SourceConfig(name=f"s{i}", unit="quan-1", url=db.url, profile="motcua_v1", interval=1))
    write_sources(tmp_path / "sources.yaml", [c.model_dump(exclude_none=True) for c in configs])
    return dbs, configs


def test_two_writers_started_at_once_one_writes_and_nothing_is_counted_twice(tmp_path, pg_schema_url):
    dbs, configs = sources_of(tmp_path, 3, 2000)
    first = ingest(tmp_path, pg_schema_url, "first", chunk_size="100")
    second = ingest(tmp_path, pg_schema_url, "second", chunk_size="100")
    store = Store(pg_schema_url)
    try:
        assert wait_for(lambda: store.count("dossiers") == 6000), (tmp_path / "first.log").read_text()
        for i, db in enumerate(dbs):  # while both run: new rows, stamped after the others
            db.insert("dossiers", *[dossier(f"NEW-{i}-{j}", updated=START + timedelta(hours=1)) for j in range(50)])
        assert wait_for(lambda: store.count("dossiers") == 6150)
        logs = [(tmp_path / f"{name}.log").read_text() for name in ("first", "second")]  # before either stops
    finally:
        stop(first, second)
    writers = [log for log in logs if "Writer (" in log]
    assert len(writers) == 1 and sum("Standby:" in log for log in logs) == 1, logs  # one wrote, one waited
    assert_consistent(store, configs, START - timedelta(days=30))
    store.dispose()


def test_the_writer_killed_mid_pull_is_replaced_and_nothing_is_lost(tmp_path, pg_schema_url):
    dbs, configs = sources_of(tmp_path, 1, 20_000)
    store = Store(pg_schema_url)
    writer = ingest(tmp_path, pg_schema_url, "writer", chunk_size="200")
    standby = None
    try:
        assert wait_for(lambda: 0 < store.count("dossiers") < 20_000), (tmp_path / "writer.log").read_text()
        standby = ingest(tmp_path, pg_schema_url, "standby", chunk_size="200")
        assert wait_for(lambda: "Standby:" in (tmp_path / "standby.log").read_text())
        if store.count("dossiers") < 20_000:  # still in the middle of its first pull
            writer.send_signal(signal.SIGKILL)
            writer.wait(10)
        assert wait_for(lambda: store.count("dossiers") == 20_000, 120), (tmp_path / "standby.log").read_text()
        assert "Writer (" in (tmp_path / "standby.log").read_text()
        with store.engine.connect() as conn:
            held = conn.execute(select(func.sum(source_state.c.rows_total))).scalar_one()
        assert held == 20_000  # rows held, counted once though two writers pulled
    finally:
        stop(writer, standby)
    assert_consistent(store, configs, START - timedelta(days=30))
    store.dispose()
