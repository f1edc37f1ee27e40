"""Briefing snapshots in the store: frozen bodies (written by the one writer, fenced) and requests for them
(written by anyone: the web and the CLI ask, the writer carries them out).

A snapshot's body is stored as the exact canonical JSON its `content_hash` was computed over, and is never
changed; reading it back checks the hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from dashboard.core.errors import StoreError
from dashboard.store.schema import snapshot_requests, snapshots


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class Snapshots:
    """The snapshots table and its requests; `begin` is the store's fenced write transaction."""

    def __init__(self, engine: Engine, begin: Callable[[], AbstractContextManager[Connection]]) -> None:
        self.engine, self._begin = engine, begin

    # --- requests (not the data path: anyone may file one) -------------------------------------------
    def request(self, period: str, requested_by: str, at: datetime, as_of: datetime | None = None) -> int:
        """File a request for a snapshot; returns its id."""
        with self.engine.begin() as conn:
            values = {"period": period, "as_of": as_of, "requested_by": requested_by, "requested_at": at}
            statement = insert(snapshot_requests).values(**values).returning(snapshot_requests.c.id)
            return int(conn.execute(statement).scalar_one())

    def pending(self) -> list[dict[str, Any]]:
        statement = select(snapshot_requests).where(snapshot_requests.c.done_at.is_(None))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement.order_by(snapshot_requests.c.id)).mappings()]

    def request_state(self, request_id: int) -> dict[str, Any] | None:
        statement = select(snapshot_requests).where(snapshot_requests.c.id == request_id)
        with self.engine.connect() as conn:
            row = conn.execute(statement).mappings().first()
        return dict(row) if row else None

    def waiting_or_failed(self, limit: int = 20) -> list[dict[str, Any]]:
        """The requests still waiting and those that failed (with their error), newest first, at most `limit`."""
        c = snapshot_requests.c
        statement = select(snapshot_requests).where(or_(c.done_at.is_(None), c.error.is_not(None)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement.order_by(c.id.desc()).limit(limit)).mappings()]

    def fail_request(self, request_id: int, at: datetime, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(snapshot_requests)
                .where(snapshot_requests.c.id == request_id)
                .values(done_at=at, error=error[:2000])
            )

    # --- snapshots (the data path: the writer's fenced transaction) -----------------------------------
    def save(self, meta: dict[str, Any], body: str, request_id: int | None = None) -> int:
        """Store a snapshot (or find the identical one already stored) and close its request; returns its id."""
        digest = content_hash(body)
        with self._begin() as conn:
            found = conn.execute(select(snapshots.c.id).where(snapshots.c.content_hash == digest)).scalar()
            if found is None:
                row = {**meta, "content_hash": digest, "body": body}
                found = conn.execute(insert(snapshots).values(**row).returning(snapshots.c.id)).scalar_one()
            if request_id is not None:
                conn.execute(
                    update(snapshot_requests)
                    .where(snapshot_requests.c.id == request_id)
                    .values(done_at=meta["created_at"], snapshot_id=found)
                )
            return int(found)

    def _meta(self, where: Any = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Snapshots' metadata (no bodies), newest as-of first."""
        statement = select(*(c for c in snapshots.c if c.name != "body"))
        if where is not None:
            statement = statement.where(where)
        statement = statement.order_by(snapshots.c.as_of.desc(), snapshots.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]

    def list(self) -> list[dict[str, Any]]:
        """Every snapshot's metadata, newest as-of first (no bodies)."""
        return self._meta()

    def meta(self, snapshot_id: int) -> dict[str, Any] | None:
        """One snapshot's metadata (None: no such snapshot)."""
        found = self._meta(snapshots.c.id == snapshot_id, 1)
        return found[0] if found else None

    def previous(self, snapshot_id: int) -> dict[str, Any] | None:
        """The snapshot a briefing compares with: the newest of the same period with an earlier as-of (None: the
        first of its period, or no such snapshot)."""
        found = self.meta(snapshot_id)
        if found is None:
            return None
        earlier = (snapshots.c.period == found["period"]) & (snapshots.c.as_of < found["as_of"])
        rows = self._meta(earlier, 1)
        return rows[0] if rows else None

    def body(self, snapshot_id: int) -> str:
        """A snapshot's body as stored, its hash checked: a changed body is an error, never served."""
        statement = select(snapshots.c.body, snapshots.c.content_hash).where(snapshots.c.id == snapshot_id)
        with self.engine.connect() as conn:
            row = conn.execute(statement).first()
        if row is None:
            raise StoreError(f"no snapshot {snapshot_id}")
        if content_hash(row.body) != row.content_hash:
            raise StoreError(f"snapshot {snapshot_id}: its body does not match its hash {row.content_hash[:12]}…")
        return str(row.body)
