"""Source health for the pages: how fresh each configured source is, why it fails, and its rejected rows.

Pure functions over the store's read API with an explicit `as_of`; nothing here formats text for people.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store
from data_sources.profiles import Profile

FreshnessStatus = Literal["ok", "error", "never", "stale"]
ErrorKind = Literal["auth", "host", "timeout", "refused", "missing", "other"]
REJECTED_PAGE_SIZE = 50

# First match wins: "access denied" is checked before "can't connect", "timed out" before "refused".
ERROR_PATTERNS: tuple[tuple[ErrorKind, re.Pattern[str]], ...] = (
    ("auth", re.compile(r"password authentication failed|access denied|role \S+ does not exist", re.I)),
    ("host", re.compile(r"resolve host|translate host name|name or service not known|unknown .*host", re.I)),
    ("timeout", re.compile(r"timed out|timeout|took longer than", re.I)),
    ("refused", re.compile(r"connection refused|can't connect|could not connect|errno 111", re.I)),
    ("missing", re.compile(r"(does not|doesn't) exist|no such \w+|unknown database|unable to open", re.I)),
)


def error_kind(message: str | None) -> ErrorKind | None:
    """What kind of failure a stored pull error is, for a plain-words explanation; None without an error."""
    if not message:
        return None
    return next((kind for kind, pattern in ERROR_PATTERNS if pattern.search(message)), "other")


@dataclass(frozen=True)
class SourceFreshness:
    """How fresh one configured source is at `as_of`, and how its pulls go (see `source_freshness`)."""

    name: str
    unit: str
    unit_name_vi: str
    unit_name_en: str
    interval_s: float
    last_good_pull_at: datetime | None
    last_error: str | None
    stale: bool
    as_of: datetime
    profile: str = ""
    last_attempt_at: datetime | None = None
    rows_total: int = 0
    consecutive_failures: int = 0
    next_retry_at: datetime | None = None
    rejected_count: int = 0
    safe_url: str = ""

    @property
    def lag(self) -> timedelta | None:
        """as_of − last_good_pull_at; None when never pulled."""
        return None if self.last_good_pull_at is None else self.as_of - self.last_good_pull_at

    @property
    def status(self) -> FreshnessStatus:
        """error when a stream's last attempt failed, else never (not pulled), stale, or ok."""
        if self.last_error:
            return "error"
        if self.last_good_pull_at is None:
            return "never"
        return "stale" if self.stale else "ok"

    @property
    def error_kind(self) -> ErrorKind | None:
        """The kind of `last_error` (see `error_kind`)."""
        return error_kind(self.last_error)


def _latest(values: Iterable[Any]) -> Any:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _scrubbed(message: str | None, source: SourceConfig) -> str | None:
    """The stored error is scrubbed at ingest; a password is hidden here again, in case it was not."""
    password = source.password
    return message.replace(password, "***") if message and password else message


def source_freshness(
    store: Store, sources: Iterable[SourceConfig], as_of: datetime, stale_factor: float
) -> list[SourceFreshness]:
    """Per configured source, in the given order: its last good pull, whether it is stale, and its pull state.

    Over the source's profile streams: last_good_pull_at = min of last_good_pull_at, None if any stream never
    succeeded; last_error = the first stream error (profile order), None when all succeeded last;
    last_attempt_at = max; rows_total = sum; consecutive_failures = max; next_retry_at = max, None when no
    stream is backing off; stale = never pulled, or as_of − last_good_pull_at > stale_factor × interval;
    rejected_count = the source's rows in rejected_rows.
    """
    states = {(row["source"], row["stream"]): row for row in store.states()}
    rejected = store.rejected_counts()
    units = {row["key"]: row for row in store.units()}
    result: list[SourceFreshness] = []
    streams: dict[str, list[str]] = {}  # per profile: dozens of sources share a handful of profiles
    for source in sources:
        if source.profile not in streams:
            streams[source.profile] = list(source.load_profile().streams)
        per_stream = [states.get((source.name, stream)) for stream in streams[source.profile]]
        good = [row["last_good_pull_at"] if row else None for row in per_stream]
        last_good = None if not good or None in good else min(good)
        rows = [row for row in per_stream if row]
        errors = [row["last_error"] for row in rows if row["last_error"]]
        unit = units.get(source.unit, {})
        stale = last_good is None or as_of - last_good > timedelta(seconds=stale_factor * source.interval)
        result.append(
            SourceFreshness(
                name=source.name,
                unit=source.unit,
                unit_name_vi=unit.get("name_vi", source.unit),
                unit_name_en=unit.get("name_en", source.unit),
                interval_s=source.interval,
                last_good_pull_at=last_good,
                last_error=_scrubbed(errors[0], source) if errors else None,
                stale=stale,
                as_of=as_of,
                profile=source.profile,
                last_attempt_at=_latest(row["last_attempt_at"] for row in rows),
                rows_total=sum(row["rows_total"] or 0 for row in rows),
                consecutive_failures=max((row["consecutive_failures"] or 0 for row in rows), default=0),
                next_retry_at=_latest(row["next_retry_at"] for row in rows),
                rejected_count=rejected.get(source.name, 0),
                safe_url=source.safe_url,
            )
        )
    return result


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


def _pages(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class RejectedPage:
    """One page of rejected rows, newest first, for one source or (source None) for all."""

    source: str | None
    page: int  # 1-based, within 1..pages
    page_size: int
    total: int  # rejected rows of the source (or all)
    counts: dict[str, int]  # rejected rows per source
    rows: tuple[RejectedRow, ...]

    @property
    def pages(self) -> int:
        """ceil(total / page_size), at least 1."""
        return _pages(self.total, self.page_size)


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
    mapping = profile.streams.get(stream) if profile else None
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
    page = min(max(page, 1), _pages(total, page_size))
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
