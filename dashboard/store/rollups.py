"""The store's rollup half: applying contributions at ingest, rebuilding from raw rows, and the reads that
metrics use. Tables are in `dashboard/schema.py`; what a row contributes is in `dashboard/rollups.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, case, delete, func, select, union_all

from dashboard.core.workdays import WorkCalendar
from dashboard.store import contributions as rollups
from dashboard.store import rebuild as store_rebuild
from dashboard.store import schema
from dashboard.store.schema import (
    CLOSED_STATUSES,
    ONLINE_CHANNELS,
    dossiers,
    feedback,
    procedures,
    roll_dossier_day,
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

    def __init__(self, engine: Engine, insert: Callable) -> None:
        self.engine = engine
        self._insert = insert
        self._statutory: dict[str, float] | None = None

    def statutory_days(self, conn: Connection) -> dict[str, float]:
        """Each procedure's statutory time in working days (hours count as eighths of a day)."""
        if self._statutory is None:
            rows = conn.execute(select(procedures.c.code, procedures.c.statutory_time, procedures.c.statutory_unit))
            self._statutory = {code: t / 8 if unit == "hour" else t for code, t, unit in rows}
        return self._statutory

    def forget_reference(self) -> None:
        self._statutory = None

    def contributions(self, conn: Connection, stream: str, rows: Iterable[dict[str, Any]]):
        if stream == "feedback":
            return [rollups.feedback_contribution(r) for r in rows]
        statutory = self.statutory_days(conn)
        return [rollups.dossier_contribution(r, statutory.get(r["procedure_code"], 0.0)) for r in rows]

    def apply(self, conn: Connection, change: rollups.Contribution) -> None:
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
        return store_rebuild.rebuild(self.engine, calendar, progress)

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
        between the given cutoffs (`metrics.AgeingCutoffs`), its earliest due instant standing for the bucket:
        `metrics.backlog` gives the same result from these few rows as from every due instant, because
        buckets never straddle a cutoff."""
        t = roll_open
        due = t.c.due_at
        bucket = case(
            (due > soon_until, 0),
            (due >= as_of, 1),
            (due >= late_1_5_from, 2),
            (due >= late_6_20_from, 3),
            else_=4,
        )
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


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class RawCounts:
    """The same counters as the rollups, recounted from raw rows over [start, end): for partial days, for the
    benchmark's baseline and for tests that check rollups against a recount."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _grouped(self, statement, unit: str | None, table: Table) -> list[dict[str, Any]]:
        if unit:
            statement = statement.where(table.c.unit_key == unit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement.group_by(table.c.unit_key)).mappings()]

    def dossier_counters(self, start: datetime, end: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        """Per unit: the roll_dossier_day counters used by KPIs (all but `closed`) for events in [start, end)."""
        d = dossiers
        counted = d.c.counted.is_(True)
        received = select(
            d.c.unit_key,
            func.count().label("received"),
            _count(d.c.channel.in_(ONLINE_CHANNELS)).label("received_online"),
            _count(d.c.channel == "online_full").label("received_online_full"),
        ).where(counted, d.c.received_at >= start, d.c.received_at < end)
        on_time = (d.c.completed_at <= d.c.due_original_at) & (d.c.supplement_requests <= 1)
        p = procedures
        statutory = case((p.c.statutory_unit == "hour", p.c.statutory_time / 8), else_=p.c.statutory_time)
        after_due = d.c.completed_at > d.c.due_original_at
        completed = (
            select(
                d.c.unit_key,
                func.count().label("completed"),
                _count(on_time).label("completed_on_time"),
                _count(after_due).label("completed_after_due"),
                _count(after_due & d.c.apology_at.is_not(None)).label("completed_after_due_apology"),
                _count(d.c.rating.is_not(None)).label("rated"),
                _count(d.c.rating == "satisfied").label("satisfied"),
                func.coalesce(func.sum(statutory), 0).label("statutory_days"),
            )
            .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
            .where(counted, d.c.status.in_(rollups.DONE_STATUSES), d.c.completed_at >= start, d.c.completed_at < end)
        )
        # (`closed` is left out: no KPI uses it, and no index covers when a withdrawal happened.)
        merged: dict[str, dict[str, Any]] = defaultdict(dict)
        for statement in (received, completed):
            for row in self._grouped(statement, unit, d):
                merged[row.pop("unit_key")].update(row)
        return [{"unit_key": key, **values} for key, values in merged.items()]

    def processing(self, start: datetime, end: datetime, unit: str | None = None) -> list[tuple[str, int, int]]:
        """(unit_key, half_days, n) of dossiers completed in [start, end), as `RollupWriter.processing_histogram`."""
        d = dossiers
        statement = select(d.c.unit_key, d.c.processing_half_days.label("half_days"), func.count().label("n")).where(
            d.c.counted.is_(True),
            d.c.status.in_(rollups.DONE_STATUSES),
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
        ).where(d.c.counted.is_(True), d.c.status.not_in(CLOSED_STATUSES))
        if received_after is not None:
            if not self._any_received_after(d, received_after):  # normally none: one indexed probe
                return []
            statement = statement.where(d.c.received_at > received_after)
        if unit:
            statement = statement.where(d.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(d.c.unit_key, d.c.due_original_at, apology)).mappings()
            return [{**r, "apology": bool(r["apology"])} for r in rows]

    def feedback_counters(self, start: datetime, end: datetime, unit: str | None = None) -> list[dict[str, Any]]:
        f = feedback
        received = select(f.c.unit_key, func.count().label("received")).where(
            f.c.received_at >= start, f.c.received_at < end
        )
        on_time = f.c.due_at.is_(None) | (f.c.answered_at <= f.c.due_at)
        answered = select(
            f.c.unit_key,
            func.count().label("answered"),
            _count(on_time).label("answered_on_time"),
            _count(f.c.rating.is_not(None)).label("rated"),
            _count(f.c.rating == "satisfied").label("satisfied"),
        ).where(f.c.status == "answered", f.c.answered_at >= start, f.c.answered_at < end)
        merged: dict[str, dict[str, Any]] = defaultdict(dict)
        for statement in (received, answered):
            for row in self._grouped(statement, unit, f):
                merged[row.pop("unit_key")].update(row)
        return [{"unit_key": key, **values} for key, values in merged.items()]

    def _any_received_after(self, table: Table, moment: datetime) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(table.c.id).where(table.c.received_at > moment).limit(1)).first() is not None

    def open_feedback(self, unit: str | None = None, received_after: datetime | None = None) -> list[dict[str, Any]]:
        f = feedback
        statement = select(f.c.unit_key, f.c.due_at, func.count().label("n")).where(
            f.c.status.in_(rollups.OPEN_FEEDBACK)
        )
        if received_after is not None:
            if not self._any_received_after(f, received_after):  # normally none: one indexed probe
                return []
            statement = statement.where(f.c.received_at > received_after)
        if unit:
            statement = statement.where(f.c.unit_key == unit)
        with self.engine.connect() as conn:
            rows = conn.execute(statement.group_by(f.c.unit_key, f.c.due_at)).mappings()
            return [{**r, "due_at": r["due_at"] or rollups.NO_DUE} for r in rows]


class Series:
    """Per-day series and points for charts and maps (reads only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def unit_days(self, unit: str, first: date, last: date) -> tuple[int, list[dict[str, Any]]]:
        """(dossiers in progress at the start of `first`, and per day first..last: received, completed, closed and
        in progress at the end of the day); in progress = cumulative received − cumulative closed."""
        t = roll_dossier_day
        opening = select(func.coalesce(func.sum(t.c.received - t.c.closed), 0)).where(
            t.c.unit_key == unit, t.c.day < first
        )
        days = (
            select(t.c.day, t.c.received, t.c.completed, t.c.closed)
            .where(t.c.unit_key == unit, t.c.day >= first, t.c.day <= last)
            .order_by(t.c.day)
        )
        with self.engine.connect() as conn:
            backlog = int(conn.execute(opening).scalar_one())
            by_day = {r["day"]: dict(r) for r in conn.execute(days).mappings()}
        start_backlog, series, day = backlog, [], first
        while day <= last:
            row = by_day.get(day, {"received": 0, "completed": 0, "closed": 0})
            backlog += row["received"] - row["closed"]
            series.append(
                {
                    "day": day,
                    "received": row["received"],
                    "completed": row["completed"],
                    "closed": row["closed"],
                    "in_progress": backlog,
                }
            )
            day += timedelta(days=1)
        return start_backlog, series

    def feedback_points(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Feedback received in [since, until) that has coordinates: unit, category, channel, status, lat, lon."""
        f = feedback
        statement = (
            select(f.c.unit_key, f.c.category, f.c.channel, f.c.status, f.c.lat, f.c.lon, f.c.received_at)
            .where(f.c.received_at >= since, f.c.received_at < until, f.c.lat.is_not(None), f.c.lon.is_not(None))
            .order_by(f.c.received_at)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]
