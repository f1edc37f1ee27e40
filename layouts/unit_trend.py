"""The tile's trend week by week (Monday to Sunday): a daily view drops to 0 every weekend, a week does not.
Received (bars) and completed (line) per week, in progress at the end of each week (the latest: today), on
whole-number axes. Plain data in: the tile's days (day, received, completed, in_progress), oldest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from dashboard.core.i18n import t
from layouts import figures

COUNT_TICKS = {"tickformat": ",d", "rangemode": "tozero"}  # whole numbers, the language's thousands mark


def weeks(days: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per Monday-to-Sunday week, oldest first: received and completed summed over its days, in progress at the
    end of its last day, and whether the days cover the whole week (the first and the current one may not)."""
    found: dict[date, dict[str, Any]] = {}
    for row in days:
        day: date = row["day"]
        monday = day - timedelta(days=day.weekday())
        week = found.setdefault(monday, {"day": monday, "received": 0, "completed": 0, "days": 0})
        week["received"] += row["received"]
        week["completed"] += row["completed"]
        week["in_progress"] = row["in_progress"]  # days come oldest first: the last one wins
        week["days"] += 1
    return [{**week, "whole": week.pop("days") == 7} for week in found.values()]


def weekly_trend_figure(
    days: Sequence[Mapping[str, Any]], lang: str, *, height: int = 340, uirevision: str = "trend"
) -> go.Figure:
    """The days grouped by week (`weeks`); a first week the 90 days only partly cover is left out, the current one is
    kept and called "this week, to date"."""
    rows = weeks(days)
    if rows and not rows[0]["whole"] and len(rows) > 1:
        rows = rows[1:]
    figure = figures.trend_figure(rows, lang, height=height, uirevision=uirevision)
    if not figure.data:
        return figure
    partial = t("unit.trend.partial", lang)
    labels = [
        f"{t('unit.trend.week', lang)} {row['day']:%d/%m}" + ("" if row["whole"] else f" ({partial})") for row in rows
    ]
    figure.update_traces(customdata=labels, hovertemplate="%{customdata}: %{y:,d}<extra>%{fullData.name}</extra>")
    figure.data[2].name = t("unit.trend.in_progress", lang)
    figure.update_layout(
        hovermode="closest",
        xaxis={"tickformat": "%d/%m", "dtick": 7 * 24 * 3600 * 1000, "tick0": str(rows[0]["day"])},
        yaxis={**COUNT_TICKS, "title": {"text": t("unit.trend.per_week", lang)}},
        yaxis2=COUNT_TICKS,
    )
    return figure
