"""Whether a headline figure got better or worse since an earlier instant: the direction rule, written once and
stated in docs/metrics.md ("Better or worse"). Plain numbers in, a `Change` out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Kind = Literal["count", "rate"]  # a count changes by whole numbers, a rate (a fraction) by percentage points
Better = Literal["higher", "lower", "neutral"]  # which way is better; neutral: neither
Arrow = Literal["up", "down", "steady"]
Verdict = Literal["better", "worse", "steady", "neutral"]  # neutral: moved, but neither way is better

RATE_STEP = 0.001  # a rate's change is rounded as it is shown: to 0.1 percentage point
STEADY_RATE_STEPS = 5  # a rate that moved by less than 5 steps (0.5 percentage point) is steady
STEADY_COUNT = 0.01  # a count that moved by less than 1 % of its earlier value is steady


@dataclass(frozen=True)
class Figure:
    """How a figure compares: a count or a rate, and which way is better."""

    kind: Kind
    better: Better


HEADLINE: Mapping[str, Figure] = MappingProxyType(
    {
        "in_progress": Figure("count", "neutral"),  # workload: neither more nor fewer is better in itself
        "overdue": Figure("count", "lower"),  # overdue in progress
        "overdue_share": Figure("rate", "lower"),  # overdue ÷ in progress
        "on_time": Figure("rate", "higher"),
        "online": Figure("rate", "higher"),
        "feedback": Figure("count", "lower"),  # open feedback: citizens waiting for an answer
        "satisfaction": Figure("rate", "higher"),
    }
)


@dataclass(frozen=True)
class Change:
    """A figure now against the same figure earlier: its change (rounded as shown), arrow and verdict."""

    kind: Kind
    now: float
    before: float
    delta: float
    arrow: Arrow
    verdict: Verdict


def change(figure: Figure, now: float | None, before: float | None) -> Change | None:
    """Δ = now − before, a rate's rounded to 0.1 percentage point and a count's whole. Steady when |Δ| < 0.5
    percentage point (a rate) or |Δ| < 1 % of `before` (a count; Δ = 0 is always steady); else the arrow is up
    for Δ > 0 and down for Δ < 0, and the verdict better when the figure moved the way `figure.better` says,
    worse the other way, neutral for a figure with no better way. None when either value is unknown."""
    if now is None or before is None:
        return None
    if figure.kind == "rate":
        steps = round((now - before) / RATE_STEP)
        delta, steady = steps * RATE_STEP, abs(steps) < STEADY_RATE_STEPS
    else:
        delta = float(round(now - before))
        steady = delta == 0 or abs(delta) < STEADY_COUNT * abs(before)
    if steady:
        return Change(figure.kind, now, before, delta, "steady", "steady")
    arrow: Arrow = "up" if delta > 0 else "down"
    if figure.better == "neutral":
        return Change(figure.kind, now, before, delta, arrow, "neutral")
    good = (arrow == "up") == (figure.better == "higher")
    return Change(figure.kind, now, before, delta, arrow, "better" if good else "worse")
