"""Reading a source database incrementally: keyset-paged chunks ordered by (cursor, key).

The first page is `WHERE cursor >= watermark`; later pages continue strictly after the last (cursor, key)
seen, so ties on the cursor are neither skipped nor looped over. Re-read boundary rows are harmless
because the store upserts on (source, native key). "After" is the row-value comparison `(cursor, key) > (x, y)`
on PostgreSQL and SQLite, which a (cursor, key) index answers by seeking to (x, y); elsewhere (MariaDB/MySQL)
`cursor >= x AND (cursor > x OR (cursor = x AND key > y))`, whose leading conjunct bounds an index range (the
OR form alone makes PostgreSQL and SQLite scan, and throw away, every row before the page: quadratic over a backfill).

Every column is read as the driver returns it, past SQLAlchemy's result types (an integer in a SQLite DATETIME
column is not parsed by SQLAlchemy and cannot sink the chunk), so the profile's own code reads each value and an
unreadable one rejects only its row. The last (cursor, key) of a page goes back to the database as it came.
SQLite text that is not UTF-8 and PostgreSQL dates Python has no datetime for ('infinity', year 10000, BC) come
through as `UndecodableText` and as the server's text, for the same reason.

`probe()` checks, without reading a row, that every column the profile maps (with the key and the cursor) is
still there, and names each one that is not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import quote

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Select
from sqlalchemy.types import NullType

from dashboard.core.vocabulary import Stream
from data_sources.profiles import Profile
from data_sources.values import UndecodableText

# Catalogue tables `estimated_rows` asks (read only).
pg_class = Table("pg_class", MetaData(), Column("oid", Integer), Column("reltuples", Float), schema="pg_catalog")
mysql_tables = Table(
    "TABLES",
    MetaData(),
    Column("TABLE_SCHEMA", String, key="schema"),
    Column("TABLE_NAME", String, key="name"),
    Column("TABLE_ROWS", Integer, key="rows"),
    schema="information_schema",
)

# Dialects whose row-value comparison `(a, b) > (x, y)` seeks an (a, b) index on both columns (SQLite since 3.15;
# MariaDB 10.11 uses only its first column, so it gets the conjunct form, which uses both).
ROW_VALUE_DIALECTS = frozenset({"postgresql", "sqlite"})


def connect_args(url: str, timeout_s: float) -> dict[str, Any]:
    """Driver options that bound connecting and each statement by `timeout_s`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    seconds = max(1, int(timeout_s + 0.999))
    if backend == "sqlite":
        return {"timeout": timeout_s}
    if backend == "postgresql":  # keep the URL's own options (e.g. a search_path) beside the statement timeout
        # A tuple only for a repeated `options` parameter, which `join` refuses as it always did.
        url_options = cast(str | None, parsed.query.get("options"))
        options = " ".join(filter(None, [url_options, f"-c statement_timeout={int(timeout_s * 1000)}"]))
        return {"connect_timeout": seconds, "options": options}
    if backend in ("mysql", "mariadb"):
        # TIMESTAMP columns shift with the session zone: read (and write) them as UTC.
        return {
            "connect_timeout": seconds,
            "read_timeout": seconds,
            "write_timeout": seconds,
            "init_command": "SET time_zone = '+00:00'",
        }
    return {}


@dataclass(frozen=True)
class ProbeProblem:
    """One thing the profile expects of a source table that the source no longer has."""

    stream: Stream
    table: str
    column: str | None  # None: the table as a whole
    field: str | None  # the canonical field mapped to `column`; None for a key or cursor no field maps
    message: str  # plain English, e.g. "column updated_at is missing (mapped to source_updated_at)"
    # missing_column, missing_table, or unreadable: the SELECT failed though every column is there
    kind: Literal["missing_column", "missing_table", "unreadable"] = "missing_column"
    error: str | None = None  # unreadable: the database's own first line of error


class SourceReader:
    """A read-only view of one source database through its schema profile."""

    def __init__(self, url: str, profile: Profile, timeout_s: float = 60.0) -> None:
        self.profile = profile
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # Read-only: never create a missing file, never write to a vendor's database.
            path = Path(parsed.database).resolve()
            self.engine: Engine = create_engine(
                "sqlite://",
                poolclass=NullPool,
                creator=lambda: sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=timeout_s),
            )
        else:
            self.engine = create_engine(url, poolclass=NullPool, connect_args=connect_args(url, timeout_s))
        event.listen(self.engine, "connect", _lenient_driver)
        metadata = MetaData()
        self.tables = {stream: profile.table(stream, metadata) for stream in profile.streams}

    def dispose(self) -> None:
        self.engine.dispose()

    def source_now(self) -> datetime | None:
        """Reach the source and read its own clock (aware); None for file databases, which have none."""
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            statement = select(func.now())
        elif dialect in ("mysql", "mariadb"):
            statement = select(func.utc_timestamp())
        else:
            statement = select(1)
        with self.engine.connect() as conn:
            value = conn.execute(statement).scalar_one()
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def probe(self) -> list[ProbeProblem]:
        """What each stream's table lacks of what the profile maps (the key and the cursor count); [] when nothing.

        A real `SELECT <mapped columns> FROM <table> LIMIT 0` per stream, through this engine (read-only for a
        SQLite file, with the timeouts); when it fails, the inspector names the missing table or columns. A source
        that cannot be reached at all raises, as `source_now` does.
        """
        problems: list[ProbeProblem] = []
        for stream, table in self.tables.items():
            try:
                with self.engine.connect() as conn:
                    conn.execute(select(table).limit(0)).close()
            except DBAPIError as exc:  # a connection that fails again in `_explain` raises from there
                problems += self._explain(stream, table, exc)
        return problems

    def _explain(self, stream: Stream, table: Table, exc: DBAPIError) -> list[ProbeProblem]:
        mapping = self.profile.streams[stream]
        with self.engine.connect() as conn:
            inspector = inspect(conn)
            if not inspector.has_table(table.name):
                message = f"table {table.name} does not exist"
                return [ProbeProblem(stream, table.name, None, None, message, "missing_table")]
            actual = {self._fold(c["name"]) for c in inspector.get_columns(table.name)}
        fields: dict[str, str] = {}
        for name, spec in mapping.columns.items():
            fields.setdefault(spec.column, name)
        problems = []
        for column in table.c:
            if self._fold(column.name) in actual:
                continue
            field = fields.get(column.name)
            role = f"mapped to {field}" if field else "the key" if column.name == mapping.key else "the cursor"
            problems.append(
                ProbeProblem(stream, table.name, column.name, field, f"column {column.name} is missing ({role})")
            )
        if problems:
            return problems
        original = exc.orig or exc
        error = f"{type(original).__name__}: {(str(original).strip().splitlines() or [''])[0]}"[:500]
        message = f"cannot read table {table.name}: {error}"
        return [ProbeProblem(stream, table.name, None, None, message, "unreadable", error)]

    def _fold(self, name: str) -> str:
        """A column name as this dialect compares it. PostgreSQL: exactly, since SQLAlchemy quotes any name
        that is not all lower case (so it is not folded); SQLite and MariaDB/MySQL: without regard to case."""
        return name if self.engine.dialect.name == "postgresql" else name.casefold()

    def estimated_rows(self, stream: Stream) -> int | None:
        """About how many rows the stream's table holds, when the source can say cheaply: PostgreSQL's planner
        statistics, MariaDB/MySQL's table statistics, SQLite's count; None when unknown (never analysed, another
        dialect, or the question failed: it only feeds a progress line)."""
        table = self.tables[stream]
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            name = self.engine.dialect.identifier_preparer.format_table(table)
            statement = select(pg_class.c.reltuples).where(pg_class.c.oid == func.to_regclass(name))
        elif dialect in ("mysql", "mariadb"):
            t = mysql_tables.c
            statement = select(t.rows).where(t.schema == func.database(), t.name == table.name)
        elif dialect == "sqlite":
            statement = select(func.count()).select_from(table)
        else:
            return None
        try:
            with self.engine.connect() as conn:
                value = conn.execute(statement).scalar()
        except DBAPIError:
            return None
        return int(value) if value is not None and value > 0 else None

    def read(self, stream: Stream, watermark: datetime | None, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of raw rows (column → value) whose cursor is at or after the watermark, in (cursor, key) order."""
        mapping = self.profile.streams[stream]
        table = self.tables[stream]
        cursor, key = table.c[mapping.cursor_column], table.c[mapping.key]
        base = _raw_select(table).where(cursor.is_not(None)).order_by(cursor, key).limit(chunk_size)
        spec = self.profile.cursor_spec(stream)
        # The watermark is ours: bound through the column's type. The rows' values go back as they came.
        condition = cursor >= self.profile.source_value(spec, watermark) if watermark is not None else None
        with self.engine.connect() as conn:
            while True:
                statement = base.where(condition) if condition is not None else base
                chunk = _dicts(conn.execute(statement))
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                condition = self._after(cursor, key, chunk[-1][mapping.cursor_column], chunk[-1][mapping.key])

    def _after(
        self, cursor: ColumnElement[Any], key: ColumnElement[Any], last_cursor: Any, last_key: Any
    ) -> ColumnElement[bool]:
        """Rows strictly after (last cursor, last key) in (cursor, key) order, as an index can seek to them."""
        c, k = _untyped(cursor), _untyped(key)
        if self.engine.dialect.name in ROW_VALUE_DIALECTS:
            return tuple_(c, k) > tuple_(_as_read(last_cursor), _as_read(last_key))
        x = _as_read(last_cursor)
        return and_(c >= x, or_(c > x, and_(c == x, k > _as_read(last_key))))

    def read_without_cursor(self, stream: Stream, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of the rows whose cursor is NULL, by key: the cursor read cannot see them, so each pull sweeps
        them (mapped and stored, or rejected with a reason — never silently left behind)."""
        mapping = self.profile.streams[stream]
        table = self.tables[stream]
        key = table.c[mapping.key]
        base = _raw_select(table).where(table.c[mapping.cursor_column].is_(None)).order_by(key).limit(chunk_size)
        after = None
        with self.engine.connect() as conn:
            while True:
                chunk = _dicts(conn.execute(base.where(after) if after is not None else base))
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                after = _untyped(key) > _as_read(chunk[-1][mapping.key])

    def read_by_key(self, stream: Stream, last_key: Any, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of rows whose key is after `last_key`, in key order (sources without an updated-at column)."""
        table = self.tables[stream]
        key = table.c[self.profile.streams[stream].key]
        after = key > last_key if last_key is not None else None  # the caller's key, bound through the column's type
        with self.engine.connect() as conn:
            while True:
                page = _raw_select(table).order_by(key).limit(chunk_size)
                chunk = _dicts(conn.execute(page.where(after) if after is not None else page))
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                after = _untyped(key) > _as_read(chunk[-1][self.profile.streams[stream].key])

    def read_matching(
        self, stream: Stream, column: str, values: list[Any], chunk_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Rows whose `column` is one of `values` (the re-scan of dossiers still open in the store)."""
        table = self.tables[stream]
        with self.engine.connect() as conn:
            for start in range(0, len(values), chunk_size):
                batch = values[start : start + chunk_size]
                statement = _raw_select(table).where(table.c[column].in_(batch))
                yield _dicts(conn.execute(statement))


def _dicts(result: CursorResult[Any]) -> list[dict[str, Any]]:
    """A result's rows as column → value dicts (`dict(row)` of its mappings, built from the fetched tuples)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.fetchall()]


def _raw_select(table: Table) -> Select:
    """SELECT every column of `table` under its own name, typed as nothing: values come back as the driver gives
    them, with no SQLAlchemy result processing (which parses, and fails on, whatever a vendor stored)."""
    return select(*(_untyped(column).label(column.name) for column in table.c))


def _untyped(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column typed as nothing: read as the driver gives it, compared with a bind the driver gets as is
    (SQLAlchemy would give an untyped bind the type of a typed column it is compared with)."""
    return type_coerce(column, NullType())


def _as_read(value: Any) -> ColumnElement[Any]:
    """A value read from the source as a bind parameter that compares as the stored value did: untyped (no
    SQLAlchemy conversion), and SQLite text that is not UTF-8 as TEXT again, not as a BLOB."""
    if isinstance(value, UndecodableText):
        return literal(bytes(value), LargeBinary()).cast(Text())
    return literal(value, NullType())


def _lenient_driver(dbapi_connection: Any, _record: Any) -> None:
    """Drivers hand over what Python cannot represent instead of failing the whole fetch: SQLite text that is not
    UTF-8 as its bytes (`UndecodableText`); psycopg dates out of Python's range ('infinity', BC, year 10000) as the
    server's text. PyMySQL already returns a date it cannot read (0000-00-00, 2024-02-31) as text."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.text_factory = _sqlite_text
    elif hasattr(dbapi_connection, "adapters") and type(dbapi_connection).__module__.startswith("psycopg"):
        for name in ("date", "timestamp", "timestamptz"):
            dbapi_connection.adapters.register_loader(name, _lenient_loader(dbapi_connection, name))


def _sqlite_text(data: bytes) -> str | UndecodableText:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return UndecodableText(data)


def _lenient_loader(dbapi_connection: Any, name: str) -> type:
    import psycopg  # only for a PostgreSQL source

    base = dbapi_connection.adapters.get_loader(dbapi_connection.adapters.types[name].oid, psycopg.pq.Format.TEXT)

    class Lenient(psycopg.adapt.Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self.inner = base(oid, context)

        def load(self, data: Any) -> Any:
            try:
                return self.inner.load(data)
            except psycopg.DataError:
                return bytes(data).decode("utf-8", "replace")

    return Lenient
