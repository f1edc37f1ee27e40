"""The engine a database's one-statement reads use (the polls' data version and sign-in checks, the pages' reads).

On PostgreSQL they run in autocommit: a transaction would add a `BEGIN` and a `ROLLBACK` round trip to every read
(half of a poll's sign-in check) and give nothing back, since under READ COMMITTED each statement sees its own
snapshot anyway. The pool still pings a connection before handing it out, so a restarted server costs no request.
Writes keep the transactional engine. On SQLite, where a read transaction is a snapshot across statements, reads
use the same engine as writes."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine


def reads_engine(engine: Engine) -> Engine:
    """The engine for `engine`'s database's reads: its own autocommit pool on PostgreSQL, else `engine`."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, pool_pre_ping=True, isolation_level="AUTOCOMMIT")
