"""Reading a source database incrementally: keyset-paged chunks ordered by (cursor, key).

The first page is `WHERE cursor >= watermark`; later pages continue strictly after the last (cursor, key)
seen, so ties on the cursor are neither skipped nor looped over. Re-read boundary rows are harmless
because the store upserts on (source, native key).

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

from sqlalchemy import Engine, MetaData, Table, and_, create_engine, func, inspect, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from dashboard.core.vocabulary import Stream
from data_sources.profiles import Profile


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

    def read(self, stream: Stream, watermark: datetime | None, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of raw rows (column → value) whose cursor is at or after the watermark, in (cursor, key) order."""
        mapping = self.profile.streams[stream]
        table = self.tables[stream]
        cursor, key = table.c[mapping.cursor_column], table.c[mapping.key]
        base = select(table).where(cursor.is_not(None)).order_by(cursor, key).limit(chunk_size)
        spec = self.profile.cursor_spec(stream)
        condition = cursor >= self.profile.source_value(spec, watermark) if watermark is not None else None
        with self.engine.connect() as conn:
            while True:
                statement = base.where(condition) if condition is not None else base
                chunk = [dict(row) for row in conn.execute(statement).mappings()]
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                last_cursor, last_key = chunk[-1][mapping.cursor_column], chunk[-1][mapping.key]
                condition = or_(cursor > last_cursor, and_(cursor == last_cursor, key > last_key))

    def read_by_key(self, stream: Stream, last_key: Any, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of rows whose key is after `last_key`, in key order (sources without an updated-at column)."""
        table = self.tables[stream]
        key = table.c[self.profile.streams[stream].key]
        with self.engine.connect() as conn:
            while True:
                statement = select(table).order_by(key).limit(chunk_size)
                if last_key is not None:
                    statement = statement.where(key > last_key)
                chunk = [dict(row) for row in conn.execute(statement).mappings()]
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                last_key = chunk[-1][self.profile.streams[stream].key]

    def read_matching(
        self, stream: Stream, column: str, values: list[Any], chunk_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Rows whose `column` is one of `values` (the re-scan of dossiers still open in the store)."""
        table = self.tables[stream]
        with self.engine.connect() as conn:
            for start in range(0, len(values), chunk_size):
                batch = values[start : start + chunk_size]
                yield [dict(row) for row in conn.execute(select(table).where(table.c[column].in_(batch))).mappings()]
