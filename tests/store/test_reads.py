"""The store's one-statement reads on PostgreSQL (`dashboard/core/engines.py`): their own autocommit pool, no
transaction round trips, and a connection the server dropped costs no request."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from dashboard.store import Store
from tests.conftest import PG_ADMIN_URL, START


def _backend(engine) -> tuple[int, bool]:
    """(server process, autocommit) of the connection `engine`'s pool hands out next."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one(), conn.connection.dbapi_connection.autocommit


def test_reads_run_in_autocommit_and_writes_in_transactions_on_postgresql(pg_schema_url, sqlite_store):
    store = Store(pg_schema_url)
    try:
        store.migrate()
        assert _backend(store.reads)[1] is True and _backend(store.engine)[1] is False
        with store.engine.begin() as conn:
            store.bump_data_version(conn, START)
        assert store.data_version() == (1, START)  # read through the autocommit pool: sees what the writer committed
    finally:
        store.dispose()
    assert sqlite_store.reads is sqlite_store.engine  # SQLite: a read transaction is a snapshot, one engine


def test_a_reads_connection_the_server_dropped_costs_no_request(pg_schema_url):
    store = Store(pg_schema_url)
    admin = create_engine(PG_ADMIN_URL)
    try:
        store.migrate()
        dropped, _ = _backend(store.reads)
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped}).scalar_one() is True
        assert store.data_version()[0] == 0  # pinged, replaced, answered
        assert _backend(store.reads)[0] != dropped
    finally:
        store.dispose()
        admin.dispose()
