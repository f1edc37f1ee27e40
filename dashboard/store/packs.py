"""Scheduled briefing packs and their mail outbox in the store, written by the one writer (fenced).

A pack is made once per (pack, period): `claim` inserts its row under that unique key, so a writer that restarts
or looks twice finds it made; a claim whose snapshot never came (its writer died making it) is taken up again.
Each recipient's mail is a row of the outbox, sent once and retried with back-off when the server fails.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard.core.engines import dicts
from dashboard.store.schema import outbox, packs


class Packs:
    def __init__(self, engine: Engine, begin: Callable[[], AbstractContextManager[Connection]]) -> None:
        self.engine, self._begin = engine, begin

    def claim(self, pack: str, period_key: str, period: str, due_at: datetime) -> int | None:
        """The id of the pack to make now, or None when it is already made."""
        key = (packs.c.pack == pack) & (packs.c.period_key == period_key)
        try:
            with self._begin() as conn:
                statement = insert(packs).values(pack=pack, period_key=period_key, period=period, due_at=due_at)
                return int(conn.execute(statement.returning(packs.c.id)).scalar_one())
        except IntegrityError:
            with self.engine.connect() as conn:
                row = conn.execute(select(packs.c.id, packs.c.snapshot_id).where(key)).one()
            return int(row.id) if row.snapshot_id is None else None

    def made(self, pack_id: int, snapshot_id: int, at: datetime, mail: list[tuple[str, str]]) -> None:
        """Record the pack's snapshot and queue its mail, (recipient, message id) each, in one transaction."""
        with self._begin() as conn:
            conn.execute(update(packs).where(packs.c.id == pack_id).values(snapshot_id=snapshot_id, made_at=at))
            for recipient, message_id in mail:
                conn.execute(
                    insert(outbox).values(
                        pack_id=pack_id,
                        recipient=recipient,
                        message_id=message_id,
                        created_at=at,
                        attempts=0,
                        next_attempt_at=at,
                    )  # fmt: skip
                )

    def all_packs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return dicts(conn.execute(select(packs).order_by(packs.c.due_at, packs.c.id)))

    def all_mail(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return dicts(conn.execute(select(outbox).order_by(outbox.c.id)))

    def mail_due(self, now: datetime) -> list[dict[str, Any]]:
        """Unsent mail whose next attempt has come, with its pack's snapshot."""
        statement = (
            select(outbox, packs.c.snapshot_id, packs.c.pack, packs.c.period_key)
            .join(packs, packs.c.id == outbox.c.pack_id)
            .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]

    def mail_sent(self, mail_id: int, at: datetime) -> None:
        with self._begin() as conn:
            attempts = outbox.c.attempts + 1
            conn.execute(update(outbox).where(outbox.c.id == mail_id).values(sent_at=at, attempts=attempts))

    def mail_failed(self, mail_id: int, error: str, retry_at: datetime) -> None:
        with self._begin() as conn:
            values = {"attempts": outbox.c.attempts + 1, "last_error": error[:2000], "next_attempt_at": retry_at}
            conn.execute(update(outbox).where(outbox.c.id == mail_id).values(**values))
