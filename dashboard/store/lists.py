"""Lists of dossiers and feedback behind a number (drill-through), paginated, for the unit tile and the API.

Each filter of `dashboard.core.vocabulary.DOSSIER_FILTERS` / `FEEDBACK_FILTERS` is a condition built from the
rules of `dashboard.core.rules`, so a list holds exactly the rows its number counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, and_, func, or_, select

from dashboard.core import rules
from dashboard.core.engines import dicts
from dashboard.core.errors import FilterError
from dashboard.core.paging import DossierPage
from dashboard.core.vocabulary import (
    BACKLOG_FILTERS,
    DOSSIER_FILTERS,
    FEEDBACK_FILTERS,
    ONLINE_CHANNELS,
    ONLINE_FULL,
    OPEN_FEEDBACK_FILTERS,
    SATISFIED,
)
from dashboard.store.schema import dossiers, feedback, procedures


def _since(as_of: datetime, start: datetime | None) -> datetime:
    return start or datetime.min.replace(tzinfo=as_of.tzinfo)


def dossier_condition(name: str, as_of: datetime, start: datetime | None):
    """The SQL condition of dossier filter `name` at `as_of`; `start` is the window's start for period filters."""
    c = dossiers.c
    start = _since(as_of, start)
    open_now = rules.open_sql(c) & (c.received_at <= as_of)
    overdue = rules.overdue_sql(c, as_of)
    received = (c.received_at >= start) & (c.received_at < as_of)
    completed = rules.done_sql(c) & (c.completed_at >= start) & (c.completed_at < as_of)
    late_total = or_(completed & rules.done_after_due_sql(c), overdue)
    return {
        "in_progress": open_now,
        "overdue": overdue,
        "overdue_no_apology": overdue & c.apology_at.is_(None),
        "received": received,
        "online": received & c.channel.in_(ONLINE_CHANNELS),
        "completed": completed,
        "on_time": completed & rules.on_time_sql(c),
        "late": completed & ~rules.on_time_sql(c),
        "late_no_apology": late_total & c.apology_at.is_(None),
        "late_total": late_total,
        "late_with_apology": late_total & c.apology_at.is_not(None),
        "online_full": received & (c.channel == ONLINE_FULL),
        "rated": completed & c.rating.is_not(None),
        "satisfied": completed & (c.rating == SATISFIED),
    }[name]


def feedback_condition(name: str, as_of: datetime, start: datetime | None):
    """The SQL condition of feedback filter `name` at `as_of`."""
    c = feedback.c
    start = _since(as_of, start)
    open_now = rules.open_feedback_sql(c) & (c.received_at <= as_of)
    in_window = (c.answered_at >= start) & (c.answered_at < as_of)
    return {
        "open": open_now,
        "overdue": open_now & (c.due_at < as_of),
        "answered": rules.answered_sql(c) & in_window,
        "answered_on_time": rules.answered_on_time_sql(c) & in_window,
        "received": (c.received_at >= start) & (c.received_at < as_of),
    }[name]


def _check(name: str, known: tuple[str, ...]) -> None:
    if name not in known:
        raise FilterError(f"unknown filter {name!r}: use one of {', '.join(known)}")


def _with_procedure_names() -> Select:
    """Dossiers with their procedure's names (procedure_name_vi, procedure_name_en; None for an unlisted one)."""
    d, p = dossiers, procedures
    statement = select(d, p.c.name_vi.label("procedure_name_vi"), p.c.name_en.label("procedure_name_en"))
    return statement.select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))


class DossierLists:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _page(self, table, where, statement, order, page: int, page_size: int) -> DossierPage:
        page = max(page, 1)
        statement = statement.where(where).order_by(*order).limit(page_size).offset((page - 1) * page_size)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
            rows = dicts(conn.execute(statement))
        return DossierPage(rows, total, page, page_size)

    def page(
        self,
        unit: str,
        name: str,
        as_of: datetime,
        start: datetime | None = None,
        page: int = 1,
        page_size: int = 50,
        procedure: str | None = None,
    ) -> DossierPage:
        """The counted dossiers of a unit matching a filter, oldest due first for backlog filters, else newest
        received first; `start` is the window's start for the period filters."""
        _check(name, DOSSIER_FILTERS)
        d = dossiers
        where = and_(d.c.unit_key == unit, d.c.counted.is_(True), dossier_condition(name, as_of, start))
        if procedure:
            where = and_(where, d.c.procedure_code == procedure)
        order = (d.c.due_original_at, d.c.id) if name in BACKLOG_FILTERS else (d.c.received_at.desc(), d.c.id.desc())
        return self._page(d, where, _with_procedure_names(), order, page, page_size)

    def due_soon(self, unit: str, as_of: datetime, due_soon_until: datetime, page_size: int = 50) -> DossierPage:
        """The counted open dossiers of a unit due within [as_of, due_soon_until] (the ageing bucket due_soon,
        `rules.due_soon_sql`), soonest due first: the first page and how many there are."""
        d = dossiers
        where = and_(d.c.unit_key == unit, d.c.counted.is_(True), rules.due_soon_sql(d.c, as_of, due_soon_until))
        return self._page(d, where, _with_procedure_names(), (d.c.due_original_at, d.c.id), 1, page_size)

    def late_procedures(self, unit: str, as_of: datetime, start: datetime, limit: int = 10) -> list[dict[str, Any]]:
        """Which procedures make the unit late: completed late in the window plus overdue now, per procedure."""
        d, p = dossiers, procedures
        late = dossier_condition("late", as_of, start) | dossier_condition("overdue", as_of, start)
        statement = (
            select(d.c.procedure_code, p.c.name_vi, p.c.name_en, func.count().label("late"))
            .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
            .where(d.c.unit_key == unit, d.c.counted.is_(True), late)
            .group_by(d.c.procedure_code, p.c.name_vi, p.c.name_en)
            .order_by(func.count().desc(), d.c.procedure_code)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return dicts(conn.execute(statement))

    def feedback_page(
        self, unit: str, name: str, as_of: datetime, start: datetime | None = None, page: int = 1, page_size: int = 50
    ) -> DossierPage:
        """A unit's feedback matching a filter (FEEDBACK_FILTERS), oldest due first for open ones."""
        _check(name, FEEDBACK_FILTERS)
        f = feedback
        where = and_(f.c.unit_key == unit, feedback_condition(name, as_of, start))
        order = (f.c.due_at, f.c.id) if name in OPEN_FEEDBACK_FILTERS else (f.c.received_at.desc(), f.c.id.desc())
        return self._page(f, where, select(f), order, page, page_size)
