"""What each stored row contributes to the rollup tables; the store applies new − old at every upsert.

Pure functions: a row (as stored) → {(table name, key tuple): {counter: amount}}. A row that is not
counted (a liên thông copy) contributes nothing. The rules (on time, open, closed, …) are
`dashboard.core.rules`, the same ones the rebuild and the raw recounts state in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dashboard.core import rules
from dashboard.core.rules import local_day, week_of
from dashboard.core.vocabulary import ONLINE_CHANNELS, ONLINE_FULL, SATISFIED

Contribution = dict[tuple[str, tuple[Any, ...]], dict[str, float]]
Count = tuple[tuple[str, tuple[Any, ...]], str, float]  # (rollup row, counter, amount)


def dossier_counts(row: dict[str, Any], statutory_days: float = 0.0) -> list[Count]:
    """A dossier's counters, one (rollup row, counter, amount) each: received (day), completed (day), processing
    histogram, open backlog. Each counter of a rollup row comes at most once."""
    if not row.get("counted", True):
        return []
    unit, channel = row["unit_key"], row["channel"]
    received_day = local_day(row["received_at"])
    day_key = ("roll_dossier_day", (unit, received_day))
    counts: list[Count] = [
        (day_key, "received", 1),
        (day_key, "received_online", int(channel in ONLINE_CHANNELS)),
        (day_key, "received_online_full", int(channel == ONLINE_FULL)),
        (("roll_dossier_detail", (unit, received_day, row["procedure_code"], channel)), "received", 1),
    ]
    if rules.is_done(row):
        done_day = local_day(row["completed_at"])
        on_time = int(rules.is_on_time(row))
        done = ("roll_dossier_day", (unit, done_day))
        after_due = rules.is_done_after_due(row)
        detail = ("roll_dossier_detail", (unit, done_day, row["procedure_code"], channel))
        counts += [
            (done, "completed", 1),
            (done, "completed_on_time", on_time),
            (done, "completed_after_due", int(after_due)),
            (done, "completed_after_due_apology", int(after_due and row["apology_at"] is not None)),
            (done, "rated", int(row["rating"] is not None)),
            (done, "satisfied", int(row["rating"] == SATISFIED)),
            (done, "statutory_days", statutory_days),
            (detail, "completed", 1),
            (detail, "completed_on_time", on_time),
        ]
        if half_days := row.get("processing_half_days"):
            counts.append((("roll_processing", (unit, done_day, half_days)), "n", 1))
            counts.append((("roll_processing_week", (unit, week_of(done_day), half_days)), "n", 1))
    closed = rules.closed_at(row)
    if closed is not None:
        counts.append((("roll_dossier_day", (unit, local_day(closed))), "closed", 1))
    else:
        counts.append((("roll_open", (unit, row["due_original_at"], row["apology_at"] is not None)), "n", 1))
    return counts


def feedback_counts(row: dict[str, Any]) -> list[Count]:
    """A feedback item's counters: received (day), answered (day), open backlog by due."""
    unit = row["unit_key"]
    counts: list[Count] = [(("roll_feedback_day", (unit, local_day(row["received_at"]))), "received", 1)]
    if rules.is_answered(row):
        answered = ("roll_feedback_day", (unit, local_day(row["answered_at"])))
        counts += [
            (answered, "answered", 1),
            (answered, "answered_on_time", int(rules.is_answered_on_time(row))),
            (answered, "rated", int(row["rating"] is not None)),
            (answered, "satisfied", int(row["rating"] == SATISFIED)),
        ]
    if rules.is_open_feedback(row):
        counts.append((("roll_feedback_open", (unit, row["due_at"] or rules.NO_DUE)), "n", 1))
    return counts


def dossier_contribution(row: dict[str, Any], statutory_days: float = 0.0) -> Contribution:
    """A dossier's counters per rollup row (`dossier_counts`, grouped)."""
    return _grouped(dossier_counts(row, statutory_days))


def feedback_contribution(row: dict[str, Any]) -> Contribution:
    """A feedback item's counters per rollup row (`feedback_counts`, grouped)."""
    return _grouped(feedback_counts(row))


def _grouped(counts: list[Count]) -> Contribution:
    out: Contribution = defaultdict(dict)
    for key, name, amount in counts:
        out[key][name] = amount
    return out


def delta(old: Iterable[Contribution], new: Iterable[Contribution]) -> Contribution:
    """new − old, summed per rollup row; rows whose counters all cancel out are dropped."""
    total: Contribution = defaultdict(lambda: defaultdict(float))
    for sign, contributions in ((-1, old), (1, new)):
        for contribution in contributions:
            for key, counters in contribution.items():
                for name, amount in counters.items():
                    total[key][name] += sign * amount
    return {key: dict(c) for key, c in total.items() if any(v != 0 for v in c.values())}


def counts_delta(old: Iterable[list[Count]], new: Iterable[list[Count]]) -> Contribution:
    """`delta` of rows given by their counts, summed in one pass with no per-row dict: each counter's amounts are
    added in row order, the old rows' taken away first, so the sums (floats included) are `delta`'s to the bit."""
    total: Contribution = {}
    for sign, rows in ((-1, old), (1, new)):
        for counts in rows:
            for key, name, amount in counts:
                counters = total.get(key)
                if counters is None:
                    counters = total[key] = {}
                counters[name] = counters.get(name, 0.0) + sign * amount
    return {key: c for key, c in total.items() if any(v != 0 for v in c.values())}
