"""The rollups' counters recounted from raw rows over [start, end): for partial days, for the benchmark's
baseline and for tests that check the rollups against a recount. The rules are `dashboard.core.rules`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, case, func, select

from dashboard.core import rules
from dashboard.core.engines import dicts
from dashboard.core.vocabulary import ONLINE_CHANNELS, ONLINE_FULL, SATISFIED
from dashboard.store.schema import dossiers, feedback, procedures


def count_where(condition):
    """Σ 1 over the rows where `condition` holds (0 when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class RawCounts:
    """The same counters as the rollups, recounted from raw rows over [start, end)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _grouped(self, statement, unit: str | None, table: Table) -> list[dict[str, Any]]:
        if unit:
            statement = statement.where(table.c.unit_key == unit)
        with self.engine.connect() as conn:
            return dicts(conn.execute(statement.group_by(table.c.unit_key)))

    def _merged(self, statements, unit: str | None, table: Table) -> list[dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = defaultdict(dict)
        for statement in statements:
            for row in self._grouped(statement, unit, table):
                merged[row.pop("unit_key")].update(row)
        return [{"unit_key": key, **values} for key, values in merged.items()]

    def dossier_counters(self, start: datetime, end: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """Per unit: the roll_dossier_day counters used by KPIs (all but `closed`) for events in [start, end)."""
        d, p = dossiers, procedures
        counted = d.c.counted.is_(True)
        received = select(
            d.c.unit_key,
            func.count().label("received"),
            count_where(d.c.channel.in_(ONLINE_CHANNELS)).label("received_online"),
            count_where(d.c.channel == ONLINE_FULL).label("received_online_full"),
        ).where(counted, d.c.received_at >= start, d.c.received_at < end)
        after_due = rules.done_after_due_sql(d.c)
        completed = (
            select(
                d.c.unit_key,
                func.count().label("completed"),
                count_where(rules.on_time_sql(d.c)).label("completed_on_time"),
                count_where(after_due).label("completed_after_due"),
                count_where(after_due & d.c.apology_at.is_not(None)).label("completed_after_due_apology"),
                count_where(d.c.rating.is_not(None)).label("rated"),
                count_where(d.c.rating == SATISFIED).label("satisfied"),
                func.coalesce(func.sum(rules.dossier_statutory_days_sql(p.c, d.c)), 0).label("statutory_days"),
            )
            .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
            .where(counted, rules.done_sql(d.c), d.c.completed_at >= start, d.c.completed_at < end)
        )
        # (`closed` is left out: no KPI uses it, and no index covers when a withdrawal happened.)
        return self._merged((received, completed), unit, d)

    def processing(self, start: datetime, end: datetime, unit: str | None = None) -> list[tuple[str, int, int]]:
        """(unit_key, half_days, n) of dossiers completed in [start, end), as `RollupWriter.processing_histogram`."""
        d = dossiers
        statement = select(d.c.unit_key, d.c.processing_half_days.label("half_days"), func.count().label("n")).where(
            d.c.counted.is_(True),
            rules.done_sql(d.c),
            d.c.completed_at >= start,
            d.c.completed_at < end,
            d.c.processing_half_days.is_not(None),
        )
        if unit:
            statement = statement.where(d.c.unit_key == unit)
        with self.engine.connect() as conn:
            statement = statement.group_by(d.c.unit_key, d.c.processing_half_days)
            return [tuple(row) for row in conn.execute(statement)]

    def open_backlog(self, unit: str | None = None, received_after: datetime | None = None) -> list[dict[str, Any]]:
        """Open dossiers now, per unit, original due and apology flag (the shape of roll_open); only those
        received after an instant when `received_after` is given."""
        d = dossiers
        apology = d.c.apology_at.is_not(None)
        statement = select(
            d.c.unit_key, d.c.due_original_at.label("due_at"), apology.label("apology"), func.count().label("n")
        ).where(d.c.counted.is_(True), rules.open_sql(d.c))
        if received_after is not None:
            if not self._any_received_after(d, received_after):  # normally none: one indexed probe
                return []
            statement = statement.where(d.c.received_at > received_after)
        if unit:
            statement = statement.where(d.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(d.c.unit_key, d.c.due_original_at, apology)).mappings()
            return [{**r, "apology": bool(r["apology"])} for r in rows]

    def open_backlog_at(self, moment: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """The dossiers in progress at a past instant, in event time (`rules.open_at_sql`), in the shape of
        `open_backlog`: the apology flag is whether one had been issued by then."""
        d = dossiers
        apology = rules.apologised_by_sql(d.c, moment)
        statement = select(
            d.c.unit_key, d.c.due_original_at.label("due_at"), apology.label("apology"), func.count().label("n")
        ).where(d.c.counted.is_(True), rules.open_at_sql(d.c, moment))
        if unit:
            statement = statement.where(d.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(d.c.unit_key, d.c.due_original_at, apology)).mappings()
            return [{**r, "apology": bool(r["apology"])} for r in rows]

    def open_feedback_at(self, moment: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """Feedback open at a past instant, in event time, in the shape of `open_feedback`."""
        f = feedback
        statement = select(f.c.unit_key, f.c.due_at, func.count().label("n")).where(
            rules.open_feedback_at_sql(f.c, moment)
        )
        if unit:
            statement = statement.where(f.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(f.c.unit_key, f.c.due_at)).mappings()
            return [{**r, "due_at": r["due_at"] or rules.NO_DUE} for r in rows]

    def feedback_counters(self, start: datetime, end: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """Per unit: the roll_feedback_day counters for events in [start, end)."""
        f = feedback
        received = select(f.c.unit_key, func.count().label("received")).where(
            f.c.received_at >= start, f.c.received_at < end
        )
        answered = select(
            f.c.unit_key,
            func.count().label("answered"),
            count_where(rules.answered_on_time_sql(f.c)).label("answered_on_time"),
            count_where(f.c.rating.is_not(None)).label("rated"),
            count_where(f.c.rating == SATISFIED).label("satisfied"),
        ).where(rules.answered_sql(f.c), f.c.answered_at >= start, f.c.answered_at < end)
        return self._merged((received, answered), unit, f)

    def _any_received_after(self, table: Table, moment: datetime) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(table.c.id).where(table.c.received_at > moment).limit(1)).first() is not None

    def open_feedback(self, unit: str | None = None, received_after: datetime | None = None) -> list[dict[str, Any]]:
        """Open feedback per unit and due (the shape of roll_feedback_open)."""
        f = feedback
        statement = select(f.c.unit_key, f.c.due_at, func.count().label("n")).where(rules.open_feedback_sql(f.c))
        if received_after is not None:
            if not self._any_received_after(f, received_after):  # normally none: one indexed probe
                return []
            statement = statement.where(f.c.received_at > received_after)
        if unit:
            statement = statement.where(f.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(f.c.unit_key, f.c.due_at)).mappings()
            return [{**r, "due_at": r["due_at"] or rules.NO_DUE} for r in rows]
