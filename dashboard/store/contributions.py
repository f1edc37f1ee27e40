"""What each stored row contributes to the rollup tables; the store applies new − old at every upsert.

Pure functions: a row (as stored) → {(table name, key tuple): {counter: amount}}. A row that is not
counted (a liên thông copy) contributes nothing. Days are calendar days in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dashboard.core.clock import CITY_TZ
from dashboard.store.schema import CLOSED_STATUSES, ONLINE_CHANNELS

DONE_STATUSES = ("completed", "refused")
OPEN_FEEDBACK = ("open", "processing")
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # roll_feedback_open key for feedback without a due date

Contribution = dict[tuple[str, tuple[Any, ...]], dict[str, float]]


def local_day(moment: datetime) -> date:
    return moment.astimezone(CITY_TZ).date()


def week_of(day: date) -> date:
    """The Monday of `day`'s week (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def is_on_time(row: dict[str, Any]) -> bool:
    """Completed (or refused) at or before the original due, with at most one supplement request."""
    return (
        row["status"] in DONE_STATUSES
        and row["completed_at"] is not None
        and row["completed_at"] <= row["due_original_at"]
        and (row["supplement_requests"] or 0) <= 1
    )


def closed_at(row: dict[str, Any]) -> datetime | None:
    """When a closed dossier closed: its completion time, else (withdrawn, cancelled) its last update."""
    if row["status"] not in CLOSED_STATUSES:
        return None
    return row["completed_at"] or row["source_updated_at"] or row["received_at"]


def dossier_contribution(row: dict[str, Any], statutory_days: float = 0.0) -> Contribution:
    """A dossier's counters: received (day), completed (day), processing histogram, open backlog."""
    out: Contribution = defaultdict(dict)
    if not row.get("counted", True):
        return out
    unit, channel = row["unit_key"], row["channel"]
    received_day = local_day(row["received_at"])
    day_key = ("roll_dossier_day", (unit, received_day))
    out[day_key]["received"] = 1
    out[day_key]["received_online"] = int(channel in ONLINE_CHANNELS)
    out[day_key]["received_online_full"] = int(channel == "online_full")
    out[("roll_dossier_detail", (unit, received_day, row["procedure_code"], channel))]["received"] = 1
    if row["status"] in DONE_STATUSES and row["completed_at"] is not None:
        done_day = local_day(row["completed_at"])
        on_time = is_on_time(row)
        done = out[("roll_dossier_day", (unit, done_day))]
        done["completed"] = 1
        done["completed_on_time"] = int(on_time)
        after_due = row["completed_at"] > row["due_original_at"]
        done["completed_after_due"] = int(after_due)
        done["completed_after_due_apology"] = int(after_due and row["apology_at"] is not None)
        done["rated"] = int(row["rating"] is not None)
        done["satisfied"] = int(row["rating"] == "satisfied")
        done["statutory_days"] = statutory_days
        detail = out[("roll_dossier_detail", (unit, done_day, row["procedure_code"], channel))]
        detail["completed"] = 1
        detail["completed_on_time"] = int(on_time)
        if row.get("processing_half_days"):
            out[("roll_processing", (unit, done_day, row["processing_half_days"]))]["n"] = 1
            out[("roll_processing_week", (unit, week_of(done_day), row["processing_half_days"]))]["n"] = 1
    closed = closed_at(row)
    if closed is not None:
        out[("roll_dossier_day", (unit, local_day(closed)))]["closed"] = 1
    else:
        out[("roll_open", (unit, row["due_original_at"], row["apology_at"] is not None))]["n"] = 1
    return out


def feedback_contribution(row: dict[str, Any]) -> Contribution:
    """A feedback item's counters: received (day), answered (day), open backlog by due."""
    out: Contribution = defaultdict(dict)
    unit = row["unit_key"]
    out[("roll_feedback_day", (unit, local_day(row["received_at"])))]["received"] = 1
    if row["status"] == "answered" and row["answered_at"] is not None:
        answered = out[("roll_feedback_day", (unit, local_day(row["answered_at"])))]
        answered["answered"] = 1
        answered["answered_on_time"] = int(row["due_at"] is None or row["answered_at"] <= row["due_at"])
        answered["rated"] = int(row["rating"] is not None)
        answered["satisfied"] = int(row["rating"] == "satisfied")
    if row["status"] in OPEN_FEEDBACK:
        out[("roll_feedback_open", (unit, row["due_at"] or NO_DUE))]["n"] = 1
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
