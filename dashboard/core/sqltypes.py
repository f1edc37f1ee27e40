"""SQL column types shared by the store and the accounts store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and returned aware; naive values are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored: attach the source's time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bulk_bind_processor(self, dialect) -> Callable[[datetime | None], Any]:
        """What `bind_processor` gives the driver, sooner for the common value (aware in UTC): for SQLite the
        naive UTC text SQLite's DATETIME writes, else the value itself. Checked against it when made."""
        process = self.dialect_impl(dialect).bind_processor(dialect)
        if process is None:  # not so for SQLAlchemy's TypeDecorator; the plain path if it ever is
            return lambda value: self.process_bind_param(value, dialect)
        on_sqlite = dialect.name == "sqlite"

        def utc(value: datetime | None) -> Any:
            if value is None or value.tzinfo is not UTC:
                return process(value)  # None, another zone, and naive (refused) as before
            return value.isoformat(" ", "microseconds")[:-6] if on_sqlite else value  # without its "+00:00"

        sample = datetime(2019, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
        return (
            utc
            if utc(sample) == process(sample)
            and utc(sample.replace(microsecond=0)) == process(sample.replace(microsecond=0))
            else process
        )

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
