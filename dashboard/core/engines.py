"""The engine a database's one-statement reads use (the polls' data version and sign-in checks, the pages' reads).

On PostgreSQL they run in autocommit: a transaction would add a `BEGIN` and a `ROLLBACK` round trip to every read
(half of a poll's sign-in check) and give nothing back, since under READ COMMITTED each statement sees its own
snapshot anyway. Writes keep the transactional engine. On SQLite, where a read transaction is a snapshot across
statements, reads use the same engine as writes.

The pool pings a connection before handing it out, so that a restarted server costs no request — except, with
`trust_recent_s`, a connection used that recently (every request's sign-in check under load: the ping would be
a second round trip for each), whose reads go through `first_row`: one that finds its connection dropped is run
again on a fresh one."""

from __future__ import annotations

from time import monotonic
from typing import Any

from sqlalchemy import CursorResult, Engine, RowMapping, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable

RETURNED = "cchc_returned"  # a pooled connection's info: when it was last handed back (monotonic seconds)


def database_engine(url: str, sqlite_pragmas: tuple[str, ...] = ()) -> Engine:
    """The engine of one of the app's own databases (the store, the accounts): on a server, a connection is pinged
    before it is handed out (a restarted server costs no request); a SQLite file, which no server drops, is not,
    and gets `sqlite_pragmas` (`journal_mode=WAL`, …) at each connection."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url)

    def pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in sqlite_pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    return engine


def reads_engine(engine: Engine, trust_recent_s: float = 0.0) -> Engine:
    """The engine for `engine`'s database's reads: its own autocommit pool on PostgreSQL, else `engine`. With
    `trust_recent_s`, a connection handed back less than that many seconds ago is handed out without a ping."""
    if engine.dialect.name != "postgresql":
        return engine
    if not trust_recent_s:
        return create_engine(engine.url, pool_pre_ping=True, isolation_level="AUTOCOMMIT")
    reads = create_engine(engine.url, isolation_level="AUTOCOMMIT")

    def ping_unless_recent(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(RETURNED)
        if returned is not None and monotonic() - returned < trust_recent_s:
            return
        try:
            ping(dbapi_connection)
        except Exception as exc:  # the server dropped it: the pool replaces it with a fresh one
            raise DisconnectionError(str(exc)) from exc

    def note_use(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[RETURNED] = monotonic()

    event.listen(reads.pool, "connect", note_use)  # just connected: nothing to ping
    event.listen(reads.pool, "checkout", ping_unless_recent)
    event.listen(reads.pool, "checkin", note_use)
    return reads


def ping(dbapi_connection: Any) -> None:
    """One round trip on a driver connection: raises when the server dropped it."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()


def first_row(engine: Engine, statement: Executable) -> RowMapping | None:
    """The first row of a one-statement read, run once more when it found its connection dropped by the server
    (a connection `reads_engine` trusted unpinged; by then the pool has let go of every connection as old)."""
    try:
        with engine.connect() as conn:
            return conn.execute(statement).mappings().first()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    with engine.connect() as conn:
        return conn.execute(statement).mappings().first()


def dicts(result: CursorResult[Any]) -> list[dict[str, Any]]:
    """A result's rows as plain dicts of column name to value (zipped with the columns once: 1.7× quicker than
    `dict()` of each `RowMapping`, a cost every page's read of the units pays)."""
    columns = list(result.keys())
    return [dict(zip(columns, row, strict=True)) for row in result]
