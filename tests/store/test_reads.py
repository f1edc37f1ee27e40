"""One-statement reads on PostgreSQL (`dashboard/core/engines.py`): their own autocommit pool, no transaction
round trips, a connection the server dropped costs no request, and a sign-in check right after another no ping."""

from __future__ import annotations

import time

from argon2 import PasswordHasher
from sqlalchemy import create_engine, event, text

from dashboard.auth.roles import LEADER
from dashboard.auth.store import TRUST_RECENT_S, AccountStore
from dashboard.core import engines
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


def _terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL)
    try:
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one() is True
    finally:
        admin.dispose()


def test_sign_in_checks_ping_no_connection_used_just_now_and_survive_one_the_server_dropped(
    pg_schema_url, clock, monkeypatch
):
    pings: list[object] = []
    real_ping = engines.ping
    monkeypatch.setattr(engines, "ping", lambda connection: pings.append(connection) or real_ping(connection))
    accounts = AccountStore(pg_schema_url, clock, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        accounts.create()
        user = accounts.add_user("lanh-dao", "Lãnh đạo", LEADER, set(), "mot-mat-khau-dai")
        assert [accounts.session_user(user.id, user.session_version).login for _ in range(20)] == ["lanh-dao"] * 20
        assert pings == []  # each check reuses the connection the one before handed back: no second round trip
        pid, autocommit = _backend(accounts.reads)
        assert autocommit is True
        _terminate(pid)
        assert accounts.session_user(user.id, user.session_version).login == "lanh-dao"  # read again on a new one
        assert accounts.session_version(user.id) == user.session_version and _backend(accounts.reads)[0] != pid
        later = time.monotonic() + TRUST_RECENT_S
        monkeypatch.setattr(engines, "monotonic", lambda: later)  # the connection idle as long as it is trusted
        assert accounts.session_version(user.id) == user.session_version and len(pings) == 1  # pinged first
        _terminate(_backend(accounts.reads)[0])
        later += TRUST_RECENT_S  # dropped while idle: the ping finds it, the pool hands out a fresh one
        failed: list[object] = []
        event.listen(accounts.reads, "handle_error", failed.append)
        assert accounts.session_version(user.id) == user.session_version and len(pings) == 2  # (not the new one)
        assert failed == []  # no failed read to run again
    finally:
        accounts.dispose()


def test_a_sqlite_file_is_opened_with_its_pragmas_and_never_pinged(tmp_path, clock, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    accounts = AccountStore(f"sqlite:///{tmp_path / 'auth.sqlite'}", clock)
    try:
        store.migrate()
        accounts.create()
        pings: list[object] = []
        for engine in (store.engine, accounts.engine):
            monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
        assert [store.data_version()[0] for _ in range(3)] == [0, 0, 0] and accounts.session_version(1) is None
        assert pings == []  # a file no server drops: nothing to ping before a read
        with store.engine.connect() as conn:
            pragmas = [conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("journal_mode", "synchronous")]
        with accounts.engine.connect() as conn:
            pragmas.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
        assert pragmas == ["wal", 1, "wal"]  # synchronous=NORMAL for the store
    finally:
        store.dispose()
        accounts.dispose()
