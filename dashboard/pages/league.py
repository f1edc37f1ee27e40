"""League tables (bảng xếp hạng thi đua): districts among districts, departments among departments.

Each row: the unit's KPIs and service index for the period, its rank and the rank it held over the previous
period, its movement, a weekly trend of its score, its commitments and whether its data is stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window
from dashboard.core.reference import unit_valid_on
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.kpis import UnitKpis
from dashboard.metrics.service_index import (
    Commitments,
    IndexConfig,
    IndexScore,
    criterion_ratio,
    movement,
    progress_against,
    rank,
    score_unit,
)
from dashboard.pages.freshness import SourceFreshness
from dashboard.pages.kpis import previous_unit_kpis, unit_kpis
from dashboard.store import Store

LeagueKind = Literal["district", "department"]
TREND_WEEKS = 8


@dataclass(frozen=True)
class LeagueRow:
    unit_key: str
    name_vi: str
    name_en: str
    kpis: UnitKpis
    index: IndexScore
    rank: int | None
    previous_rank: int | None
    movement: int | None  # places up since the previous period
    trend: tuple[float | None, ...]  # scores of the last 8 whole weeks, oldest first
    targets: dict[str, float]
    progress: dict[str, float | None]  # value ÷ target per committed KPI
    stale: bool
    data_as_of: datetime | None  # the unit's oldest last good pull


def league_units(store: Store, kind: LeagueKind, as_of: datetime) -> list[dict]:
    """The ranked units of a kind that exist on the as-of day."""
    day = as_of.astimezone(CITY_TZ).date()
    return [u for u in store.units() if u["kind"] == kind and u["ranked"] and unit_valid_on(u, day)]


def _scores(kpis: dict[str, UnitKpis], keys: list[str], config: IndexConfig) -> dict[str, IndexScore]:
    return {key: score_unit(kpis[key], config) for key in keys}


def league(
    store: Store,
    calendar: WorkCalendar,
    config: IndexConfig,
    commitments: Commitments,
    kind: LeagueKind,
    period: str,
    as_of: datetime,
    freshness: Iterable[SourceFreshness] = (),
) -> list[LeagueRow]:
    """The league of `kind` for `period` ending at `as_of`, best first, n/a units last (by name)."""
    units = league_units(store, kind, as_of)
    keys = [u["key"] for u in units]
    current_kpis = unit_kpis(store, calendar, period, as_of, units=keys)
    current = _scores(current_kpis, keys, config)
    previous = _scores(previous_unit_kpis(store, calendar, period, as_of, units=keys), keys, config)
    ranks = rank({k: s.score for k, s in current.items()})
    previous_ranks = rank({k: s.score for k, s in previous.items()})
    trends = weekly_trend(store, calendar, config, keys, as_of)
    by_unit: dict[str, list[SourceFreshness]] = {}
    for item in freshness:
        by_unit.setdefault(item.unit, []).append(item)
    rows = []
    for unit in units:
        key = unit["key"]
        targets = commitments.for_unit(key)
        sources = by_unit.get(key, [])
        pulls = [s.last_good_pull_at for s in sources]
        rows.append(
            LeagueRow(
                unit_key=key,
                name_vi=unit["name_vi"],
                name_en=unit["name_en"],
                kpis=current_kpis[key],
                index=current[key],
                rank=ranks[key],
                previous_rank=previous_ranks[key],
                movement=movement(ranks[key], previous_ranks[key]),
                trend=trends[key],
                targets=targets,
                progress={k: progress_against(t, criterion_ratio(current_kpis[key], k)) for k, t in targets.items()},
                stale=any(s.stale for s in sources),
                data_as_of=None if not pulls or None in pulls else min(pulls),
            )
        )
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name_vi))


def weekly_trend(
    store: Store,
    calendar: WorkCalendar,
    config: IndexConfig,
    keys: list[str],
    as_of: datetime,
    weeks: int = TREND_WEEKS,
) -> dict[str, tuple[float | None, ...]]:
    """Per unit, its score over each of the last `weeks` whole weeks (7 calendar days ending at 00:00 today,
    then the weeks before), oldest first: whole days only, so it is read from the rollups alone."""
    midnight = datetime.combine(as_of.astimezone(CITY_TZ).date(), time(0), CITY_TZ)
    series: dict[str, list[float | None]] = {key: [] for key in keys}
    for back in range(weeks - 1, -1, -1):
        end = midnight - timedelta(days=7 * back)
        span = Window(end - timedelta(days=7), end)
        kpis = unit_kpis(store, calendar, "7d", end, units=keys, span=span, instant=False)  # the score needs no backlog
        for key in keys:
            series[key].append(score_unit(kpis[key], config).score)
    return {key: tuple(values) for key, values in series.items()}
