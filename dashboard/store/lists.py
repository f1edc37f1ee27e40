"""Lists of dossiers behind a number (drill-through), paginated, for the unit tile and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from dashboard.store.schema import ONLINE_CHANNELS, dossiers, feedback, open_status, procedures

DONE = ("completed", "refused")
DOSSIER_FILTERS = (
    "in_progress",  # open now
    "overdue",  # open now, original due passed
    "overdue_no_apology",  # … and no apology recorded
    "received",  # received in the window
    "online",  # received online in the window
    "completed",  # completed or refused in the window
    "on_time",  # … at or before the original due with at most one supplement request
    "late",  # … otherwise
    "late_no_apology",  # completed after the due in the window, or overdue now — with no apology
    "late_total",  # completed after the due in the window, or overdue now (the apology rate's denominator)
    "late_with_apology",  # … with an apology (its numerator)
    "online_full",  # received fully online in the window
    "rated",  # completed in the window with a citizen rating
    "satisfied",  # … rated satisfied
)
FEEDBACK_FILTERS = ("open", "overdue", "answered", "answered_on_time", "received")
FEEDBACK_LISTS = tuple(f"feedback_{name}" for name in FEEDBACK_FILTERS)  # as the pages name them


class FilterError(ValueError):
    """An unknown dossier filter; the message lists the known ones."""


@dataclass(frozen=True)
class DossierPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _condition(name: str, as_of: datetime, start: datetime | None):
    d = dossiers
    open_now = open_status(d.c.status) & (d.c.received_at <= as_of)
    overdue = open_now & (d.c.due_original_at < as_of)
    start = start or datetime.min.replace(tzinfo=as_of.tzinfo)
    received = (d.c.received_at >= start) & (d.c.received_at < as_of)
    completed = d.c.status.in_(DONE) & (d.c.completed_at >= start) & (d.c.completed_at < as_of)
    on_time = (d.c.completed_at <= d.c.due_original_at) & (d.c.supplement_requests <= 1)
    late_total = or_(completed & (d.c.completed_at > d.c.due_original_at), overdue)
    return {
        "in_progress": open_now,
        "overdue": overdue,
        "overdue_no_apology": overdue & d.c.apology_at.is_(None),
        "received": received,
        "online": received & d.c.channel.in_(ONLINE_CHANNELS),
        "completed": completed,
        "on_time": completed & on_time,
        "late": completed & ~on_time,
        "late_no_apology": late_total & d.c.apology_at.is_(None),
        "late_total": late_total,
        "late_with_apology": late_total & d.c.apology_at.is_not(None),
        "online_full": received & (d.c.channel == "online_full"),
        "rated": completed & d.c.rating.is_not(None),
        "satisfied": completed & (d.c.rating == "satisfied"),
    }[name]


def _feedback_condition(name: str, as_of: datetime, start: datetime | None):
    f = feedback
    start = start or datetime.min.replace(tzinfo=as_of.tzinfo)
    open_now = f.c.status.in_(("open", "processing")) & (f.c.received_at <= as_of)
    answered = (f.c.status == "answered") & (f.c.answered_at >= start) & (f.c.answered_at < as_of)
    return {
        "open": open_now,
        "overdue": open_now & (f.c.due_at < as_of),
        "answered": answered,
        "answered_on_time": answered & (f.c.due_at.is_(None) | (f.c.answered_at <= f.c.due_at)),
        "received": (f.c.received_at >= start) & (f.c.received_at < as_of),
    }[name]


class DossierLists:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        if name not in DOSSIER_FILTERS:
            raise FilterError(f"unknown filter {name!r}: use one of {', '.join(DOSSIER_FILTERS)}")
        d, p = dossiers, procedures
        where = and_(d.c.unit_key == unit, d.c.counted.is_(True), _condition(name, as_of, start))
        if procedure:
            where = and_(where, d.c.procedure_code == procedure)
        backlog = name in ("in_progress", "overdue", "overdue_no_apology")
        order = (d.c.due_original_at, d.c.id) if backlog else (d.c.received_at.desc(), d.c.id.desc())
        page = max(page, 1)
        statement = (
            select(d, p.c.name_vi.label("procedure_name_vi"), p.c.name_en.label("procedure_name_en"))
            .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
            .where(where)
            .order_by(*order)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(d).where(where)).scalar_one()
            rows = [dict(r) for r in conn.execute(statement).mappings()]
        return DossierPage(rows, total, page, page_size)

    def late_procedures(self, unit: str, as_of: datetime, start: datetime, limit: int = 10) -> list[dict[str, Any]]:
        """Which procedures make the unit late: completed late in the window plus overdue now, per procedure."""
        d, p = dossiers, procedures
        late = _condition("late", as_of, start) | _condition("overdue", as_of, start)
        statement = (
            select(d.c.procedure_code, p.c.name_vi, p.c.name_en, func.count().label("late"))
            .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
            .where(d.c.unit_key == unit, d.c.counted.is_(True), late)
            .group_by(d.c.procedure_code, p.c.name_vi, p.c.name_en)
            .order_by(func.count().desc(), d.c.procedure_code)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]

    def feedback_page(
        self, unit: str, name: str, as_of: datetime, start: datetime | None = None, page: int = 1, page_size: int = 50
    ) -> DossierPage:
        """A unit's feedback matching a filter (FEEDBACK_FILTERS), oldest due first for open ones."""
        if name not in FEEDBACK_FILTERS:
            raise FilterError(f"unknown filter {name!r}: use one of {', '.join(FEEDBACK_FILTERS)}")
        f = feedback
        where = and_(f.c.unit_key == unit, _feedback_condition(name, as_of, start))
        order = (f.c.due_at, f.c.id) if name in ("open", "overdue") else (f.c.received_at.desc(), f.c.id.desc())
        page = max(page, 1)
        statement = select(f).where(where).order_by(*order).limit(page_size).offset((page - 1) * page_size)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(f).where(where)).scalar_one()
            rows = [dict(r) for r in conn.execute(statement).mappings()]
        return DossierPage(rows, total, page, page_size)
