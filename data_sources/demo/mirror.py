"""Copies simulated sources into real database servers, so that the demo reads MariaDB and PostgreSQL too.

The simulator keeps writing its SQLite files; for each source whose profile targets a server (hscv_mariadb →
MariaDB, egov_pg → PostgreSQL) the mirror creates the vendor's tables in a database (MariaDB) or schema
(PostgreSQL) of its own and copies the rows changed since its last copy, keyed on the vendor's key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, select, text
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import make_url

from dashboard.core.vocabulary import Stream
from data_sources.demo.simulator import DemoSource
from data_sources.profiles import Profile, load_profile
from data_sources.reader import connect_args

SERVER_PROFILES = {"hscv_mariadb": "mysql", "egov_pg": "postgresql"}
DEFAULT_PREFIX = "cchc_demo_"


def target_name(source: DemoSource, prefix: str = DEFAULT_PREFIX) -> str:
    """The database (MariaDB) or schema (PostgreSQL) that holds one mirrored source."""
    return prefix + re.sub(r"[^a-z0-9]+", "_", source.name.lower())


def target_url(base: str, source: DemoSource, prefix: str = DEFAULT_PREFIX) -> str:
    """The URL of a source's mirror, derived from the server's base URL."""
    url = make_url(base)
    name = target_name(source, prefix)
    if url.get_backend_name() == "postgresql":
        return url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    return url.set(database=name).render_as_string(hide_password=False)


class Mirror:
    """Mirrors the sources whose profile has a server configured; the others stay SQLite files."""

    def __init__(
        self,
        sources: Iterable[DemoSource],
        mariadb_url: str | None = None,
        postgres_url: str | None = None,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        self.prefix = prefix  # tests give their own, so that runs side by side never share a mirror
        bases = {"mysql": mariadb_url, "postgresql": postgres_url}
        self.targets: dict[str, tuple[DemoSource, str]] = {}
        for source in sources:
            backend = SERVER_PROFILES.get(source.profile)
            base = bases[backend] if backend else None
            if base:
                self.targets[source.name] = (source, base)
        self._synced: dict[tuple[str, str], Any] = {}
        self._engines: dict[str, Engine] = {}
        self._profiles: dict[str, Profile] = {}

    def url_for(self, source: DemoSource) -> str:
        """Where the ingest should read a source: its mirror, or its SQLite file."""
        if source.name in self.targets:
            return target_url(self.targets[source.name][1], source, self.prefix)
        return source.url

    def create(self) -> None:
        """Create each mirror's database or schema and its tables, empty (a fresh copy follows)."""
        for name, (source, base) in self.targets.items():
            admin = create_engine(base, connect_args=connect_args(base, 30))
            schema = target_name(source, self.prefix)
            with admin.begin() as conn:
                if admin.dialect.name == "postgresql":
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{schema}`"))
                    conn.execute(text(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4"))
            admin.dispose()
            profile = self._profile(source)
            metadata = MetaData()
            for stream in profile.streams:
                profile.table(stream, metadata)
            metadata.create_all(self._engine(name))
            self._synced = {k: v for k, v in self._synced.items() if k[0] != name}

    def sync(self) -> int:
        """Copy the rows changed since the last copy into every mirror; returns rows copied."""
        copied = 0
        for name, (source, _base) in self.targets.items():
            profile = self._profile(source)
            reader = create_engine(source.url)
            try:
                for stream, mapping in profile.streams.items():
                    copied += self._copy(name, profile, reader, stream, mapping.cursor)
            finally:
                reader.dispose()
        return copied

    def _copy(self, name: str, profile: Profile, reader: Engine, stream: Stream, cursor: str | None) -> int:
        table = profile.table(stream, MetaData())
        statement = select(table)
        since = self._synced.get((name, stream))
        if since is not None and cursor is not None:  # a copy leaves a mark only for a stream read by cursor
            statement = statement.where(table.c[cursor] >= since)
        with reader.connect() as conn:
            rows = [dict(r) for r in conn.execute(statement).mappings()]
        if not rows:
            return 0
        target = self._engine(name)
        for row in rows:  # timestamp columns hold UTC; naive values must say so for PostgreSQL
            for spec in profile.streams[stream].columns.values():
                if spec.type == "timestamp" and isinstance(row.get(spec.column), datetime):
                    row[spec.column] = row[spec.column].replace(tzinfo=UTC)
        upsert = _upsert(table, profile.streams[stream].key, target.dialect.name)
        with target.begin() as conn:
            for start in range(0, len(rows), 2000):
                conn.execute(upsert, rows[start : start + 2000])
        self._synced[(name, stream)] = max(r[cursor] for r in rows) if cursor else None
        return len(rows)

    def _profile(self, source: DemoSource) -> Profile:
        if source.profile not in self._profiles:
            self._profiles[source.profile] = load_profile(source.profile)
        return self._profiles[source.profile]

    def _engine(self, name: str) -> Engine:
        if name not in self._engines:
            source, base = self.targets[name]
            url = target_url(base, source, self.prefix)
            self._engines[name] = create_engine(url, connect_args=connect_args(url, 30))
        return self._engines[name]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def drop(self) -> None:
        """Remove every mirror (tests and `--reset`)."""
        self.close()
        for _name, (source, base) in self.targets.items():
            admin = create_engine(base, connect_args=connect_args(base, 30))
            with admin.begin() as conn:
                if admin.dialect.name == "postgresql":
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{target_name(source, self.prefix)}" CASCADE'))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{target_name(source, self.prefix)}`"))
            admin.dispose()


def _upsert(table: Table, key: str, dialect: str) -> postgresql.Insert | mysql.Insert:
    """INSERT … ON CONFLICT (PostgreSQL) or ON DUPLICATE KEY (MariaDB) UPDATE of every column but the key."""
    if dialect == "postgresql":
        statement = postgresql.insert(table)
        columns = {c.name: statement.excluded[c.name] for c in table.columns if c.name != key}
        return statement.on_conflict_do_update(index_elements=[key], set_=columns)
    insert = mysql.insert(table)
    return insert.on_duplicate_key_update({c.name: insert.inserted[c.name] for c in table.columns if c.name != key})
