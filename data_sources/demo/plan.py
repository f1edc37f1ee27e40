"""The random plan of one unit-day's dossiers: arrivals, deadlines and every later event, drawn at once.

A plan holds, per dossier, the time of each event (NEVER when it does not happen). A row's state at any
moment is a pure function of the plan and that moment (`dossier_rows`), so writing the state at build time
and replaying later events gives the same rows as any other order of steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np

from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import END_OF_DAY, WorkCalendar
from data_sources.demo.catalog import NON_WORKING_ONLINE_FACTOR, UnitTraits
from data_sources.demo.timeline import NEVER, OfficeTimeline, epoch, local_day

HOUR = 3600
OFFICE_END_S = 17 * HOUR
# Relative arrivals per hour of the day for online dossiers and feedback (low at night).
ONLINE_HOURLY = np.array([0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.5, 2.2, 2.5, 2.5, 2.2,
                          1.6, 1.8, 2.3, 2.3, 2.1, 1.7, 1.4, 1.5, 1.6, 1.4, 1.0, 0.6])  # fmt: skip
HOURLY_CDF = np.cumsum(ONLINE_HOURLY)[:-1] / ONLINE_HOURLY.sum()
ONLINE_HOURLY.setflags(write=False)
HOURLY_CDF.setflags(write=False)
POSTAL_SHARE = 0.07  # of offline dossiers
P_WITHDRAWN, P_REFUSED = 0.01, 0.02
P_SECOND_SUPPLEMENT = 0.12
P_APOLOGY = 0.8  # of late completed dossiers
P_MISSED_NEW_DUE = 0.15  # of apologies
P_RATED = 0.4  # of completed dossiers
RATING_ON_TIME = (0.88, 0.08)  # satisfied, neutral (the rest dissatisfied)
RATING_LATE = (0.55, 0.2)
# Event rows of a plan, in the order of `DossierPlan.times`.
DOSSIER_EVENTS = ("received", "supplement_requested", "supplement_returned", "supplement_requested_again",
                  "supplement_returned_again", "apology", "closed", "rated")  # fmt: skip
RECEIVED, S1, B1, S2, B2, APOLOGY, CLOSED, RATED = range(len(DOSSIER_EVENTS))
DueCache = dict[tuple[date, int], int]  # (effective receipt day, working days) → due, epoch seconds


@dataclass(frozen=True)
class DossierPlan:
    """Every dossier a unit receives on one day, with the times of all its events."""

    codes: list[str]
    procedure: np.ndarray  # procedure codes (object)
    channel: np.ndarray  # canonical channels (object)
    due_original: np.ndarray  # epoch seconds
    new_due: np.ndarray  # due promised in the apology, NEVER without one
    final_status: np.ndarray  # completed, refused or withdrawn (object)
    rating: np.ndarray  # satisfied, neutral, dissatisfied or None (object)
    times: np.ndarray  # (len(DOSSIER_EVENTS), n) epoch seconds, NEVER when the event does not happen

    @property
    def received(self) -> np.ndarray:
        return self.times[RECEIVED]


def office_arrivals(rng: np.random.Generator, day: date, n: int) -> np.ndarray:
    """Arrival instants inside the office blocks of `day`, busier in the morning."""
    morning = rng.random(n) < 0.55
    position = np.floor(rng.beta(1.8, 1.6, n) * 4 * HOUR).astype(np.int64)
    starts = np.where(morning, epoch(day, time(7, 30)), epoch(day, time(13, 0)))
    return starts + position


def around_the_clock(rng: np.random.Generator, day: date, n: int) -> np.ndarray:
    """Arrival instants over the whole day, following ONLINE_HOURLY."""
    hours = np.searchsorted(HOURLY_CDF, rng.random(n), side="right")
    return epoch(day, time(0)) + hours * HOUR + rng.integers(0, HOUR, n)


def due_in_working_days(
    calendar: WorkCalendar, day: date, received: np.ndarray, days: np.ndarray, cache: DueCache
) -> np.ndarray:
    """`calendar.due_after_working_days` for arrivals on `day`; it depends only on the effective receipt day."""
    after_hours = (received - epoch(day, time(0))) >= OFFICE_END_S
    due = np.empty(len(received), dtype=np.int64)
    for late, at in ((False, time(8, 0)), (True, time(18, 0))):
        moment = datetime.combine(day, at, CITY_TZ)
        effective = calendar.effective_receipt_day(moment)
        for n in np.unique(days[after_hours == late]).tolist():
            if (effective, n) not in cache:
                cache[effective, n] = int(calendar.due_after_working_days(moment, n).timestamp())
            due[(after_hours == late) & (days == n)] = cache[effective, n]
    return due


def shift(base: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Integer offsets moved by whole seconds of a float delta (independent of the timeline's origin)."""
    return np.asarray(base, dtype=np.int64) + np.floor(delta).astype(np.int64)


def or_none(condition: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` where `condition` holds, None elsewhere, as `np.where(condition, values, None)` (None given as the
    0-d object array numpy makes of it, which numpy's stubs accept where they refuse a bare None)."""
    return np.where(condition, values, np.array(None, dtype=object))


def end_of_local_day(moments: np.ndarray) -> np.ndarray:
    """23:59:59 local of each moment's day."""
    return np.array([epoch(local_day(int(m)), END_OF_DAY) for m in moments], dtype=np.int64)


def plan_dossiers(
    rng: np.random.Generator,
    traits: UnitTraits,
    day: date,
    calendar: WorkCalendar,
    timeline: OfficeTimeline,
    scale: float,
    cache: DueCache,
) -> DossierPlan:
    """Draw one unit-day of dossiers; the draws depend only on the generator, so the plan is reproducible."""
    working = calendar.is_working_day(day)
    rate = traits.daily_rate * scale
    kinds = np.arange(len(rate))
    offline_n = rng.poisson(rate * (1 - traits.online_prob)) if working else np.zeros(len(rate), dtype=np.int64)
    online_n = rng.poisson(rate * traits.online_prob * (1.0 if working else NON_WORKING_ONLINE_FACTOR))
    which = np.concatenate((np.repeat(kinds, offline_n), np.repeat(kinds, online_n)))
    n_off, n = int(offline_n.sum()), len(which)
    online = np.arange(n) >= n_off
    received = np.concatenate((office_arrivals(rng, day, n_off), around_the_clock(rng, day, n - n_off)))
    postal = rng.random(n) < POSTAL_SHARE
    online_full = traits.full_online[which] & (rng.random(n) < traits.full_online_share)
    channel = np.where(online, np.where(online_full, "online_full", "online_partial"),
                       np.where(postal, "postal", "counter")).astype(object)  # fmt: skip

    order = np.argsort(received, kind="stable")
    which, received, channel = which[order], received[order], channel[order]
    stamp = day.strftime("%y%m%d")
    codes = [f"000.00.{traits.number:02d}.H29-{stamp}-{seq:04d}" for seq in range(1, n + 1)]
    due = due_in_working_days(calendar, day, received, traits.statutory_days[which], cache)
    hours = traits.statutory_hours[which]
    for i in np.flatnonzero(hours):
        moment = datetime.fromtimestamp(int(received[i]), UTC)
        due[i] = int(calendar.due_after_working_hours(moment, float(hours[i])).timestamp())
    times, final, new_due, rating = _outcomes(rng, traits, received, due, timeline)
    return DossierPlan(codes, traits.procedure_codes[which], channel, due, new_due, final, rating, times)


def _outcomes(
    rng: np.random.Generator, traits: UnitTraits, received: np.ndarray, due: np.ndarray, timeline: OfficeTimeline
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Event times, final status, apology due and rating of each dossier, placed on office time."""
    n = len(received)
    o_recv, o_due = timeline.offset(received), timeline.offset(due)
    span = np.maximum(o_due - o_recv, 1800).astype(float)
    u = rng.random(n)
    final = np.where(u < P_WITHDRAWN, "withdrawn", np.where(u < P_WITHDRAWN + P_REFUSED, "refused", "completed"))
    final = final.astype(object)
    completed = final == "completed"
    late = completed & (rng.random(n) < traits.late_rate)
    on_time = shift(o_recv, span * np.clip(rng.beta(2.4, 1.6, n), 0.03, 0.97))
    overrun = shift(o_due, span * rng.uniform(0.05, 0.5, n) + np.minimum(rng.exponential(4 * HOUR, n), 40 * HOUR) + 60)
    early = shift(o_recv, span * rng.uniform(0.05, 0.8, n))
    o_done = np.where(completed, np.where(late, overrun, on_time), early)
    t_done = np.maximum(timeline.instant(o_done), received + 60)

    work = (o_done - o_recv).astype(float)
    supplement = rng.random(n) < traits.supplement_rate
    again = supplement & (rng.random(n) < P_SECOND_SUPPLEMENT)
    o_s1 = shift(o_recv, work * rng.uniform(0.1, 0.3, n))
    o_b1 = shift(o_s1, work * rng.uniform(0.15, 0.3, n))
    o_s2 = shift(o_b1, work * rng.uniform(0.05, 0.15, n))
    o_b2 = shift(o_s2, work * rng.uniform(0.05, 0.15, n))
    steps = [np.minimum(np.maximum(timeline.instant(o), received + 1), t_done) for o in (o_s1, o_b1, o_s2, o_b2)]

    apology = late & (rng.random(n) < P_APOLOGY)
    o_apology = np.clip(shift(o_due, span * rng.uniform(-0.15, 0.03, n)), o_recv + 1, o_done - 1)
    t_apology = np.clip(timeline.instant(o_apology), received + 1, t_done - 1)
    missed = rng.random(n) < P_MISSED_NEW_DUE
    o_promise = np.where(missed, shift(o_done, -(o_done - o_due) * rng.uniform(0.2, 0.8, n)),
                         shift(o_done, 8 * HOUR * rng.uniform(0.5, 3.0, n)))  # fmt: skip
    new_due = np.full(n, NEVER, dtype=np.int64)
    if apology.any():
        promised = end_of_local_day(timeline.instant(o_promise[apology]))
        new_due[apology] = np.maximum(promised, end_of_local_day(due[apology] + 1))

    rated = completed & (rng.random(n) < P_RATED)
    t_rated = np.maximum(timeline.instant(shift(o_done, rng.uniform(0, 2 * HOUR, n))), t_done)
    draw = rng.random(n)
    good, fair = (np.where(late, RATING_LATE[i], RATING_ON_TIME[i]) for i in (0, 1))
    value = np.where(draw < good, "satisfied", np.where(draw < good + fair, "neutral", "dissatisfied"))
    rating = or_none(rated, value.astype(object))

    times = np.full((len(DOSSIER_EVENTS), n), NEVER, dtype=np.int64)
    times[RECEIVED] = received
    for row, step, happens in zip((S1, B1, S2, B2), steps, (supplement, supplement, again, again), strict=True):
        times[row] = np.where(happens, step, NEVER)
    times[APOLOGY] = np.where(apology, t_apology, NEVER)
    times[CLOSED] = t_done
    times[RATED] = np.where(rated, t_rated, NEVER)
    return times, final, new_due, rating


def plan_events(times: np.ndarray, after: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row index, event time, event kind) of every event strictly after `after`, in time order."""
    kind, index = np.nonzero((times > after) & (times != NEVER))
    at = times[kind, index]
    order = np.lexsort((kind, index, at))
    return index[order], at[order], kind[order]


def instants(values: np.ndarray) -> list[datetime | None]:
    """Epoch seconds as aware UTC datetimes (None for NEVER)."""
    cache: dict[int, datetime] = {}
    out: list[datetime | None] = []
    for v in values.tolist():
        if v == NEVER:
            out.append(None)
            continue
        moment = cache.get(v)
        if moment is None:
            moment = cache[v] = datetime.fromtimestamp(v, UTC)
        out.append(moment)
    return out


def dossier_rows(
    plan: DossierPlan, unit_code: str, index: np.ndarray, at: np.ndarray | np.int64
) -> list[dict[str, Any]]:
    """Canonical rows of the dossiers at `index`, each as it stands at the matching moment in `at`."""
    t = plan.times[:, index]
    happened = t <= np.broadcast_to(at, index.shape)[None, :]
    final = plan.final_status[index]
    done = happened[CLOSED]
    waiting = (happened[S1] & ~happened[B1]) | (happened[S2] & ~happened[B2])
    status = np.where(done, final, np.where(waiting, "awaiting_supplement", "processing").astype(object))
    supplements = happened[S1].astype(int) + happened[S2].astype(int)
    apologised = happened[APOLOGY]
    columns = zip(
        (plan.codes[i] for i in index.tolist()),
        plan.procedure[index].tolist(),
        plan.channel[index].tolist(),
        instants(t[RECEIVED]),
        instants(plan.due_original[index]),
        instants(np.where(apologised, plan.new_due[index], plan.due_original[index])),
        instants(np.where(done & (final != "withdrawn"), t[CLOSED], NEVER)),
        status.tolist(),
        supplements.tolist(),
        instants(np.where(apologised, t[APOLOGY], NEVER)),
        instants(np.where(apologised, plan.new_due[index], NEVER)),
        or_none(happened[RATED], plan.rating[index]).tolist(),
        instants(np.where(happened, t, -1).max(axis=0)),
        strict=True,
    )
    names = ("native_code", "procedure_code", "channel", "received_at", "due_original_at", "due_current_at",
             "completed_at", "status", "supplement_requests", "apology_at", "apology_new_due_at", "rating",
             "source_updated_at")  # fmt: skip
    return [{"unit": unit_code, **dict(zip(names, values, strict=True))} for values in columns]
