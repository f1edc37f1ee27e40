"""The one writer's life: a writer loop in this process, and two real `ingest` processes on one PostgreSQL store —
the second waits as a hot standby and takes over when the first is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.ingest.sources_file import SourceConfig, write_sources
from dashboard.ingest.writer import WriterLoop
from dashboard.services import Services
from dashboard.store import Store
from dashboard.store.schema import pull_log
from tests.factories import SourceDB, dossier

ROOT = Path(__file__).resolve().parents[2]


def pulls(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(pull_log).where(pull_log.c.outcome == "ok")).scalar_one()


def wait_for(condition, timeout_s: float = 30.0, every_s: float = 0.1) -> bool:
    """Poll `condition` (a real process's effect) until it holds or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return False


def test_the_loop_writes_while_it_holds_the_lease_and_releases_it_when_stopped(tmp_path, clock):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("A"), dossier("B"))
    settings = Settings(data_dir=tmp_path, safety_lag_s=0)
    services = Services.build(settings, clock)
    services.sources = [SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile="motcua_v1", interval=1)]
    lease = services.store.hold_lease("loop", duration_s=0.6)
    roles: list[str] = []
    stop = threading.Event()
    loop = threading.Thread(
        target=WriterLoop(services, lease, report=lambda role, _s: roles.append(role)).run, args=(stop,)
    )
    loop.start()
    try:
        assert wait_for(lambda: services.store.count("dossiers") == 2)
        assert roles == ["writer"] and services.store.writer().holder == "loop"
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive() and services.store.writer().holder is None  # released: a standby need not wait
    services.store.dispose()
    db.dispose()


def _ingest(data_dir: Path, store_url: str, lease_s: float, log: Path) -> subprocess.Popen:
    env = {**os.environ, "CCHC_STORE_URL": store_url, "CCHC_WRITER_LEASE_S": str(lease_s), "CCHC_SAFETY_LAG_S": "0"}
    command = [sys.executable, "-m", "dashboard", "--data-dir", str(data_dir), "ingest"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_standby_takes_over_when_the_writer_is_killed(tmp_path, pg_schema_url):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("A"))
    write_sources(
        tmp_path / "sources.yaml",
        [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1", "interval": 1}],
    )
    store = Store(pg_schema_url)
    first = _ingest(tmp_path, pg_schema_url, 1.5, tmp_path / "first.log")
    second = None
    try:
        assert wait_for(lambda: store.is_migrated() and (store.writer() or None) and pulls(store) >= 2), (
            tmp_path / "first.log"
        ).read_text()
        writer = store.writer().holder
        assert writer.endswith(f":{first.pid}:" + writer.rsplit(":", 1)[1])
        second = _ingest(tmp_path, pg_schema_url, 1.5, tmp_path / "second.log")
        assert wait_for(lambda: "Standby:" in (tmp_path / "second.log").read_text())
        token = store.writer().token
        first.send_signal(signal.SIGKILL)  # the writer dies mid-work: no release, no goodbye
        first.wait(10)
        seen = pulls(store)
        assert wait_for(lambda: store.writer().holder != writer and pulls(store) > seen), (
            tmp_path / "second.log"
        ).read_text()
        state = store.writer()
        assert f":{second.pid}:" in state.holder and state.token == token + 1
        db.insert("dossiers", dossier("B"))
        assert wait_for(lambda: store.count("dossiers") == 2)  # the standby pulls what came since
        assert "Writer (" in (tmp_path / "second.log").read_text()
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(10)
        store.dispose()
        db.dispose()
