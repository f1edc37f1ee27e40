"""Who the demo sources are and how each behaves: volumes, procedure mixes, online shares and lateness.

Traits are drawn once per (seed, units, procedures) from a city-level generator and one generator per unit,
so the same inputs always give the same city. Constants are the knobs of the simulation's realism.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from dashboard.core.reference import origin_of, predecessors, unit_valid_on
from dashboard.core.vocabulary import CITY, DEPARTMENT, DISTRICT, LEAGUE_MEMBERS, WARD

CITY_DOSSIERS_PER_WORKING_DAY = 15_000  # at scale 1
DEPARTMENT_DOSSIER_SHARE = 0.25
CITY_FEEDBACK_PER_DAY = 500  # ≈ 15,000 a month
DEPARTMENT_FEEDBACK_SHARE = 0.12
CITY_ONLINE_SHARE = 0.21  # of all dossiers received over the history, 2019
ONLINE_TARGET_RANGE = (0.07, 0.44)  # spread of units' own online shares before calibration
NON_WORKING_ONLINE_FACTOR = 0.3  # online arrivals on a weekend or holiday, relative to a working day
CHRONIC_LATE_UNITS = (3, 4)  # how many units are chronically late (inclusive range)
CHRONIC_LATE_RATE = (0.15, 0.30)
NORMAL_LATE_RATE = (0.01, 0.06)
SUPPLEMENT_RATE = (0.04, 0.12)
DISTRICT_SPREAD_KM = 1.5
DEPARTMENT_SPREAD_KM = 2.5
LOCAL_SPREAD_KM = 0.8  # a ward or commune of 2025
# The units that compete for the city's territorial volume: districts until 30/06/2025, then the 168 wards,
# communes and the special zone. Which of them exist (and are ranked) on a date is the registry's.
TERRITORIAL_KINDS = LEAGUE_MEMBERS[DISTRICT] + LEAGUE_MEMBERS[WARD]
# Relative volume of a 2025 commune-level unit by the province it came from (old HCMC is denser), times a
# per-unit factor in [0.6, 1.4) from its key. Written for the demo, not measured.
LOCAL_PROVINCE_WEIGHTS = {"79": 1.0, "74": 0.8, "77": 0.6}
# Where the demo places a unit with no point of its own and no district of origin with one: the centre of its
# former province (approximate, written for the demo: Thủ Dầu Một, Bà Rịa). Points are a deployment's file.
FORMER_PROVINCE_CENTRES = {"74": (10.9804, 106.6519), "77": (10.4963, 107.1684)}

# Department key → prefixes of the department-level procedure codes it handles.
DEPARTMENT_PROCEDURES: dict[str, tuple[str, ...]] = {
    "so-tu-phap": ("TP-",),
    "so-ke-hoach-va-dau-tu": ("KH-",),
    "so-giao-thong-van-tai": ("GT-",),
    "so-xay-dung": ("XD-CCHN",),
    "so-tai-nguyen-va-moi-truong": ("TN-",),
    "so-y-te": ("YT-",),
    "so-lao-dong-tbxh": ("LD-GPLD",),
    "so-giao-duc-va-dao-tao": ("GD-VB",),
    "so-cong-thuong": ("CT-GCN", "CT-RUOU"),
    "so-van-hoa-va-the-thao": ("VH-QC",),
    "so-du-lich": ("DL-HDV",),
    "so-thong-tin-va-truyen-thong": ("TT-BC",),
    "so-noi-vu": ("NV-TG",),
    "so-khoa-hoc-va-cong-nghe": ("KHCN-TD",),
    "so-nong-nghiep-va-ptnt": ("NN-TY",),
    "so-quy-hoach-kien-truc": ("QH-CCQH",),
    "ban-ql-an-toan-thuc-pham": ("ATTP-CN",),
}
# Relative dossier volume: districts roughly by 2019 population (thousands) plus a base for business.
DISTRICT_WEIGHTS: dict[str, float] = {
    "quan-1": 142, "quan-3": 190, "quan-4": 175, "quan-5": 159, "quan-6": 233, "quan-7": 360, "quan-8": 424,
    "quan-10": 234, "quan-11": 209, "quan-12": 620, "quan-2": 180, "quan-9": 397, "quan-thu-duc": 592,
    "quan-go-vap": 676, "quan-binh-thanh": 499, "quan-tan-binh": 474, "quan-tan-phu": 485,
    "quan-phu-nhuan": 163, "quan-binh-tan": 785, "huyen-cu-chi": 462, "huyen-hoc-mon": 542,
    "huyen-binh-chanh": 705, "huyen-nha-be": 206, "huyen-can-gio": 71,
}  # fmt: skip
DISTRICT_BASE_WEIGHT = 150.0
DEPARTMENT_WEIGHTS: dict[str, float] = {
    "so-giao-thong-van-tai": 22, "so-ke-hoach-va-dau-tu": 18, "so-tu-phap": 12, "so-cong-thuong": 8,
    "so-lao-dong-tbxh": 7, "so-y-te": 6, "so-xay-dung": 4, "so-tai-nguyen-va-moi-truong": 4,
    "so-giao-duc-va-dao-tao": 4, "so-van-hoa-va-the-thao": 3, "so-du-lich": 3, "so-quy-hoach-kien-truc": 3,
    "ban-ql-an-toan-thuc-pham": 3, "so-thong-tin-va-truyen-thong": 2, "so-nong-nghiep-va-ptnt": 2,
    "so-noi-vu": 1.5, "so-khoa-hoc-va-cong-nghe": 1.5,
}  # fmt: skip
# Relative volume of a procedure within its unit (1 when not listed).
PROCEDURE_WEIGHTS: dict[str, float] = {
    "HT-KS": 10, "HT-KH": 3, "HT-KT": 2, "HT-TCHT": 6, "HT-CCH": 1, "CT-BS": 18, "CT-CK": 5, "CT-HD": 4,
    "DD-CGCN": 2, "DD-BD": 8, "DD-TC": 2, "XD-GPXD": 6, "XD-SC": 2, "KD-HKD": 5, "KD-TD": 4, "LD-TCXH": 3,
    "GD-CT": 2, "TP-LLTP": 8, "TP-QT": 0.3, "KH-DN": 3, "KH-TDN": 4, "KH-DT": 0.6, "GT-GPLX": 4, "GT-DKX": 1.5,
    "CT-GCN": 2, "CT-RUOU": 1,
}  # fmt: skip


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (unlike `hash()`)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class UnitTraits:
    """One simulated unit: identity, centre, procedure mix and behaviour (rates at scale 1)."""

    key: str
    code: str
    kind: str  # district or department
    number: int  # the <nn> in dossier codes
    lat: float
    lon: float
    spread_km: float
    procedures: tuple[int, ...]  # indices into the procedure list
    procedure_codes: np.ndarray  # per procedure of the unit (object)
    statutory_days: np.ndarray  # statutory time in working days (int; 0 where it is in hours)
    statutory_hours: np.ndarray  # statutory time in office hours (float; 0 where it is in days)
    full_online: np.ndarray  # bool: online_type is full
    daily_rate: np.ndarray  # expected dossiers per working day per procedure
    online_prob: np.ndarray  # per procedure: chance a dossier is online (0 where online_type is none)
    full_online_share: float  # of online dossiers of a 'full' procedure, the share that is online_full
    late_rate: float
    supplement_rate: float
    feedback_rate: float  # expected feedback items per day
    valid_from: date | None = None  # the unit's first day (its database holds nothing from before it)
    valid_to: date | None = None  # its last day (nothing received after it)

    def active_on(self, day: date) -> bool:
        """Whether the unit exists on `day` and so receives dossiers and feedback."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def source_units(units: Sequence[dict[str, Any]], procedures: Sequence[dict[str, Any]], on: date) -> list[dict]:
    """The simulated units: the ranked territorial units valid on `on` (the 24 districts of 2019, or the 168
    units of today), then the departments valid on `on` that handle at least one procedure."""
    territorial = [u for u in units if u["kind"] in TERRITORIAL_KINDS and u["ranked"] and unit_valid_on(u, on)]
    by_key = {u["key"]: u for u in units}
    departments = [
        u
        for u in units
        if u["kind"] == DEPARTMENT and unit_valid_on(u, on) and department_procedures(u, procedures, by_key, on)
    ]
    return territorial + departments


def absorbed(unit: dict[str, Any], units: dict[str, dict[str, Any]], on: date) -> list[str]:
    """The keys a department stands for on `on`: its own, and those of the agencies merged into it by then (its
    predecessors in the registry no longer valid on `on`, followed back)."""
    found: list[str] = []
    todo = [unit["key"]]
    while todo:
        key = todo.pop()
        if key in found:
            continue
        found.append(key)
        if key in units:
            todo.extend(k for k, _ in predecessors(units[key]) if k in units and not unit_valid_on(units[k], on))
    return found


def department_procedures(
    unit: dict[str, Any], procedures: Sequence[dict[str, Any]], units: dict[str, dict[str, Any]], on: date
) -> tuple[int, ...]:
    """Indices of the department-level procedures a department handles on `on`: its own and those of the agencies
    merged into it (`absorbed`)."""
    prefixes = tuple(prefix for key in absorbed(unit, units, on) for prefix in DEPARTMENT_PROCEDURES.get(key, ()))
    if not prefixes:
        return ()
    return tuple(i for i, p in enumerate(procedures) if p["level"] == DEPARTMENT and p["code"].startswith(prefixes))


def unit_point(
    unit: dict[str, Any], units: dict[str, dict[str, Any]], centre: tuple[float, float]
) -> tuple[float, float]:
    """The unit's point; else the mean of its districts of origin that have one (a 2025 ward of old HCMC);
    else its former province's centre; else the city's centre."""
    if unit["lat"] is not None and unit["lon"] is not None:
        return float(unit["lat"]), float(unit["lon"])
    by_origin = {origin_of(u, units): u for u in units.values() if u["kind"] == DISTRICT}
    points = [
        (d["lat"], d["lon"])
        for item in (unit.get("origin") or "").split(";")
        if (d := by_origin.get(item)) is not None and d["lat"] is not None
    ]
    if points:
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    return FORMER_PROVINCE_CENTRES.get(unit.get("former_province") or "", centre)


def unit_traits(
    seed: int, units: Sequence[dict[str, Any]], procedures: Sequence[dict[str, Any]], on: date
) -> list[UnitTraits]:
    """Traits of every simulated unit, calibrated so the city's online share is CITY_ONLINE_SHARE."""
    chosen = source_units(units, procedures, on)
    if not chosen:
        raise ValueError(f"no territorial unit or department with procedures is valid on {on}")
    city = next((u for u in units if u["kind"] == CITY), None)
    centre = (city["lat"], city["lon"]) if city and city["lat"] is not None else (10.7769, 106.7009)
    district_procs = tuple(i for i, p in enumerate(procedures) if p["level"] == DISTRICT)
    by_key = {u["key"]: u for u in units}
    dossier_share = _shares(chosen, by_key, on, DEPARTMENT_DOSSIER_SHARE)
    feedback_share = _shares(chosen, by_key, on, DEPARTMENT_FEEDBACK_SHARE)

    mixes, eligible = [], []
    for unit in chosen:
        idx = department_procedures(unit, procedures, by_key, on) if unit["kind"] == DEPARTMENT else district_procs
        rng = np.random.default_rng([seed, stable_hash(unit["key"]), 0])
        base = np.array([PROCEDURE_WEIGHTS.get(procedures[i]["code"], 1.0) for i in idx])
        mix = base * rng.lognormal(0.0, 0.35, len(idx))
        mix /= mix.sum()
        online_ok = np.array([procedures[i]["online_type"] != "none" for i in idx])
        mixes.append((idx, mix, online_ok))
        eligible.append(float(mix[online_ok].sum()))

    city_rng = np.random.default_rng([seed, stable_hash(CITY)])
    n = len(chosen)
    ranks = city_rng.permutation(n) / max(n - 1, 1)
    low, high = ONLINE_TARGET_RANGE
    targets = low + (high - low) * ranks**1.3
    online_share = _calibrate_online(targets, np.array(eligible), dossier_share)
    late = city_rng.uniform(*NORMAL_LATE_RATE, n)
    chronic = city_rng.choice(n, size=min(n, int(city_rng.integers(CHRONIC_LATE_UNITS[0], CHRONIC_LATE_UNITS[1] + 1))),
                              replace=False)  # fmt: skip
    late[chronic] = city_rng.uniform(*CHRONIC_LATE_RATE, len(chronic))
    supplement = city_rng.uniform(*SUPPLEMENT_RATE, n)
    full_share = city_rng.uniform(0.4, 0.8, n)

    traits = []
    for number, (unit, (idx, mix, online_ok)) in enumerate(zip(chosen, mixes, strict=True), start=1):
        u = number - 1
        q = online_share[u] / eligible[u] if eligible[u] > 0 else 0.0
        territorial = unit["kind"] != DEPARTMENT
        lat, lon = unit_point(unit, by_key, centre) if territorial else centre
        traits.append(
            UnitTraits(
                key=unit["key"],
                code=unit["code"],
                kind=unit["kind"],
                number=number,
                lat=float(lat),
                lon=float(lon),
                spread_km=_spread(unit["kind"]),
                procedures=tuple(idx),
                procedure_codes=np.array([procedures[i]["code"] for i in idx], dtype=object),
                statutory_days=np.array([_statutory(procedures[i], "day") for i in idx], dtype=np.int64),
                statutory_hours=np.array([_statutory(procedures[i], "hour") for i in idx], dtype=float),
                full_online=np.array([procedures[i]["online_type"] == "full" for i in idx], dtype=bool),
                daily_rate=CITY_DOSSIERS_PER_WORKING_DAY * dossier_share[u] * mix,
                online_prob=np.where(online_ok, q, 0.0),
                full_online_share=float(full_share[u]),
                late_rate=float(late[u]),
                supplement_rate=float(supplement[u]),
                feedback_rate=CITY_FEEDBACK_PER_DAY * feedback_share[u],
                valid_from=unit["valid_from"],
                valid_to=unit["valid_to"],
            )
        )
    return traits


def _statutory(procedure: dict[str, Any], unit: str) -> float:
    if procedure["statutory_unit"] != unit:
        return 0
    return round(procedure["statutory_time"]) if unit == "day" else float(procedure["statutory_time"])


def _spread(kind: str) -> float:
    return DISTRICT_SPREAD_KM if kind == DISTRICT else DEPARTMENT_SPREAD_KM if kind == DEPARTMENT else LOCAL_SPREAD_KM


def _weight(unit: dict[str, Any], units: dict[str, dict[str, Any]], on: date) -> float:
    key, kind = unit["key"], unit["kind"]
    if kind == DEPARTMENT:  # with the volume of the agencies merged into it
        known = [DEPARTMENT_WEIGHTS[k] for k in absorbed(unit, units, on) if k in DEPARTMENT_WEIGHTS]
        return sum(known) if known else 2.0
    if kind == DISTRICT:
        return DISTRICT_BASE_WEIGHT + DISTRICT_WEIGHTS.get(key, 300.0)
    factor = 0.6 + 0.8 * (stable_hash(key) % 1000) / 1000
    return LOCAL_PROVINCE_WEIGHTS.get(unit.get("former_province") or "", 0.6) * factor


def _shares(
    chosen: Sequence[dict[str, Any]], units: dict[str, dict[str, Any]], on: date, department_share: float
) -> np.ndarray:
    """Each unit's share of the city's volume: territorial units and departments each split their part by weight.

    Districts split theirs over the known districts of 2019 plus any others given, and departments over the
    known departments valid on `on` plus any others, so a unit's volume does not depend on which other units are
    simulated (a department merged into another lends it its volume); the commune-level units of 2025 split
    theirs among those simulated.
    """
    shares = np.zeros(len(chosen))
    kinds = [u["kind"] for u in chosen]
    none: dict[str, float] = {}
    groups: tuple[tuple[list[bool], float, dict[str, float]], ...] = (
        ([k == DISTRICT for k in kinds], 1 - department_share, DISTRICT_WEIGHTS),
        ([k not in (DISTRICT, DEPARTMENT) for k in kinds], 1 - department_share, none),
        ([k == DEPARTMENT for k in kinds], department_share, DEPARTMENT_WEIGHTS),
    )
    for mask, part, known in groups:
        members = [u for u, m in zip(chosen, mask, strict=True) if m]
        if not members:
            continue
        named = {u["key"] for u in members}
        others = [units.get(k) or {"key": k, "kind": members[0]["kind"]} for k in known if k not in named]
        others = [u for u in others if "valid_from" not in u or unit_valid_on(u, on)]
        total = sum(_weight(u, units, on) for u in [*members, *others])
        shares[np.array(mask)] = [part * _weight(u, units, on) / total for u in members]
    return shares


def _calibrate_online(targets: np.ndarray, eligible: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """Working-day online shares: targets scaled so that, weekends included, the city's share is right."""
    cap = 0.9 * eligible
    r = NON_WORKING_ONLINE_FACTOR

    def city_share(factor: float) -> tuple[float, np.ndarray]:
        share = np.minimum(factor * targets, cap)
        online = volume * share * (5 + 2 * r)
        total = volume * (5 + 2 * r * share)
        return float(online.sum() / total.sum()), share

    low, high = 0.05, 5.0
    for _ in range(60):
        mid = (low + high) / 2
        if city_share(mid)[0] < CITY_ONLINE_SHARE:
            low = mid
        else:
            high = mid
    return city_share((low + high) / 2)[1]
