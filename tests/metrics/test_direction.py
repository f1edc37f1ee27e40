"""The direction rule on hand-picked numbers: which way is better per figure, the steady bands at their edges,
rounding as shown, and no comparison without both values."""

from __future__ import annotations

import pytest

from dashboard.metrics.direction import HEADLINE, Change, Figure, change

RATE_UP = Figure("rate", "higher")
RATE_DOWN = Figure("rate", "lower")
COUNT_DOWN = Figure("count", "lower")
NEUTRAL = Figure("count", "neutral")


def test_which_way_is_better_for_each_headline_figure():
    assert {name: (f.kind, f.better) for name, f in HEADLINE.items()} == {
        "in_progress": ("count", "neutral"),
        "overdue": ("count", "lower"),
        "overdue_share": ("rate", "lower"),
        "on_time": ("rate", "higher"),
        "online": ("rate", "higher"),
        "feedback": ("count", "lower"),
        "satisfaction": ("rate", "higher"),
    }


def test_a_rate_moves_by_percentage_points_rounded_as_shown():
    assert change(RATE_UP, 0.960, 0.954) == Change("rate", 0.960, 0.954, 0.006, "up", "better")
    assert change(RATE_DOWN, 0.960, 0.954) == Change("rate", 0.960, 0.954, 0.006, "up", "worse")
    assert change(RATE_UP, 0.954, 0.960) == Change("rate", 0.954, 0.960, -0.006, "down", "worse")
    assert change(RATE_DOWN, 0.027, 0.031) == Change("rate", 0.027, 0.031, -0.004, "steady", "steady")  # −0,4 điểm %


@pytest.mark.parametrize(
    ("now", "before", "arrow"),
    [
        (0.5049, 0.5, "up"),  # +0.49 pp reads +0,5 điểm %: judged as shown, a move
        (0.5044, 0.5, "steady"),  # +0.44 pp → +0,4 điểm %: below the band
        (0.505, 0.5, "up"),  # +0.5 pp: the band's edge is a move
        (0.495, 0.5, "down"),
        (0.4956, 0.5, "steady"),  # −0.44 pp
    ],
)
def test_the_rate_band_is_half_a_percentage_point_on_the_rounded_change(now, before, arrow):
    found = change(RATE_UP, now, before)
    assert found is not None and found.arrow == arrow
    assert found.delta == pytest.approx(round((now - before) * 1000) / 1000)


def test_a_count_is_steady_within_one_percent_of_its_earlier_value():
    assert change(COUNT_DOWN, 66, 66) == Change("count", 66, 66, 0.0, "steady", "steady")
    assert change(COUNT_DOWN, 3099, 3075) == Change("count", 3099, 3075, 24.0, "steady", "steady")  # 0.78 %
    assert change(COUNT_DOWN, 3106, 3075) == Change("count", 3106, 3075, 31.0, "up", "worse")  # 1.01 %
    assert change(COUNT_DOWN, 1, 0) == Change("count", 1, 0, 1.0, "up", "worse")  # from nothing: any change
    assert change(COUNT_DOWN, 60, 66) == Change("count", 60, 66, -6.0, "down", "better")
    assert change(COUNT_DOWN, 99, 100) == Change("count", 99, 100, -1.0, "down", "better")  # exactly 1 %


def test_a_neutral_figure_moves_without_being_better_or_worse():
    assert change(NEUTRAL, 3087, 3000) == Change("count", 3087, 3000, 87.0, "up", "neutral")
    assert change(NEUTRAL, 2900, 3000) == Change("count", 2900, 3000, -100.0, "down", "neutral")
    assert change(NEUTRAL, 3010, 3000) == Change("count", 3010, 3000, 10.0, "steady", "steady")


def test_no_comparison_without_both_values():
    assert change(RATE_UP, None, 0.5) is None
    assert change(RATE_UP, 0.5, None) is None
    assert change(NEUTRAL, 0, 0) == Change("count", 0, 0, 0.0, "steady", "steady")  # zero is a value
