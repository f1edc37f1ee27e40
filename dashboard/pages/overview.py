"""The home page's model (/): the city's verdict and headline figures over a period with their direction, the units
to act on, the trend of the city's backlog, satisfaction — read from the wall's model for the instant (alerts, unit
statuses, comparisons with yesterday, freshness) and from `pages.kpis` for the period; computed once per (data
version, minute, period) off the request path and shared through the cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from dashboard.core.cache import Cache, cached_or_latest
from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window, covered, previous_window, window
from dashboard.core.vocabulary import DEFAULT_PERIOD
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.direction import HEADLINE, Change, change
from dashboard.metrics.kpis import CityOverview, Ratio, UnitKpis, city_overview
from dashboard.pages import wall
from dashboard.pages.common import period_or_default
from dashboard.pages.kpis import previous_unit_kpis, unit_kpis
from dashboard.pages.wall import UnitStatus, WallData
from dashboard.pages.wall_compare import city_satisfaction
from dashboard.services import Services
from dashboard.store import Store

ACT_ON = 8  # units listed to act on
TREND_MIN_DAYS = 7  # the trend spans at least a week, so "today" draws a line too
TREND_MAX_POINTS = 31  # above this many working days, one point per week (its last working day)
LEVEL_ORDER = {"alarm": 0, "warn": 1, "stale": 2, "ok": 3, "none": 4}
Against = Literal["yesterday", "previous"]  # yesterday at this time (instant figures) · the previous period (rates)


@dataclass(frozen=True)
class Headline:
    """One headline figure: its name (`metrics.direction.HEADLINE`), value, its parts when a rate, and how it
    compares (`change` is None when there is nothing to compare with; `data_from`, the store's first day, when that
    is because the store's data begins inside the earlier period)."""

    name: str
    value: float | None
    ratio: Ratio | None
    change: Change | None
    against: Against
    data_from: date | None = None


@dataclass(frozen=True)
class TrendPoint:
    """Dossiers in progress at the end of a working day (Σ received − Σ closed up to it, as the unit tile's)."""

    day: date
    in_progress: int


@dataclass(frozen=True)
class OverviewView:
    """Everything the home page shows for `period` at `as_of`."""

    period: str
    window: Window
    previous_window: Window
    as_of: datetime
    overview: CityOverview  # over the period (its backlog and open feedback are of the instant)
    headlines: tuple[Headline, ...]
    satisfaction: Ratio  # dossiers: satisfied ÷ rated over the period
    feedback_satisfaction: Ratio  # feedback answers: satisfied ÷ rated over the period
    feedback: Headline  # open feedback now against yesterday
    wall: WallData  # the wall's model of this minute: unit statuses, alerts, freshness, the map's figures
    act_on: tuple[UnitStatus, ...]
    trend: tuple[TrendPoint, ...]
    trend_weekly: bool = False  # one point per working week (a long period), else per working day

    def headline(self, name: str) -> Headline:
        return next(h for h in self.headlines if h.name == name)


def act_on(units: Sequence[UnitStatus], limits: wall.Limits, n: int = ACT_ON) -> list[UnitStatus]:
    """The `n` units to act on first: alarm, then warning, then stale, then the rest (units without a backlog never),
    each level by overdue share, then overdue count, highest first, then name."""

    def severity(unit: UnitStatus) -> tuple[Any, ...]:
        return (LEVEL_ORDER[unit.level(limits)], -(unit.overdue_share or 0.0), -unit.backlog.overdue, unit.name_vi)

    return sorted((u for u in units if u.backlog.in_progress), key=severity)[:n]


def trend_days(calendar: WorkCalendar, span: Window) -> tuple[list[date], bool]:
    """The days the trend shows and whether they are weekly: the working days of the period (at least its last
    `TREND_MIN_DAYS` days); above `TREND_MAX_POINTS` of them, the last working day of each week (and the last one)."""
    last = (span.end - timedelta(microseconds=1)).astimezone(CITY_TZ).date()
    first = min(span.start.astimezone(CITY_TZ).date(), last - timedelta(days=TREND_MIN_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    working = [day for day in days if calendar.is_working_day(day)]
    if len(working) <= TREND_MAX_POINTS:
        return working, False
    week = lambda day: day.isocalendar()[:2]  # noqa: E731
    ends = [day for day, after in zip(working, working[1:], strict=False) if week(after) != week(day)]
    return [*ends, working[-1]], True


def backlog_trend(store: Store, days: Sequence[date]) -> list[TrendPoint]:
    """The city's dossiers in progress at the end of each of `days` (in order): Σ received − Σ closed over every unit
    up to that day, from the day rollups (`Series.unit_days` of every unit: two reads)."""
    if not days:
        return []
    _opening, series = store.series.unit_days(None, days[0], days[-1])
    in_progress = {row["day"]: row["in_progress"] for row in series}
    return [TrendPoint(day, in_progress[day]) for day in days]


def _vs_yesterday(data: WallData, name: str, now: float | None) -> Change | None:
    """`now` against the wall's figure of yesterday at this time (`pages.wall_compare`)."""
    yesterday = next((c for c in data.compared if c.against == "yesterday"), None)
    earlier = yesterday.of(name) if yesterday else None
    return change(HEADLINE[name], now, earlier.before) if earlier else None


def _rate(name: str, now: Ratio, before: Ratio | None, data_from: date | None) -> Headline:
    if before is None:  # the previous period is not covered by the store's data: nothing to compare with
        return Headline(name, now.value, now, None, "previous", data_from)
    return Headline(name, now.value, now, change(HEADLINE[name], now.value, before.value), "previous")


def headlines(
    data: WallData,
    city: CityOverview,
    before: CityOverview | None,
    rated: tuple[Ratio, Ratio | None],
    data_from: date | None = None,
) -> list[Headline]:
    """Overdue share and in progress against yesterday; on time, online and satisfaction (`rated`: now, before)
    against the previous period — not compared when `before` is None (the store's data, from `data_from`, does not
    cover the previous period: `core.periods.covered`)."""
    share, count = city.overdue_share, city.in_progress
    return [
        Headline("overdue_share", share.value, share, _vs_yesterday(data, "overdue_share", share.value), "yesterday"),
        Headline("in_progress", count, None, _vs_yesterday(data, "in_progress", count), "yesterday"),
        _rate("on_time", city.on_time, before.on_time if before else None, data_from),
        _rate("online", city.online_share, before.online_share if before else None, data_from),
        _rate("satisfaction", *rated, data_from),
    ]


def _feedback_satisfaction(kpis: dict[str, UnitKpis]) -> Ratio:
    ratings = [k.feedback_satisfaction for k in kpis.values()]
    return Ratio(sum(r.numerator for r in ratings), sum(r.denominator for r in ratings))


def overview_view(services: Services, data: WallData, period: str) -> OverviewView:
    """The home page over `period` at the wall's instant (`data.as_of`, so that every figure on the page is of one
    instant): the period's city figures and the previous period's (when the store's data covers it), the units to act
    on and the backlog's trend."""
    store, calendar, as_of = services.store, services.calendar, data.as_of
    kpis = unit_kpis(store, calendar, period, as_of)
    previous, start = previous_window(period, as_of), store.series.history_start()
    earlier = previous_unit_kpis(store, calendar, period, as_of, instant=False) if covered(previous, start) else None
    city = city_overview(kpis, as_of, data.version)
    before = city_overview(earlier, as_of, data.version) if earlier is not None else None
    satisfaction = city_satisfaction(kpis)
    rated = (satisfaction, city_satisfaction(earlier) if earlier is not None else None)
    open_feedback = Headline(
        "feedback", city.open_feedback, None, _vs_yesterday(data, "feedback", city.open_feedback), "yesterday"
    )
    span = window(period, as_of)
    days, weekly = trend_days(calendar, span)
    return OverviewView(
        period=period,
        window=span,
        previous_window=previous,
        as_of=as_of,
        overview=city,
        headlines=tuple(headlines(data, city, before, rated, start)),
        satisfaction=satisfaction,
        feedback_satisfaction=_feedback_satisfaction(kpis),
        feedback=open_feedback,
        wall=data,
        act_on=tuple(act_on(data.units, data.limits)),
        trend=tuple(backlog_trend(store, days)),
        trend_weekly=weekly,
    )


def overview_key(services: Services, period: str | None) -> list[Any]:
    """The key of the home page over `period` (the default when none is picked) now: [version, minute, period], the
    data version as polled — the key `overview_data` answers with once its figures are computed."""
    version, minute, *_scale = wall.current_key(services, 1.0)
    return [version, minute, period_or_default(period, DEFAULT_PERIOD)]


def overview_data(services: Services, cache: Cache, period: str) -> tuple[list[Any], OverviewView]:
    """The home page over `period` with its key [version, minute, period], shared through the cache: while the
    page for this minute is computed in the background — with the wall's figures of the same minute, computed
    there too unless the wall has them (`wall.wall_data_of`) — the newest so far for this period
    (`cached_or_latest`); the key says which."""
    version, minute, _period = overview_key(services, period)
    key = (version, minute)

    def compute() -> OverviewView:
        data = wall.wall_data_of(services, cache, key)
        return overview_view(services, data, period)

    shown, view = cached_or_latest(cache, f"overview:{period}", key, compute)
    return [*shown, period], view
