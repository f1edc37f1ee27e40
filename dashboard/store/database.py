"""The central store: one database through SQLAlchemy Core, SQLite (WAL) by default or PostgreSQL by URL.

Only the process holding the writer lease writes the data path (`upsert`, `save_state`, `log_pull`,
`replace_rejected`, `bump_data_version`, the rollups' rebuild), each in a fenced `begin()`; web workers read.
The schema is created and evolved by Alembic (`migrate`), one process at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, delete, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.core.engines import database_engine, dicts, reads_engine
from dashboard.core.errors import LeaseError, StoreError
from dashboard.core.vocabulary import CLOSED_FEEDBACK, CLOSED_STATUSES
from dashboard.core.writer import LeaseState
from dashboard.store.alert_ledger import AlertLedger
from dashboard.store.lease import WriterLease, read_lease
from dashboard.store.lists import DossierLists
from dashboard.store.packs import Packs
from dashboard.store.raw import RawCounts
from dashboard.store.rollups import RollupWriter, one_of, upsert_many
from dashboard.store.schema import (
    data_version,
    dossiers,
    feedback,
    procedures,
    pull_log,
    rejected_rows,
    source_state,
    units,
)
from dashboard.store.series import Series
from dashboard.store.snapshots import Snapshots
from dashboard.store.versions import ReferenceReads, VersionReads, note_reference, note_write

MIGRATION_LOCK = 7_947_301  # PostgreSQL advisory lock held while migrating
STREAM_TABLES = {"dossiers": (dossiers, "native_code"), "feedback": (feedback, "native_id")}


def _insert_for(dialect: str):
    if dialect == "sqlite":
        return sqlite.insert
    if dialect == "postgresql":
        return postgresql.insert
    raise StoreError(f"store dialect {dialect!r} is not supported: use SQLite or PostgreSQL")


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = database_engine(url, ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"))
        self.reads: Engine = reads_engine(self.engine)  # one-statement reads (autocommit on PostgreSQL)
        self.engines = {self.engine, self.reads}  # the writes' and the reads' (one on SQLite)
        self._insert = _insert_for(self.engine.dialect.name)
        self.lease: WriterLease | None = None  # set when this process becomes the writer (`hold_lease`)
        self.rollups = RollupWriter(self.engine, self._insert, self.begin)
        self.raw = RawCounts(self.reads)
        self.lists = DossierLists(self.reads)
        self.series = Series(self.reads)
        self.snapshots = Snapshots(self.engine, self.begin)
        self.packs = Packs(self.engine, self.begin)
        self.alerts = AlertLedger(self.engine, self.begin)
        self.versions = VersionReads(lambda: self.data_version()[0])  # the polls' reads (`store/versions.py`)
        self.reference = ReferenceReads(lambda: self._all(select(units).order_by(units.c.kind, units.c.key)))

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()

    # --- schema and reference data -------------------------------------------------------------------
    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to the newest Alembic revision (or to `revision`)."""
        config = Config()
        config.set_main_option("script_location", str(resources.files("dashboard.store").joinpath("migrations")))
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":  # a writer and its standby starting together: one at a time
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        self.optimize()

    def optimize(self) -> None:
        """Refresh the query planner's statistics (SQLite: PRAGMA optimize; PostgreSQL's autovacuum does it)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as connection:
                # Not ANALYZE: sampled statistics on `status` sent the completed_at range reads (0.5 ms) to an
                # index on unit_key (20 s at 10 million rows); the reads are shaped for the planner without them.
                connection.exec_driver_sql("PRAGMA optimize")

    def seed_reference(self, unit_rows: list[dict[str, Any]], procedure_rows: list[dict[str, Any]]) -> None:
        """Insert or update the units and the procedure catalogue."""
        with self.engine.begin() as conn:
            self._upsert_rows(conn, units, ["key"], unit_rows)
            self._upsert_rows(conn, procedures, ["code"], procedure_rows)
        self.rollups.forget_reference()
        note_reference()

    def backup_to(self, target: Path) -> int:
        """A consistent copy of a SQLite store in `target` (SQLite's online backup API: the writer may go on
        writing); returns the pages copied. PostgreSQL stores are backed up with pg_dump."""
        if self.engine.dialect.name != "sqlite":
            raise StoreError("backup copies SQLite stores; back a PostgreSQL store up with pg_dump (operations.md)")
        if target.exists():
            raise StoreError(f"{target} exists: give a new file")
        copied = 0

        def progress(_status: int, remaining: int, total: int) -> None:
            nonlocal copied
            copied = total - remaining

        raw = self.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(destination, pages=1024, progress=progress)  # type: ignore[union-attr]
            finally:
                destination.close()
        finally:
            raw.close()
        return copied

    def is_migrated(self) -> bool:
        """Whether the schema exists (the store has been created by a writer)."""
        return inspect(self.engine).has_table("alembic_version")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction of the data path, fenced: it writes nothing unless this process holds the writer
        lease (`hold_lease`), and no other writer can take the lease over while it runs."""
        with self.engine.begin() as conn:
            if self.lease is None:
                raise LeaseError("this process has not acquired the store's writer lease: it may not write")
            self.lease.fence(conn)
            yield conn

    # --- the one writer ------------------------------------------------------------------------------
    def hold_lease(
        self, holder: str | None = None, duration_s: float = 15.0, now: Callable[[], datetime] | None = None
    ) -> WriterLease:
        """This process's claim on the writer lease (not yet acquired: call `acquire` on it)."""
        self.lease = WriterLease(self.engine, holder, duration_s, now)
        return self.lease

    def writer(self) -> LeaseState | None:
        """Who holds the writer lease, with its token and expiry (None on a store not yet migrated)."""
        if not inspect(self.engine).has_table("writer_heartbeat"):
            return None
        with self.engine.connect() as conn:
            return read_lease(conn)

    # --- writes (the ingest process) -----------------------------------------------------------------
    def _upsert_rows(self, conn: Connection, table, keys: list[str], rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        statement = self._insert(table)
        updates = {name: statement.excluded[name] for name in rows[0] if name not in keys and name != "id"}
        conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)
        return len(rows)

    def upsert(self, conn: Connection, stream: str, rows: list[dict[str, Any]]) -> Upserted:
        """Insert or update canonical rows on (source, native key): only the rows that are new or differ from what
        is stored are written, so re-reading identical rows changes nothing (not even the data version).

        A dossier another source also holds (liên thông) is counted once: for the row received first.
        """
        if not rows:
            return Upserted(0, 0)
        table, native = STREAM_TABLES[stream]
        source = rows[0]["source"]
        if stream == "dossiers":  # a stream that rejects unlisted procedures maps none: every row is listed
            rows = [{**LISTED_PROCEDURE, **row} for row in rows]

        def read(conn: Connection, keys: list[str]) -> list[dict[str, Any]]:
            if stream == "dossiers":  # every source's copies: a liên thông dossier counts once
                return self.rollups.rows_with_codes(conn, keys)
            return self.rollups.feedback_rows(conn, source, keys)

        before = read(conn, [r[native] for r in rows])
        stored = {r[native]: r for r in before if r["source"] == source}
        changed = [r for r in rows if not _same(stored.get(r[native]), r)]
        if not changed:
            return Upserted(0, 0)
        keys = [r[native] for r in changed]
        wanted = set(keys)
        before = [r for r in before if r[native] in wanted]
        shared = {r[native] for r in before if r["source"] != source}  # liên thông: another source holds these
        unique = len(wanted) == len(keys)  # and none stored (in any source): a plain insert (a backfill's chunks)
        upsert_many(conn, self._insert, table, ["source", native], changed, unique=unique, fresh=unique and not before)
        after = [{"counted": True, **stored.get(r[native], {}), **r} for r in changed if r[native] not in shared]
        if shared:  # only a liên thông dossier's `counted` may change: read those back; the others are as written
            self._mark_counted(conn, source, sorted(shared))
            after += read(conn, sorted(shared))
        self.rollups.apply(conn, self.rollups.change(conn, stream, before, after))  # set-wise, once a chunk
        return Upserted(len(changed), len(wanted - set(stored)))

    def _mark_counted(self, conn: Connection, source: str, codes: list[str]) -> None:
        shared = select(dossiers.c.native_code).where(dossiers.c.native_code.in_(codes), dossiers.c.source != source)
        other = dossiers.alias("other")
        earliest = (
            select(other.c.id)
            .where(other.c.native_code == dossiers.c.native_code)
            .order_by(other.c.received_at, other.c.id)
            .limit(1)
            .scalar_subquery()
        )
        conn.execute(
            update(dossiers).where(dossiers.c.native_code.in_(shared)).values(counted=dossiers.c.id == earliest)
        )

    def open_native_keys(self, source: str, stream: str) -> list[str]:
        """Native keys of a source's rows still open in the store (re-scanned for sources without updated-at)."""
        table, native = STREAM_TABLES[stream]
        closed = CLOSED_STATUSES if stream == "dossiers" else CLOSED_FEEDBACK
        statement = select(table.c[native]).where(table.c.source == source, table.c.status.not_in(closed))
        with self.engine.connect() as conn:
            return list(conn.execute(statement.order_by(table.c[native])).scalars())

    def replace_rejected(
        self, conn: Connection, source: str, stream: str, keys: list[str], rows: list[dict[str, Any]]
    ) -> bool:
        """Forget earlier rejections of these source keys, then keep the new ones: one current reason per row.
        False (and nothing written) when the same rows are rejected for the same reasons as before."""
        held = _rejections(conn, source, stream, keys)
        if held == {(r["native_key"], r["field"], r["reason"], r["raw"]) for r in rows}:
            return False
        for start in range(0, len(keys) if held else 0, 5000):  # none held: nothing to forget
            conn.execute(
                delete(rejected_rows).where(
                    rejected_rows.c.source == source,
                    rejected_rows.c.stream == stream,
                    one_of(conn, rejected_rows.c.native_key, keys[start : start + 5000]),
                )
            )
        if rows:
            conn.execute(rejected_rows.insert(), rows)
        return True

    def count_rows(self, conn: Connection, source: str, stream: str, *, held: int, read: int) -> None:
        """Add to a stream's rows held and rows read, in the transaction that stored them (so a crash between
        chunks loses no count and counts none twice). The state row must exist (`save_state` first)."""
        if held or read:
            s = source_state.c
            conn.execute(
                update(source_state)
                .where(s.source == source, s.stream == stream)
                .values(rows_total=s.rows_total + held, rows_seen=s.rows_seen + read)
            )

    def save_state(self, conn: Connection, source: str, stream: str, **values: Any) -> None:
        self._upsert_rows(conn, source_state, ["source", "stream"], [{"source": source, "stream": stream, **values}])

    def log_pull(self, conn: Connection, **values: Any) -> int:
        key = conn.execute(pull_log.insert().values(**values)).inserted_primary_key
        if key is None:  # a single-row INSERT always reports its key; SQLAlchemy types it optional
            raise TypeError("the pull log's INSERT reported no primary key")  # as subscripting None would
        return key[0]

    def bump_data_version(self, conn: Connection, at: datetime) -> None:
        changed = conn.execute(
            update(data_version).where(data_version.c.id == 1).values(version=data_version.c.version + 1, changed_at=at)
        )
        if changed.rowcount == 0:
            conn.execute(data_version.insert().values(id=1, version=1, changed_at=at))
        note_write()

    # --- reads ---------------------------------------------------------------------------------------
    def _all(self, statement) -> list[dict[str, Any]]:
        with self.reads.connect() as conn:
            return dicts(conn.execute(statement))

    def data_version(self) -> tuple[int, datetime | None]:
        """The number that changes whenever new data lands, and when it last changed."""
        rows = self._all(select(data_version.c.version, data_version.c.changed_at))
        return (rows[0]["version"], rows[0]["changed_at"]) if rows else (0, None)

    def units(self) -> list[dict[str, Any]]:
        return self.reference.rows()

    def procedures(self) -> list[dict[str, Any]]:
        return self._all(select(procedures).order_by(procedures.c.code))

    def state(self, source: str, stream: str) -> dict[str, Any] | None:
        rows = self._all(select(source_state).where(source_state.c.source == source, source_state.c.stream == stream))
        return rows[0] if rows else None

    def states(self) -> list[dict[str, Any]]:
        return self._all(select(source_state).order_by(source_state.c.source, source_state.c.stream))

    def pulls(self, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        statement = select(pull_log).order_by(pull_log.c.id.desc()).limit(limit)
        if source:
            statement = statement.where(pull_log.c.source == source)
        return self._all(statement)

    def rejected(self, source: str | None = None, stream: str | None = None, limit: int | None = 100, offset: int = 0):
        """Current rejected rows, newest first."""
        statement = select(rejected_rows).order_by(rejected_rows.c.id.desc()).limit(limit).offset(offset or None)
        if source:
            statement = statement.where(rejected_rows.c.source == source)
        if stream:
            statement = statement.where(rejected_rows.c.stream == stream)
        return self._all(statement)

    def count(self, stream: str) -> int:
        """How many rows a stream holds."""
        table, _ = STREAM_TABLES[stream]
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    def rows(self, stream: str, source: str | None = None) -> list[dict[str, Any]]:
        """Every stored row of a stream (tests and small exports; not for pages)."""
        table, native = STREAM_TABLES[stream]
        statement = select(table).order_by(table.c.source, table.c[native])
        if source:
            statement = statement.where(table.c.source == source)
        return self._all(statement)

    def unlisted_procedures(self) -> dict[str, list[tuple[str, int]]]:
        """Per source, the procedure codes the catalogue does not list that its dossiers carry, with how many
        dossiers each (sources without any are absent), most dossiers first."""
        d = dossiers.c
        statement = (
            select(d.source, d.procedure_code, func.count().label("n"))
            .where(d.procedure_listed.is_(False))
            .group_by(d.source, d.procedure_code)
            .order_by(d.source, func.count().desc(), d.procedure_code)
        )
        found: dict[str, list[tuple[str, int]]] = {}
        with self.engine.connect() as conn:
            for source, code, n in conn.execute(statement):
                found.setdefault(source, []).append((code, int(n)))
        return found

    def rejected_counts(self) -> dict[str, int]:
        """How many current rejected rows each source has (sources without any are absent)."""
        statement = select(rejected_rows.c.source, func.count()).group_by(rejected_rows.c.source)
        with self.reads.connect() as conn:
            return {source: int(count) for source, count in conn.execute(statement)}


class Upserted(NamedTuple):
    """What an upsert wrote: rows stored (new or changed), and of them the rows new to the store."""

    stored: int
    new: int


IGNORED_IN_COMPARISON = frozenset({"ingested_at", "id", "counted"})


LISTED_PROCEDURE = {"procedure_listed": True, "statutory_days_source": None}


def _same(stored: dict[str, Any] | None, row: dict[str, Any]) -> bool:
    """Whether a canonical row equals what is stored for it (when it was ingested aside)."""
    return stored is not None and all(
        stored.get(name) == value for name, value in row.items() if name not in IGNORED_IN_COMPARISON
    )


def _rejections(conn: Connection, source: str, stream: str, keys: list[str]) -> set[tuple[Any, ...]]:
    """The current rejections of these source keys as (native key, field, reason, raw)."""
    r = rejected_rows.c
    found: set[tuple[Any, ...]] = set()
    for start in range(0, len(keys), 5000):
        statement = select(r.native_key, r.field, r.reason, r.raw).where(
            r.source == source, r.stream == stream, one_of(conn, r.native_key, keys[start : start + 5000])
        )
        found.update(tuple(row) for row in conn.execute(statement))
    return found


def chunked(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
