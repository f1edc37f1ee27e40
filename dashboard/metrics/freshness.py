"""How fresh a source is, in plain data: its status, the kind of its last error, and a unit's freshness from its
sources. Reading the pull state is `dashboard.pages.freshness`'s job; nothing here formats text for people."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

FreshnessStatus = Literal["ok", "error", "never", "slow", "stale"]
ErrorKind = Literal["auth", "host", "timeout", "refused", "missing", "other"]

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
    rows_total: int = 0  # distinct rows the store holds for the source
    rows_seen: int = 0  # rows the source sent over all pulls, re-reads included
    catching_up: bool = False  # a stream's last pull timed out after storing rows (a long first load)
    consecutive_failures: int = 0
    next_retry_at: datetime | None = None
    rejected_count: int = 0
    safe_url: str = ""  # host, user and database or file: for admins only (docs/security.md), never on the page
    backend: str = ""  # what kind of database it is (postgresql, mysql, sqlite): what the page may say
    withheld_kind: ErrorKind | None = None  # the kind of an error whose text (it may name a host) was withheld

    @property
    def lag(self) -> timedelta | None:
        """as_of − last_good_pull_at; None when never pulled."""
        return None if self.last_good_pull_at is None else self.as_of - self.last_good_pull_at

    @property
    def status(self) -> FreshnessStatus:
        """error when a stream's last attempt failed, else never (not pulled), slow (its last pull ran out of time
        after storing rows: catching up), stale, or ok."""
        if self.last_error:
            return "error"
        if self.last_good_pull_at is None:
            return "never"
        if self.catching_up:
            return "slow"
        return "stale" if self.stale else "ok"

    @property
    def error_kind(self) -> ErrorKind | None:
        """The kind of `last_error` (see `error_kind`), also when its text was withheld from the viewer."""
        return self.withheld_kind or error_kind(self.last_error)


def is_stale(last_good_pull_at: datetime | None, as_of: datetime, interval_s: float, stale_factor: float) -> bool:
    """Never pulled, or as_of − last good pull > stale_factor × the source's interval."""
    return last_good_pull_at is None or as_of - last_good_pull_at > timedelta(seconds=stale_factor * interval_s)


@dataclass(frozen=True)
class UnitFreshness:
    """A unit's freshness from its sources: stale when any is; its data is as of its oldest last good pull."""

    stale: bool
    data_as_of: datetime | None  # None when it has no source or one was never pulled


def unit_freshness(sources: Iterable[SourceFreshness]) -> UnitFreshness:
    """stale = any source stale; data_as_of = min of the last good pulls, None if none or any never pulled."""
    items = list(sources)
    pulls = [item.last_good_pull_at for item in items]
    oldest = None if not pulls or None in pulls else min(p for p in pulls if p is not None)
    return UnitFreshness(any(item.stale for item in items), oldest)


def by_unit(sources: Iterable[SourceFreshness]) -> dict[str, UnitFreshness]:
    """Each unit's freshness from its sources (units without a source are absent)."""
    grouped: dict[str, list[SourceFreshness]] = {}
    for item in sources:
        grouped.setdefault(item.unit, []).append(item)
    return {unit: unit_freshness(items) for unit, items in grouped.items()}
