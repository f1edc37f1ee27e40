"""Per-day series and points for charts and maps, read from the rollups and the feedback table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, case, func, literal, select

from dashboard.core.engines import dicts
from dashboard.store.schema import feedback, roll_dossier_day, roll_feedback_day, roll_processing


@dataclass
class WeekCounters:
    """One week's counters per unit, as `pages.kpis.period_counters` gives them for a window of whole days."""

    dossier: dict[str, dict[str, Any]] = field(default_factory=dict)  # roll_dossier_day's counters summed
    feedback: dict[str, dict[str, Any]] = field(default_factory=dict)  # roll_feedback_day's counters summed
    histogram: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))  # half-days → completed


def _week_of(day: ColumnElement[Any], first: date, weeks: int) -> ColumnElement[Any]:
    """The week (0 … weeks − 1) of days first + 7·i … first + 7·i + 6 that `day` falls in, as SQL every dialect runs."""
    if weeks == 1:
        return literal(0)
    whens = [(day < first + timedelta(days=7 * (i + 1)), i) for i in range(weeks - 1)]
    return case(*whens, else_=weeks - 1)


class Series:
    """Per-day series and points for charts and maps (reads only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def history_start(self) -> date | None:
        """The store's history start: the first day any dossier was received in it (the first day of the dossier
        day rollups with a receipt, read along their index on day up to the first such row); None when it holds no
        dossier."""
        t = roll_dossier_day
        first = select(t.c.day).where(t.c.received > 0).order_by(t.c.day).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(first).scalar_one_or_none()

    def unit_days(self, unit: str | None, first: date, last: date) -> tuple[int, list[dict[str, Any]]]:
        """(dossiers in progress at the start of `first`, and per day first..last: received, completed, closed and
        in progress at the end of the day) of `unit`, or of every unit together when None; in progress = cumulative
        received − cumulative closed."""
        t = roll_dossier_day
        of_unit = [t.c.unit_key == unit] if unit is not None else []
        opening = select(func.coalesce(func.sum(t.c.received - t.c.closed), 0)).where(*of_unit, t.c.day < first)
        days = (
            select(
                t.c.day,
                func.sum(t.c.received).label("received"),
                func.sum(t.c.completed).label("completed"),
                func.sum(t.c.closed).label("closed"),
            )
            .where(*of_unit, t.c.day >= first, t.c.day <= last)
            .group_by(t.c.day)
            .order_by(t.c.day)
        )
        with self.engine.connect() as conn:
            backlog = int(conn.execute(opening).scalar_one())
            by_day = {r["day"]: {k: int(v) for k, v in r.items() if k != "day"} for r in conn.execute(days).mappings()}
        start_backlog, series, day = backlog, [], first
        while day <= last:
            row = by_day.get(day, {"received": 0, "completed": 0, "closed": 0})
            backlog += row["received"] - row["closed"]
            series.append(
                {
                    "day": day,
                    "received": row["received"],
                    "completed": row["completed"],
                    "closed": row["closed"],
                    "in_progress": backlog,
                }
            )
            day += timedelta(days=1)
        return start_backlog, series

    def unit_weeks(self, units: Sequence[str], first: date, weeks: int) -> list[WeekCounters]:
        """Per week i of `weeks` (days first + 7·i … first + 7·i + 6) and per unit of `units`: the sums of the day
        tables' counters and the processing histogram, as `Rollups.day_totals` and `processing_histogram` give them
        for that week alone — three grouped reads for every week, not three per week."""
        last = first + timedelta(days=7 * weeks - 1)
        found = [WeekCounters() for _ in range(weeks)]
        with self.engine.connect() as conn:
            for table, into in ((roll_dossier_day, "dossier"), (roll_feedback_day, "feedback")):
                for row in conn.execute(self._week_totals(table, units, first, last, weeks)).mappings():
                    counters = {k: v for k, v in row.items() if k not in ("unit_key", "week")}
                    getattr(found[row["week"]], into)[row["unit_key"]] = counters
            for unit, week, half_days, n in conn.execute(self._week_histogram(units, first, last, weeks)):
                found[week].histogram[unit][half_days] = n
        return found

    @staticmethod
    def _week_totals(table: Table, units: Sequence[str], first: date, last: date, weeks: int):
        counters = [c.name for c in table.columns if not c.primary_key]
        days = (
            select(table.c.unit_key, _week_of(table.c.day, first, weeks).label("week"), *(table.c[c] for c in counters))
            .where(table.c.day >= first, table.c.day <= last, table.c.unit_key.in_(units))
            .subquery()
        )  # grouped outside: a CASE with bound values is not the same expression twice to PostgreSQL
        sums = [func.coalesce(func.sum(days.c[c]), 0).label(c) for c in counters]
        return select(days.c.unit_key, days.c.week, *sums).group_by(days.c.unit_key, days.c.week)

    @staticmethod
    def _week_histogram(units: Sequence[str], first: date, last: date, weeks: int):
        t = roll_processing
        days = (
            select(t.c.unit_key, _week_of(t.c.day, first, weeks).label("week"), t.c.half_days, t.c.n)
            .where(t.c.day >= first, t.c.day <= last, t.c.unit_key.in_(units))
            .subquery()
        )
        return select(days.c.unit_key, days.c.week, days.c.half_days, func.sum(days.c.n)).group_by(
            days.c.unit_key, days.c.week, days.c.half_days
        )

    def feedback_points(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Feedback received in [since, until) that has coordinates: unit, category, channel, status, lat, lon."""
        f = feedback
        statement = (
            select(f.c.unit_key, f.c.category, f.c.channel, f.c.status, f.c.lat, f.c.lon, f.c.received_at)
            .where(f.c.received_at >= since, f.c.received_at < until, f.c.lat.is_not(None), f.c.lon.is_not(None))
            .order_by(f.c.received_at)
        )
        with self.engine.connect() as conn:
            return dicts(conn.execute(statement))
