"""The wall's headline figures against 1 and 7 days earlier: each earlier figure counted as any past as-of is
(`pages.kpis.unit_kpis`, recounted in event time when the store changed since), each change by the direction
rule (`metrics.direction`); an earlier period figure only when the store's data covers its window
(`core.periods.covered`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from dashboard.core.cache import Cache, cached
from dashboard.core.periods import covered, window
from dashboard.core.vocabulary import DEFAULT_PERIOD
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.direction import HEADLINE, Change, change
from dashboard.metrics.kpis import CityOverview, Ratio, UnitKpis, city_overview
from dashboard.pages.kpis import unit_kpis
from dashboard.store import Store

Against = Literal["yesterday", "week"]
COMPARED: tuple[tuple[Against, timedelta], ...] = (("yesterday", timedelta(days=1)), ("week", timedelta(days=7)))
PERIOD_FIGURES = frozenset({"on_time", "online", "satisfaction"})  # over the 30 days ending then; the rest: at then


def city_satisfaction(kpis: Mapping[str, UnitKpis]) -> Ratio:
    """The city's dossier satisfaction: Σ satisfied ÷ Σ rated over every unit."""
    ratings = [k.dossier_satisfaction for k in kpis.values()]
    return Ratio(sum(r.numerator for r in ratings), sum(r.denominator for r in ratings))


def headline_values(overview: CityOverview, satisfaction: Ratio) -> dict[str, float | None]:
    """The wall's headline figures by name (`metrics.direction.HEADLINE`); a rate is None without data."""
    return {
        "in_progress": overview.in_progress,
        "overdue": overview.overdue_in_progress,
        "overdue_share": overview.overdue_share.value,
        "on_time": overview.on_time.value,
        "online": overview.online_share.value,
        "feedback": overview.open_feedback,
        "satisfaction": satisfaction.value,
    }


@dataclass(frozen=True)
class Comparison:
    """The headline figures now against `as_of` (1 or 7 days earlier): per figure its `Change`, or None when
    there is no figure then (or now) to compare with; `data_from`, the store's first day, when its data begins
    after the first day of the earlier 30 days, whose period figures are then not compared (`withheld`)."""

    against: Against
    as_of: datetime
    changes: Mapping[str, Change | None] = field(default_factory=dict)
    data_from: date | None = None

    def of(self, name: str) -> Change | None:
        return self.changes.get(name)

    def withheld(self, name: str) -> date | None:
        """The store's first day, when figure `name` is not compared because the data does not cover its window."""
        return self.data_from if name in PERIOD_FIGURES else None


def earlier_values(store: Store, calendar: WorkCalendar, as_of: datetime) -> dict[str, float | None]:
    """The headline figures at a past `as_of`, over the wall's period ending then; every one None when the store
    held nothing then (nothing in progress, received, completed or rated, no open feedback): no data, not zeros."""
    kpis = unit_kpis(store, calendar, DEFAULT_PERIOD, as_of)
    overview = city_overview(kpis, as_of, store.data_version()[0])
    satisfaction = city_satisfaction(kpis)
    values = headline_values(overview, satisfaction)
    counts = (overview.in_progress, overview.open_feedback)
    ratios = (overview.on_time, overview.online_share, satisfaction)
    if not any(counts) and not any(r.denominator for r in ratios):
        return dict.fromkeys(values)
    return values


EARLIER_EVERY = timedelta(minutes=15)  # the earlier figures are recounted at most this often (see `comparisons`)


def earlier_moment(at: datetime) -> datetime:
    """`at` brought down to its quarter of an hour: the moment the earlier figures are counted at."""
    seconds = int(EARLIER_EVERY.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // seconds * seconds, at.tzinfo)


def comparisons(
    store: Store,
    calendar: WorkCalendar,
    as_of: datetime,
    now: Mapping[str, float | None],
    cache: Cache | None = None,
) -> tuple[Comparison, ...]:
    """The headline figures `now` (at `as_of`) against each of `COMPARED`, the earlier ones counted at the quarter
    hour (`earlier_moment`) and shared through `cache`: a past recount costs a full KPI pass (hundreds of ms at
    millions of dossiers), so every wall and minute of the quarter reuses it — "yesterday" is up to 15 min off. The
    period figures are not compared when the store's data begins after the first day of the earlier 30 days."""
    found, start = [], store.series.history_start()
    for against, back in COMPARED:
        moment = earlier_moment(as_of - back)
        count = lambda moment=moment: earlier_values(store, calendar, moment)  # noqa: E731
        then = count() if cache is None else cached(cache, f"wall-earlier:{moment.isoformat()}", count)
        changes = {name: change(figure, now.get(name), then.get(name)) for name, figure in HEADLINE.items()}
        whole = covered(window(DEFAULT_PERIOD, moment), start)
        if not whole:
            changes |= dict.fromkeys(PERIOD_FIGURES)
        found.append(Comparison(against, as_of - back, changes, None if whole else start))
    return tuple(found)
