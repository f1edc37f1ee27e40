"""The one writer: a lease in the store (holder and fencing token; a heartbeat with the expiry), for SQLite and
PostgreSQL alike.

A process acquires the lease when nobody holds it or its holder let it run out; every acquisition raises the
fencing token. The holder renews the heartbeat. Every write transaction of the data path first runs `fence`,
which matches only the holder's own token and locks the lease row until the transaction ends — so a writer
that lost the lease (it hung, or was presumed dead, and a standby took over) writes nothing, and no take-over
lands in the middle of a write. On PostgreSQL the fence is a shared row lock (the writer's pulls run side by
side; a take-over waits for them), and a writer frozen inside a transaction is cut by the server after the
lease (`idle_in_transaction_session_timeout`); on SQLite writes are one at a time anyway. Renewals touch only
the heartbeat row, so they never queue behind writes. Time is the processes' real time: keep clocks in sync.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, exists, or_, select, text, update
from sqlalchemy.exc import OperationalError

from dashboard.core.clock import SystemClock
from dashboard.core.errors import LeaseError
from dashboard.core.writer import LeaseState
from dashboard.store.schema import writer_heartbeat, writer_lease

LEASE_ROW = 1


def process_name() -> str:
    """host:pid:nonce — who holds the lease, readable on /sources and in `check`, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def read_lease(conn: Connection) -> LeaseState | None:
    """The stored lease with its heartbeat (None before the migrations that create them have run)."""
    lease, beat = writer_lease.c, writer_heartbeat.c
    statement = (
        select(lease.holder, lease.token, lease.acquired_at, beat.renewed_at, beat.expires_at)
        .select_from(writer_lease.join(writer_heartbeat, beat.id == lease.id))
        .where(lease.id == LEASE_ROW)
    )
    row = conn.execute(statement).first()
    return None if row is None else LeaseState(*row)


class WriterLease:
    """One process's claim on the store's writer lease: acquire, renew, release, and fence each write."""

    def __init__(
        self,
        engine: Engine,
        holder: str | None = None,
        duration_s: float = 15.0,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.holder = holder or process_name()
        self.duration = timedelta(seconds=duration_s)
        self._now = now or SystemClock().now
        self.token: int | None = None  # the fencing token while this process holds the lease
        self._postgres = engine.dialect.name == "postgresql"

    def state(self) -> LeaseState | None:
        with self.engine.connect() as conn:
            return read_lease(conn)

    def _ms(self, fraction: float = 1.0) -> int:
        return max(int(self.duration.total_seconds() * 1000 * fraction), 1)

    def acquire(self) -> bool:
        """Take the lease if nobody holds it, its holder let it run out, or it is ours; True when held now.

        Taking it raises the token, so writes still in flight from an earlier holder (or an earlier claim of
        this process) are refused by `fence`; it waits for those in flight to end, at most a third of a lease
        (then it tries again at the next look)."""
        if self.token is not None and self.renew():
            return True
        now = self._now()
        lease, beat = writer_lease.c, writer_heartbeat.c
        ran_out = exists().where(beat.id == LEASE_ROW, or_(beat.expires_at.is_(None), beat.expires_at <= now))
        take = (
            update(writer_lease)
            .where(lease.id == LEASE_ROW, or_(lease.holder.is_(None), lease.holder == self.holder, ran_out))
            .values(holder=self.holder, token=lease.token + 1, acquired_at=now)
        )
        try:
            with self.engine.begin() as conn:
                if self._postgres:
                    conn.execute(text(f"SET LOCAL lock_timeout = {self._ms(1 / 3)}"))
                    # Lock the row first: a claim that waited on another's re-reads only the locked row, not the
                    # heartbeat it saw before waiting; the UPDATE after the lock reads what that claim committed.
                    conn.execute(select(lease.id).where(lease.id == LEASE_ROW).with_for_update())
                if conn.execute(take).rowcount != 1:
                    self.token = None
                    return False
                token = conn.execute(select(lease.token).where(lease.id == LEASE_ROW)).scalar_one()
                conn.execute(
                    update(writer_heartbeat)
                    .where(beat.id == LEASE_ROW)
                    .values(token=token, renewed_at=now, expires_at=now + self.duration)
                )
        except OperationalError as exc:
            if "lock" not in str(exc).lower():
                raise
            self.token = None  # a writer's transaction still holds the lease row: look again later
            return False
        self.token = token
        return True

    def renew(self) -> bool:
        """Move the expiry on by the lease's duration; False (and the lease forgotten) when another took over."""
        if self.token is None:
            return False
        now = self._now()
        statement = (
            update(writer_heartbeat)
            .where(writer_heartbeat.c.id == LEASE_ROW, writer_heartbeat.c.token == self.token)
            .values(renewed_at=now, expires_at=now + self.duration)
        )
        with self.engine.begin() as conn:
            if conn.execute(statement).rowcount == 1:
                return True
        self.token = None
        return False

    def release(self) -> None:
        """Give the lease up now (a clean stop), so a standby need not wait for it to run out."""
        if self.token is None:
            return
        now, token = self._now(), self.token
        with self.engine.begin() as conn:
            conn.execute(
                update(writer_lease)
                .where(writer_lease.c.id == LEASE_ROW, writer_lease.c.token == token)
                .values(holder=None)
            )
            conn.execute(
                update(writer_heartbeat)
                .where(writer_heartbeat.c.id == LEASE_ROW, writer_heartbeat.c.token == token)
                .values(expires_at=now)
            )
        self.token = None

    def fence(self, conn: Connection) -> None:
        """The first statement of every write transaction of the data path: refuse it unless this process still
        holds the lease, and lock the lease row until the transaction ends, so no take-over can interleave."""
        if self.token is None:
            raise LeaseError(f"{self.holder} does not hold the writer lease of the store: it may not write")
        lease = writer_lease.c
        if self._postgres:  # shared: the writer's own transactions run side by side; a take-over waits for them
            conn.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = {self._ms()}"))
            found = conn.execute(select(lease.token).where(lease.id == LEASE_ROW).with_for_update(read=True))
            held = found.scalar_one_or_none() == self.token
        else:  # SQLite: the write lock, taken at once
            statement = update(writer_lease).where(lease.id == LEASE_ROW, lease.token == self.token)
            held = conn.execute(statement.values(token=lease.token)).rowcount == 1
        if not held:
            token, self.token = self.token, None
            raise LeaseError(f"{self.holder} lost the writer lease (token {token}): another writer took over")
