"""Pure KPI functions over the store's read API: every figure takes an explicit `as_of`.

Each function's docstring states its formula; the raw counts come from `Store`, the arithmetic is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.store import Store


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
