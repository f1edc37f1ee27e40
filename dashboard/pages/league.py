"""League tables (bảng xếp hạng thi đua): districts among districts, departments among departments — the model of
the /league page, of the API's league, and the standings the unit tile and the wall rank by.

Each row: the unit's KPIs and service index for the period, its rank and the rank it held over the previous
period, its movement, a weekly trend of its score, its commitments and whether its data is stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dashboard.core.cache import Cache, cached, cached_or_latest, computed_here
from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window, covered, previous_window, window
from dashboard.core.reference import closed_on, existed_throughout, joined_during, unit_valid_on
from dashboard.core.vocabulary import DEFAULT_KIND, LEAGUE_KINDS, LEAGUE_MEMBERS, WEEK_PERIOD, LeagueKind
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.freshness import SourceFreshness, UnitFreshness, by_unit
from dashboard.metrics.kpis import Backlog, UnitKpis, build_unit_kpis
from dashboard.metrics.service_index import (
    Commitments,
    IndexConfig,
    IndexScore,
    criterion_ratio,
    movement,
    progress_against,
    rank,
    score_unit,
    tied,
)
from dashboard.pages.common import check_choice, checked_period
from dashboard.pages.freshness import source_freshness
from dashboard.pages.kpis import (
    instant_counters,
    previous_unit_kpis,
    recounted_in_event_time,
    unit_kpis_and_histogram,
)
from dashboard.services import Services
from dashboard.store import Store

TREND_WEEKS = 8


def league_units(store: Store, kind: LeagueKind, as_of: datetime) -> list[dict[str, Any]]:
    """The ranked units of a league that exist on the as-of day (the period's end decides who competes)."""
    day, members = as_of.astimezone(CITY_TZ).date(), LEAGUE_MEMBERS[kind]
    return [u for u in store.units() if u["kind"] in members and u["ranked"] and unit_valid_on(u, day)]


def leagues_at(store: Store, as_of: datetime) -> tuple[LeagueKind, ...]:
    """The leagues that have units on the as-of day, in their usual order (no districts since 01/07/2025)."""
    return tuple(kind for kind in LEAGUE_KINDS if league_units(store, kind, as_of))


def default_kind(store: Store, as_of: datetime) -> LeagueKind:
    """The league a page shows when none is asked for: districts where they exist, else the first with units."""
    found = leagues_at(store, as_of)
    return DEFAULT_KIND if DEFAULT_KIND in found or not found else found[0]


@dataclass(frozen=True)
class Standings:
    """Each league's members with their KPIs, scores and ranks over a period ending at `as_of`."""

    as_of: datetime
    members: dict[str, list[dict[str, Any]]]  # kind → its ranked units (unit rows)
    kpis: dict[str, UnitKpis]  # every unit with data, and every member
    scores: dict[str, IndexScore]  # every member
    ranks: dict[str, int | None]  # within its league
    previous_ranks: dict[str, int | None]  # over the previous period; empty when not asked for
    movements: dict[str, int | None]  # places up since the previous period; empty when not asked for
    joined: dict[str, date]  # members created inside the period: ranked on their part of it, from that day
    new: dict[str, date | None]  # members that did not exist for the whole previous period, with their first day
    histogram: dict[int, int] = field(default_factory=dict)  # processing half-days → completed, every unit summed
    history_start: date | None = None  # the store's first day with a dossier received (read when `previous`)
    previous_covered: bool = True  # the store's data covers the previous period (`core.periods.covered`)

    def size(self, kind: str) -> int:
        """The league's members."""
        return len(self.members.get(kind, ()))

    def ranked_count(self, kind: str) -> int:
        """The league's members with a rank: those with enough data (the "n" of "hạng 3/n")."""
        return sum(self.ranks.get(unit["key"]) is not None for unit in self.members.get(kind, ()))

    @property
    def tied_units(self) -> frozenset[str]:
        """The members that share their rank with another member of their league ("đồng hạng")."""
        found: set[str] = set()
        for units in self.members.values():
            found |= tied({unit["key"]: self.ranks.get(unit["key"]) for unit in units})
        return frozenset(found)


def standings(
    store: Store,
    calendar: WorkCalendar,
    config: IndexConfig,
    period: str,
    as_of: datetime,
    kinds: tuple[LeagueKind, ...] = LEAGUE_KINDS,
    previous: bool = True,
) -> Standings:
    """Every league of `kinds` ranked by the service index over `period` (and, with `previous`, over the previous
    period): standard competition ranking within each league; units without enough data unranked. Who competes is decided by the
    period's end (`as_of`); a unit created inside the period is ranked on its part of it (`joined`); one that did
    not exist for the whole previous period has no previous rank (`new`), the others are ranked among
    themselves for it. When the store's data begins after the previous period's first day (`core.periods.covered`),
    no unit has a previous rank or a movement: a fragment of a period ranks nobody."""
    members: dict[str, list[dict[str, Any]]] = {kind: league_units(store, kind, as_of) for kind in kinds}
    keys = [unit["key"] for units in members.values() for unit in units]
    current, histogram = unit_kpis_and_histogram(store, calendar, period, as_of, units=keys)
    span, earlier = window(period, as_of), previous_window(period, as_of)
    start = store.series.history_start() if previous else None
    whole = previous and covered(earlier, start)
    before = previous_unit_kpis(store, calendar, period, as_of, units=keys) if whole else {}
    joined = {u["key"]: day for units in members.values() for u in units if (day := joined_during(u, span))}
    new = {u["key"]: u["valid_from"] for units in members.values() for u in units if not existed_throughout(u, earlier)}
    scores = {key: score_unit(current[key], config) for key in keys}
    ranks: dict[str, int | None] = {}
    previous_ranks: dict[str, int | None] = {}
    for units in members.values():
        league = [unit["key"] for unit in units]
        ranks.update(rank({key: scores[key].score for key in league}))
        if whole:
            compared = [key for key in league if key not in new]
            previous_ranks.update(rank({key: score_unit(before[key], config).score for key in compared}))
        if previous:
            previous_ranks.update({key: previous_ranks.get(key) for key in league})  # new, or not covered: None
    moved = {key: movement(ranks[key], previous_ranks[key]) for key in previous_ranks}
    found = (members, current, scores, ranks, previous_ranks, moved, joined, new, histogram)
    return Standings(as_of, *found, history_start=start, previous_covered=not previous or whole)


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
    joined: date | None = None  # created inside the period: ranked on its part of it, from this day
    new_since: date | None = None  # a "new unit" since this day: it did not exist for the whole previous period
    data_from: date | None = None  # the store's data begins this day, after the previous period's first: no movement


def league(
    store: Store,
    calendar: WorkCalendar,
    config: IndexConfig,
    commitments: Commitments,
    kind: LeagueKind,
    period: str,
    as_of: datetime,
    freshness: Iterable[SourceFreshness] = (),
    ranked: Standings | None = None,
) -> list[LeagueRow]:
    """The league of `kind` for `period` ending at `as_of`, best first, n/a units last (by name); `ranked`: the
    standings already computed for them (every league's, `ranked_data`), else computed here."""
    ranked = ranked or standings(store, calendar, config, period, as_of, kinds=(kind,))
    units = ranked.members[kind]
    trends = weekly_trend(store, calendar, config, [u["key"] for u in units], as_of)
    fresh = by_unit(freshness)
    rows = []
    for unit in units:
        key = unit["key"]
        kpis, targets = ranked.kpis[key], commitments.for_unit(key)
        health = fresh.get(key, UnitFreshness(False, None))
        rows.append(
            LeagueRow(
                unit_key=key,
                name_vi=unit["name_vi"],
                name_en=unit["name_en"],
                kpis=kpis,
                index=ranked.scores[key],
                rank=ranked.ranks[key],
                previous_rank=ranked.previous_ranks[key],
                movement=ranked.movements[key],
                trend=trends[key],
                targets=targets,
                progress={k: progress_against(t, criterion_ratio(kpis, k)) for k, t in targets.items()},
                stale=health.stale,
                data_as_of=health.data_as_of,
                joined=ranked.joined.get(key),
                new_since=ranked.new.get(key),
                data_from=None if ranked.previous_covered else ranked.history_start,
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
    then the weeks before), oldest first: whole days only, so it is read from the rollups alone, every week in
    one grouped read (`Series.unit_weeks`). Each week's KPIs are `unit_kpis(…, instant=False)`'s: no backlog."""
    midnight = datetime.combine(as_of.astimezone(CITY_TZ).date(), time(0), CITY_TZ)
    start = midnight - timedelta(days=7 * weeks)
    counted = store.series.unit_weeks(keys, start.date(), weeks)
    series: dict[str, list[float | None]] = {key: [] for key in keys}
    for week, counters in enumerate(counted):
        span = Window(start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1)))
        for key in keys:
            kpis = build_unit_kpis(
                key,
                WEEK_PERIOD,
                span,
                span.end,
                counters.dossier.get(key, {}),
                counters.feedback.get(key, {}),
                counters.histogram.get(key, {}),
                Backlog(),
                (0, 0),
            )
            series[key].append(score_unit(kpis, config).score)
    return {key: tuple(values) for key, values in series.items()}


@dataclass(frozen=True)
class ClosedUnit:
    """A unit that had ended by the as-of day and still holds dossiers in progress."""

    unit: dict[str, Any]
    backlog: Backlog


def closed_units(store: Store, calendar: WorkCalendar, as_of: datetime) -> tuple[ClosedUnit, ...]:
    """The units that had ended by the as-of day but still hold dossiers in progress — a district's backlog after
    30/06/2025 that no source files under a successor stays the district's, "closed unit": listed apart, never
    ranked, largest backlog first."""
    day = as_of.astimezone(CITY_TZ).date()
    gone = {u["key"]: u for u in store.units() if closed_on(u, day)}
    if not gone:
        return ()
    backlogs, _feedback = instant_counters(store, calendar, as_of)
    found = [ClosedUnit(gone[key], held) for key, held in backlogs.items() if key in gone and held.in_progress > 0]
    return tuple(sorted(found, key=lambda c: (-c.backlog.in_progress, c.unit["name_vi"])))


@dataclass(frozen=True)
class LeagueView:
    """One league table: `kind` over `period` ending at `as_of`, compared with `previous_window`."""

    kind: str
    period: str
    window: Window
    previous_window: Window
    as_of: datetime
    data_version: int
    rows: tuple[LeagueRow, ...]
    kinds: tuple[str, ...] = LEAGUE_KINDS  # the leagues that have units on the as-of day
    closed: tuple[ClosedUnit, ...] = ()  # ended units still holding dossiers in progress (never ranked)
    recounted: bool = False  # a past as-of: backlog recounted in event time (`pages.kpis.recounted_in_event_time`)
    previous_covered: bool = True  # the store's data covers `previous_window` (`core.periods.covered`), else no ranks
    history_start: date | None = None  # the store's first day with a dossier received


def league_view(
    services: Services, kind: str, period: str, as_of: datetime | None = None, ranked: Standings | None = None
) -> LeagueView:
    """The league of `kind` for `period` at `as_of` (now), with each unit's source freshness; given `ranked`
    (`ranked_data`), at its instant and from its ranks."""
    check_choice("kind", kind, LEAGUE_KINDS)
    checked_period(period)
    version = services.store.data_version()[0]
    as_of = ranked.as_of if ranked else as_of or services.clock.now()
    fresh = source_freshness(services.store, services.sources, as_of, services.settings.stale_factor)
    store, calendar, config, commitments = (
        services.store,
        services.calendar,
        services.index_config,
        services.commitments,
    )
    ranked = ranked or standings(store, calendar, config, period, as_of, kinds=(kind,))  # type: ignore[arg-type]
    rows = league(store, calendar, config, commitments, kind, period, as_of, fresh, ranked)  # type: ignore[arg-type]
    span, previous = window(period, as_of), previous_window(period, as_of)
    closed = closed_units(store, calendar, as_of)
    recounted = recounted_in_event_time(store, as_of)
    kinds = leagues_at(store, as_of)
    whole, start = ranked.previous_covered, ranked.history_start
    return LeagueView(kind, period, span, previous, as_of, version, tuple(rows), kinds, closed, recounted, whole, start)


def ranked_data(
    services: Services, cache: Cache, key: list[Any] | tuple[Any, ...], period: str, as_of: datetime | None = None
) -> Standings:
    """Every league's standings over `period` now (or at a past `as_of`), computed once per (version, minute,
    period, as-of) and process (`computed_here`: cheaper to compute in each worker than to share) and shared by each
    league and by every tile's city context."""
    name = f"standings:{key[0]}:{key[1]}:{period}:{as_of.isoformat() if as_of else ''}"
    store, calendar, config = services.store, services.calendar, services.index_config
    return computed_here(cache, name, lambda: standings(store, calendar, config, period, as_of or services.clock.now()))


def league_keyed(
    services: Services, cache: Cache, key: list[Any], kind: str, period: str, as_of: datetime | None = None
) -> tuple[list[Any], LeagueView]:
    """The league of `kind` over `period` and the (version, minute) it is of, shared through the cache by the page
    and the API alike. Now: the newest computed for this league and period while a new key's is computed in the
    background (`cached_or_latest`), so the key may be older than `key`; at a past `as_of`, computed on the request
    (the past does not change) and the key is `key`."""
    check_choice("kind", kind, LEAGUE_KINDS)
    checked_period(period)
    version, minute = key[0], key[1]
    if as_of is not None:
        name = f"league:{version}:{minute}:{kind}:{period}:{as_of.isoformat()}"
        ranked = lambda: ranked_data(services, cache, key, period, as_of)  # noqa: E731
        return list(key), cached(cache, name, lambda: league_view(services, kind, period, as_of, ranked()))

    def compute() -> LeagueView:
        return league_view(services, kind, period, None, ranked_data(services, cache, key, period))

    shown, view = cached_or_latest(cache, f"league:{kind}:{period}", (version, minute), compute)
    return list(shown), view


def league_data(
    services: Services, cache: Cache, key: list[Any], kind: str, period: str, as_of: datetime | None = None
) -> LeagueView:
    """The league of `kind` over `period` now (or at a past `as_of`): `league_keyed`'s view (its own `as_of` and
    `data_version` say which it is)."""
    return league_keyed(services, cache, key, kind, period, as_of)[1]
