"""Bulk loading of generated columns into a store: SQLite through the DBAPI's executemany (synchronous=OFF
for the load), PostgreSQL through COPY. A table's secondary indexes are dropped for the load and created
again afterwards from `dashboard/store/schema.py`, so the loaded store has exactly the schema the app uses."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Connection, Engine, Table, create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from bench.synthetic import NULL, Chunk

FIRST_DAY = 0  # epoch day of the first timestamp the formatter handles (1970-01-01) …
LAST_DAY = 60 * 366  # … to about 2030
Progress = Callable[[int, float], None]


def _codes(strings: Iterable[str], width: int) -> np.ndarray:
    return np.array(list(strings), dtype=f"U{width}").view(np.uint32).reshape(-1, width)


class TimestampText:
    """UTC epoch seconds → the text a database reads back as the same instant, built with numpy."""

    def __init__(self, suffix: str) -> None:
        days = np.arange(FIRST_DAY, LAST_DAY).astype("datetime64[D]")
        self.days = _codes(np.datetime_as_string(days), 10)
        times = (f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(86400))
        self.width = 19 + len(suffix)
        self.times = _codes(times, self.width - 10)

    def __call__(self, seconds: np.ndarray) -> np.ndarray:
        """An object array of strings, None where `seconds` is NULL."""
        missing = seconds == NULL
        day, second = np.divmod(np.where(missing, 0, seconds), 86400)
        text_codes = np.empty((len(seconds), self.width), dtype=np.uint32)
        text_codes[:, :10] = self.days[day - FIRST_DAY]
        text_codes[:, 10:] = self.times[second]
        values = text_codes.view(f"U{self.width}").ravel().astype(object)
        values[missing] = None
        return values


def _python_values(kind: str, values: np.ndarray, timestamp: TimestampText) -> np.ndarray:
    """A column as an object array of DBAPI values (None for NULL)."""
    if kind == "ts":
        return timestamp(values)
    if kind == "nint":
        result = values.astype(object)
        result[values == NULL] = None
        return result
    if kind == "float":
        result = values.astype(object)
        result[np.isnan(values)] = None
        return result
    if kind == "bool":
        return values.astype(np.int64).astype(object)
    if kind == "int":
        return values.astype(object)
    return values


@contextmanager
def without_secondary_indexes(conn: Connection, table: Table) -> Iterator[None]:
    """Drop the table's non-unique indexes that the schema declares; create them again on exit."""
    present = {ix["name"] for ix in inspect(conn).get_indexes(table.name)}
    dropped = [ix for ix in table.indexes if ix.name in present and not ix.unique]
    for index in dropped:
        index.drop(conn)
    yield
    for index in dropped:
        index.create(conn)


class Loader:
    """Writes generated chunks into one store table, as fast as its database allows."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, poolclass=NullPool)
        self.dialect = self.engine.dialect.name
        self.timestamp = TimestampText(".000000" if self.dialect == "sqlite" else "+00")

    def load(self, table: Table, columns, chunks: Iterable[Chunk], progress: Progress | None = None) -> int:
        """Insert every chunk in one transaction; returns the rows written."""
        names = [name for name, _ in columns]
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB page cache for the index builds
                conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
                conn.commit()
            with conn.begin(), without_secondary_indexes(conn, table):
                written, started = 0, time.perf_counter()
                for chunk in chunks:
                    written += self._write(conn, table, columns, names, chunk)
                    if progress:
                        progress(written, time.perf_counter() - started)
                if self.dialect == "postgresql":
                    sequence = func.pg_get_serial_sequence(table.name, "id")
                    conn.execute(select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery())))
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.commit()
            else:
                analyze = text("ANALYZE " + self.engine.dialect.identifier_preparer.format_table(table))
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(analyze)
        return written

    def _write(self, conn: Connection, table: Table, columns, names: list[str], chunk: Chunk) -> int:
        driver = conn.connection.driver_connection
        if driver is None:  # only for a closed connection; fails as calling `.cursor()` on None would
            raise AttributeError("the connection has no driver connection (closed?)")
        cursor = driver.cursor()
        if self.dialect == "sqlite":
            statement = table.insert().compile(dialect=self.engine.dialect, column_keys=names)
            kinds = dict(columns)
            order = statement.positiontup
            if order is None:  # never for SQLite's positional (qmark) parameters; fails as iterating None would
                raise TypeError("the compiled INSERT has no positional parameter order")
            values = [_python_values(kinds[name], chunk[name], self.timestamp) for name in order]
            cursor.executemany(str(statement), zip(*values, strict=True))
        else:
            values = [_python_values(kind, chunk[name], self.timestamp) for name, kind in columns]
            preparer = self.engine.dialect.identifier_preparer
            target = f"{preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)})"
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in zip(*values, strict=True):
                    copy.write_row(row)
        cursor.close()
        return len(values[0])

    def dispose(self) -> None:
        self.engine.dispose()
