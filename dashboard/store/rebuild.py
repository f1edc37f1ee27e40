"""Rebuilding every rollup from the raw rows with set-based SQL (`python -m dashboard rebuild-rollups`),
after recomputing processing times with the current calendar. The rules are `dashboard.core.rules`'s SQL
twins of what `contributions.py` applies per row; tests check that a rebuild equals the rollups kept at ingest."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from dashboard.core import rules
from dashboard.core.rules import local_day_sql as local_day
from dashboard.core.rules import week_of_sql as week_start
from dashboard.core.vocabulary import ONLINE_CHANNELS, ONLINE_FULL, SATISFIED
from dashboard.core.workdays import WorkCalendar
from dashboard.store.schema import (
    ROLLUP_TABLES,
    dossiers,
    feedback,
    procedures,
    roll_dossier_day,
    roll_dossier_detail,
    roll_feedback_day,
    roll_feedback_open,
    roll_open,
    roll_processing,
    roll_processing_week,
)


def _flag(condition):
    return case((condition, 1), else_=0)


def recompute_processing(
    conn: Connection, calendar: WorkCalendar, chunk: int = 200_000, progress: Callable[[int], None] | None = None
) -> int:
    """Set processing_half_days on every completed or refused dossier with `calendar`; returns rows changed."""
    d, last_id, changed = dossiers, 0, 0
    while True:
        rows = conn.execute(
            select(d.c.id, d.c.received_at, d.c.completed_at, d.c.processing_half_days)
            .where(d.c.id > last_id, rules.done_sql(d.c))
            .order_by(d.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return changed
        ids = np.array([r[0] for r in rows])
        received = np.array([int(r[1].timestamp()) for r in rows])
        completed = np.array([int(r[2].timestamp()) for r in rows])
        old = np.array([r[3] if r[3] is not None else -1 for r in rows])
        new = calendar.processing_half_days_many(received, completed)
        diff = np.nonzero(new != old)[0]
        if len(diff):
            conn.execute(
                update(d).where(d.c.id == bindparam("row_id")).values(processing_half_days=bindparam("value")),
                [{"row_id": int(ids[i]), "value": int(new[i])} for i in diff],
            )
        changed += len(diff)
        last_id = int(ids[-1])
        if progress:
            progress(len(rows))


def rebuild(
    engine: Engine,
    calendar: WorkCalendar,
    progress: Callable[[int], None] | None = None,
    begin: Callable[[], AbstractContextManager[Connection]] | None = None,
) -> int:
    """Recompute processing times, then every rollup table from the raw rows, in one transaction opened by
    `begin` (the store's fenced write transaction); returns dossiers + feedback."""
    with (begin or engine.begin)() as conn:
        recompute_processing(conn, calendar, progress=progress)
        dialect = engine.dialect.name
        for table in ROLLUP_TABLES:
            conn.execute(delete(table))
        for table, (names, query) in recounts(dialect).items():
            conn.execute(insert(table).from_select(names, query))
        total = (
            conn.execute(select(func.count()).select_from(dossiers)).scalar_one()
            + conn.execute(select(func.count()).select_from(feedback)).scalar_one()
        )
    if engine.dialect.name == "postgresql":
        vacuum_analyze(engine, ROLLUP_TABLES)
    return total


def vacuum_analyze(engine: Engine, tables) -> None:
    """PostgreSQL, after rewriting whole tables: fresh statistics for the planner, and a visibility map so that
    the covering indexes are read alone (at 10 million dossiers: the histogram read 43 → 10 ms)."""
    preparer = engine.dialect.identifier_preparer
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(preparer.format_table(t) for t in tables))


def recounts(dialect: str) -> dict[Table, tuple[list[str], Select]]:
    """Per rollup table, in the order a rebuild fills them: its columns and the SELECT that recounts its rows
    from the raw rows (the rebuild inserts them; `verify` compares them with what ingest kept)."""
    return {
        roll_dossier_day: _dossier_day(dialect),
        roll_dossier_detail: _dossier_detail(dialect),
        roll_processing: _processing(dialect),
        roll_processing_week: _processing_week(dialect),
        roll_open: _open(),
        roll_feedback_day: _feedback_day(dialect),
        roll_feedback_open: _feedback_open(),
    }


def _dossier_day(dialect: str) -> tuple[list[str], Select]:
    d, p = dossiers, procedures
    counted = d.c.counted.is_(True)
    zero = literal(0)
    statutory = rules.dossier_statutory_days_sql(p.c, d.c)
    on_time = rules.on_time_sql(d.c)
    after_due = rules.done_after_due_sql(d.c)
    names = [
        "received",
        "received_online",
        "received_online_full",
        "completed",
        "completed_on_time",
        "completed_after_due",
        "completed_after_due_apology",
        "rated",
        "satisfied",
        "closed",
    ]

    def part(day, values: dict, where, source=d):
        columns = [d.c.unit_key.label("unit_key"), day.label("day")]
        columns += [values.get(n, zero).label(n) for n in names]
        columns.append(values.get("statutory_days", literal(0.0)).label("statutory_days"))
        return select(*columns).select_from(source).where(counted, where)

    received = part(
        local_day(d.c.received_at, dialect),
        {
            "received": literal(1),
            "received_online": _flag(d.c.channel.in_(ONLINE_CHANNELS)),
            "received_online_full": _flag(d.c.channel == ONLINE_FULL),
        },
        literal(True),
    )
    completed = part(
        local_day(d.c.completed_at, dialect),
        {
            "completed": literal(1),
            "completed_on_time": _flag(on_time),
            "completed_after_due": _flag(after_due),
            "completed_after_due_apology": _flag(after_due & d.c.apology_at.is_not(None)),
            "rated": _flag(d.c.rating.is_not(None)),
            "satisfied": _flag(d.c.rating == SATISFIED),
            "statutory_days": statutory,
        },
        rules.done_sql(d.c),
        d.outerjoin(p, p.c.code == d.c.procedure_code),
    )
    closed_at = rules.closed_at_sql(d.c)
    closed = part(local_day(closed_at, dialect), {"closed": literal(1)}, ~rules.open_sql(d.c))
    events = union_all(received, completed, closed).subquery()
    sums = [func.sum(events.c[n]) for n in [*names, "statutory_days"]]
    query = select(events.c.unit_key, events.c.day, *sums).group_by(events.c.unit_key, events.c.day)
    return ["unit_key", "day", *names, "statutory_days"], query


def _dossier_detail(dialect: str) -> tuple[list[str], Select]:
    d = dossiers
    counted = d.c.counted.is_(True)
    on_time = rules.on_time_sql(d.c)
    keys = [d.c.unit_key, d.c.procedure_code, d.c.channel]
    received = select(
        *keys,
        local_day(d.c.received_at, dialect).label("day"),
        literal(1).label("received"),
        literal(0).label("completed"),
        literal(0).label("completed_on_time"),
    ).where(counted)
    completed = select(
        *keys,
        local_day(d.c.completed_at, dialect).label("day"),
        literal(0).label("received"),
        literal(1).label("completed"),
        _flag(on_time).label("completed_on_time"),
    ).where(counted, rules.done_sql(d.c))
    e = union_all(received, completed).subquery()
    group = [e.c.unit_key, e.c.day, e.c.procedure_code, e.c.channel]
    sums = [func.sum(e.c.received), func.sum(e.c.completed), func.sum(e.c.completed_on_time)]
    names = ["unit_key", "day", "procedure_code", "channel", "received", "completed", "completed_on_time"]
    return names, select(*group, *sums).group_by(*group)


def _processing_histogram(period) -> Select:
    d = dossiers
    where = (d.c.counted.is_(True), rules.done_sql(d.c), d.c.processing_half_days.is_not(None))
    return (
        select(d.c.unit_key, period, d.c.processing_half_days, func.count())
        .where(*where)
        .group_by(d.c.unit_key, period, d.c.processing_half_days)
    )


def _processing(dialect: str) -> tuple[list[str], Select]:
    return ["unit_key", "day", "half_days", "n"], _processing_histogram(local_day(dossiers.c.completed_at, dialect))


def _processing_week(dialect: str) -> tuple[list[str], Select]:
    week = week_start(local_day(dossiers.c.completed_at, dialect), dialect)
    return ["unit_key", "week", "half_days", "n"], _processing_histogram(week)


def _open() -> tuple[list[str], Select]:
    d = dossiers
    apology = d.c.apology_at.is_not(None)
    query = (
        select(d.c.unit_key, d.c.due_original_at, apology, func.count())
        .where(d.c.counted.is_(True), rules.open_sql(d.c))
        .group_by(d.c.unit_key, d.c.due_original_at, apology)
    )
    return ["unit_key", "due_at", "apology", "n"], query


def _feedback_day(dialect: str) -> tuple[list[str], Select]:
    f = feedback
    zero = literal(0)
    received = select(
        f.c.unit_key,
        local_day(f.c.received_at, dialect).label("day"),
        literal(1).label("received"),
        zero.label("answered"),
        zero.label("answered_on_time"),
        zero.label("rated"),
        zero.label("satisfied"),
    )
    answered = select(
        f.c.unit_key,
        local_day(f.c.answered_at, dialect).label("day"),
        zero.label("received"),
        literal(1).label("answered"),
        _flag(rules.answered_on_time_sql(f.c)).label("answered_on_time"),
        _flag(f.c.rating.is_not(None)).label("rated"),
        _flag(f.c.rating == SATISFIED).label("satisfied"),
    ).where(rules.answered_sql(f.c))
    e = union_all(received, answered).subquery()
    names = ["received", "answered", "answered_on_time", "rated", "satisfied"]
    query = select(e.c.unit_key, e.c.day, *[func.sum(e.c[n]) for n in names]).group_by(e.c.unit_key, e.c.day)
    return ["unit_key", "day", *names], query


def _feedback_open() -> tuple[list[str], Select]:
    f = feedback
    due = func.coalesce(f.c.due_at, literal(rules.NO_DUE, type_=f.c.due_at.type))
    query = select(f.c.unit_key, due, func.count()).where(rules.open_feedback_sql(f.c)).group_by(f.c.unit_key, due)
    return ["unit_key", "due_at", "n"], query
