"""The wall's alerts as the one writer observed them (fenced): since when each has been open, until when, and how
bad it has been at worst — so the wall shows since when, not the current minute. Web workers only read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from dashboard.store.schema import alert_ledger

AlertKey = tuple[str, str, str]  # kind, unit key, source ("" when the alert is not about a source)
RANK = {"warn": 1, "alarm": 2}


class AlertLedger:
    def __init__(self, engine: Engine, begin: Callable[[], AbstractContextManager[Connection]]) -> None:
        self.engine, self._begin = engine, begin

    def observe(self, current: Iterable[tuple[AlertKey, str]], at: datetime) -> None:
        """Record the alerts open now, (key, severity) each: a new key opens a row first seen `at`, an open one is
        seen again (its severity now, its worst), and every open row not among them closes `at`."""
        now = dict(current)
        c = alert_ledger.c
        with self._begin() as conn:
            rows = conn.execute(select(alert_ledger).where(c.closed_at.is_(None))).mappings().all()
            seen: set[AlertKey] = set()
            for row in rows:
                key = (row["kind"], row["unit_key"], row["source"])
                if key in now and key not in seen:
                    seen.add(key)
                    severity = now[key]
                    worst = severity if RANK[severity] > RANK.get(row["worst"], 0) else row["worst"]
                    values: dict[str, Any] = {"last_seen": at, "severity": severity, "worst": worst}
                else:
                    values = {"closed_at": at}
                conn.execute(update(alert_ledger).where(c.id == row["id"]).values(**values))
            for key, severity in now.items():
                if key not in seen:
                    kind, unit_key, source = key
                    conn.execute(
                        insert(alert_ledger).values(
                            kind=kind, unit_key=unit_key, source=source, severity=severity, worst=severity,
                            first_seen=at, last_seen=at,
                        )
                    )  # fmt: skip

    def open_alerts(self) -> dict[AlertKey, dict[str, Any]]:
        """The open rows by key: id, first seen, last seen, severity and worst."""
        c = alert_ledger.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(alert_ledger).where(c.closed_at.is_(None))).mappings().all()
        return {(r["kind"], r["unit_key"], r["source"]): dict(r) for r in rows}

    def open_alert(self, ledger_id: int) -> dict[str, Any] | None:
        """The open row `ledger_id`, or None when there is none or it has closed."""
        c = alert_ledger.c
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_ledger).where(c.id == ledger_id, c.closed_at.is_(None))).mappings().first()
        return dict(row) if row else None
