"""The SQL statements a store sends, on whichever of its engines (`Store.engines`: its writes' and its reads')."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from dashboard.store import Store


@contextmanager
def statements_of(store: Store) -> Iterator[list[str]]:
    """The statements `store` sends inside the block, in order."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    for engine in store.engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        for engine in store.engines:
            event.remove(engine, "before_cursor_execute", record)
