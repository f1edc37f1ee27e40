"""What a drill-through list's download holds: every row of the list the tile's address opens (not the 50 of one
page), read from the store's list API chunk by chunk, in the list's own order, dossiers with their `late_days`.

The chunks are pages of one query at one as-of time; a row the ingest moves between two reads is kept once (by id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.core.paging import DossierPage
from dashboard.core.periods import Window, window
from dashboard.core.vocabulary import FEEDBACK_LIST_PREFIX, FEEDBACK_LISTS
from dashboard.pages.unit import TileQuery, with_late_days
from dashboard.services import Services

EXPORT_CHUNK = 200  # rows a read: the API's largest page (dashboard.pages.api.MAX_PAGE_SIZE)


@dataclass(frozen=True)
class WholeList:
    """Every row of one unit's list `list_name` (a dossier filter, or feedback_<filter>) over `period` at `as_of`."""

    unit: dict[str, Any]  # the units row
    list_name: str
    period: str
    window: Window
    as_of: datetime
    rows: tuple[dict[str, Any], ...]

    @property
    def feedback(self) -> bool:
        return self.list_name in FEEDBACK_LISTS


def _reader(
    services: Services, query: TileQuery, as_of: datetime, start: datetime
) -> Callable[[int, int], DossierPage]:
    """(page, page size) → that page of the list, as the tile's drill-through reads it."""
    lists, key, name = services.store.lists, query.key, query.list_name or ""
    if name in FEEDBACK_LISTS:
        filter_name = name.removeprefix(FEEDBACK_LIST_PREFIX)
        return lambda page, size: lists.feedback_page(key, filter_name, as_of, start, page, size)
    return lambda page, size: with_late_days(lists.page(key, name, as_of, start, page, size), as_of, services.calendar)


def whole_list(services: Services, query: TileQuery, chunk: int | None = None) -> WholeList | None:
    """Every row of the list `query` opens, at its as-of time (now without one) over its period's window; None when
    the address opens no list or names no unit. `chunk`: rows a read (`EXPORT_CHUNK`)."""
    unit = next((row for row in services.store.units() if row["key"] == query.key), None)
    if unit is None or not query.list_name:
        return None
    as_of = query.as_of or services.clock.now()
    span = window(query.period, as_of)
    read, size = _reader(services, query, as_of, span.start), chunk or EXPORT_CHUNK
    rows: list[dict[str, Any]] = []
    seen: set[Any] = set()
    page = 1
    while True:
        listed = read(page, size)
        for row in listed.rows:
            if row["id"] not in seen:
                seen.add(row["id"])
                rows.append(row)
        if len(listed.rows) < size or page >= listed.pages:
            break
        page += 1
    return WholeList(unit, query.list_name, query.period, span, as_of, tuple(rows))
