"""A synthetic store for benchmarks: N dossiers from 53 sources over about two years ending at a fixed as-of,
and feedback at ~15,000 items a month (per 10 million dossiers), generated with numpy in chunks.

Rows are generated in order of receipt, as columns: timestamps are UTC epoch seconds (`NULL` marks a
missing one), so they can be written as fast as each database allows (see `bench/loader.py`). Dues are
approximate (statutory days × 1.4 calendar days, end of day): what a benchmark measures is the reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np

from dashboard.core.clock import CITY_TZ
from dashboard.core.reference import unit_valid_on
from dashboard.core.workdays import WorkCalendar

NULL = np.iinfo(np.int64).min  # a missing timestamp or integer
NONE = np.array(None, dtype=object)  # None as `np.where` reads it (numpy's stubs refuse a bare None there)
Days = TypeVar("Days", np.ndarray, np.int64)  # epoch day numbers: an array of them, or one
CITY_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh keeps UTC+7 all year
DAY_S = 86400
DEPARTMENTS = 29  # departments and central agencies, with the 24 districts of 2019: 53 sources
CHANNELS = np.array(["counter", "postal", "online_partial", "online_full"], dtype=object)
# Channel mix by a procedure's online type (none, partial, full): about 21% online overall.
CHANNEL_MIX = {
    "none": (0.95, 0.05, 0.0, 0.0),
    "partial": (0.67, 0.03, 0.30, 0.0),
    "full": (0.50, 0.03, 0.17, 0.30),
}
CLOSED_FATES = np.array(["completed", "refused", "withdrawn", "cancelled"], dtype=object)
OPEN_STATUSES = np.array(["processing", "awaiting_supplement", "paused"], dtype=object)
RATINGS = np.array(["satisfied", "neutral", "dissatisfied"], dtype=object)
# How often a district receives each of its procedures, relative to the others (default 1).
DISTRICT_VOLUME = {"CT-BS": 30, "CT-CK": 8, "HT-TCHT": 10, "HT-KS": 6, "HT-KT": 2, "KD-HKD": 4, "XD-GPXD": 3}
# Department procedure codes by prefix → the unit that handles them.
DEPARTMENT_PREFIX = {
    "TP": "so-tu-phap",
    "KH": "so-ke-hoach-va-dau-tu",
    "GT": "so-giao-thong-van-tai",
    "XD": "so-xay-dung",
    "TN": "so-tai-nguyen-va-moi-truong",
    "YT": "so-y-te",
    "LD": "so-lao-dong-tbxh",
    "GD": "so-giao-duc-va-dao-tao",
    "CT": "so-cong-thuong",
    "VH": "so-van-hoa-va-the-thao",
    "DL": "so-du-lich",
    "TT": "so-thong-tin-va-truyen-thong",
    "NV": "so-noi-vu",
    "KHCN": "so-khoa-hoc-va-cong-nghe",
    "NN": "so-nong-nghiep-va-ptnt",
    "QH": "so-quy-hoach-kien-truc",
    "ATTP": "ban-ql-an-toan-thuc-pham",
}
FEEDBACK_SOURCE = "cong-1022"  # the city's 1022 portal
FEEDBACK_CATEGORIES = np.array(
    ["Hành chính", "Đất đai", "Xây dựng", "Môi trường", "Giao thông", "Trật tự đô thị", "Y tế", "Giáo dục", "Khác"],
    dtype=object,
)
FEEDBACK_CHANNELS = np.array(["app", "hotline", "web"], dtype=object)

# (column, kind): kinds are int, nint (nullable int), str, ts (epoch seconds, nullable), float, bool.
DOSSIER_COLUMNS = (
    ("id", "int"),
    ("source", "str"),
    ("native_code", "str"),
    ("unit_key", "str"),
    ("procedure_code", "str"),
    ("channel", "str"),
    ("received_at", "ts"),
    ("due_original_at", "ts"),
    ("due_current_at", "ts"),
    ("completed_at", "ts"),
    ("status", "str"),
    ("supplement_requests", "int"),
    ("apology_at", "ts"),
    ("apology_new_due_at", "ts"),
    ("rating", "str"),
    ("source_updated_at", "ts"),
    ("ingested_at", "ts"),
    ("counted", "bool"),
    ("processing_half_days", "nint"),
    ("procedure_listed", "bool"),
)
FEEDBACK_COLUMNS = (
    ("id", "int"),
    ("source", "str"),
    ("native_id", "str"),
    ("unit_key", "str"),
    ("category", "str"),
    ("channel", "str"),
    ("received_at", "ts"),
    ("due_at", "ts"),
    ("answered_at", "ts"),
    ("status", "str"),
    ("rating", "str"),
    ("lat", "float"),
    ("lon", "float"),
    ("source_updated_at", "ts"),
    ("ingested_at", "ts"),
)
Chunk = dict[str, np.ndarray]


def benchmark_units(units: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """The 53 sources: the districts valid on `day`, then the first 29 departments and central agencies."""
    valid = [u for u in units if unit_valid_on(u, day)]
    districts = [u for u in valid if u["kind"] == "district"]
    departments = [u for u in valid if u["kind"] in ("department", "central_agency")][:DEPARTMENTS]
    return districts + departments


@dataclass(frozen=True)
class Plan:
    """What to generate: `dossiers` rows over `days` days ending at `as_of`."""

    dossiers: int
    as_of: datetime
    days: int = 730
    feedback_per_month: int | None = None  # default: 15,000 per 10 million dossiers
    chunk: int = 500_000
    seed: int = 2019

    @property
    def as_of_s(self) -> int:
        return int(self.as_of.timestamp())

    @property
    def feedback(self) -> int:
        per_month = self.feedback_per_month
        if per_month is None:
            per_month = max(round(15_000 * self.dossiers / 10_000_000), 10)
        return round(per_month * self.days / 30.44)


def _end_of_local_day(day_number: Days) -> Days:
    """UTC epoch seconds of 23:59:59 local on local epoch day `day_number`."""
    return (day_number + 1) * DAY_S - 1 - CITY_OFFSET_S


def _pick(rng: np.random.Generator, choices: np.ndarray, n: int, p) -> np.ndarray:
    return choices[rng.choice(len(choices), n, p=p)]


class Generator:
    """Deterministic (seeded) dossiers and feedback for `plan` over `units` and `procedures`."""

    def __init__(
        self, plan: Plan, units: list[dict[str, Any]], procedures: list[dict[str, Any]], calendar: WorkCalendar
    ):
        self.plan, self.calendar = plan, calendar
        self.rng = np.random.default_rng(plan.seed)
        self.units = benchmark_units(units, plan.as_of.astimezone(CITY_TZ).date())
        self.unit_keys = np.array([u["key"] for u in self.units], dtype=object)
        self.procedures = procedures
        self.proc_codes = np.array([p["code"] for p in procedures], dtype=object)
        self.statutory_days = np.array(
            [p["statutory_time"] / 8 if p["statutory_unit"] == "hour" else p["statutory_time"] for p in procedures]
        )
        districts = sum(u["kind"] == "district" for u in self.units)
        size = self.rng.lognormal(0.0, 0.35, len(self.units)) * np.where(np.arange(len(self.units)) < districts, 3, 1)
        self.unit_weight = size / size.sum()
        self.late_rate = self.rng.uniform(0.01, 0.12, len(self.units))  # each unit's share completed late
        self.first_day = (plan.as_of_s + CITY_OFFSET_S) // DAY_S - plan.days + 1  # local epoch day

    # --- reference ------------------------------------------------------------------------------------
    def _unit_procedures(self, unit: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Procedure indices a unit handles, and how often (probabilities)."""
        levels = [p["level"] for p in self.procedures]
        if unit["kind"] == "district":
            idx = [i for i, level in enumerate(levels) if level == "district"]
            weight = np.array([DISTRICT_VOLUME.get(self.procedures[i]["code"], 1) for i in idx], dtype=float)
        else:
            own = [
                i
                for i, p in enumerate(self.procedures)
                if p["level"] == "department" and DEPARTMENT_PREFIX.get(p["code"].split("-")[0]) == unit["key"]
            ]
            if not own:  # a unit without catalogue procedures handles three, chosen by the seed
                pool = [i for i, level in enumerate(levels) if level == "department"]
                own = sorted(self.rng.choice(pool, 3, replace=False).tolist())
            idx, weight = own, np.ones(len(own))
        return np.array(idx), weight / weight.sum()

    def _day_weights(self) -> np.ndarray:
        """Receipts per local day: working days 1, Saturdays 0.12, other days off 0.02, growing ±15%."""
        days = [date.fromordinal(date(1970, 1, 1).toordinal() + int(d)) for d in self._days()]
        weight = np.array(
            [1.0 if self.calendar.is_working_day(d) else 0.12 if d.weekday() == 5 else 0.02 for d in days]
        )
        weight *= np.linspace(0.85, 1.15, len(days))
        return weight / weight.sum()

    def _days(self) -> np.ndarray:
        return np.arange(self.first_day, self.first_day + self.plan.days)

    # --- dossiers -------------------------------------------------------------------------------------
    def receipts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(unit index, procedure index, channel index, received epoch seconds) of every dossier, by receipt."""
        n, rng = self.plan.dossiers, self.rng
        per_unit = rng.multinomial(n, self.unit_weight)
        unit = np.repeat(np.arange(len(self.units), dtype=np.int16), per_unit)
        procedure = np.empty(n, dtype=np.int16)
        start = 0
        for u, count in enumerate(per_unit):
            idx, p = self._unit_procedures(self.units[u])
            procedure[start : start + count] = rng.choice(idx, count, p=p)
            start += count
        online_type = np.array([p["online_type"] for p in self.procedures], dtype=object)[procedure]
        channel = np.zeros(n, dtype=np.int8)
        for kind, mix in CHANNEL_MIX.items():
            rows = np.nonzero(online_type == kind)[0]
            channel[rows] = rng.choice(4, len(rows), p=mix)
        day = rng.choice(self._days(), n, p=self._day_weights())
        office = 7.5 * 3600 + rng.uniform(0, 8 * 3600, n)  # 07:30–11:30, 13:00–17:00
        office = np.where(office >= 11.5 * 3600, office + 1.5 * 3600, office)
        anytime = rng.uniform(6 * 3600, 23 * 3600, n)
        second = np.where(channel >= 2, anytime, office).astype(np.int64)
        today = (self.plan.as_of_s + CITY_OFFSET_S) // DAY_S
        as_of_second = (self.plan.as_of_s + CITY_OFFSET_S) % DAY_S
        late_today = (day == today) & (second >= as_of_second)
        second[late_today] = rng.integers(0, as_of_second, late_today.sum())  # nothing after the as-of
        received = day * DAY_S + second - CITY_OFFSET_S
        order = np.argsort(received, kind="stable")
        return unit[order], procedure[order], channel[order], received[order]

    def dossier_chunks(self) -> Iterator[Chunk]:
        unit, procedure, channel, received = self.receipts()
        for start in range(0, self.plan.dossiers, self.plan.chunk):
            end = min(start + self.plan.chunk, self.plan.dossiers)
            yield self._dossiers(start, unit[start:end], procedure[start:end], channel[start:end], received[start:end])

    def _dossiers(self, offset: int, unit, procedure, channel, received) -> Chunk:
        n, rng, as_of = len(unit), self.rng, self.plan.as_of_s
        statutory = self.statutory_days[procedure]
        received_day = (received + CITY_OFFSET_S) // DAY_S
        due = _end_of_local_day(received_day + np.maximum(np.ceil(statutory * 1.4), 1).astype(np.int64))
        span = due - received
        late = rng.random(n) < self.late_rate[unit]
        duration = np.where(late, span * (1.0 + rng.exponential(0.3, n)) + 3600, span * rng.uniform(0.05, 0.97, n))
        closing = received + np.maximum(duration, 600).astype(np.int64)
        fate = rng.choice(4, n, p=(0.945, 0.025, 0.025, 0.005))
        is_open = (closing > as_of) | (rng.random(n) < 0.0008)  # still running, or stuck for good
        done = ~is_open & (fate <= 1)  # completed or refused
        status = np.where(is_open, _pick(rng, OPEN_STATUSES, n, (0.85, 0.1, 0.05)), CLOSED_FATES[fate])
        completed = np.where(done, closing, NULL)
        supplements = rng.choice(4, n, p=(0.86, 0.10, 0.03, 0.01))
        supplements = np.where(status == "awaiting_supplement", np.maximum(supplements, 1), supplements)
        after_due = np.where(is_open, due < as_of, done & (closing > due))
        apology = after_due & (rng.random(n) < np.where(is_open, 0.4, 0.55))
        apology_at = np.where(apology, np.maximum(due - rng.integers(0, DAY_S, n), received), NULL)
        new_due = np.where(apology, due + rng.integers(1, 10, n) * DAY_S, NULL)
        rated = done & (rng.random(n) < np.where(channel >= 2, 0.45, 0.25))
        draw, in_time = rng.random(n), closing <= due  # satisfied / neutral / dissatisfied: 90/7/3, late 55/25/20
        level = (draw >= np.where(in_time, 0.9, 0.55)).astype(int) + (draw >= np.where(in_time, 0.97, 0.8))
        rating = np.where(rated, RATINGS[level], None)
        updated = np.where(is_open, received, closing)
        half_days = np.full(n, NULL)
        half_days[done] = self.calendar.processing_half_days_many(received[done], completed[done])
        ids = np.arange(offset + 1, offset + n + 1)
        return {
            "id": ids,
            "source": self.unit_keys[unit],
            "native_code": np.array([f"HS-{i:010d}" for i in ids.tolist()], dtype=object),
            "unit_key": self.unit_keys[unit],
            "procedure_code": self.proc_codes[procedure],
            "channel": CHANNELS[channel],
            "received_at": received,
            "due_original_at": due,
            "due_current_at": np.where(apology, new_due, due),
            "completed_at": completed,
            "status": status,
            "supplement_requests": supplements,
            "apology_at": apology_at,
            "apology_new_due_at": new_due,
            "rating": rating,
            "source_updated_at": updated,
            "ingested_at": np.minimum(updated + rng.integers(30, 1800, n), as_of),
            "counted": np.ones(n, dtype=bool),
            "processing_half_days": half_days,
            "procedure_listed": np.ones(n, dtype=bool),  # every generated procedure is in the catalogue
        }

    # --- feedback -------------------------------------------------------------------------------------
    def feedback_chunks(self) -> Iterator[Chunk]:
        total, rng, as_of = self.plan.feedback, self.rng, self.plan.as_of_s
        start_s = _end_of_local_day(np.int64(self.first_day - 1)) + 1
        received = np.sort(rng.integers(start_s, as_of, total))
        for start in range(0, total, self.plan.chunk):
            end = min(start + self.plan.chunk, total)
            yield self._feedback(start, received[start:end])

    def _feedback(self, offset: int, received: np.ndarray) -> Chunk:
        n, rng, as_of = len(received), self.rng, self.plan.as_of_s
        unit = rng.choice(len(self.units), n, p=self.unit_weight)
        due = _end_of_local_day((received + CITY_OFFSET_S) // DAY_S + 14)
        answered = received + (rng.uniform(0.02, 1.1, n) * (due - received)).astype(np.int64)
        is_open = answered > as_of
        rejected = ~is_open & (rng.random(n) < 0.06)
        status = np.where(
            is_open, _pick(rng, np.array(["open", "processing"], dtype=object), n, (0.6, 0.4)), "answered"
        )
        status = np.where(rejected, "rejected", status).astype(object)
        answered_at = np.where(status == "answered", answered, NULL)
        rated = (status == "answered") & (rng.random(n) < 0.35)
        rating = np.where(rated, _pick(rng, RATINGS, n, (0.7, 0.18, 0.12)), NONE)
        no_due = rng.random(n) < 0.08
        updated = np.where(is_open, received, answered)
        lat = np.array([u["lat"] or 10.7769 for u in self.units])[unit] + rng.normal(0, 0.02, n)
        lon = np.array([u["lon"] or 106.7009 for u in self.units])[unit] + rng.normal(0, 0.02, n)
        ids = np.arange(offset + 1, offset + n + 1)
        return {
            "id": ids,
            "source": np.full(n, FEEDBACK_SOURCE, dtype=object),
            "native_id": np.array([f"PA-{i:09d}" for i in ids.tolist()], dtype=object),
            "unit_key": self.unit_keys[unit],
            "category": _pick(rng, FEEDBACK_CATEGORIES, n, None),
            "channel": _pick(rng, FEEDBACK_CHANNELS, n, (0.45, 0.35, 0.2)),
            "received_at": received,
            "due_at": np.where(no_due, NULL, due),
            "answered_at": answered_at,
            "status": status,
            "rating": rating,
            "lat": lat,
            "lon": lon,
            "source_updated_at": updated,
            "ingested_at": np.minimum(updated + rng.integers(30, 1800, n), as_of),
        }


def as_of_default() -> datetime:
    """The benchmark's fixed instant: Wednesday 27 November 2019, 15:00 in the city."""
    return datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
