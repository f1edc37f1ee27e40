"""The open backlog by age: the cutoffs that split it into buckets at an instant, the buckets per unit, and how
many working days a dossier is late. Pure functions over plain rows and the working-day calendar."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dashboard.core import rules
from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.kpis import Backlog, backlog_of


@dataclass(frozen=True)
class AgeingCutoffs:
    """The instants that split the open backlog into ageing buckets at `as_of` (see `ageing_cutoffs`)."""

    as_of: datetime
    due_soon_until: datetime  # end of the 2nd working day after as_of
    late_1_5_from: datetime  # 00:00 of the earliest due day that is at most 5 working days late
    late_6_20_from: datetime  # 00:00 of the earliest due day that is at most 20 working days late

    def instants(self) -> tuple[datetime, datetime, datetime, datetime]:
        """(as_of, due_soon_until, late_1_5_from, late_6_20_from), as `rules.ageing_bucket` takes them."""
        return self.as_of, self.due_soon_until, self.late_1_5_from, self.late_6_20_from


def ageing_cutoffs(as_of: datetime, calendar: WorkCalendar) -> AgeingCutoffs:
    """Overdue working days of a due = |{working days d : day(due) < d ≤ day(as_of)}|, at least 1 (a partial day
    rounds up); it depends only on the due's day and falls as that day rises, so each bucket starts at a midnight."""
    as_of_day = as_of.astimezone(CITY_TZ).date()

    def earliest_day_late_at_most(limit: int) -> date:
        day, late = as_of_day, 0
        while True:
            late += calendar.is_working_day(day)  # working days in (day − 1, as_of_day]
            if late > limit:
                return day
            day -= timedelta(days=1)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), CITY_TZ)

    return AgeingCutoffs(
        as_of=as_of,
        due_soon_until=calendar.due_after_working_days(as_of, 2),
        late_1_5_from=midnight(earliest_day_late_at_most(5)),
        late_6_20_from=midnight(earliest_day_late_at_most(20)),
    )


def ageing_bucket(due: datetime, cut: AgeingCutoffs) -> str:
    """not_due, due_soon (as_of ≤ due ≤ end of the 2nd working day after), overdue_1_5, overdue_6_20 or over 20."""
    return rules.ageing_bucket(due, *cut.instants())


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


def working_days_late(due: datetime, end: datetime | None, calendar: WorkCalendar) -> int | None:
    """Working days d with day(due) < d ≤ day(end), at least 1 (as the ageing buckets count them); None when the
    dossier was not late at `end` (or has no end: withdrawn, cancelled)."""
    if end is None or end <= due:
        return None
    due_day, end_day = due.astimezone(CITY_TZ).date(), end.astimezone(CITY_TZ).date()
    return max(calendar.working_days_in(due_day + timedelta(days=1), end_day + timedelta(days=1)), 1)
