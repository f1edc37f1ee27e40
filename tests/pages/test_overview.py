"""The home page's model over a real store: the period's figures against the previous period, the instant's against
yesterday (the wall's comparisons), the units to act on, and the backlog's trend over working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboard.core.cache import cache_of
from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import Window, window
from dashboard.core.vocabulary import LAST_7_DAYS, LAST_30_DAYS, YEAR_TO_DATE
from dashboard.metrics.kpis import Backlog, Ratio
from dashboard.pages import overview as overview_pages
from dashboard.pages.wall import Limits, UnitStatus
from tests.conftest import START
from tests.factories import dossier

DAY = timedelta(days=1)


def city_rows() -> list[dict]:
    """At START (Wed 27/11/2019 09:00): Quận 1 holds 2 open dossiers, 1 overdue since 22/11; Bình Thạnh (765) 3 open,
    none due. Completed: Bình Thạnh's on time 3 days ago, Quận 1's late 12 days ago. Yesterday at 09:00 the open
    ones were 4 (Q1-NEW came in at 03:00 today), 1 overdue: 25 %."""
    return [
        dossier("Q1-LATE-OPEN", received=START - 10 * DAY, days=5),  # due 22/11: overdue
        dossier("Q1-NEW", received=START - timedelta(hours=6), days=10),
        *(dossier(f"BT-{n}", unit="765", received=START - 2 * DAY, days=10) for n in (1, 2, 3)),
        dossier("BT-DONE", unit="765", received=START - 5 * DAY, status="completed", completed=START - 3 * DAY),
        dossier("Q1-DONE-LATE", received=START - 20 * DAY, status="completed", completed=START - 12 * DAY),
    ]


def test_the_period_figures_against_the_previous_period_and_the_instant_against_yesterday(
    app, services, source_db, pull
):
    source_db.insert("dossiers", *city_rows())
    pull()
    view = overview_pages.overview_data(services, cache_of(app), LAST_30_DAYS)[1]
    share = view.headline("overdue_share")
    assert (share.ratio, share.against) == (Ratio(1, 5), "yesterday")
    assert (share.change.before, share.change.verdict, share.change.arrow) == (0.25, "better", "down")
    assert round(share.change.delta, 3) == -0.05
    in_progress = view.headline("in_progress")
    assert (in_progress.value, in_progress.change.before, in_progress.change.verdict) == (5, 4, "neutral")
    on_time = view.headline("on_time")
    assert (on_time.ratio, on_time.change, on_time.against) == (Ratio(1, 2), None, "previous")  # nothing before 28/10
    assert view.headline("online").ratio == Ratio(0, 7)
    assert [h.name for h in view.headlines] == ["overdue_share", "in_progress", "on_time", "online", "satisfaction"]
    assert view.window == window(LAST_30_DAYS, START) and view.period == LAST_30_DAYS

    week = overview_pages.overview_data(services, cache_of(app), LAST_7_DAYS)[1]
    assert week.headline("on_time").ratio == Ratio(1, 1)  # the late one was completed 12 days ago
    assert week.headline("on_time").change.before == 0.0  # the 7 days before: 0 of 1 on time
    assert week.headline("on_time").change.verdict == "better"
    assert week.headline("online").ratio == Ratio(0, 5)
    assert week.headline("overdue_share").ratio == Ratio(1, 5)  # the instant's figures do not depend on the period


def test_the_units_to_act_on_and_the_trend_of_the_backlog(app, services, source_db, pull):
    source_db.insert("dossiers", *city_rows())
    pull()
    view = overview_pages.overview_data(services, cache_of(app), LAST_7_DAYS)[1]
    assert [(u.key, u.level(view.wall.limits)) for u in view.act_on] == [("quan-1", "alarm"), ("quan-binh-thanh", "ok")]
    # 7 days: Thu 21/11 to Wed 27/11, working days only (not Sat 23/11, Sun 24/11); BT-DONE in on 22/11, done on 24/11
    assert [(p.day.day, p.in_progress) for p in view.trend] == [(21, 1), (22, 2), (25, 4), (26, 4), (27, 5)]
    assert not view.trend_weekly


def status(key: str, in_progress: int, overdue: int, stale: bool = False, name: str | None = None) -> UnitStatus:
    return UnitStatus(
        key=key,
        kind="district",
        code=key,
        name_vi=name or key,
        name_en=name or key,
        short_name_vi=key,
        backlog=Backlog(in_progress, overdue),
        on_time=Ratio(0, 0),
        online=Ratio(0, 0),
        score=None,
        rank=None,
        stale=stale,
        data_as_of=None,
    )


def test_act_on_orders_alarm_warning_stale_then_the_rest_and_leaves_out_empty_units():
    units = [
        status("ok-a", 100, 1),
        status("warn", 100, 6),
        status("alarm-low", 100, 11),
        status("stale", 100, 50, stale=True),
        status("alarm-high", 10, 5),
        status("empty", 0, 0),
        status("ok-b", 100, 2),
    ]
    found = overview_pages.act_on(units, Limits(overdue_warn=0.05, overdue_alarm=0.10), n=6)
    assert [u.key for u in found] == ["alarm-high", "alarm-low", "warn", "stale", "ok-b", "ok-a"]
    assert [u.key for u in overview_pages.act_on(units, Limits(), n=2)] == ["alarm-high", "alarm-low"]


def test_trend_days_are_working_days_and_weekly_for_a_long_period(services):
    days, weekly = overview_pages.trend_days(services.calendar, window(LAST_30_DAYS, START))
    assert (days[0], days[-1], len(days), weekly) == (date(2019, 10, 29), date(2019, 11, 27), 22, False)
    assert all(day.weekday() < 5 for day in days)  # 28/10 … 27/11 holds no holiday; 28/10 itself is before the window
    today = Window(datetime(2019, 11, 27, tzinfo=CITY_TZ), START)
    short, _ = overview_pages.trend_days(services.calendar, today)
    assert [d.day for d in short] == [21, 22, 25, 26, 27]  # at least a week, so "today" draws a line too
    year, weekly = overview_pages.trend_days(services.calendar, window(YEAR_TO_DATE, START))
    assert weekly and year[-1] == date(2019, 11, 27)
    # each week's last working day: a Friday, or the make-up Saturday of that week (05/01 and 04/05/2019)
    assert [day for day in year[:-1] if day.weekday() != 4] == [date(2019, 1, 5), date(2019, 5, 4)]
    assert (year[0], len(year)) == (date(2019, 1, 5), 47)
