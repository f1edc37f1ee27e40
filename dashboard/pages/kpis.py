"""Unit KPIs over a period and at an instant: the store's counts (rollups, or raw rows for checking) through the
pure formulas of `dashboard.metrics`; every page, the wall and the API get their KPIs here.

Every formula is stated in `docs/metrics.md` and on the function that computes it. Whole days of a period
come from the day rollups; a partial first or last day is recounted from raw rows, so a window that ends
mid-day is exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window, previous_window, window
from dashboard.core.vocabulary import DEFAULT_PERIOD
from dashboard.core.workdays import WorkCalendar
from dashboard.metrics.ageing import ageing_cutoffs, backlog
from dashboard.metrics.kpis import (
    Backlog,
    CityOverview,
    UnitKpis,
    backlog_minus,
    build_unit_kpis,
    city_overview,
    open_feedback,
)
from dashboard.store import Store
from dashboard.store.schema import roll_dossier_day, roll_feedback_day

Source = Literal["rollups", "raw"]


def _day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(CITY_TZ).date(), time(0), CITY_TZ)


def split_window(span: Window) -> tuple[tuple[Any, Any] | None, list[Window]]:
    """(first and last whole day, or None; the partial segments to recount from raw rows)."""
    first_full = _day_start(span.start)
    if first_full < span.start:
        first_full += timedelta(days=1)
    last_end = _day_start(span.end)
    if last_end <= first_full:
        return None, [span]
    partial = [w for w in (Window(span.start, first_full), Window(last_end, span.end)) if w.start < w.end]
    days = (first_full.date(), (last_end - timedelta(days=1)).date())
    return days, partial


def _add(total: dict[str, dict[str, float]], rows: list[dict[str, Any]], sign: int = 1) -> None:
    for row in rows:
        unit = row["unit_key"]
        for name, value in row.items():
            if name != "unit_key":
                total[unit][name] = total[unit].get(name, 0) + sign * (value or 0)


def period_counters(store: Store, span: Window, unit: str | None = None, source: Source = "rollups"):
    """Per unit: dossier counters, feedback counters and the processing histogram over `span`.

    From the rollups, a partial day counts as its whole day minus the raw events of the rest of that day,
    or as its own raw events, whichever part of the day is shorter: for a live as-of the rest of today
    holds no events yet, so today costs two empty index range reads.
    """
    dossier: dict[str, dict[str, float]] = defaultdict(dict)
    feedback: dict[str, dict[str, float]] = defaultdict(dict)
    histogram: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def rollups(first, last, sign: int = 1) -> None:
        _add(dossier, store.rollups.day_totals(roll_dossier_day, first, last, unit=unit), sign)
        _add(feedback, store.rollups.day_totals(roll_feedback_day, first, last, unit=unit), sign)
        for key, half_days, n in store.rollups.processing_histogram(first, last, unit=unit):
            histogram[key][half_days] += sign * n

    def raw(segment: Window, sign: int = 1) -> None:
        _add(dossier, store.raw.dossier_counters(segment.start, segment.end, unit), sign)
        _add(feedback, store.raw.feedback_counters(segment.start, segment.end, unit), sign)
        for key, half_days, n in store.raw.processing(segment.start, segment.end, unit):
            histogram[key][half_days] += sign * n

    if source == "raw":
        raw(span)
        return dossier, feedback, histogram
    days, partial = split_window(span)
    ranges = [days] if days else []
    for segment in partial:
        day_start = _day_start(segment.start)
        day = Window(day_start, day_start + timedelta(days=1))
        rest = [w for w in (Window(day.start, segment.start), Window(segment.end, day.end)) if w.start < w.end]
        if sum((w.length for w in rest), timedelta()) < segment.length:
            ranges.append((day.start.date(), day.start.date()))
            for other in rest:
                raw(other, -1)
        else:
            raw(segment)
    for first, last in _merged(ranges):  # a whole-day range and its partial neighbour: one read
        rollups(first, last)
    return dossier, feedback, histogram


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _negated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "n": -row["n"]} for row in rows]


def unit_kpis(
    store: Store,
    calendar: WorkCalendar,
    period: str,
    as_of: datetime,
    unit: str | None = None,
    source: Source = "rollups",
    span: Window | None = None,
    units: list[str] | None = None,
    instant: bool = True,
) -> dict[str, UnitKpis]:
    """Every unit's KPIs (or one unit's) for `period` ending at `as_of`: the units with data, plus `units`
    (with zero counts and empty ratios, which read as n/a). With `instant=False`, the period's own figures
    only: the backlog, open feedback and the overdue-in-progress part of the apology rate are left out (for
    past windows such as the league's weekly trend: the service index uses none of them)."""
    return unit_kpis_and_histogram(store, calendar, period, as_of, unit, source, span, units, instant)[0]


def unit_kpis_and_histogram(
    store: Store,
    calendar: WorkCalendar,
    period: str,
    as_of: datetime,
    unit: str | None = None,
    source: Source = "rollups",
    span: Window | None = None,
    units: list[str] | None = None,
    instant: bool = True,
) -> tuple[dict[str, UnitKpis], dict[int, int]]:
    """`unit_kpis`, and the processing histogram (half-days → dossiers completed) summed over every unit read:
    the city's median comes from it (`metrics.kpis.city_kpis`) without a second counter pass."""
    span = span or window(period, as_of)
    dossier, fb, histogram = period_counters(store, span, unit, source)
    backlogs: dict[str, Backlog] = {}
    fb_open: dict[str, tuple[int, int]] = {}
    if instant:
        backlogs, fb_open = instant_counters(store, calendar, as_of, unit, source)
    keys = sorted(set(dossier) | set(fb) | set(backlogs) | set(fb_open) | set(units or ()))
    kpis = {
        key: build_unit_kpis(
            key,
            period,
            span,
            as_of,
            dossier.get(key, {}),
            fb.get(key, {}),
            histogram.get(key, {}),
            backlogs.get(key, Backlog()),
            fb_open.get(key, (0, 0)),
        )
        for key in keys
    }
    merged: Counter[int] = Counter()
    for unit_histogram in histogram.values():
        merged.update(unit_histogram)
    return kpis, {half_days: int(n) for half_days, n in merged.items()}  # plain ints: the cache keeps JSON


def recounted_in_event_time(store: Store, as_of: datetime) -> bool:
    """Whether figures at `as_of` are recounted in event time: the store changed after it (a past as-of)."""
    _version, changed_at = store.data_version()
    return changed_at is not None and as_of < changed_at


def instant_counters(
    store: Store, calendar: WorkCalendar, as_of: datetime, unit: str | None = None, source: Source = "rollups"
) -> tuple[dict[str, Backlog], dict[str, tuple[int, int]]]:
    """Per unit at `as_of`: the open backlog by ageing bucket, and (open feedback, of which overdue).

    When nothing was stored after `as_of` (a live as-of), the backlog is the present one (rollups keep no
    history of states), less rows received after `as_of` (clock skew at a source), taken out with an indexed
    raw count. For an as-of before the store last changed, both are recounted in event time from the raw rows
    (`recounted_in_event_time`): a dossier completed since then counts as open then."""
    cut = ageing_cutoffs(as_of, calendar)
    if recounted_in_event_time(store, as_of):
        backlogs = backlog(store.raw.open_backlog_at(as_of, unit), cut)
        return backlogs, open_feedback(store.raw.open_feedback_at(as_of, unit), as_of)
    late_arrivals = backlog(store.raw.open_backlog(unit, received_after=as_of), cut)
    if source == "rollups":
        present = backlog(store.rollups.open_backlog_bucketed(*cut.instants(), unit=unit), cut)
        fb_rows = store.rollups.open_feedback(as_of, unit)
    else:
        present = backlog(store.raw.open_backlog(unit), cut)
        fb_rows = store.raw.open_feedback(unit)
    backlogs = {k: backlog_minus(b, late_arrivals.get(k, Backlog())) for k, b in present.items()}
    fb_open = open_feedback(fb_rows + _negated(store.raw.open_feedback(unit, received_after=as_of)), as_of)
    return backlogs, fb_open


def previous_unit_kpis(store: Store, calendar: WorkCalendar, period: str, as_of: datetime, **kwargs):
    """The same KPIs over the previous period (backlog figures are the current ones: no history of states)."""
    return unit_kpis(store, calendar, period, as_of, span=previous_window(period, as_of), **kwargs)


def current_city_overview(
    store: Store, calendar: WorkCalendar, as_of: datetime, period: str = DEFAULT_PERIOD
) -> CityOverview:
    """The city overview at `as_of` over `period`, from the rollups."""
    version, _changed = store.data_version()
    return city_overview(unit_kpis(store, calendar, period, as_of), as_of, version)
