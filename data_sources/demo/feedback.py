"""The random plan of one unit-day's citizen feedback (phản ánh kiến nghị): arrival, handling, answer, rating."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from dashboard.core.vocabulary import DEPARTMENT
from dashboard.core.workdays import WorkCalendar
from data_sources.demo.catalog import UnitTraits
from data_sources.demo.plan import HOUR, DueCache, around_the_clock, due_in_working_days, instants, or_none, shift
from data_sources.demo.timeline import NEVER, OfficeTimeline

FEEDBACK_DUE_WORKING_DAYS = 10
NON_WORKING_FACTOR = 0.7
CHANNELS = ("app", "hotline", "web")
CHANNEL_WEIGHTS = (0.5, 0.3, 0.2)
CATEGORIES = ("Trật tự đô thị", "Môi trường", "Giao thông", "Điện nước", "An ninh trật tự", "Thủ tục hành chính",
              "Xây dựng", "Đất đai")  # fmt: skip
DISTRICT_CATEGORY_WEIGHTS = (0.2, 0.15, 0.15, 0.1, 0.1, 0.12, 0.1, 0.08)
DEPARTMENT_CATEGORY_WEIGHTS = (0.08, 0.1, 0.1, 0.05, 0.02, 0.45, 0.1, 0.1)
P_REJECTED, P_UNANSWERED, P_LATE = 0.04, 0.02, 0.12
P_RATED = 0.35  # of answered items
RATING_WEIGHTS = (0.7, 0.18, 0.12)  # satisfied, neutral, dissatisfied
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320
FEEDBACK_EVENTS = ("received", "processing", "closed", "rated")
RECEIVED, PROCESSING, CLOSED, RATED = range(len(FEEDBACK_EVENTS))


@dataclass(frozen=True)
class FeedbackPlan:
    """Every feedback item a unit receives on one day, with the times of all its events."""

    ids: list[str]
    category: np.ndarray  # object
    channel: np.ndarray  # object
    due: np.ndarray
    final_status: np.ndarray  # answered or rejected (object)
    rating: np.ndarray  # object, None when not rated
    lat: np.ndarray
    lon: np.ndarray
    times: np.ndarray  # (len(FEEDBACK_EVENTS), n)

    @property
    def received(self) -> np.ndarray:
        return self.times[RECEIVED]


def plan_feedback(
    rng: np.random.Generator,
    traits: UnitTraits,
    day: date,
    calendar: WorkCalendar,
    timeline: OfficeTimeline,
    scale: float,
    cache: DueCache,
) -> FeedbackPlan:
    """Draw one unit-day of feedback, around the clock, located near the unit's centre."""
    factor = 1.0 if calendar.is_working_day(day) else NON_WORKING_FACTOR
    n = int(rng.poisson(traits.feedback_rate * scale * factor))
    if n == 0:
        empty = np.zeros(0, dtype=object)
        return FeedbackPlan([], empty, empty, np.zeros(0, np.int64), empty, empty, np.zeros(0), np.zeros(0),
                            np.zeros((len(FEEDBACK_EVENTS), 0), dtype=np.int64))  # fmt: skip
    received = np.sort(around_the_clock(rng, day, n))
    weights = DEPARTMENT_CATEGORY_WEIGHTS if traits.kind == DEPARTMENT else DISTRICT_CATEGORY_WEIGHTS
    category = np.array(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), size=n, p=weights)]
    channel = np.array(CHANNELS, dtype=object)[rng.choice(len(CHANNELS), size=n, p=CHANNEL_WEIGHTS)]
    due = due_in_working_days(calendar, day, received, np.full(n, FEEDBACK_DUE_WORKING_DAYS), cache)

    o_recv, o_due = timeline.offset(received), timeline.offset(due)
    span = np.maximum(o_due - o_recv, HOUR).astype(float)
    u = rng.random(n)
    rejected = u < P_REJECTED
    unanswered = (u >= P_REJECTED) & (u < P_REJECTED + P_UNANSWERED)
    late = (u >= P_REJECTED + P_UNANSWERED) & (u < P_REJECTED + P_UNANSWERED + P_LATE)
    o_done = shift(o_recv, span * np.clip(rng.beta(2.0, 2.0, n), 0.03, 0.97))
    o_done = np.where(late, shift(o_due, span * rng.uniform(0.05, 0.8, n) + 60), o_done)
    o_done = np.where(rejected, shift(o_recv, span * rng.uniform(0.05, 0.4, n)), o_done)
    o_processing = shift(o_recv, (o_done - o_recv) * rng.uniform(0.02, 0.3, n))
    t_processing = np.maximum(timeline.instant(o_processing), received + 1)
    t_done = np.maximum(timeline.instant(o_done), t_processing + 1)
    rated = ~rejected & ~unanswered & (rng.random(n) < P_RATED)
    t_rated = t_done + rng.integers(600, 48 * HOUR, n)
    rating = np.array(("satisfied", "neutral", "dissatisfied"), dtype=object)[rng.choice(3, size=n, p=RATING_WEIGHTS)]
    lat, lon = _near(rng, traits, n)

    times = np.full((len(FEEDBACK_EVENTS), n), NEVER, dtype=np.int64)
    times[RECEIVED] = received
    times[PROCESSING] = t_processing
    times[CLOSED] = np.where(unanswered, NEVER, t_done)
    times[RATED] = np.where(rated, t_rated, NEVER)
    stamp = day.strftime("%y%m%d")
    ids = [f"PAKN-{traits.number:02d}-{stamp}-{seq:04d}" for seq in range(1, n + 1)]
    final = np.where(rejected, "rejected", "answered").astype(object)
    return FeedbackPlan(ids, category, channel, due, final, or_none(rated, rating), lat, lon, times)


def _near(rng: np.random.Generator, traits: UnitTraits, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian points around the unit's centre (σ = spread_km), cut off at 3σ."""
    east, north = rng.normal(0.0, traits.spread_km, (2, n))
    distance = np.hypot(east, north)
    shrink = np.minimum(1.0, 3 * traits.spread_km / np.maximum(distance, 1e-9))
    lat = traits.lat + north * shrink / KM_PER_DEGREE_LAT
    lon = traits.lon + east * shrink / (KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(traits.lat)))
    return np.round(lat, 6), np.round(lon, 6)


def feedback_rows(
    plan: FeedbackPlan, unit_code: str, index: np.ndarray, at: np.ndarray | np.int64
) -> list[dict[str, Any]]:
    """Canonical rows of the feedback items at `index`, each as it stands at the matching moment in `at`."""
    t = plan.times[:, index]
    happened = t <= np.broadcast_to(at, index.shape)[None, :]
    final = plan.final_status[index]
    done = happened[CLOSED]
    status = np.where(done, final, np.where(happened[PROCESSING], "processing", "open").astype(object))
    columns = zip(
        (plan.ids[i] for i in index.tolist()),
        plan.category[index].tolist(),
        plan.channel[index].tolist(),
        instants(t[RECEIVED]),
        instants(plan.due[index]),
        instants(np.where(done & (final == "answered"), t[CLOSED], NEVER)),
        status.tolist(),
        or_none(happened[RATED], plan.rating[index]).tolist(),
        plan.lat[index].tolist(),
        plan.lon[index].tolist(),
        instants(np.where(happened, t, -1).max(axis=0)),
        strict=True,
    )
    names = ("native_id", "category", "channel", "received_at", "due_at", "answered_at", "status", "rating", "lat",
             "lon", "source_updated_at")  # fmt: skip
    return [{"unit": unit_code, **dict(zip(names, values, strict=True))} for values in columns]
