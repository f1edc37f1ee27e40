"""Pure KPI functions: plain counts in, figures out. Every docstring states its formula; docs/metrics.md
collects them with their Vietnamese and English names. Reading the counts is `dashboard/kpis.py`'s job."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window
from dashboard.core.workdays import WorkCalendar

AGEING_BUCKETS = ("not_due", "due_soon", "overdue_1_5", "overdue_6_20", "overdue_over_20")


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


@dataclass(frozen=True)
class AgeingCutoffs:
    """The instants that split the open backlog into ageing buckets at `as_of` (see `ageing_cutoffs`)."""

    as_of: datetime
    due_soon_until: datetime  # end of the 2nd working day after as_of
    late_1_5_from: datetime  # 00:00 of the earliest due day that is at most 5 working days late
    late_6_20_from: datetime  # 00:00 of the earliest due day that is at most 20 working days late


def ageing_cutoffs(as_of: datetime, calendar: WorkCalendar) -> AgeingCutoffs:
    """Overdue working days of a due = |{working days d : day(due) < d ≤ day(as_of)}|, at least 1 (a partial day
    rounds up); it depends only on the due's day and falls as that day rises, so each bucket starts at a midnight."""
    as_of_day = as_of.astimezone(CITY_TZ).date()

    def earliest_day_late_at_most(limit: int):
        day, late = as_of_day, 0
        while True:
            late += calendar.is_working_day(day)  # working days in (day − 1, as_of_day]
            if late > limit:
                return day
            day -= timedelta(days=1)

    def midnight(day) -> datetime:
        return datetime.combine(day, datetime.min.time(), CITY_TZ)

    return AgeingCutoffs(
        as_of=as_of,
        due_soon_until=calendar.due_after_working_days(as_of, 2),
        late_1_5_from=midnight(earliest_day_late_at_most(5)),
        late_6_20_from=midnight(earliest_day_late_at_most(20)),
    )


def ageing_bucket(due: datetime, cut: AgeingCutoffs) -> str:
    """not_due, due_soon (as_of ≤ due ≤ end of the 2nd working day after), overdue_1_5, overdue_6_20 or over 20."""
    if due >= cut.as_of:
        return "due_soon" if due <= cut.due_soon_until else "not_due"
    if due >= cut.late_1_5_from:
        return "overdue_1_5"
    return "overdue_6_20" if due >= cut.late_6_20_from else "overdue_over_20"


def backlog(rows: list[dict[str, Any]], cut: AgeingCutoffs) -> dict[str, Backlog]:
    """Per unit, from open dossiers grouped by (original due, apology, n): in progress = Σn; overdue = Σn with
    due < as_of; the ageing buckets of `ageing_bucket`."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        n, due, unit = row["n"], row["due_at"], row["unit_key"]
        unit_counts = counts[unit]
        unit_counts["in_progress"] += n
        unit_counts[ageing_bucket(due, cut)] += n
        if due < cut.as_of:
            unit_counts["overdue"] += n
            unit_counts["overdue_with_apology"] += n if row["apology"] else 0
    return {unit: backlog_of(c) for unit, c in counts.items()}


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
