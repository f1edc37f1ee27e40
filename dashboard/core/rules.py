"""Each rule of the figures written once, as a Python predicate over a stored row and, beside it, its SQL twin
over a table's columns (SQLAlchemy Core), so the rollups kept at ingest, the set-based rebuild, the recount
from raw rows and the drill-through lists all apply the same rule. `tests/core/test_rules.py` checks that each
pair agrees on the same hand-built rows, on SQLite and PostgreSQL.

A row is a mapping of the store's column names (`dashboard.store.schema`); `c` is a table's (or alias's)
column collection, e.g. `dossiers.c`. Instants are aware datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

from dashboard.core.clock import CITY_TZ
from dashboard.core.vocabulary import (
    AGEING_BUCKETS,
    ANSWERED,
    CLOSED_STATUSES,
    DONE_STATUSES,
    OPEN_FEEDBACK,
)

Row = Mapping[str, Any]
MAX_SUPPLEMENT_REQUESTS = 1  # on time allows at most one request for supplements (yêu cầu bổ sung)
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # stands for "no due date" where a due instant is a key
HOURS_PER_WORKING_DAY = 8  # a statutory time given in office hours, as working days


# --- dossiers ------------------------------------------------------------------------------------------
def is_done(row: Row) -> bool:
    """Completed or refused, with a completion time: it counts among the completed dossiers."""
    return row["status"] in DONE_STATUSES and row["completed_at"] is not None


def done_sql(c: Any) -> ColumnElement[bool]:
    return c.status.in_(DONE_STATUSES) & c.completed_at.is_not(None)


def is_on_time(row: Row) -> bool:
    """Done at or before the original due, with at most one supplement request (đúng hạn)."""
    return (
        is_done(row)
        and row["completed_at"] <= row["due_original_at"]
        and (row["supplement_requests"] or 0) <= MAX_SUPPLEMENT_REQUESTS
    )


def on_time_sql(c: Any) -> ColumnElement[bool]:
    return (
        done_sql(c)
        & (c.completed_at <= c.due_original_at)
        & (func.coalesce(c.supplement_requests, 0) <= MAX_SUPPLEMENT_REQUESTS)
    )


def is_done_after_due(row: Row) -> bool:
    """Done after the original due (the late dossiers an apology is owed for)."""
    return is_done(row) and row["completed_at"] > row["due_original_at"]


def done_after_due_sql(c: Any) -> ColumnElement[bool]:
    return done_sql(c) & (c.completed_at > c.due_original_at)


def is_open(row: Row) -> bool:
    """Not closed: still in progress (processing, awaiting a supplement, paused)."""
    return row["status"] not in CLOSED_STATUSES


def open_sql(c: Any) -> ColumnElement[bool]:
    """status NOT IN (the closed statuses), the values written out in the SQL: a planner uses the partial index
    on open dossiers only for a query that states its condition literally (bound values hide it)."""
    return c.status.not_in([literal_column(f"'{status}'") for status in CLOSED_STATUSES])


def is_overdue(row: Row, as_of: datetime) -> bool:
    """Open at `as_of` and past its original due (quá hạn)."""
    return is_open(row) and row["received_at"] <= as_of and row["due_original_at"] < as_of


def overdue_sql(c: Any, as_of: datetime) -> ColumnElement[bool]:
    return open_sql(c) & (c.received_at <= as_of) & (c.due_original_at < as_of)


def due_soon_sql(c: Any, as_of: datetime, due_soon_until: datetime) -> ColumnElement[bool]:
    """Open at `as_of` with its original due in [as_of, due_soon_until]: `ageing_bucket`'s due_soon, as a range an
    index on (unit, due) seeks to."""
    return open_sql(c) & (c.received_at <= as_of) & (c.due_original_at >= as_of) & (c.due_original_at <= due_soon_until)


def closed_at(row: Row) -> datetime | None:
    """When a closed dossier closed: its completion time, else (withdrawn, cancelled) its last update."""
    if row["status"] not in CLOSED_STATUSES:
        return None
    return row["completed_at"] or row["source_updated_at"] or row["received_at"]


def closed_at_sql(c: Any) -> ColumnElement[Any]:
    """The same instant for a closed row (NULL-free: callers filter on the closed statuses)."""
    return func.coalesce(c.completed_at, c.source_updated_at, c.received_at)


def is_open_at(row: Row, moment: datetime) -> bool:
    """In progress at a past instant, in event time: received by then, and open now or closed after it."""
    if row["received_at"] > moment:
        return False
    closed = closed_at(row)
    return closed is None or closed > moment


def open_at_sql(c: Any, moment: datetime) -> ColumnElement[bool]:
    return (c.received_at <= moment) & (open_sql(c) | (closed_at_sql(c) > moment))


def apologised_by(row: Row, moment: datetime) -> bool:
    """An apology (phiếu xin lỗi) had been issued by `moment`."""
    return row["apology_at"] is not None and row["apology_at"] <= moment


def apologised_by_sql(c: Any, moment: datetime) -> ColumnElement[bool]:
    return c.apology_at.is_not(None) & (c.apology_at <= moment)


def statutory_days(statutory_time: float, statutory_unit: str) -> float:
    """A procedure's statutory time in working days: hours count as eighths of a day."""
    return statutory_time / HOURS_PER_WORKING_DAY if statutory_unit == "hour" else statutory_time


def statutory_days_sql(p: Any) -> ColumnElement[float]:
    return case(
        (p.statutory_unit == "hour", p.statutory_time / HOURS_PER_WORKING_DAY),
        else_=p.statutory_time,
    )


def dossier_statutory_days(catalogue_days: float | None, source_days: float | None) -> float:
    """A dossier's statutory time in working days: its procedure's, from the catalogue; for a procedure the
    catalogue does not list (accepted by the profile: `procedure_listed` false), the time its source's own
    original due implies (`statutory_days_source`); else 0."""
    if catalogue_days is not None:
        return catalogue_days
    return source_days if source_days is not None else 0.0


def dossier_statutory_days_sql(p: Any, d: Any) -> ColumnElement[float]:
    """`dossier_statutory_days` over dossiers `d` outer-joined to the catalogue `p`."""
    return func.coalesce(statutory_days_sql(p), d.statutory_days_source, 0.0)


def ageing_bucket(
    due: datetime, as_of: datetime, due_soon_until: datetime, late_1_5_from: datetime, late_6_20_from: datetime
) -> str:
    """An open dossier's bucket by its original due: not_due, due_soon (as_of ≤ due ≤ due_soon_until),
    overdue_1_5 (due ≥ late_1_5_from), overdue_6_20 (due ≥ late_6_20_from) or overdue_over_20."""
    if due >= as_of:
        return AGEING_BUCKETS[1] if due <= due_soon_until else AGEING_BUCKETS[0]
    if due >= late_1_5_from:
        return AGEING_BUCKETS[2]
    return AGEING_BUCKETS[3] if due >= late_6_20_from else AGEING_BUCKETS[4]


def ageing_bucket_sql(
    due: Any, as_of: datetime, due_soon_until: datetime, late_1_5_from: datetime, late_6_20_from: datetime
) -> ColumnElement[str]:
    return case(
        (due > due_soon_until, literal(AGEING_BUCKETS[0])),
        (due >= as_of, literal(AGEING_BUCKETS[1])),
        (due >= late_1_5_from, literal(AGEING_BUCKETS[2])),
        (due >= late_6_20_from, literal(AGEING_BUCKETS[3])),
        else_=literal(AGEING_BUCKETS[4]),
    )


# --- feedback ------------------------------------------------------------------------------------------
def is_answered(row: Row) -> bool:
    return row["status"] == ANSWERED and row["answered_at"] is not None


def answered_sql(c: Any) -> ColumnElement[bool]:
    return (c.status == ANSWERED) & c.answered_at.is_not(None)


def is_answered_on_time(row: Row) -> bool:
    """Answered, and by its due when it has one."""
    return is_answered(row) and (row["due_at"] is None or row["answered_at"] <= row["due_at"])


def answered_on_time_sql(c: Any) -> ColumnElement[bool]:
    return answered_sql(c) & (c.due_at.is_(None) | (c.answered_at <= c.due_at))


def is_open_feedback(row: Row) -> bool:
    return row["status"] in OPEN_FEEDBACK


def open_feedback_sql(c: Any) -> ColumnElement[bool]:
    return c.status.in_(OPEN_FEEDBACK)


def feedback_closed_at(row: Row) -> datetime | None:
    """When an item stopped being open: its answer, else (rejected, closed) its last update; None while open."""
    if is_open_feedback(row):
        return None
    return row["answered_at"] or row["source_updated_at"] or row["received_at"]


def feedback_closed_at_sql(c: Any) -> ColumnElement[Any]:
    return func.coalesce(c.answered_at, c.source_updated_at, c.received_at)


def is_open_feedback_at(row: Row, moment: datetime) -> bool:
    """Open at a past instant, in event time: received by then, and open now or closed after it."""
    if row["received_at"] > moment:
        return False
    closed = feedback_closed_at(row)
    return closed is None or closed > moment


def open_feedback_at_sql(c: Any, moment: datetime) -> ColumnElement[bool]:
    return (c.received_at <= moment) & (open_feedback_sql(c) | (feedback_closed_at_sql(c) > moment))


# --- days ----------------------------------------------------------------------------------------------
def local_day(moment: datetime) -> date:
    """The calendar day in Asia/Ho_Chi_Minh of an instant."""
    return moment.astimezone(CITY_TZ).date()


def local_day_sql(column: Any, dialect: str) -> ColumnElement[date]:
    if dialect == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", column))
    # SQLite stores UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'; date() would round it to the millisecond (16:59:59.9995
    # UTC becoming the next local day), so the fraction is cut off first. The city keeps UTC+7 all year.
    return func.date(func.substr(column, 1, 19), "+7 hours")


def week_of(day: date) -> date:
    """The Monday of `day`'s week (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def week_of_sql(day_column: Any, dialect: str) -> ColumnElement[date]:
    if dialect == "postgresql":
        return cast(func.date_trunc("week", day_column), Date)
    return func.date(day_column, "-6 days", "weekday 1")  # back six days, then forward to a Monday
