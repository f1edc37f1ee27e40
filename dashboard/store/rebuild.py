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
        _dossier_day(conn, dialect)
        _dossier_detail(conn, dialect)
        _processing_and_open(conn, dialect)
        _feedback(conn, dialect)
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


def _dossier_day(conn: Connection, dialect: str) -> None:
    d, p = dossiers, procedures
    counted = d.c.counted.is_(True)
    zero = literal(0)
    statutory = rules.statutory_days_sql(p.c)
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
            "statutory_days": func.coalesce(statutory, 0.0),
        },
        rules.done_sql(d.c),
        d.outerjoin(p, p.c.code == d.c.procedure_code),
    )
    closed_at = rules.closed_at_sql(d.c)
    closed = part(local_day(closed_at, dialect), {"closed": literal(1)}, ~rules.open_sql(d.c))
    events = union_all(received, completed, closed).subquery()
    sums = [func.sum(events.c[n]) for n in [*names, "statutory_days"]]
    conn.execute(
        insert(roll_dossier_day).from_select(
            ["unit_key", "day", *names, "statutory_days"],
            select(events.c.unit_key, events.c.day, *sums).group_by(events.c.unit_key, events.c.day),
        )
    )


def _dossier_detail(conn: Connection, dialect: str) -> None:
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
    conn.execute(
        insert(roll_dossier_detail).from_select(
            ["unit_key", "day", "procedure_code", "channel", "received", "completed", "completed_on_time"],
            select(*group, func.sum(e.c.received), func.sum(e.c.completed), func.sum(e.c.completed_on_time)).group_by(
                *group
            ),
        )
    )


def _processing_and_open(conn: Connection, dialect: str) -> None:
    d = dossiers
    counted = d.c.counted.is_(True)
    day = local_day(d.c.completed_at, dialect)
    conn.execute(
        insert(roll_processing).from_select(
            ["unit_key", "day", "half_days", "n"],
            select(d.c.unit_key, day, d.c.processing_half_days, func.count())
            .where(counted, rules.done_sql(d.c), d.c.processing_half_days.is_not(None))
            .group_by(d.c.unit_key, day, d.c.processing_half_days),
        )
    )
    r = roll_processing
    week = week_start(r.c.day, dialect)
    conn.execute(
        insert(roll_processing_week).from_select(
            ["unit_key", "week", "half_days", "n"],
            select(r.c.unit_key, week, r.c.half_days, func.sum(r.c.n)).group_by(r.c.unit_key, week, r.c.half_days),
        )
    )
    apology = d.c.apology_at.is_not(None)
    conn.execute(
        insert(roll_open).from_select(
            ["unit_key", "due_at", "apology", "n"],
            select(d.c.unit_key, d.c.due_original_at, apology, func.count())
            .where(counted, rules.open_sql(d.c))
            .group_by(d.c.unit_key, d.c.due_original_at, apology),
        )
    )


def _feedback(conn: Connection, dialect: str) -> None:
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
    conn.execute(
        insert(roll_feedback_day).from_select(
            ["unit_key", "day", *names],
            select(e.c.unit_key, e.c.day, *[func.sum(e.c[n]) for n in names]).group_by(e.c.unit_key, e.c.day),
        )
    )
    due = func.coalesce(f.c.due_at, literal(rules.NO_DUE, type_=f.c.due_at.type))
    conn.execute(
        insert(roll_feedback_open).from_select(
            ["unit_key", "due_at", "n"],
            select(f.c.unit_key, due, func.count()).where(rules.open_feedback_sql(f.c)).group_by(f.c.unit_key, due),
        )
    )
