"""The store's rollups: applying contributions at ingest, rebuilding from raw rows, and the reads that the
KPIs use. Tables are in `schema.py`; what a row contributes is in `contributions.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, select, union_all

from dashboard.core import rules
from dashboard.core.workdays import WorkCalendar
from dashboard.store import contributions, rebuild, schema
from dashboard.store.contributions import Contribution
from dashboard.store.schema import (
    dossiers,
    feedback,
    procedures,
    roll_dossier_detail,
    roll_feedback_open,
    roll_open,
    roll_processing,
    roll_processing_week,
)

ROLLUP_TABLES: dict[str, Table] = {t.name: t for t in schema.ROLLUP_TABLES}


def week_split(first: date, last: date) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """Days first..last (inclusive) as (day ranges, week ranges): the whole Monday-to-Sunday weeks inside,
    given by their Mondays, and the days before and after them. Each range is (first, last), inclusive."""
    if last < first:
        return [], []
    monday = first + timedelta(days=-first.weekday() % 7)  # the first Monday on or after `first`
    after = last + timedelta(days=1)
    next_monday = after - timedelta(days=after.weekday())  # the Monday on or before the day after `last`
    if next_monday - monday < timedelta(days=7):
        return [(first, last)], []
    days = [r for r in ((first, monday - timedelta(days=1)), (next_monday, last)) if r[0] <= r[1]]
    return days, [(monday, next_monday - timedelta(days=7))]


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _counter_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if not c.primary_key]


class RollupWriter:
    """Keeps the rollup tables equal to a recount of the raw rows, delta by delta."""

    def __init__(
        self, engine: Engine, insert: Callable, begin: Callable[[], AbstractContextManager[Connection]]
    ) -> None:
        self.engine = engine
        self._insert = insert
        self._begin = begin  # the store's write transaction, fenced by the writer lease
        self._statutory: dict[str, float] | None = None

    def statutory_days(self, conn: Connection) -> dict[str, float]:
        """Each procedure's statutory time in working days (`rules.statutory_days`)."""
        if self._statutory is None:
            rows = conn.execute(select(procedures.c.code, procedures.c.statutory_time, procedures.c.statutory_unit))
            self._statutory = {code: rules.statutory_days(time, unit) for code, time, unit in rows}
        return self._statutory

    def forget_reference(self) -> None:
        self._statutory = None

    def contributions(self, conn: Connection, stream: str, rows: Iterable[dict[str, Any]]):
        if stream == "feedback":
            return [contributions.feedback_contribution(r) for r in rows]
        statutory = self.statutory_days(conn)
        return [
            contributions.dossier_contribution(
                r, rules.dossier_statutory_days(statutory.get(r["procedure_code"]), r.get("statutory_days_source"))
            )
            for r in rows
        ]

    def apply(self, conn: Connection, change: Contribution) -> None:
        """Add counters to rollup rows, creating them when missing; drop open-backlog rows that reach zero."""
        by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (name, key), counters in change.items():
            table = ROLLUP_TABLES[name]
            row = dict(zip(_key_columns(table), key, strict=True))
            for column in _counter_columns(table):
                amount = counters.get(column, 0)
                row[column] = amount if column == "statutory_days" else int(amount)
            by_table[name].append(row)
        for name, rows in by_table.items():
            table = ROLLUP_TABLES[name]
            statement = self._insert(table)
            updates = {c: table.c[c] + statement.excluded[c] for c in _counter_columns(table)}
            conn.execute(statement.on_conflict_do_update(index_elements=_key_columns(table), set_=updates), rows)
        for table in (roll_open, roll_feedback_open):
            if table.name in by_table:
                conn.execute(delete(table).where(table.c.n == 0))

    def rows_with_codes(self, conn: Connection, codes: list[str]) -> list[dict[str, Any]]:
        """Every source's rows of these dossier codes (liên thông copies included)."""
        result: list[dict[str, Any]] = []
        for start in range(0, len(codes), 5000):
            statement = select(dossiers).where(dossiers.c.native_code.in_(codes[start : start + 5000]))
            result.extend(dict(r) for r in conn.execute(statement).mappings())
        return result

    def feedback_rows(self, conn: Connection, source: str, ids: list[str]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for start in range(0, len(ids), 5000):
            statement = select(feedback).where(
                feedback.c.source == source, feedback.c.native_id.in_(ids[start : start + 5000])
            )
            result.extend(dict(r) for r in conn.execute(statement).mappings())
        return result

    def rebuild(self, calendar: WorkCalendar, progress: Callable[[int], None] | None = None) -> int:
        """Recompute processing times with `calendar` and every rollup from the raw rows (set-based SQL)."""
        self.forget_reference()
        return rebuild.rebuild(self.engine, calendar, progress, self._begin)

    # --- reads for metrics ---------------------------------------------------------------------------
    def _all(self, statement) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]

    def day_totals(self, table: Table, first: date, last: date, unit: str | None = None) -> list[dict[str, Any]]:
        """Per unit, the sums of a day table's counters over days first..last (inclusive)."""
        counters = [func.coalesce(func.sum(table.c[c]), 0).label(c) for c in _counter_columns(table)]
        statement = select(table.c.unit_key, *counters).where(table.c.day >= first, table.c.day <= last)
        if unit:
            statement = statement.where(table.c.unit_key == unit)
        return self._all(statement.group_by(table.c.unit_key))

    def processing_histogram(self, first: date, last: date, unit: str | None = None) -> list[tuple[str, int, int]]:
        """Per unit and processing time (half-days), dossiers completed over days first..last: whole weeks
        from roll_processing_week, the days before and after them from roll_processing, summed in one query."""
        days, weeks = week_split(first, last)
        parts = []
        for t, column, spans in ((roll_processing, "day", days), (roll_processing_week, "week", weeks)):
            for start, end in spans:
                part = select(t.c.unit_key, t.c.half_days, t.c.n).where(t.c[column] >= start, t.c[column] <= end)
                parts.append(part.where(t.c.unit_key == unit) if unit else part)
        if not parts:
            return []
        bins = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
        statement = select(bins.c.unit_key, bins.c.half_days, func.sum(bins.c.n)).group_by(
            bins.c.unit_key, bins.c.half_days
        )
        with self.engine.connect() as conn:  # thousands of small rows: (unit_key, half_days, n) tuples
            return [tuple(row) for row in conn.execute(statement)]

    def open_backlog(
        self, unit: str | None = None, due_from: datetime | None = None, due_before: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Open dossiers per unit, original due instant and apology flag; only dues in [due_from, due_before)
        when given."""
        statement = select(roll_open).where(roll_open.c.n != 0)
        if due_from is not None:
            statement = statement.where(roll_open.c.due_at >= due_from)
        if due_before is not None:
            statement = statement.where(roll_open.c.due_at < due_before)
        if unit:
            statement = statement.where(roll_open.c.unit_key == unit)
        return self._all(statement)

    def open_backlog_bucketed(
        self,
        as_of: datetime,
        soon_until: datetime,
        late_1_5_from: datetime,
        late_6_20_from: datetime,
        unit: str | None = None,
    ) -> list[dict[str, Any]]:
        """The open backlog in the shape of `open_backlog`, one row per unit, apology flag and ageing bucket
        between the given cutoffs (`rules.ageing_bucket`), its earliest due instant standing for the bucket: the
        ageing metrics give the same result from these few rows as from every due instant, because buckets never
        straddle a cutoff."""
        t = roll_open
        due = t.c.due_at
        bucket = rules.ageing_bucket_sql(due, as_of, soon_until, late_1_5_from, late_6_20_from)
        statement = select(t.c.unit_key, func.min(due).label("due_at"), t.c.apology, func.sum(t.c.n).label("n"))
        if unit:
            statement = statement.where(t.c.unit_key == unit)
        return self._all(statement.group_by(t.c.unit_key, t.c.apology, bucket))

    def open_feedback(self, as_of: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """Open feedback in the shape of `RawCounts.open_feedback`, one row per unit and side of `as_of` (its
        earliest due instant standing for the side): `metrics.open_feedback` gives the same result."""
        t = roll_feedback_open
        statement = select(t.c.unit_key, func.min(t.c.due_at).label("due_at"), func.sum(t.c.n).label("n"))
        if unit:
            statement = statement.where(t.c.unit_key == unit)
        return self._all(statement.group_by(t.c.unit_key, t.c.due_at < as_of))

    def detail_totals(self, unit: str, first: date, last: date) -> list[dict[str, Any]]:
        """Per procedure and channel for one unit: received, completed, on time over days first..last."""
        t = roll_dossier_detail
        statement = (
            select(
                t.c.procedure_code,
                t.c.channel,
                func.sum(t.c.received).label("received"),
                func.sum(t.c.completed).label("completed"),
                func.sum(t.c.completed_on_time).label("completed_on_time"),
            )
            .where(t.c.unit_key == unit, t.c.day >= first, t.c.day <= last)
            .group_by(t.c.procedure_code, t.c.channel)
        )
        return self._all(statement)
