"""The one writer: a lease row in the store (holder, fencing token, expiry), for SQLite and PostgreSQL alike.

A process acquires the lease when nobody holds it or its holder let it run out; every acquisition raises the
fencing token. The holder renews it on a heartbeat. Every write transaction of the data path first runs
`fence`: an UPDATE of the lease row that matches only the holder's own token — so a writer that lost the lease
(it hung, or was presumed dead, and a standby took over) writes nothing, and while a write transaction runs the
row is locked, so no take-over happens in the middle of one (PostgreSQL: a row lock; SQLite: the write lock).
Time is the real time of the processes (`now`): keep the writers' clocks in sync (NTP).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, or_, select, update

from dashboard.core.clock import SystemClock
from dashboard.core.errors import LeaseError
from dashboard.core.writer import LeaseState
from dashboard.store.schema import writer_lease

LEASE_ROW = 1


def process_name() -> str:
    """host:pid:nonce — who holds the lease, readable on /sources and in `check`, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def read_lease(conn: Connection) -> LeaseState | None:
    """The stored lease (None before the migration that creates it has run)."""
    row = conn.execute(select(writer_lease).where(writer_lease.c.id == LEASE_ROW)).mappings().first()
    if row is None:
        return None
    return LeaseState(row["holder"], row["token"], row["acquired_at"], row["renewed_at"], row["expires_at"])


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

    def state(self) -> LeaseState | None:
        with self.engine.connect() as conn:
            return read_lease(conn)

    def acquire(self) -> bool:
        """Take the lease if nobody holds it, its holder let it run out, or it is ours; True when held now.

        Taking it raises the token, so writes still in flight from an earlier holder (or an earlier claim of
        this process) are refused by `fence`."""
        now = self._now()
        if self.token is not None and self.renew():
            return True
        lease = writer_lease.c
        statement = (
            update(writer_lease)
            .where(
                lease.id == LEASE_ROW,
                or_(
                    lease.holder.is_(None),
                    lease.expires_at.is_(None),
                    lease.expires_at <= now,
                    lease.holder == self.holder,
                ),
            )
            .values(
                holder=self.holder,
                token=lease.token + 1,
                acquired_at=now,
                renewed_at=now,
                expires_at=now + self.duration,
            )
        )
        with self.engine.begin() as conn:
            if conn.execute(statement).rowcount != 1:
                self.token = None
                return False
            state = read_lease(conn)
            self.token = state.token if state else None
        return self.token is not None

    def renew(self) -> bool:
        """Move the expiry on by the lease's duration; False (and the lease forgotten) when another took over."""
        if self.token is None:
            return False
        now = self._now()
        statement = (
            update(writer_lease)
            .where(writer_lease.c.id == LEASE_ROW, writer_lease.c.token == self.token)
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
        now = self._now()
        statement = (
            update(writer_lease)
            .where(writer_lease.c.id == LEASE_ROW, writer_lease.c.token == self.token)
            .values(holder=None, expires_at=now)
        )
        with self.engine.begin() as conn:
            conn.execute(statement)
        self.token = None

    def fence(self, conn: Connection) -> None:
        """The first statement of every write transaction of the data path: refuse it unless this process still
        holds the lease. It locks the lease row until the transaction ends, so no take-over can interleave."""
        if self.token is None:
            raise LeaseError(f"{self.holder} does not hold the writer lease of the store: it may not write")
        statement = (
            update(writer_lease)
            .where(writer_lease.c.id == LEASE_ROW, writer_lease.c.token == self.token)
            .values(token=writer_lease.c.token)
        )
        if conn.execute(statement).rowcount != 1:
            token, self.token = self.token, None
            raise LeaseError(f"{self.holder} lost the writer lease (token {token}): another writer took over")
