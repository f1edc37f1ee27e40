"""The store's rollups: applying contributions at ingest, rebuilding from raw rows, and the reads that the
KPIs use. Tables are in `schema.py`; what a row contributes is in `contributions.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    any_,
    bindparam,
    delete,
    func,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from dashboard.core import rules
from dashboard.core.engines import dicts
from dashboard.core.errors import StoreError
from dashboard.core.sqltypes import UTCDateTime
from dashboard.core.workdays import WorkCalendar
from dashboard.store import contributions, rebuild, schema
from dashboard.store.contributions import Contribution, Count
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


def upsert_many(
    conn: Connection,
    insert: Callable,
    table: Table,
    keys: list[str],
    rows: list[dict[str, Any]],
    add: Iterable[str] = (),
    unique: bool = False,
    fresh: bool = False,
) -> None:
    """Insert rows (all with the same columns), or update them on `keys`: each given column set to the row's
    value, or for the columns in `add` increased by it (`unique`: the caller knows no two rows share their keys;
    `fresh`: nor is any of them stored, so a plain insert). Values go through the columns' own bind processing,
    so what is stored is what SQLAlchemy's executemany stores, but straight to the driver: SQLite's executemany;
    psycopg's COPY into a staging table, then one INSERT … SELECT … ON CONFLICT in the rows' order (fresh rows:
    COPY into the table itself)."""
    if not rows:
        return
    given, added, unique = list(rows[0]), set(add), unique or fresh
    defaults = {c.name: c.default for c in table.columns if c.name not in given and c.default is not None}
    scalar = {name: d.arg for name, d in defaults.items() if isinstance(d, ScalarElementColumnDefault)}
    updated = [name for name in given if name not in keys and name != "id"]
    statement = insert(table) if fresh else _on_conflict(insert(table), table, keys, updated, added)
    dialect = conn.dialect
    if (
        not driver_takes_rows(dialect)
        or len(scalar) < len(defaults)  # a default computed per row: SQLAlchemy's to run
        or any(r.keys() != rows[0].keys() for r in rows)
        or not (unique or len({tuple(r[k] for k in keys) for r in rows}) == len(rows))  # nor a row twice in one
    ):
        conn.execute(statement, rows)
        return
    names = given + list(scalar)
    columns = [[r[name] for r in rows] for name in given] + [[value] * len(rows) for value in scalar.values()]
    for i, name in enumerate(names):
        kind = table.c[name].type
        process = (
            kind.bulk_bind_processor(dialect)
            if isinstance(kind, UTCDateTime)
            else kind.dialect_impl(dialect).bind_processor(dialect)
        )
        if process is not None:
            columns[i] = [process(value) for value in columns[i]]
    if dialect.name == "sqlite":
        compiled = statement.compile(dialect=dialect, column_keys=names)
        order = [names.index(name) for name in compiled.positiontup or []]
        if sorted(order) != list(range(len(names))):
            raise StoreError(f"unexpected parameters of the bulk upsert into {table.name}: {compiled.positiontup}")
        conn.exec_driver_sql(str(compiled), list(zip(*(columns[i] for i in order), strict=True)))
        return
    if fresh:
        _copy(conn, table, names, columns)
    else:
        _copy_merge(conn, insert, table, keys, names, columns, updated, added)


def driver_takes_rows(dialect: Any) -> bool:
    """Whether `upsert_many` hands rows to the driver itself (SQLite, psycopg), else to SQLAlchemy's executemany."""
    return dialect.name == "sqlite" or (dialect.name == "postgresql" and dialect.driver == "psycopg")


def _copy_merge(
    conn: Connection,
    insert: Callable,
    table: Table,
    keys: list[str],
    names: list[str],
    columns: list[list[Any]],
    updated: list[str],
    added: set[str],
) -> None:
    """PostgreSQL: the rows COPYed into a temporary table like `table`, then merged into it in one statement."""
    staging = Table(
        f"{table.name}_staging",
        MetaData(),
        Column("ordinal", Integer),
        *(Column(name, table.c[name].type) for name in names),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    staging.create(conn)
    _copy(conn, staging, ["ordinal", *names], [list(range(len(columns[0]))), *columns])
    rows = select(*(staging.c[name] for name in names)).order_by(staging.c.ordinal)
    conn.execute(_on_conflict(insert(table).from_select(names, rows), table, keys, updated, added))
    staging.drop(conn)


def _copy(conn: Connection, table: Table, names: list[str], columns: list[list[Any]]) -> None:
    """PostgreSQL: the rows (given column by column, bind-processed) COPYed into `table`, in their order — in
    COPY's binary format (several times faster to encode) when every value is of a class the column's binary
    form takes as it is (`BINARY_CLASSES`), else in its text format."""
    from psycopg import sql  # only a psycopg store comes here

    listed = sql.SQL(", ").join(map(sql.Identifier, names))
    name = sql.Identifier(*filter(None, (table.schema, table.name)))
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(sql.SQL("SELECT {} FROM {} LIMIT 0").format(listed, name))
        oids = [column.type_code for column in cursor.description or ()]
        binary = len(oids) == len(columns) and all(map(_binary_takes, oids, columns))
        form = sql.SQL(" (FORMAT BINARY)" if binary else "")
        with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN{}").format(name, listed, form)) as copy:
            if binary:
                copy.set_types(oids)
            for values in zip(*columns, strict=True):
                copy.write_row(values)


# PostgreSQL type oid → the classes of value its binary COPY form takes as the text form would (None aside):
# text and varchar, int4, float8, bool, date, timestamptz (an aware datetime: `UTCDateTime` refuses naive ones).
BINARY_CLASSES: dict[int, frozenset[type]] = {
    25: frozenset({str}),
    1043: frozenset({str}),
    23: frozenset({int}),
    701: frozenset({float, int}),
    16: frozenset({bool}),
    1082: frozenset({date}),
    1184: frozenset({datetime}),
}


def _binary_takes(oid: int, values: list[Any]) -> bool:
    allowed = BINARY_CLASSES.get(oid)
    if allowed is None or not {value.__class__ for value in values if value is not None} <= allowed:
        return False
    return oid != 1184 or all(value.tzinfo is not None for value in values if value is not None)


def _on_conflict(statement: Any, table: Table, keys: list[str], updated: list[str], added: set[str]) -> Any:
    """The insert, updating on a conflict of `keys`: the `updated` columns to the new value (`added`: plus it)."""
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + excluded[name] if name in added else excluded[name] for name in updated},
    )


def one_of(conn: Connection, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`: one parameter to bind and parse, not thousands."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


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

    def contributions(self, conn: Connection, stream: str, rows: Iterable[dict[str, Any]]) -> Iterator[list[Count]]:
        """Each row's counts (`contributions.dossier_counts` / `feedback_counts`), one row at a time."""
        if stream == "feedback":
            return (contributions.feedback_counts(r) for r in rows)
        statutory = self.statutory_days(conn)
        return (
            contributions.dossier_counts(
                r, rules.dossier_statutory_days(statutory.get(r["procedure_code"]), r.get("statutory_days_source"))
            )
            for r in rows
        )

    def change(
        self, conn: Connection, stream: str, before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]
    ) -> Contribution:
        """What replacing rows `before` by rows `after` changes in the rollups, summed per rollup row as the rows'
        counts are made (none is kept: a chunk's counts would be a million small tuples)."""
        return contributions.counts_delta(
            self.contributions(conn, stream, before), self.contributions(conn, stream, after)
        )

    def apply(self, conn: Connection, change: Contribution) -> None:
        """Add counters to rollup rows, creating them when missing; drop open-backlog rows that reach zero."""
        by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
        lowered: set[str] = set()  # tables with a counter that went down: only there can a row reach zero
        for (name, key), counters in change.items():
            table = ROLLUP_TABLES[name]
            row = dict(zip(_key_columns(table), key, strict=True))
            for column in _counter_columns(table):
                amount = counters.get(column, 0)
                row[column] = amount if column == "statutory_days" else int(amount)
                if amount < 0:
                    lowered.add(name)
            by_table[name].append(row)
        for name, rows in by_table.items():
            table = ROLLUP_TABLES[name]
            upsert_many(conn, self._insert, table, _key_columns(table), rows, _counter_columns(table), unique=True)
        for table in (roll_open, roll_feedback_open):
            if table.name in lowered:
                conn.execute(delete(table).where(table.c.n == 0))

    def rows_with_codes(self, conn: Connection, codes: list[str]) -> list[dict[str, Any]]:
        """Every source's rows of these dossier codes (liên thông copies included)."""
        result: list[dict[str, Any]] = []
        for start in range(0, len(codes), 5000):
            statement = select(dossiers).where(one_of(conn, dossiers.c.native_code, codes[start : start + 5000]))
            result.extend(dicts(conn.execute(statement)))
        return result

    def feedback_rows(self, conn: Connection, source: str, ids: list[str]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for start in range(0, len(ids), 5000):
            statement = select(feedback).where(
                feedback.c.source == source, one_of(conn, feedback.c.native_id, ids[start : start + 5000])
            )
            result.extend(dicts(conn.execute(statement)))
        return result

    def rebuild(self, calendar: WorkCalendar, progress: Callable[[int], None] | None = None) -> int:
        """Recompute processing times with `calendar` and every rollup from the raw rows (set-based SQL)."""
        self.forget_reference()
        return rebuild.rebuild(self.engine, calendar, progress, self._begin)

    # --- reads for metrics ---------------------------------------------------------------------------
    def _all(self, statement) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return dicts(conn.execute(statement))

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
