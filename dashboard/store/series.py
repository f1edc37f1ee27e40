"""Per-day series and points for charts and maps, read from the rollups and the feedback table."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from dashboard.store.schema import feedback, roll_dossier_day


class Series:
    """Per-day series and points for charts and maps (reads only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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

    def feedback_points(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Feedback received in [since, until) that has coordinates: unit, category, channel, status, lat, lon."""
        f = feedback
        statement = (
            select(f.c.unit_key, f.c.category, f.c.channel, f.c.status, f.c.lat, f.c.lon, f.c.received_at)
            .where(f.c.received_at >= since, f.c.received_at < until, f.c.lat.is_not(None), f.c.lon.is_not(None))
            .order_by(f.c.received_at)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(statement).mappings()]
