"""The service index, league-table ranking and commitments: pure functions over `UnitKpis`.

Score (0–100): each criterion scores points × min(value ÷ threshold, 1) (`data/service_index.yaml`); the
unit's score is the sum over the criteria with enough data ÷ the points of those criteria × 100. A criterion
whose denominator is below its `min_count` (dossiers or feedback items) has not enough data and is left out; a
unit with no criterion with enough data has no score (None, never 0) and is not ranked.
Ranking: standard competition ranking ("1224") on the score rounded to 2 decimals; units without a score are
unranked and not counted among the ranked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dashboard.core.errors import IndexConfigError
from dashboard.core.vocabulary import SCORE_DECIMALS
from dashboard.metrics.kpis import Ratio, UnitKpis

CriterionKey = Literal["on_time", "online", "feedback_on_time", "feedback_satisfaction", "dossier_satisfaction"]
GradeKey = Literal["excellent", "good", "fair", "average", "weak"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: CriterionKey
    group: Literal["progress", "online", "satisfaction"]
    points: float = Field(gt=0)
    threshold: float = Field(gt=0, le=1)
    min_count: int = Field(ge=1)  # fewer dossiers (or feedback items) in the denominator: not enough data
    basis: str


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float = Field(ge=0, le=100)
    key: GradeKey


class IndexConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criteria: list[Criterion]
    grades: list[Grade]


class Commitments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: dict[CriterionKey, float] = Field(default_factory=dict)
    units: dict[str, dict[CriterionKey, float]] = Field(default_factory=dict)

    def for_unit(self, unit_key: str) -> dict[str, float]:
        """The unit's targets: the defaults, overridden by its own (by any KPI name, so keyed by plain text)."""
        # {**default, **own}, built from (key, target) pairs: a pair's criterion key reads as text, a dict's does not.
        return dict([*self.default.items(), *self.units.get(unit_key, {}).items()])


def _load(model, path: Path | None, default_name: str):
    where = str(path or f"dashboard/data/{default_name}")
    try:
        text = (
            path.read_text("utf-8")
            if path
            else resources.files("dashboard").joinpath(f"data/{default_name}").read_text("utf-8")
        )
        return model.model_validate(yaml.safe_load(text) or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise IndexConfigError(f"{where}: {problems}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise IndexConfigError(f"{where}: {exc}") from None


def load_index_config(path: Path | None = None) -> IndexConfig:
    return _load(IndexConfig, path, "service_index.yaml")


def load_commitments(path: Path | None = None) -> Commitments:
    return _load(Commitments, path, "commitments.yaml")


def criterion_ratio(kpis: UnitKpis, key: str) -> Ratio:
    """The KPI behind a criterion (see docs/metrics.md for each formula)."""
    return {
        "on_time": kpis.on_time,
        "online": kpis.online,
        "feedback_on_time": kpis.feedback_on_time,
        "feedback_satisfaction": kpis.feedback_satisfaction,
        "dossier_satisfaction": kpis.dossier_satisfaction,
    }[key]


SubScoreState = Literal["scored", "too_few", "no_data"]


@dataclass(frozen=True)
class SubScore:
    """One criterion: its inputs, its points and the formula that gave them."""

    key: str
    group: str
    ratio: Ratio
    threshold: float
    max_points: float
    points: float | None  # None: no data, or fewer than `min_count` in the denominator
    min_count: int = 1

    @property
    def state(self) -> SubScoreState:
        """scored; too_few (a denominator below `min_count`: not enough data); no_data (a denominator of 0)."""
        if not self.ratio.denominator:
            return "no_data"
        return "too_few" if self.ratio.denominator < self.min_count else "scored"

    @property
    def formula(self) -> str:
        """The computation in symbols, for the API (pages write it in words, `layouts.index_words`)."""
        if self.state == "no_data":
            return f"{self.key}: n/a (0 / 0)"
        if self.state == "too_few":
            return f"{self.key}: not enough data ({self.ratio.denominator} < {self.min_count})"
        return (
            f"{self.max_points:g} × min(({self.ratio.numerator} / {self.ratio.denominator}) ÷ "
            f"{self.threshold:g}, 1) = {self.points:.2f}"
        )


IndexState = Literal["scored", "too_few", "no_data"]


@dataclass(frozen=True)
class IndexScore:
    unit_key: str
    score: float | None  # 0–100, None = not scored (see `state`)
    grade: str | None
    subscores: tuple[SubScore, ...]

    @property
    def state(self) -> IndexState:
        """scored (ranked); too_few (some data, but no criterion reaches its minimum count: "not ranked — not
        enough data"); no_data (nothing in the period)."""
        if self.score is not None:
            return "scored"
        return "too_few" if any(sub.ratio.denominator for sub in self.subscores) else "no_data"


def score_unit(kpis: UnitKpis, config: IndexConfig) -> IndexScore:
    """Σ points of the criteria with enough data (denominator ≥ `min_count`) ÷ Σ their maximum points × 100; no
    score when no criterion has enough data."""
    subscores = []
    for criterion in config.criteria:
        ratio = criterion_ratio(kpis, criterion.key)
        value = ratio.value
        enough = value is not None and ratio.denominator >= criterion.min_count
        points = criterion.points * min(value / criterion.threshold, 1.0) if enough and value is not None else None
        subscores.append(
            SubScore(
                criterion.key,
                criterion.group,
                ratio,
                criterion.threshold,
                criterion.points,
                points,
                criterion.min_count,
            )
        )
    scored = [(s.points, s.max_points) for s in subscores if s.points is not None]
    if not scored:
        return IndexScore(kpis.unit_key, None, None, tuple(subscores))
    score = sum(points for points, _ in scored) / sum(max_points for _, max_points in scored) * 100
    return IndexScore(kpis.unit_key, score, grade_for(score, config), tuple(subscores))


def grade_for(score: float, config: IndexConfig) -> str:
    """The first band (highest minimum first) whose minimum the score reaches."""
    for band in sorted(config.grades, key=lambda g: g.min, reverse=True):
        if round(score, SCORE_DECIMALS) >= band.min:
            return band.key
    return config.grades[-1].key


def rank(scores: dict[str, float | None]) -> dict[str, int | None]:
    """Standard competition ranking ("1224") on scores rounded to 2 decimals; n/a (None) is unranked."""
    rounded = {unit: round(score, SCORE_DECIMALS) for unit, score in scores.items() if score is not None}
    ordered = sorted(rounded.values(), reverse=True)
    first_position: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {unit: first_position[rounded[unit]] if unit in rounded else None for unit in scores}


def movement(current: int | None, previous: int | None) -> int | None:
    """Places moved up since the previous period (positive = up); None when either rank is n/a."""
    if current is None or previous is None:
        return None
    return previous - current


def progress_against(target: float | None, ratio: Ratio) -> float | None:
    """How far a rate is toward its commitment: value ÷ target (1.0 = met); None without data or target."""
    if target is None or ratio.value is None:
        return None
    return ratio.value / target


def tied(ranks: dict[str, int | None]) -> frozenset[str]:
    """The ranked units that share their rank with another ("đồng hạng")."""
    counts = Counter(position for position in ranks.values() if position is not None)
    return frozenset(unit for unit, position in ranks.items() if position is not None and counts[position] > 1)
