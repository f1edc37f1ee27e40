"""Unit KPIs over a period and at an instant, from the rollups (or, for checking, from raw rows).

Every formula is stated in `docs/metrics.md` and on the function that computes it. Whole days of a period
come from the day rollups; a partial first or last day is recounted from raw rows, so a window that ends
mid-day is exact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal

from dashboard.clock import CITY_TZ
from dashboard.periods import Window, previous_window, window
from dashboard.schema import roll_dossier_day, roll_feedback_day
from dashboard.store import Store
from dashboard.workdays import WorkCalendar

Source = Literal["rollups", "raw"]
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


def _day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(CITY_TZ).date(), time(0), CITY_TZ)


def split_window(span: Window) -> tuple[tuple[Any, Any] | None, list[Window]]:
    """(first and last whole day, or None; the partial segments to recount from raw rows)."""
    first_full = _day_start(span.start)
    if first_full < span.start:
        first_full += timedelta(days=1)
    last_end = _day_start(span.end)
    if last_end <= first_full:
        return None, [span]
    partial = [w for w in (Window(span.start, first_full), Window(last_end, span.end)) if w.start < w.end]
    days = (first_full.date(), (last_end - timedelta(days=1)).date())
    return days, partial


def _add(total: dict[str, dict[str, float]], rows: list[dict[str, Any]]) -> None:
    for row in rows:
        unit = row["unit_key"]
        for name, value in row.items():
            if name != "unit_key":
                total[unit][name] = total[unit].get(name, 0) + (value or 0)


def period_counters(store: Store, span: Window, unit: str | None = None, source: Source = "rollups"):
    """Per unit: dossier counters, feedback counters and the processing histogram over `span`."""
    dossier: dict[str, dict[str, float]] = defaultdict(dict)
    feedback: dict[str, dict[str, float]] = defaultdict(dict)
    histogram: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    days, partial = split_window(span) if source == "rollups" else (None, [span])
    if days:
        _add(dossier, store.rollups.day_totals(roll_dossier_day, *days, unit=unit))
        _add(feedback, store.rollups.day_totals(roll_feedback_day, *days, unit=unit))
        for row in store.rollups.processing_histogram(*days, unit=unit):
            histogram[row["unit_key"]][row["half_days"]] += row["n"]
    for segment in partial:
        _add(dossier, store.raw.dossier_counters(segment.start, segment.end, unit))
        _add(feedback, store.raw.feedback_counters(segment.start, segment.end, unit))
        for row in store.raw.processing(segment.start, segment.end, unit):
            histogram[row["unit_key"]][row["half_days"]] += row["n"]
    return dossier, feedback, histogram


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


def backlog(rows: list[dict[str, Any]], as_of: datetime, calendar: WorkCalendar) -> dict[str, Backlog]:
    """Per unit, from open dossiers grouped by (original due, apology):

    in progress = Σn; overdue = Σn with due < as_of; due soon = due ≥ as_of and due ≤ the end of the 2nd
    working day after as_of; overdue working days = working days d with due day < d ≤ as_of's day, at least 1
    (a partial day rounds up); buckets 1–5, 6–20, over 20.
    """
    soon_limit = calendar.due_after_working_days(as_of, 2)
    as_of_day = as_of.astimezone(CITY_TZ).date()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        n, due, unit = row["n"], row["due_at"], row["unit_key"]
        counts[unit]["in_progress"] += n
        if due >= as_of:
            counts[unit]["due_soon" if due <= soon_limit else "not_due"] += n
            continue
        counts[unit]["overdue"] += n
        counts[unit]["overdue_with_apology"] += n if row["apology"] else 0
        due_day = due.astimezone(CITY_TZ).date()
        late_days = max(calendar.working_days_in(due_day + timedelta(days=1), as_of_day + timedelta(days=1)), 1)
        bucket = "overdue_1_5" if late_days <= 5 else "overdue_6_20" if late_days <= 20 else "overdue_over_20"
        counts[unit][bucket] += n
    return {
        unit: Backlog(c["in_progress"], c["overdue"], c["overdue_with_apology"], {b: c[b] for b in AGEING_BUCKETS})
        for unit, c in counts.items()
    }


def open_feedback(rows: list[dict[str, Any]], as_of: datetime) -> dict[str, tuple[int, int]]:
    """Per unit: (open feedback, of which past its due)."""
    result: dict[str, tuple[int, int]] = {}
    for row in rows:
        total, overdue = result.get(row["unit_key"], (0, 0))
        result[row["unit_key"]] = (total + row["n"], overdue + (row["n"] if row["due_at"] < as_of else 0))
    return result


def unit_kpis(
    store: Store,
    calendar: WorkCalendar,
    period: str,
    as_of: datetime,
    unit: str | None = None,
    source: Source = "rollups",
    span: Window | None = None,
    units: list[str] | None = None,
) -> dict[str, UnitKpis]:
    """Every unit's KPIs (or one unit's) for `period` ending at `as_of`: the units with data, plus `units`
    (with zero counts and empty ratios, which read as n/a)."""
    span = span or window(period, as_of)
    dossier, fb, histogram = period_counters(store, span, unit, source)
    open_rows = store.rollups.open_backlog(unit) if source == "rollups" else store.raw.open_backlog(unit)
    backlogs = backlog(open_rows, as_of, calendar)
    fb_rows = store.rollups.open_feedback(unit) if source == "rollups" else store.raw.open_feedback(unit)
    fb_open = open_feedback(fb_rows, as_of)
    result: dict[str, UnitKpis] = {}
    for key in sorted(set(dossier) | set(fb) | set(backlogs) | set(fb_open) | set(units or ())):
        d, f, b = dossier.get(key, {}), fb.get(key, {}), backlogs.get(key, Backlog())

        def n(counters: dict[str, float], name: str) -> int:
            return int(counters.get(name, 0))

        completed = n(d, "completed")
        late_total = n(d, "completed_after_due") + b.overdue
        result[key] = UnitKpis(
            unit_key=key,
            period=period,
            window=span,
            as_of=as_of,
            backlog=b,
            received=n(d, "received"),
            online=Ratio(n(d, "received_online"), n(d, "received")),
            online_full=Ratio(n(d, "received_online_full"), n(d, "received")),
            on_time=Ratio(n(d, "completed_on_time"), completed),
            late=completed - n(d, "completed_on_time"),
            apology=Ratio(n(d, "completed_after_due_apology") + b.overdue_with_apology, late_total),
            median_processing_days=median_half_days(histogram.get(key, {})),
            mean_statutory_days=(d.get("statutory_days", 0) / completed) if completed else None,
            dossier_satisfaction=Ratio(n(d, "satisfied"), n(d, "rated")),
            feedback_received=n(f, "received"),
            open_feedback=fb_open.get(key, (0, 0))[0],
            overdue_feedback=fb_open.get(key, (0, 0))[1],
            feedback_on_time=Ratio(n(f, "answered_on_time"), n(f, "answered")),
            feedback_satisfaction=Ratio(n(f, "satisfied"), n(f, "rated")),
        )
    return result


def previous_unit_kpis(store: Store, calendar: WorkCalendar, period: str, as_of: datetime, **kwargs):
    """The same KPIs over the previous period (backlog figures are the current ones: no history of states)."""
    return unit_kpis(store, calendar, period, as_of, span=previous_window(period, as_of), **kwargs)
