"""Fail-over benchmark: the writer `ingest` is killed with SIGKILL; how long until the standby `ingest` writes?

    python bench/failover.py [--lease 15] [--runs 3] [--store-url postgresql+psycopg://postgres@127.0.0.1/test]

Each run starts a writer and a standby on one store (a fresh PostgreSQL schema, or a SQLite file with
`--store-url sqlite`), one SQLite source pulled every second, kills the writer at a random point of its lease
and times kill → the standby holding the lease → the standby's first stored pull. The lease bounds it: the
standby may take over only once the killed writer's lease has run out, and looks every third of a lease, so
kill → take-over lies between 0 and 4/3 of the lease. Printed as seconds and as a ratio of the lease.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from dashboard.ingest.sources_file import write_sources  # noqa: E402
from dashboard.store import Store  # noqa: E402
from dashboard.store.schema import pull_log  # noqa: E402
from tests.factories import SourceDB, dossier  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def ok_pulls(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(pull_log).where(pull_log.c.outcome == "ok")).scalar_one()


def until(condition, timeout_s: float, every_s: float = 0.02) -> float | None:
    """The monotonic instant at which `condition()` was first seen to hold (polled), or None after `timeout_s`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        try:
            if condition():
                return time.monotonic()
        except SQLAlchemyError:  # the writer is still creating the store
            pass
        time.sleep(every_s)
    return None


def ingest(folder: Path, url: str, lease_s: float, name: str) -> subprocess.Popen:
    env = {**os.environ, "CCHC_STORE_URL": url, "CCHC_WRITER_LEASE_S": str(lease_s), "CCHC_SAFETY_LAG_S": "0"}
    log = (folder / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--data-dir", str(folder), "ingest"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def holder_of(store: Store) -> str | None:
    state = store.writer()
    return state.holder if state else None


def one_run(folder: Path, url: str, lease_s: float, rng: random.Random) -> tuple[float, float]:
    """(kill → standby holds the lease, kill → standby's first stored pull), in seconds."""
    store = Store(url)
    writer = ingest(folder, url, lease_s, "writer")
    standby = None
    try:
        if until(lambda: store.is_migrated() and ok_pulls(store) >= 1, 60) is None:  # the writer is writing
            raise RuntimeError(f"the writer did not start: {(folder / 'writer.log').read_text()}")
        standby = ingest(folder, url, lease_s, "standby")
        if until(lambda: "Standby:" in (folder / "standby.log").read_text(), 60) is None:
            raise RuntimeError(f"the standby did not start: {(folder / 'standby.log').read_text()}")
        time.sleep(rng.uniform(0, lease_s / 3))  # anywhere between two renewals
        holder, seen = holder_of(store), ok_pulls(store)
        killed = time.monotonic()
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        took = until(lambda: holder_of(store) != holder, 4 * lease_s)
        wrote = until(lambda: ok_pulls(store) > seen, 4 * lease_s)
        if took is None or wrote is None:
            raise RuntimeError(f"no take-over: {(folder / 'standby.log').read_text()}")
        return took - killed, wrote - killed
    finally:
        for process in (writer, standby):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        store.dispose()


def fresh_store(kind: str, folder: Path) -> tuple[str, tuple[Engine, str] | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'store.sqlite'}", None
    schema = f"bench_failover_{uuid.uuid4().hex[:8]}"
    admin = create_engine(kind)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{kind}?options=-csearch_path%3D{schema}", (admin, schema)


def drop(handle: tuple[Engine, str] | None) -> None:
    if handle is None:
        return
    admin, schema = handle
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lease", type=float, default=15.0, help="writer_lease_s (default 15, the setting's default)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store-url", default=PG_URL, help="a PostgreSQL server URL, or 'sqlite'")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    took, wrote = [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="cchc-failover-") as name:
            folder = Path(name)
            source = SourceDB(f"sqlite:///{folder / 'q1.sqlite'}")
            source.insert("dossiers", dossier("A"))
            url = f"sqlite:///{folder / 'q1.sqlite'}"
            write_sources(
                folder / "sources.yaml",
                [{"name": "quan-1", "unit": "quan-1", "url": url, "profile": "motcua_v1", "interval": 1}],
            )
            store_url, handle = fresh_store(args.store_url, folder)
            try:
                t, w = one_run(folder, store_url, args.lease, rng)
            finally:
                drop(handle)
                source.dispose()
        took.append(t)
        wrote.append(w)
        print(f"run {run}: kill → standby holds the lease {t:.2f} s, → its first stored pull {w:.2f} s")
    print(f"\nlease {args.lease:g} s, {args.runs} runs on {args.store_url.split('://')[0]}:")
    for label, values in (("kill → take-over", took), ("kill → standby writing", wrote)):
        median = statistics.median(values)
        print(
            f"  {label:<24} median {median:6.2f} s  max {max(values):6.2f} s  = {median / args.lease:.2f} × the lease"
        )
    print("  bound: the lease may run out only after the last renewal, and the standby looks every lease / 3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
