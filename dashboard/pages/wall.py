"""The wall's model: everything one refresh of the operations-room display shows — the city's figures, every
ranked unit's status, freshness, alerts and feedback points — computed once per data version and minute and
shared by every viewer and worker (computed in the background while the newest figures so far are shown)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from dashboard.core.cache import (
    Cache,
    background_for,
    cached_or_latest,
    computed,
    key_before,
    shown_key,
)
from dashboard.core.clock import city_time
from dashboard.core.errors import BoundaryError
from dashboard.core.geo import Boundaries, MapKind, Point, Shape, origin_anchor, origin_points
from dashboard.core.unit_names import unit_name, unit_short_name
from dashboard.core.vocabulary import DEFAULT_PERIOD, DEPARTMENT, DISTRICT, WARD
from dashboard.metrics.alerts import Alert, Level, level_above
from dashboard.metrics.freshness import SourceFreshness, UnitFreshness, by_unit
from dashboard.metrics.kpis import Backlog, CityOverview, Ratio, city_overview
from dashboard.pages import wall_alerts
from dashboard.pages.common import polled_version
from dashboard.pages.freshness import source_freshness
from dashboard.pages.league import Standings, standings
from dashboard.pages.wall_compare import Comparison, city_satisfaction, comparisons, headline_values
from dashboard.services import Services

log = logging.getLogger(__name__)
WALL_KIND = "wall"  # the cache kind of the wall's figures (`dashboard.core.cache.cached_or_latest`)
FEEDBACK_WINDOW = timedelta(hours=24)
UnitLevel = Literal["ok", "warn", "alarm", "stale", "none"]


@dataclass(frozen=True)
class Limits:
    """The thresholds the wall colours and alerts by (from the settings)."""

    overdue_warn: float = 0.05
    overdue_alarm: float = 0.10
    online_target: float = 0.3
    new_late_warn: int = 5
    new_late_alarm: int = 20


@dataclass(frozen=True)
class UnitStatus:
    """One district or department on the wall: its backlog, rates, rank and freshness."""

    key: str
    kind: str
    code: str
    name_vi: str
    name_en: str
    short_name_vi: str
    backlog: Backlog
    on_time: Ratio
    online: Ratio
    score: float | None
    rank: int | None
    stale: bool  # any of its sources is stale
    data_as_of: datetime | None  # its oldest last good pull; None when never pulled or no source
    new_late: int = 0  # open dossiers that fell overdue in the last 24 hours
    score_state: str = "scored"  # the index's: scored, too_few (not enough data: no score, no rank), no_data

    def name(self, lang: str) -> str:
        return unit_name(self.name_vi, self.name_en, lang)

    def label(self, lang: str) -> str:
        """A short name for small spaces: "Quận 1", "Gò Vấp" (District 1, Go Vap); departments: the name."""
        return unit_short_name(self.kind, self.name_vi, self.name_en, self.short_name_vi, lang)

    @property
    def overdue_share(self) -> float | None:
        """overdue ÷ in progress; None without a backlog."""
        return self.backlog.overdue / self.backlog.in_progress if self.backlog.in_progress else None

    def level(self, limits: Limits) -> UnitLevel:
        """stale first, then none (no backlog), else the overdue share's level."""
        if self.stale:
            return "stale"
        share = self.overdue_share
        if share is None:
            return "none"
        found: Level = level_above(share, limits.overdue_warn, limits.overdue_alarm)
        return found


POINT_DECIMALS = 3  # a feedback point leaves the store rounded to ~110 m: where, not whose door


@dataclass(frozen=True)
class FeedbackPoint:
    lat: float
    lon: float
    unit_key: str


@dataclass(frozen=True)
class UnitPlace:
    """Where a local unit sits on the wall's cartogram: its own point (`own`) or the centroid of the old districts
    it was formed from, and the area it is counted under (its former province's GSO code: 79, 74 or 77)."""

    key: str
    lat: float
    lon: float
    own: bool
    area: str


@dataclass(frozen=True)
class WallData:
    """Everything one refresh of the wall shows, computed once per data version and minute."""

    as_of: datetime
    version: int
    changed_at: datetime | None
    overview: CityOverview
    satisfaction: Ratio
    units: tuple[UnitStatus, ...]
    sources_ok: int
    sources_total: int
    stale_sources: int
    alerts: tuple[Alert, ...]
    limits: Limits
    unit_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (vi, en), every unit
    feedback_points: tuple[FeedbackPoint, ...] = ()
    compared: tuple[Comparison, ...] = ()  # the headline figures against 1 and 7 days earlier (`wall_compare`)
    places: tuple[UnitPlace, ...] = ()  # where each local unit sits on the cartogram (`unit_places`)

    def of_kind(self, kind: str) -> list[UnitStatus]:
        return [unit for unit in self.units if unit.kind == kind]

    def local(self) -> list[UnitStatus]:
        """The city's local units of the day: its districts until 30/06/2025, its wards and communes since."""
        return self.of_kind(DISTRICT) or self.of_kind(WARD)

    def unit_name(self, key: str, lang: str) -> str:
        vi, en = self.unit_names.get(key, (key, key))
        return unit_name(vi, en, lang)


def limits_of(services: Services) -> Limits:
    s = services.settings
    return Limits(
        s.wall_overdue_warn, s.wall_overdue_alarm, s.online_target, s.wall_new_late_warn, s.wall_new_late_alarm
    )


def feedback_points(services: Services, since: datetime, until: datetime) -> tuple[FeedbackPoint, ...]:
    """Feedback with a location received in [since, until) (the map shows the last 24 hours)."""
    rows = services.store.series.feedback_points(since, until)
    return tuple(
        FeedbackPoint(round(row["lat"], POINT_DECIMALS), round(row["lon"], POINT_DECIMALS), row["unit_key"])
        for row in rows
    )


CITY_PROVINCE = "79"  # the GSO code of Thành phố Hồ Chí Minh: the area of its districts of 2019–2025


def district_points(rows: list[dict[str, Any]]) -> dict[str, Point]:
    """Each old district's point by ``79:code`` (units.csv); of two districts sharing a code, the later one's
    (code 769: Thành phố Thủ Đức, not Quận 2)."""
    districts = [r for r in rows if r["kind"] == DISTRICT and r.get("lat") is not None and r.get("lon") is not None]
    districts.sort(key=lambda r: (r["valid_to"] is None, r["valid_to"] or date.min, r["key"]))
    return {f"{CITY_PROVINCE}:{r['code']}": (r["lat"], r["lon"]) for r in districts}


def unit_places(rows: list[dict[str, Any]], keys: set[str]) -> tuple[UnitPlace, ...]:
    """The place of each unit of `keys`: its own point when the registry (or `unit_points_file`) gives one, else
    the centroid of its old districts (`origin`: HCMC's from units.csv, the others' from the packaged
    origin_points.csv); a unit with neither is left out."""
    anchors = district_points(rows) | dict(origin_points())
    places = []
    for row in sorted((r for r in rows if r["key"] in keys), key=lambda r: r["key"]):
        area = row.get("former_province") or CITY_PROVINCE
        if row.get("lat") is not None and row.get("lon") is not None:
            places.append(UnitPlace(row["key"], row["lat"], row["lon"], True, area))
        elif (anchor := origin_anchor(row.get("origin"), anchors)) is not None:
            places.append(UnitPlace(row["key"], round(anchor[0], 5), round(anchor[1], 5), False, area))
    return tuple(places)


def unit_statuses(
    ranked: Standings, fresh: list[SourceFreshness], late: dict[str, tuple[int, datetime]]
) -> list[UnitStatus]:
    """Every league member's status: backlog, rates, score and rank, freshness, and new late dossiers."""
    health = by_unit(fresh)
    statuses = []
    for kind, units in ranked.members.items():
        for unit in units:
            key = unit["key"]
            kpis, unit_health = ranked.kpis[key], health.get(key, UnitFreshness(False, None))
            statuses.append(
                UnitStatus(
                    key=key,
                    kind=kind,
                    code=unit["code"],
                    name_vi=unit["name_vi"],
                    name_en=unit["name_en"],
                    short_name_vi=unit["short_name_vi"],
                    backlog=kpis.backlog,
                    on_time=kpis.on_time,
                    online=kpis.online,
                    score=ranked.scores[key].score,
                    rank=ranked.ranks[key],
                    stale=unit_health.stale,
                    data_as_of=unit_health.data_as_of,
                    new_late=late.get(key, (0, None))[0],
                    score_state=ranked.scores[key].state,
                )
            )
    return statuses


def compute(services: Services, as_of: datetime, cache: Cache | None = None) -> WallData:
    """Everything the wall shows at `as_of`: one KPI pass over the rollups, the ranks, freshness and alerts, and
    the headline figures 1 and 7 days earlier (two more KPI passes)."""
    store, settings, limits = services.store, services.settings, limits_of(services)
    version, changed_at = store.data_version()
    ranked = standings(store, services.calendar, services.index_config, DEFAULT_PERIOD, as_of, previous=False)
    kpis = ranked.kpis
    overview = city_overview(kpis, as_of, version)
    fresh = source_freshness(store, services.sources, as_of, settings.stale_factor)
    found, late = wall_alerts.rules(services, as_of, kpis, overview, fresh, limits)
    satisfaction = city_satisfaction(kpis)
    statuses = tuple(unit_statuses(ranked, fresh, late))
    registry = store.units()
    return WallData(
        as_of=as_of,
        version=version,
        changed_at=changed_at,
        overview=overview,
        satisfaction=satisfaction,
        units=statuses,
        sources_ok=sum(1 for s in fresh if s.status == "ok"),
        sources_total=len(fresh),
        stale_sources=sum(1 for s in fresh if s.stale),
        alerts=tuple(wall_alerts.observed(services, found)),  # since when, acknowledged, in the order to act
        limits=limits,
        unit_names={u["key"]: (u["name_vi"], u["name_en"]) for u in registry},
        feedback_points=feedback_points(services, as_of - FEEDBACK_WINDOW, as_of),
        compared=comparisons(store, services.calendar, as_of, headline_values(overview, satisfaction), cache),
        places=unit_places(registry, {u.key for u in statuses if u.kind != DEPARTMENT}),
    )


def wall_key(version: int, as_of: datetime, scale: float) -> list[Any]:
    """What the wall shows depends on: the data version, the minute (staleness, lags) and the screen scale."""
    return [version, city_time(as_of).strftime("%Y-%m-%dT%H:%M"), scale]


def current_key(services: Services, scale: float) -> list[Any]:
    """The wall's key now, with the data version as polled (`pages.common.polled_version`): 200 walls cost the store
    what one does."""
    return wall_key(polled_version(services), services.clock.now(), scale)


def wall_data(services: Services, cache: Cache, key: list[Any]) -> tuple[tuple, WallData]:
    """The wall's figures for (version, minute), computed once and shared by every viewer and worker; while
    they are computed (in the background), the newest figures so far. Returns their (version, minute) too."""
    return cached_or_latest(cache, WALL_KIND, (key[0], key[1]), lambda: compute(services, services.clock.now(), cache))


def shown_wall_key(services: Services, cache: Cache, key: list[Any]) -> list[Any] | None:
    """The key a refresh for `key` (version, minute, scale) shows, found without reading any figures (`core.cache`'s
    `shown_key`: `key`'s, or the newest so far while `key`'s are computed); None when it cannot tell."""
    compute_now = lambda: compute(services, services.clock.now(), cache)  # noqa: E731
    shown = shown_key(cache, WALL_KIND, (key[0], key[1]), compute_now)
    return None if shown is None else [*shown, key[2]]


def patch_base(cache: Cache, shown: list[Any], seen: list | None) -> list | None:
    """The key a refresh to `shown` is sent as changes to: `seen`, when it is the key shown just before `shown`,
    at the same scale; else None — the whole drawing, the same bytes for every wall further behind. So a data
    change costs one patch and one whole answer, however spread out the walls' keys are."""
    if not seen or len(seen) != 3 or float(seen[2]) != float(shown[2]):
        return None
    return seen if key_before(cache, WALL_KIND, (shown[0], shown[1])) == tuple(seen[:2]) else None


def wall_data_of(services: Services, cache: Cache, key: tuple[Any, Any]) -> WallData:
    """The wall's figures of exactly (version, minute) `key`: cached, else computed in this thread (once per
    process) and kept for the wall too — for a page that needs the figures of its own key (the home page)."""
    return computed(cache, WALL_KIND, key, lambda: compute(services, services.clock.now(), cache))


def warm(services: Services, cache: Cache) -> None:
    """Compute the wall's figures in the background now, so that the first wall to ask finds them."""
    background_for(cache).submit(WALL_KIND, lambda: wall_data(services, cache, current_key(services, 1.0)))


@dataclass(frozen=True)
class MapShapes:
    """The map the wall draws: its kind, the shapes to fill and the outlines over them (none for the cartogram and
    tiles), and why a configured boundary file could not be drawn (the wall then draws its cartogram)."""

    kind: MapKind
    shapes: tuple[Shape, ...] = ()
    outlines: tuple[Shape, ...] = ()
    error: str | None = None


def map_kind(asked: str | None, boundaries: Boundaries) -> MapKind:
    """The map asked for (a boundary map only if its file is configured); else districts when configured, else
    the cartogram."""
    available = boundaries.available()
    if asked in ("tiles", "cartogram"):
        return asked  # type: ignore[return-value]
    if not available:
        return "cartogram"
    level = {"districts": DISTRICT, "wards": WARD}.get(asked or "")
    if level in available:
        return asked  # type: ignore[return-value]
    return "districts" if DISTRICT in available else "wards"


def map_shapes(asked: str | None, boundaries: Boundaries) -> MapShapes:
    """The shapes of the map `map_kind` picks, read from its boundary file (memoised per file version)."""
    kind = map_kind(asked, boundaries)
    try:
        if kind == "districts":
            return MapShapes(kind, boundaries.districts)
        if kind == "wards":
            outlines = boundaries.districts if DISTRICT in boundaries.available() else ()
            return MapShapes(kind, boundaries.wards, outlines)
    except BoundaryError as exc:
        log.warning("wall map: %s", exc)
        return MapShapes("cartogram", error=str(exc))
    return MapShapes(kind)
