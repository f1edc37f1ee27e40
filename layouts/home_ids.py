"""The home page's ids beyond `layouts.ids.OverviewIds` (which keeps the figures' and the poll's): the one place
these id strings are written — to be folded into `OverviewIds` by whoever owns `layouts/ids.py`."""

from __future__ import annotations

from enum import StrEnum


class HomeIds(StrEnum):
    """The home page at "/": verdict, period picker, search, map, units to act on, alerts, trend, satisfaction."""

    VERDICT = "home-verdict"
    PERIODS = "home-periods"
    PERIOD_LINE = "home-period-line"
    SEARCH = "home-search"
    MAP = "home-map"
    MAP_NOTES = "home-map-notes"
    UNITS = "home-units"
    ALERTS = "home-alerts"
    TREND = "home-trend"
    TREND_TITLE = "home-trend-title"
    SATISFACTION = "home-satisfaction"
    SATISFACTION_VALUE = "home-satisfaction-value"
    FRESHNESS = "home-freshness"
