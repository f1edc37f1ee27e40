"""After an incident, per source: the rows at the source against what the store holds, by native id, for a window.

Reads the source (read-only) and the store, writes nothing. Every native id the source holds in the window is
either stored, or rejected (kept in `rejected_rows` with its reason), or missing — a missing one is a row lost;
a stored row of the window the source no longer has is listed as gone (deleted at the source, or moved).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import select

from dashboard.core.vocabulary import Stream
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store
from dashboard.store.database import STREAM_TABLES
from data_sources.reader import SourceReader
from data_sources.values import as_text, present, show

NATIVE_FIELD: dict[str, str] = {"dossiers": "native_code", "feedback": "native_id"}
SHOWN = 10  # native ids listed per kind; all are counted


@dataclass(frozen=True)
class Reconciliation:
    """One source's stream over [since, now): what the source holds and where each row is in the store."""

    source: str
    stream: str
    since: datetime | None  # None: the whole stream (a source read by key has no time to window by)
    at_source: int  # distinct native ids at the source in the window
    duplicated: int  # native ids the source holds more than once
    stored: int
    rejected: int
    missing: tuple[str, ...]  # at the source, neither stored nor rejected: lost
    gone: tuple[str, ...]  # stored rows of the window the source no longer holds

    @property
    def ok(self) -> bool:
        return not self.missing


def _native(value: object) -> str:
    """A native id as the mapping stores it (text, trimmed); an unreadable one as a rejection would show it."""
    try:
        return as_text(present(value))
    except ValueError:
        return show(value)


def reconcile(store: Store, source: SourceConfig, since: datetime, chunk_size: int = 5000) -> list[Reconciliation]:
    """Each stream of `source`: its native ids since `since` (by cursor; all rows of a stream read by key)."""
    profile = source.load_profile()
    reader = SourceReader(source.url, profile)
    try:
        return [_stream(store, source, reader, stream, since, chunk_size) for stream in profile.streams]
    finally:
        reader.dispose()


def _stream(
    store: Store, source: SourceConfig, reader: SourceReader, stream: Stream, since: datetime, chunk_size: int
) -> Reconciliation:
    mapping = reader.profile.streams[stream]
    column = mapping.columns[NATIVE_FIELD[stream]].column
    chunks: Iterable[list[dict[str, Any]]]
    if mapping.cursor:  # the window by cursor, and every row without one (the pulls sweep those each time)
        chunks = chain(reader.read(stream, since, chunk_size), reader.read_without_cursor(stream, chunk_size))
    else:
        chunks = reader.read_by_key(stream, None, chunk_size)
    seen: dict[str, int] = {}
    for chunk in chunks:
        for row in chunk:
            key = _native(row[column])
            seen[key] = seen.get(key, 0) + 1
    table, native = STREAM_TABLES[stream]
    stored: set[str] = set()
    keys = sorted(seen)
    with store.engine.connect() as conn:
        for start in range(0, len(keys), 5000):
            statement = select(table.c[native]).where(
                table.c.source == source.name, table.c[native].in_(keys[start : start + 5000])
            )
            stored.update(conn.execute(statement).scalars())
        window = select(table.c[native]).where(table.c.source == source.name)
        if mapping.cursor:
            window = window.where(table.c.source_updated_at >= since)
        gone = sorted(set(conn.execute(window).scalars()) - set(seen))
    rejected = {_native(json.loads(r["raw"]).get(column)) for r in store.rejected(source.name, stream, limit=None)}
    rejected &= set(seen) - stored
    missing = sorted(set(seen) - stored - rejected)
    return Reconciliation(
        source=source.name,
        stream=stream,
        since=since if mapping.cursor else None,
        at_source=len(seen),
        duplicated=sum(1 for n in seen.values() if n > 1),
        stored=len(stored),
        rejected=len(rejected),
        missing=tuple(missing),
        gone=tuple(gone),
    )
