"""Source health for the pages: each configured source's freshness and pull state, read from the store with an
explicit `as_of` (the rules are `dashboard.metrics.freshness`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.freshness import SourceFreshness, is_stale
from dashboard.store import Store


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
    last_attempt_at = max; rows_total (rows held) = sum; rows_seen (rows read) = sum; catching_up = any stream's last pull was slow; consecutive_failures = max; next_retry_at = max, None when no
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
        good: list[datetime | None] = [row["last_good_pull_at"] if row else None for row in per_stream]
        succeeded = [moment for moment in good if moment is not None]
        last_good = min(succeeded) if good and len(succeeded) == len(good) else None  # None: a stream never did
        rows = [row for row in per_stream if row]
        errors = [row["last_error"] for row in rows if row["last_error"]]
        unit = units.get(source.unit, {})
        stale = is_stale(last_good, as_of, source.interval, stale_factor)
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
                rows_seen=sum(row["rows_seen"] or 0 for row in rows),
                catching_up=any(row["last_outcome"] == "slow" for row in rows),
                consecutive_failures=max((row["consecutive_failures"] or 0 for row in rows), default=0),
                next_retry_at=_latest(row["next_retry_at"] for row in rows),
                rejected_count=rejected.get(source.name, 0),
                safe_url=source.safe_url,
                backend=source.backend,
            )
        )
    return result
