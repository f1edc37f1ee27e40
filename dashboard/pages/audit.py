"""The audit log's page for admins: one page of entries, newest first, filtered by who or what; and the window of
its CSV export. Read from the accounts' database (`services.accounts.audit`), never from the data store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.auth.audit import Entry
from dashboard.core.paging import page_count
from dashboard.services import Services

AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditView:
    entries: tuple[Entry, ...]
    page: int  # 1-based, within 1..pages
    pages: int
    total: int
    actor: str | None
    action: str | None
    as_of: datetime
    retention_days: int


def audit_view(services: Services, page: int, actor: str | None, action: str | None) -> AuditView:
    """Page `page` (clamped) of the entries by `actor` and of `action` (None: all)."""
    log = services.accounts.audit
    total = log.count(actor=actor, action=action)
    pages = page_count(total, AUDIT_PAGE_SIZE)
    page = min(max(page, 1), pages)
    found = log.entries(limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE, actor=actor, action=action)
    now = services.accounts.clock.now()
    return AuditView(tuple(found), page, pages, total, actor, action, now, services.settings.audit_retention_days)
