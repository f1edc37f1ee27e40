"""One simulated source database (SQLite): the profile's tables, the private plan and meta tables, and SQL.

The private tables `_sim_plan_<stream>` hold the vendor rows of events still to come (state after the
event, as the vendor stores it) with `event_at` (epoch seconds) and `kind`; `_sim_meta` holds key/value
settings and progress. The ingest never reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import NullPool

from dashboard.core.vocabulary import Stream
from data_sources.profiles import Profile

PLAN_PREFIX = "_sim_plan_"
BUSY_TIMEOUT_MS = 10_000


NATIVE_KEY = {"dossiers": "native_code", "feedback": "native_id"}


@dataclass(frozen=True)
class SourceTables:
    """The tables of one simulated database, for its profile."""

    metadata: MetaData
    streams: dict[Stream, Table]  # stream → the vendor's table
    plans: dict[Stream, Table]  # stream → its pending events
    meta: Table
    written: dict[Stream, tuple[str, ...]]  # stream → the vendor columns the simulator writes
    native: dict[Stream, str]  # stream → the vendor column of the row's own code (unique)


def source_tables(profile: Profile) -> SourceTables:
    """Vendor tables (indexed on the cursor and unique on the native code), plan tables mirroring them, meta."""
    metadata = MetaData()
    streams, plans, written, native = {}, {}, {}, {}
    for stream, mapping in profile.streams.items():
        table = profile.table(stream, metadata)
        columns = tuple(dict.fromkeys(spec.column for spec in mapping.columns.values()))
        if mapping.cursor and mapping.cursor not in columns:
            columns += (mapping.cursor,)
        native[stream] = mapping.columns[NATIVE_KEY[stream]].column
        if mapping.cursor:
            Index(f"ix_{table.name}_{mapping.cursor}", table.c[mapping.cursor])
        if not table.c[native[stream]].primary_key:
            Index(f"ux_{table.name}_{native[stream]}", table.c[native[stream]], unique=True)
        streams[stream], written[stream] = table, columns
        plans[stream] = Table(
            f"{PLAN_PREFIX}{stream}",
            metadata,
            Column("event_at", Integer, nullable=False, index=True),
            Column("kind", Integer, nullable=False),
            *(Column(name, table.c[name].type) for name in columns),
        )
    meta = Table("_sim_meta", metadata, Column("key", String(40), primary_key=True), Column("value", String(400)))
    return SourceTables(metadata, streams, plans, meta, written, native)


def vendor_row(profile: Profile, stream: Stream, canonical: dict[str, Any]) -> dict[str, Any]:
    """A canonical row as the vendor stores it; a cursor column no field maps gets the row's last change."""
    row = profile.from_canonical(stream, canonical)
    cursor = profile.streams[stream].cursor
    if cursor and cursor not in row:
        row[cursor] = canonical["source_updated_at"].astimezone(profile.zone).replace(tzinfo=None)
    return row


def open_engine(path: Path, *, bulk: bool = False, keep_open: bool = False) -> Engine:
    """An engine for one file: WAL for live use; no journal and no syncing while bulk-building a fresh file.

    `keep_open` pools the connection (for frequent small writes: closing the last connection checkpoints the WAL).
    """
    pooling = {} if keep_open else {"poolclass": NullPool}
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **pooling)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if bulk:
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def read_meta(conn: Connection, tables: SourceTables) -> dict[str, str]:
    return {key: value for key, value in conn.execute(select(tables.meta.c.key, tables.meta.c.value))}


def write_meta(conn: Connection, tables: SourceTables, values: dict[str, str]) -> None:
    conn.execute(insert(tables.meta).prefix_with("OR REPLACE"), [{"key": k, "value": v} for k, v in values.items()])


def apply_events(conn: Connection, tables: SourceTables, after: int, until: int) -> dict[str, dict[int, int]]:
    """Upsert the state after every planned event in (after, until], in time order, then drop those events.

    Returns, per stream, the number of applied events per kind.
    """
    counts: dict[str, dict[int, int]] = {}
    for stream, plan in tables.plans.items():
        window = (plan.c.event_at > after) & (plan.c.event_at <= until)
        counts[stream] = dict(conn.execute(select(plan.c.kind, func.count()).where(window).group_by(plan.c.kind)).all())
        if not counts[stream]:
            continue
        names, native = tables.written[stream], tables.native[stream]
        ordered = select(*(plan.c[name] for name in names)).where(window).order_by(plan.c.event_at, plan.c.kind)
        upsert = sqlite_insert(tables.streams[stream]).from_select(names, ordered)
        upsert = upsert.on_conflict_do_update(
            index_elements=[native], set_={name: upsert.excluded[name] for name in names if name != native}
        )
        conn.execute(upsert)
        conn.execute(plan.delete().where(plan.c.event_at <= until))
    return counts
