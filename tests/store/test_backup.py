"""The backup and restore drill of docs/operations.md, on both stores: back up, restore elsewhere, `verify`, and
find the same figures."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages.kpis import unit_kpis
from dashboard.store import Store
from dashboard.store.verify import verify
from tests.conftest import PG_ADMIN_URL, START
from tests.factories import SourceDB, dossier


def fill(store: Store, clock, settings, tmp_path) -> None:
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert(
        "dossiers",
        dossier("A"),
        dossier("B", status="completed", completed=START - timedelta(days=1)),
        dossier("LATE", received=START - timedelta(days=12), days=5),
    )
    Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1"))
    db.dispose()


def figures(store: Store):
    return unit_kpis(store, default_calendar(), "30d", START), store.data_version(), store.count("dossiers")


def test_a_sqlite_store_copied_online_restores_with_the_same_figures(sqlite_store, clock, settings, tmp_path):
    fill(sqlite_store, clock, settings, tmp_path)
    copy = tmp_path / "backup" / "store.sqlite"
    copy.parent.mkdir()
    assert sqlite_store.backup_to(copy) > 0
    restored = Store(f"sqlite:///{copy}")
    try:
        assert all(check.ok for check in verify(restored.engine))
        assert figures(restored) == figures(sqlite_store)
        assert figures(restored)[2] == 3
    finally:
        restored.dispose()


@pytest.mark.postgres
def test_a_postgres_store_dumped_and_restored_has_the_same_figures(pg_schema_url, clock, settings, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    store = Store(pg_schema_url)
    store.migrate()
    from dashboard.core.reference import load_procedures, load_units

    store.seed_reference(load_units(), load_procedures())
    assert store.hold_lease("tests").acquire()
    fill(store, clock, settings, tmp_path)
    schema = pg_schema_url.rsplit("%3D", 1)[1]
    server = make_url(PG_ADMIN_URL)
    dump = tmp_path / "store.dump"
    connection = ["-h", server.host or "127.0.0.1", "-p", str(server.port or 5432), "-U", server.username or "postgres"]
    subprocess.run(["pg_dump", *connection, "-Fc", "-n", schema, "-f", str(dump), server.database], check=True)
    database = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        subprocess.run(["pg_restore", *connection, "-d", database, str(dump)], check=True)
        restored_url = server.set(database=database).render_as_string(hide_password=False)
        restored = Store(f"{restored_url}?options=-csearch_path%3D{schema}")
        try:
            assert all(check.ok for check in verify(restored.engine))
            assert figures(restored) == figures(store)
        finally:
            restored.dispose()
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()
