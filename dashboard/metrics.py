"""Pure KPI functions over the store's read API: every figure takes an explicit `as_of`.

Each function's docstring states its formula; the raw counts come from `Store`, the arithmetic is here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from dashboard.sources import SourceConfig
from dashboard.store import Store

FreshnessStatus = Literal["ok", "error", "never", "stale"]


@dataclass(frozen=True)
class Ratio:
    """A fraction kept as its two counts, so pages can show both "x / y" and the rate."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator / denominator; None when the denominator is 0."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class CityOverview:
    """The city's headline figures at one instant (see `city_overview` for the formulas)."""

    in_progress: int
    overdue_in_progress: int
    on_time: Ratio
    online_share: Ratio
    open_feedback: int
    as_of: datetime
    data_version: int

    @property
    def overdue_share(self) -> Ratio:
        """overdue_in_progress / in_progress."""
        return Ratio(self.overdue_in_progress, self.in_progress)


@dataclass(frozen=True)
class SourceFreshness:
    """How fresh one configured source is at `as_of` (see `source_freshness`)."""

    name: str
    unit: str
    unit_name_vi: str
    unit_name_en: str
    interval_s: float
    last_good_pull_at: datetime | None
    last_error: str | None
    stale: bool
    as_of: datetime

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


def city_overview(store: Store, as_of: datetime, days: int = 30) -> CityOverview:
    """Headline figures at `as_of`, over the window W = [as_of − days, as_of).

    in_progress = dossiers received ≤ as_of whose status is not completed/refused/withdrawn/cancelled;
    overdue_in_progress = those with due_original_at < as_of;
    on_time = completed_on_time / completed, where completed = completed or refused with completed_at in W,
    and on time = completed_at ≤ due_original_at and at most one supplement request;
    online_share = received_online / received, over dossiers received in W (online = online_partial or
    online_full); open_feedback = feedback received ≤ as_of with status open or processing.
    """
    version, _changed_at = store.data_version()
    counts = store.overview_counts(as_of, as_of - timedelta(days=days))
    return CityOverview(
        in_progress=counts["in_progress"],
        overdue_in_progress=counts["overdue_in_progress"],
        on_time=Ratio(counts["completed_on_time"], counts["completed"]),
        online_share=Ratio(counts["received_online"], counts["received"]),
        open_feedback=counts["open_feedback"],
        as_of=as_of,
        data_version=version,
    )


def source_freshness(
    store: Store, sources: Iterable[SourceConfig], as_of: datetime, stale_factor: float
) -> list[SourceFreshness]:
    """Per configured source, in the given order: its last good pull and whether it is stale.

    last_good_pull_at = min over the source's streams of last_good_pull_at, None if any stream never
    succeeded; last_error = the first stream error (streams in profile order), None when all succeeded
    last; stale = never pulled, or as_of − last_good_pull_at > stale_factor × interval.
    """
    states = {(row["source"], row["stream"]): row for row in store.states()}
    units = {row["key"]: row for row in store.units()}
    result: list[SourceFreshness] = []
    for source in sources:
        rows = [states.get((source.name, stream)) for stream in source.load_profile().streams]
        good = [row["last_good_pull_at"] if row else None for row in rows]
        last_good = None if not good or None in good else min(good)
        errors = [row["last_error"] for row in rows if row and row["last_error"]]
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
                last_error=errors[0] if errors else None,
                stale=stale,
                as_of=as_of,
            )
        )
    return result
