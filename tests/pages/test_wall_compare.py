"""The wall's headline figures against yesterday and 7 days ago, over a real store: dossiers and feedback whose
state differs at each instant, recounted in event time, with the exact earlier values and each verdict."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.pages import wall as wall_pages
from dashboard.pages.api import kpis_view
from tests.conftest import START
from tests.factories import dossier

DAY = timedelta(days=1)


def feedback_item(code, received, status="open", answered=None):
    return {
        "native_id": code,
        "unit": "760",
        "category": "Giao thông",
        "channel": "app",
        "received_at": received,
        "due_at": received + timedelta(days=10),
        "answered_at": answered,
        "status": status,
        "rating": None,
        "lat": None,
        "lon": None,
        "source_updated_at": answered or received,
    }


@pytest.fixture
def history(source_db, pull):
    """Five dossiers and two feedback items; now is Wed 27/11/2019 09:00, yesterday 26/11, a week ago 20/11. The
    store's history starts 28/09 (OLD, outside every 30 days compared), so the earlier 30 days are covered."""
    source_db.insert(
        "dossiers",
        dossier("OLD", received=START - 60 * DAY, status="completed", completed=START - 58 * DAY),  # 28/09 – 30/09
        dossier("A", received=START - 3 * DAY),  # 24/11, due 29/11: open; not yet received a week ago
        dossier(  # 17/11, due 22/11, completed late on 25/11: in progress (not yet due) only a week ago
            "B", received=START - 10 * DAY, status="completed", completed=START - 2 * DAY, rating="dissatisfied"
        ),
        dossier("C", received=START - 10 * DAY),  # 17/11, due 22/11, still open: overdue now and yesterday
        dossier(  # 07/11, due 12/11, completed late last night: overdue in progress yesterday and a week ago
            "D", received=START - 20 * DAY, status="completed", completed=START - timedelta(hours=12)
        ),
        dossier(  # 18/11, completed on time 19/11, online, satisfied: before a week ago
            "E",
            received=START - 9 * DAY,
            days=10,
            status="completed",
            completed=START - 8 * DAY,
            channel="online_full",
            rating="satisfied",
        ),
    )
    source_db.insert(
        "feedback",
        feedback_item("F1", START - 3 * DAY),  # open now and yesterday
        feedback_item("F2", START - 10 * DAY, "answered", answered=START - timedelta(hours=12)),  # open till 21:00
    )
    pull()


def values(comparison, field):
    return {name: None if c is None else getattr(c, field) for name, c in comparison.changes.items()}


def test_each_headline_figure_against_yesterday_and_a_week_ago(services, history):
    data = wall_pages.compute(services, START)
    city = data.overview
    assert (city.in_progress, city.overdue_in_progress, city.open_feedback) == (2, 1, 1)  # A, C; C; F1
    assert (city.on_time.value, city.online_share.value, data.satisfaction.value) == (1 / 3, 1 / 5, 1 / 2)
    yesterday, week = data.compared
    assert (yesterday.against, yesterday.as_of, week.against, week.as_of) == (
        "yesterday",
        START - DAY,
        "week",
        START - 7 * DAY,
    )
    assert values(yesterday, "before") == {
        "in_progress": 3,  # A, C, D (completed since)
        "overdue": 2,  # C, D
        "overdue_share": pytest.approx(2 / 3),
        "on_time": 1 / 2,  # B late, E on time
        "online": 1 / 5,
        "feedback": 2,  # F1, F2 (answered since)
        "satisfaction": 1 / 2,
    }
    assert values(yesterday, "delta") == {
        "in_progress": -1,
        "overdue": -1,
        "overdue_share": pytest.approx(-0.167),
        "on_time": pytest.approx(-0.167),
        "online": 0,
        "feedback": -1,
        "satisfaction": 0,
    }
    assert values(yesterday, "verdict") == {
        "in_progress": "neutral",
        "overdue": "better",
        "overdue_share": "better",
        "on_time": "worse",
        "online": "steady",
        "feedback": "better",
        "satisfaction": "steady",
    }
    assert values(week, "before") == {
        "in_progress": 3,  # B, C, D (A not yet received)
        "overdue": 1,  # D
        "overdue_share": pytest.approx(1 / 3),
        "on_time": 1.0,  # E only
        "online": 1 / 4,  # B, C, D, E received in its 30 days
        "feedback": 1,  # F2
        "satisfaction": 1.0,  # E
    }
    assert values(week, "verdict") == {
        "in_progress": "neutral",
        "overdue": "steady",
        "overdue_share": "worse",
        "on_time": "worse",
        "online": "worse",
        "feedback": "steady",
        "satisfaction": "worse",
    }
    assert values(week, "arrow")["in_progress"] == "down"


def test_the_earlier_figures_are_those_of_a_past_as_of(services, history):
    """What the API answers for as_of = a day earlier (recounted in event time) is what the wall compares with."""
    yesterday, _week = wall_pages.compute(services, START).compared
    api = kpis_view(services, "30d", as_of=START - DAY)
    backlogs = [figures.kpis.backlog for figures in api.units]
    assert yesterday.of("in_progress").before == sum(b.in_progress for b in backlogs)
    assert yesterday.of("overdue").before == sum(b.overdue for b in backlogs)


def test_no_earlier_data_is_no_comparison_not_zero(services, source_db, pull):
    source_db.insert("dossiers", dossier("NEW", received=START - 3 * DAY))  # the store's history begins 24/11
    pull()
    yesterday, week = wall_pages.compute(services, START).compared
    assert values(week, "before") == dict.fromkeys(values(week, "before"))  # nothing held on 20/11
    assert yesterday.of("in_progress").before == 1 and yesterday.of("overdue").before == 0
    assert yesterday.of("on_time") is None  # nothing completed in either window: no rate to compare


def test_the_rates_are_not_compared_with_30_days_the_data_does_not_cover(services, source_db, pull):
    """The store's data begins 07/11: yesterday's 30 days (from 28/10) and last week's (from 22/10) are fragments,
    so the on-time, online and satisfaction rates are withheld (each had a value then); the figures of the instant
    are still compared."""
    source_db.insert(
        "dossiers",
        dossier("FIRST", received=START - 20 * DAY, days=30),  # 07/11, due 07/12: in progress throughout
        dossier(  # 08/11, completed on time 10/11, online, satisfied: in every 30 days compared
            "DONE",
            received=START - 19 * DAY,
            status="completed",
            completed=START - 17 * DAY,
            channel="online_full",
            rating="satisfied",
        ),
        dossier("OPEN", received=START - 3 * DAY),  # 24/11
    )
    pull()
    yesterday, week = wall_pages.compute(services, START).compared
    for comparison in (yesterday, week):
        assert comparison.data_from == date(2019, 11, 7)
        assert [name for name, c in comparison.changes.items() if c is None] == ["on_time", "online", "satisfaction"]
        assert comparison.withheld("online") == date(2019, 11, 7) and comparison.withheld("in_progress") is None
    assert (yesterday.of("in_progress").before, week.of("in_progress").before) == (2, 1)  # FIRST, OPEN; FIRST
    assert (yesterday.of("overdue_share").before, yesterday.of("feedback").before) == (0.0, 0)


def test_an_empty_store_compares_nothing(services):
    data = wall_pages.compute(services, START)
    assert [c.changes for c in data.compared] == [dict.fromkeys(c.changes) for c in data.compared]
