"""Acknowledged alerts: a leader (any alert) or a unit's own staff (their unit's) says "seen, we act" — once per
alert, with who and when. In the accounts' database (written by web workers, outside the writer's fence); the alert
itself is the writer's ledger row, named by its id."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from dashboard.auth.roles import Principal
from dashboard.auth.schema import alert_acks


class AlertAcks:
    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine, self.now = engine, now

    def acknowledge(self, ledger_id: int, principal: Principal) -> bool:
        """Acknowledge the alert now as `principal`; False when it was acknowledged already (the first one stays)."""
        row = {"ledger_id": ledger_id, "by_id": principal.id[:128], "by_name": (principal.label or principal.id)[:200]}
        try:
            with self.engine.begin() as conn:
                conn.execute(alert_acks.insert().values(**row, at=self.now()))
        except IntegrityError:
            return False
        return True

    def of(self, ledger_ids: Iterable[int]) -> dict[int, tuple[str, datetime]]:
        """Who acknowledged each of these alerts, and when (those not acknowledged are absent)."""
        ids = sorted(set(ledger_ids))
        if not ids:
            return {}
        query = select(alert_acks.c.ledger_id, alert_acks.c.by_name, alert_acks.c.at).where(
            alert_acks.c.ledger_id.in_(ids)
        )
        with self.engine.connect() as conn:
            return {row.ledger_id: (row.by_name, row.at) for row in conn.execute(query)}
