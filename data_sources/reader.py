"""Reading a source database incrementally: keyset-paged chunks ordered by (cursor, key).

The first page is `WHERE cursor >= watermark`; later pages continue strictly after the last (cursor, key)
seen, so ties on the cursor are neither skipped nor looped over. Re-read boundary rows are harmless
because the store upserts on (source, native key).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, MetaData, and_, create_engine, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from data_sources.profiles import Profile


def connect_args(url: str, timeout_s: float) -> dict[str, Any]:
    """Driver options that bound connecting and each statement by `timeout_s`."""
    backend = make_url(url).get_backend_name()
    seconds = max(1, int(timeout_s + 0.999))
    if backend == "sqlite":
        return {"timeout": timeout_s}
    if backend == "postgresql":
        return {"connect_timeout": seconds, "options": f"-c statement_timeout={int(timeout_s * 1000)}"}
    if backend in ("mysql", "mariadb"):
        return {"connect_timeout": seconds, "read_timeout": seconds, "write_timeout": seconds}
    return {}


class SourceReader:
    """A read-only view of one source database through its schema profile."""

    def __init__(self, url: str, profile: Profile, timeout_s: float = 60.0) -> None:
        self.profile = profile
        self.engine: Engine = create_engine(url, poolclass=NullPool, connect_args=connect_args(url, timeout_s))
        metadata = MetaData()
        self.tables = {stream: profile.table(stream, metadata) for stream in profile.streams}

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        """Connect and run a trivial query; raises the driver's error when the source is unreachable."""
        with self.engine.connect() as conn:
            conn.execute(select(1)).scalar_one()

    def local(self, moment: datetime) -> datetime:
        """An aware instant as the source stores it (naive local time in the profile's zone)."""
        return moment.astimezone(self.profile.zone).replace(tzinfo=None)

    def read(self, stream: str, watermark: datetime | None, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """Chunks of raw rows (column → value) whose cursor is at or after the watermark, in (cursor, key) order."""
        mapping = self.profile.streams[stream]
        table = self.tables[stream]
        cursor, key = table.c[mapping.cursor], table.c[mapping.key]
        base = select(table).where(cursor.is_not(None)).order_by(cursor, key).limit(chunk_size)
        condition = cursor >= self.local(watermark) if watermark is not None else None
        with self.engine.connect() as conn:
            while True:
                statement = base.where(condition) if condition is not None else base
                chunk = [dict(row) for row in conn.execute(statement).mappings()]
                if not chunk:
                    return
                yield chunk
                if len(chunk) < chunk_size:
                    return
                last_cursor, last_key = chunk[-1][mapping.cursor], chunk[-1][mapping.key]
                condition = or_(cursor > last_cursor, and_(cursor == last_cursor, key > last_key))
