"""The audit log: who did what, when, from where — sign-ins and their failures, token use, drill-through reads,
exports, briefing downloads, refusals, user and token changes. Append-only (no update; the only delete is the
retention's purge, itself logged), in the accounts' database, outside the data path's writer fence. Every time from
the accounts' real-time clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Engine, delete, func, select, text

from dashboard.auth.roles import Principal
from dashboard.auth.schema import audit
from dashboard.core.cells import neutralise
from dashboard.core.clock import city_time

# --- what is logged ---------------------------------------------------------------------------------------
SIGN_IN: Final = "sign_in"
SIGN_IN_FAILED: Final = "sign_in_failed"
SIGN_IN_LIMITED: Final = "sign_in_limited"
SIGN_OUT: Final = "sign_out"
TOKEN_USE: Final = "token_use"  # a kiosk or API token used (at most once a minute per token)
KIOSK_PAIRED: Final = "kiosk_paired"  # a kiosk token exchanged for a screen's device cookie
DRILL_READ: Final = "drill_read"  # a list of individual dossiers or feedback opened (page, API)
EXPORT: Final = "export"  # a tile's workbook, a list's CSV/Excel, a league's workbook, the audit's CSV
BRIEFING_DOWNLOAD: Final = "briefing_download"
SNAPSHOT_ASKED: Final = "snapshot_asked"
REFUSED: Final = "refused"  # a signed-in principal asked for what its role does not allow
USER_CHANGED: Final = "user_changed"  # added, disabled, enabled, password reset, role or units changed
TOKEN_CHANGED: Final = "token_changed"  # issued, revoked
AUDIT_PURGED: Final = "audit_purged"
ALERT_ACKED: Final = "alert_acked"  # an alert acknowledged (or refused: not the principal's unit)
ACTIONS = (SIGN_IN, SIGN_IN_FAILED, SIGN_IN_LIMITED, SIGN_OUT, TOKEN_USE, KIOSK_PAIRED, DRILL_READ, EXPORT,
           BRIEFING_DOWNLOAD, SNAPSHOT_ASKED, REFUSED, USER_CHANGED, TOKEN_CHANGED, AUDIT_PURGED, ALERT_ACKED)  # fmt: skip
OK, REFUSED_OUTCOME, FAILED = "ok", "refused", "failed"
APPEND_ONLY = {  # the database itself refuses to change an entry
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS auth_audit_append_only BEFORE UPDATE ON auth_audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION auth_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "CREATE OR REPLACE TRIGGER auth_audit_append_only BEFORE UPDATE ON auth_audit"
        " FOR EACH ROW EXECUTE FUNCTION auth_audit_append_only()",
    ],
}
CSV_COLUMNS = ("at", "actor_kind", "actor", "action", "outcome", "target", "client", "detail")
MAX_FIELD = 512


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor_kind: str
    actor: str
    action: str
    outcome: str
    target: str
    client: str | None
    detail: str


def _cut(text: str | None, size: int = MAX_FIELD) -> str:
    return (text or "")[:size]


class AuditLog:
    """Add entries and read them back, newest first; purge those older than the retention."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine, self.now = engine, now

    def protect(self, conn: Connection) -> None:
        """Make the table refuse updates (run where the tables are created)."""
        for statement in APPEND_ONLY.get(self.engine.dialect.name, []):
            conn.execute(text(statement))

    def record(
        self,
        action: str,
        who: Principal | tuple[str, str],
        *,
        outcome: str = OK,
        target: str = "",
        client: str | None = None,
        detail: str = "",
    ) -> None:
        """One entry, now; `who` is the request's principal, or (kind, name) for the CLI or the system."""
        kind, actor = (who.kind, who.id) if isinstance(who, Principal) else who
        row = {
            "at": self.now(),
            "actor_kind": _cut(kind, 16),
            "actor": _cut(actor, 128),
            "action": action,
            "outcome": outcome,
            "target": _cut(target),
            "client": _cut(client, 64) or None,
            "detail": _cut(detail),
        }
        with self.engine.begin() as conn:
            conn.execute(audit.insert().values(**row))

    def entries(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Entry]:
        query = self._filtered(select(audit), actor, action, since, until)
        query = query.order_by(audit.c.at.desc(), audit.c.id.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [Entry(**row) for row in conn.execute(query).mappings()]

    def count(self, *, actor: str | None = None, action: str | None = None) -> int:
        query = self._filtered(select(func.count()).select_from(audit), actor, action, None, None)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def csv_lines(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
        """The entries in the window, oldest first, as CSV (city time; every cell through `neutralise`)."""
        query = self._filtered(select(audit), None, None, since, until).order_by(audit.c.at, audit.c.id)
        yield _csv_line(CSV_COLUMNS)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query).mappings():
                at = city_time(row["at"]).isoformat(timespec="seconds")
                yield _csv_line([at, *(row[c] or "" for c in CSV_COLUMNS[1:])])

    def purge(self, retention_days: int) -> int:
        """Remove the entries older than `retention_days` (and log that it did); returns how many."""
        before = self.now() - timedelta(days=retention_days)
        with self.engine.begin() as conn:
            removed = conn.execute(delete(audit).where(audit.c.at < before)).rowcount or 0
        if removed:
            detail = f"{removed} entries older than {retention_days} days"
            self.record(AUDIT_PURGED, ("system", "retention"), target=before.isoformat(), detail=detail)
        return int(removed)

    @staticmethod
    def _filtered(
        query: Any, actor: str | None, action: str | None, since: datetime | None, until: datetime | None
    ) -> Any:
        if actor:
            query = query.where(audit.c.actor == actor)
        if action:
            query = query.where(audit.c.action == action)
        if since is not None:
            query = query.where(audit.c.at >= since)
        if until is not None:
            query = query.where(audit.c.at < until)
        return query


def _csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(str(v)) for v in values])
    return buffer.getvalue()
