"""KPI formulas on plain counts: the city as one unit."""

from __future__ import annotations

from datetime import datetime

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import window
from dashboard.core.vocabulary import CITY_KEY
from dashboard.metrics.kpis import Backlog, Ratio, build_unit_kpis, city_kpis

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)  # a Wednesday afternoon


def test_city_kpis_sum_counts_and_both_parts_of_every_ratio():
    span = window("30d", AS_OF)
    one = build_unit_kpis(
        "a",
        "30d",
        span,
        AS_OF,
        {"received": 4, "received_online": 1, "completed": 3, "completed_on_time": 2, "statutory_days": 3.0},
        {"received": 2, "answered": 1, "answered_on_time": 1},
        {2: 3},
        Backlog(5, 2, 1, {"not_due": 3, "due_soon": 0, "overdue_1_5": 2, "overdue_6_20": 0, "overdue_over_20": 0}),
        (1, 1),
    )
    two = build_unit_kpis(
        "b",
        "30d",
        span,
        AS_OF,
        {"received": 6, "received_online": 3, "completed": 1, "completed_on_time": 1, "statutory_days": 5.0},
        {},
        {6: 1},
        Backlog(1, 1, 0, {"not_due": 0, "due_soon": 0, "overdue_1_5": 0, "overdue_6_20": 0, "overdue_over_20": 1}),
        (2, 0),
    )
    city = city_kpis({"a": one, "b": two}, "30d", span, AS_OF, {2: 3, 6: 1})
    assert (city.unit_key, city.received, city.late, city.open_feedback, city.overdue_feedback) == (
        CITY_KEY,
        10,
        1,
        3,
        1,
    )
    assert city.online == Ratio(4, 10) and city.on_time == Ratio(3, 4) and city.feedback_on_time == Ratio(1, 1)
    assert city.apology == Ratio(1, 3)  # overdue with an apology ÷ (completed after due + overdue)
    assert city.backlog == Backlog(
        6, 3, 1, {"not_due": 3, "due_soon": 0, "overdue_1_5": 2, "overdue_6_20": 0, "overdue_over_20": 1}
    )
    assert city.median_processing_days == 1.0  # half-days 2, 2, 2, 6: lower median 2
    assert city.mean_statutory_days == 2.0  # (1 × 3 + 5 × 1) ÷ 4
    empty = city_kpis({}, "30d", span, AS_OF, {})
    assert empty.on_time == Ratio(0, 0) and empty.median_processing_days is None and empty.mean_statutory_days is None
