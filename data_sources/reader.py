"""Reading a source database incrementally: keyset-paged chunks ordered by (cursor, key).

The first page is `WHERE cursor >= watermark`; later pages continue strictly after the last (cursor, key)
seen, so ties on the cursor are neither skipped nor looped over. Re-read boundary rows are harmless
because the store upserts on (source, native key).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Engine, MetaData, and_, create_engine, func, or_, select
from sqlalchemy.engine import make_url
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
