"""The sources page's model: every source's health at one instant and the rejected rows asked for, computed once
per (data version, minute, query) and shared through the cache."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from dashboard.core.cache import Cache, cached
from dashboard.core.clock import city_time
from dashboard.core.paging import page_count
from dashboard.core.vocabulary import STREAMS
from dashboard.core.writer import LeaseState
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.freshness import SourceFreshness
from dashboard.pages.freshness import source_freshness
from dashboard.services import Services
from dashboard.store import Store
from data_sources.profiles import Profile

REJECTED_PAGE_SIZE = 50


@dataclass(frozen=True)
class RejectedRow:
    """One row a source sent that could not be mapped: where from, which field, why, and its raw values."""

    source: str
    stream: str
    native_key: str | None
    field: str | None
    reason: str
    rejected_at: datetime
    raw: tuple[tuple[str, Any], ...]  # (column, value) in the order the source sent them
    raw_column: str | None = None  # the source column behind `field`, when the source's profile maps it


@dataclass(frozen=True)
class RejectedPage:
    """One page of rejected rows, newest first, for one source or (source None) for all."""

    source: str | None
    page: int  # 1-based, within 1..pages
    page_size: int
    total: int  # rejected rows of the source (or all)
    counts: dict[str, int]  # rejected rows per source
    rows: tuple[RejectedRow, ...]
    raw_withheld: bool = False  # the rows' raw values are for the sources' admins only

    @property
    def pages(self) -> int:
        """ceil(total / page_size), at least 1."""
        return page_count(self.total, self.page_size)


def raw_values(raw: str) -> tuple[tuple[str, Any], ...]:
    """The stored JSON of a source row as (column, value) pairs; text that is not a JSON object as one pair."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return (("raw", raw),)
    return tuple((str(key), value) for key, value in parsed.items())


def _raw_column(profile: Profile | None, stream: str, field: str | None) -> str | None:
    mapping = profile.streams.get(stream) if profile and stream in STREAMS else None  # a profile has no other
    spec = mapping.columns.get(field) if mapping and field else None
    return spec.column if spec else None


def rejected_page(
    store: Store,
    sources: Iterable[SourceConfig],
    source: str | None,
    page: int,
    page_size: int = REJECTED_PAGE_SIZE,
) -> RejectedPage:
    """Page `page` of the rejected rows of `source` (all when None), newest first; `page` is clamped to 1..pages.

    `sources` (the configured ones) name each row's profile, to point at the source column behind its field.
    """
    counts = store.rejected_counts()
    total = counts.get(source, 0) if source else sum(counts.values())
    page = min(max(page, 1), page_count(total, page_size))
    stored = store.rejected(source, limit=page_size, offset=(page - 1) * page_size) if total else []
    configured = {config.name: config for config in sources}
    profiles = {name: configured[name].load_profile() for name in {row["source"] for row in stored} & set(configured)}
    rows = tuple(
        RejectedRow(
            source=row["source"],
            stream=row["stream"],
            native_key=row["native_key"],
            field=row["field"],
            reason=row["reason"],
            rejected_at=row["rejected_at"],
            raw=raw_values(row["raw"]),
            raw_column=_raw_column(profiles.get(row["source"]), row["stream"], row["field"]),
        )
        for row in stored
    )
    return RejectedPage(source, page, page_size, total, counts, rows)


@dataclass(frozen=True)
class SourcesView:
    """The sources page at `as_of`: each configured source's health, and one page of rejected rows."""

    as_of: datetime
    health: tuple[SourceFreshness, ...]
    rejected: RejectedPage
    writer: LeaseState | None = None  # who holds the writer lease (None: a store without one yet)
    wall_time: datetime | None = None  # the real time the writer's lease is judged at
    calendar_unconfirmed: tuple[int, ...] = ()  # last, this and next year (by `as_of`) the calendar has no decision for
    unlisted: dict[str, list[tuple[str, int]]] | None = None  # per source: procedure codes not in the catalogue, n


def for_admins_only(view: SourcesView) -> SourcesView:
    """The page for a viewer who does not manage the sources: each error in plain words only (a driver's own text
    may name the host, the port or the database user), no address, and no raw value of a rejected row (it may hold a
    citizen's name); the counts, times, keys, fields and reasons stay."""
    health = tuple(replace(h, last_error=None, withheld_kind=h.error_kind, safe_url="") for h in view.health)
    rows = tuple(replace(row, raw=()) for row in view.rejected.rows)
    return replace(view, health=health, rejected=replace(view.rejected, rows=rows, raw_withheld=True))


def sources_view(services: Services, source: str | None, page: int) -> SourcesView:
    """Every source's health now, page `page` of the rejected rows of `source` (all when None), the writer, and the
    years around now whose working-day calendar no government decision confirms."""
    as_of, store = services.clock.now(), services.store
    health = source_freshness(store, services.sources, as_of, services.settings.stale_factor)
    rejected = rejected_page(store, services.sources, source, page)
    year = city_time(as_of).year
    unconfirmed = tuple(services.calendar.unconfirmed_years(year - 1, year + 1))
    writer, wall = store.writer(), services.wall_clock.now()
    return SourcesView(as_of, tuple(health), rejected, writer, wall, unconfirmed, store.unlisted_procedures())


def sources_data(services: Services, cache: Cache, key: list[Any], source: str | None, page: int) -> SourcesView:
    """`sources_view`, cached per (version, minute, source, page)."""
    name = f"sources:{key[0]}:{key[1]}:{source or ''}:{page}"
    return cached(cache, name, lambda: sources_view(services, source, page))
