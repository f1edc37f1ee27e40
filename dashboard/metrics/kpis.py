"""Pure KPI functions: plain counts in, figures out. Every docstring states its formula; docs/metrics.md
collects them with their Vietnamese and English names. Reading the counts is `dashboard.pages.kpis`'s job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.core.periods import Window
from dashboard.core.vocabulary import AGEING_BUCKETS, CITY_KEY


@dataclass(frozen=True)
class Ratio:
    """numerator ÷ denominator, kept as both numbers; `value` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Backlog:
    """Dossiers in progress at an instant, by ageing bucket (working days, partial days rounded up)."""

    in_progress: int = 0
    overdue: int = 0
    overdue_with_apology: int = 0
    ageing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGEING_BUCKETS, 0))


@dataclass(frozen=True)
class UnitKpis:
    unit_key: str
    period: str
    window: Window
    as_of: datetime
    backlog: Backlog
    received: int
    online: Ratio  # online (partial or full) ÷ received
    online_full: Ratio  # full online ÷ received
    on_time: Ratio  # completed on time ÷ completed
    late: int  # completed − completed on time
    apology: Ratio  # late dossiers with an apology ÷ late dossiers (completed after due, or overdue now)
    median_processing_days: float | None
    mean_statutory_days: float | None
    dossier_satisfaction: Ratio  # satisfied ÷ rated
    feedback_received: int
    open_feedback: int
    overdue_feedback: int
    feedback_on_time: Ratio  # answered on time ÷ answered
    feedback_satisfaction: Ratio  # satisfied ÷ rated

    @property
    def completed(self) -> int:
        return self.on_time.denominator


def median_half_days(histogram: dict[int, int]) -> float | None:
    """The lower median of a histogram of working half-days, in working days (÷ 2); None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    position, seen = (total + 1) // 2, 0
    for half_days in sorted(histogram):
        seen += histogram[half_days]
        if seen >= position:
            return half_days / 2
    return None  # unreachable


def backlog_of(counts: dict[str, int]) -> Backlog:
    """A Backlog from its counts (in_progress, overdue, overdue_with_apology and the five buckets)."""
    return Backlog(
        int(counts.get("in_progress", 0)),
        int(counts.get("overdue", 0)),
        int(counts.get("overdue_with_apology", 0)),
        {b: int(counts.get(b, 0)) for b in AGEING_BUCKETS},
    )


def backlog_minus(whole: Backlog, part: Backlog) -> Backlog:
    """whole − part, counter by counter."""
    return Backlog(
        whole.in_progress - part.in_progress,
        whole.overdue - part.overdue,
        whole.overdue_with_apology - part.overdue_with_apology,
        {b: whole.ageing[b] - part.ageing[b] for b in AGEING_BUCKETS},
    )


def open_feedback(rows: list[dict[str, Any]], as_of: datetime) -> dict[str, tuple[int, int]]:
    """Per unit: (open feedback, of which past its due)."""
    result: dict[str, tuple[int, int]] = {}
    for row in rows:
        total, overdue = result.get(row["unit_key"], (0, 0))
        result[row["unit_key"]] = (total + row["n"], overdue + (row["n"] if row["due_at"] < as_of else 0))
    return result


def build_unit_kpis(
    unit_key: str,
    period: str,
    span: Window,
    as_of: datetime,
    dossier: dict[str, float],
    feedback: dict[str, float],
    histogram: dict[int, int],
    backlog_now: Backlog,
    feedback_open: tuple[int, int],
) -> UnitKpis:
    """One unit's figures from its period counters (see `UnitKpis` for each formula)."""

    def n(counters: dict[str, float], name: str) -> int:
        return int(counters.get(name, 0))

    completed = n(dossier, "completed")
    late_total = n(dossier, "completed_after_due") + backlog_now.overdue
    return UnitKpis(
        unit_key=unit_key,
        period=period,
        window=span,
        as_of=as_of,
        backlog=backlog_now,
        received=n(dossier, "received"),
        online=Ratio(n(dossier, "received_online"), n(dossier, "received")),
        online_full=Ratio(n(dossier, "received_online_full"), n(dossier, "received")),
        on_time=Ratio(n(dossier, "completed_on_time"), completed),
        late=completed - n(dossier, "completed_on_time"),
        apology=Ratio(n(dossier, "completed_after_due_apology") + backlog_now.overdue_with_apology, late_total),
        median_processing_days=median_half_days(histogram),
        mean_statutory_days=(dossier.get("statutory_days", 0) / completed) if completed else None,
        dossier_satisfaction=Ratio(n(dossier, "satisfied"), n(dossier, "rated")),
        feedback_received=n(feedback, "received"),
        open_feedback=feedback_open[0],
        overdue_feedback=feedback_open[1],
        feedback_on_time=Ratio(n(feedback, "answered_on_time"), n(feedback, "answered")),
        feedback_satisfaction=Ratio(n(feedback, "satisfied"), n(feedback, "rated")),
    )


@dataclass(frozen=True)
class CityOverview:
    """The city's headline figures: sums over every unit (see `city_overview`)."""

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


def _sum(ratios: list[Ratio]) -> Ratio:
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def city_overview(units: dict[str, UnitKpis], as_of: datetime, data_version: int) -> CityOverview:
    """in progress = Σ units' in progress; overdue = Σ overdue in progress; on time = Σ on time ÷ Σ completed;
    online share = Σ online ÷ Σ received; open feedback = Σ open feedback (liên thông copies counted once)."""
    kpis = list(units.values())
    return CityOverview(
        in_progress=sum(k.backlog.in_progress for k in kpis),
        overdue_in_progress=sum(k.backlog.overdue for k in kpis),
        on_time=_sum([k.on_time for k in kpis]),
        online_share=_sum([k.online for k in kpis]),
        open_feedback=sum(k.open_feedback for k in kpis),
        as_of=as_of,
        data_version=data_version,
    )


def empty_kpis(unit_key: str, period: str, span: Window, as_of: datetime) -> UnitKpis:
    """A unit without any data in the period: zero counts, and ratios that read as n/a."""
    return build_unit_kpis(unit_key, period, span, as_of, {}, {}, {}, Backlog(), (0, 0))


def city_kpis(
    units: Mapping[str, UnitKpis], period: str, span: Window, as_of: datetime, histogram: Mapping[int, int]
) -> UnitKpis:
    """The city as one unit: every count and both parts of every ratio summed over `units`; the backlog and its
    ageing summed; the median over the merged processing `histogram`; the mean statutory time weighted by
    completed dossiers (Σ mean × completed ÷ Σ completed)."""
    values = list(units.values())
    completed = sum(k.completed for k in values)
    statutory = sum((k.mean_statutory_days or 0.0) * k.completed for k in values)
    backlogs = [k.backlog for k in values]
    backlog = Backlog(
        in_progress=sum(b.in_progress for b in backlogs),
        overdue=sum(b.overdue for b in backlogs),
        overdue_with_apology=sum(b.overdue_with_apology for b in backlogs),
        ageing={bucket: sum(b.ageing.get(bucket, 0) for b in backlogs) for bucket in AGEING_BUCKETS},
    )
    return UnitKpis(
        unit_key=CITY_KEY,
        period=period,
        window=span,
        as_of=as_of,
        backlog=backlog,
        median_processing_days=median_half_days(dict(histogram)),
        mean_statutory_days=statutory / completed if completed else None,
        online=_sum([k.online for k in values]),
        online_full=_sum([k.online_full for k in values]),
        on_time=_sum([k.on_time for k in values]),
        apology=_sum([k.apology for k in values]),
        dossier_satisfaction=_sum([k.dossier_satisfaction for k in values]),
        feedback_on_time=_sum([k.feedback_on_time for k in values]),
        feedback_satisfaction=_sum([k.feedback_satisfaction for k in values]),
        received=sum(k.received for k in values),
        late=sum(k.late for k in values),
        feedback_received=sum(k.feedback_received for k in values),
        open_feedback=sum(k.open_feedback for k in values),
        overdue_feedback=sum(k.overdue_feedback for k in values),
    )
