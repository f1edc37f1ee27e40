"""`as_of` and the new periods in the API: a past as-of is recounted in event time from today's store (a dossier
completed since counts as open then, and is said to be so); bad values are a 400 naming the parameter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.pages.api import kpis_view
from dashboard.web.app import create_app
from tests.conftest import START
from tests.factories import dossier
from tests.signin import signed_client

DAY = timedelta(days=1)
PAST = START - 4 * DAY  # 23/11/2019 09:00


def feedback(code: str, received, answered=None) -> dict:
    return {
        "native_id": code,
        "unit": "760",
        "category": "Môi trường",
        "channel": "app",
        "received_at": received,
        "due_at": received + 10 * DAY,
        "answered_at": answered,
        "status": "answered" if answered else "open",
        "rating": None,
        "lat": None,
        "lon": None,
        "source_updated_at": answered or received,
    }


def insert_then_and_now(source_db) -> None:
    """Three dossiers and two feedback items whose state on 23/11 differs from today's (27/11/2019 09:00)."""
    source_db.insert(
        "dossiers",
        # due 22/11, completed late on 25/11: in progress and overdue on 23/11
        dossier("LATE", received=START - 10 * DAY, days=5, status="completed", completed=START - 2 * DAY),
        dossier("EARLY", received=START - 10 * DAY, days=5, status="completed", completed=START - 8 * DAY),
        dossier("NEW", received=START - DAY, days=5),  # received after 23/11: not there then
    )
    source_db.insert("feedback", feedback("F-ANSWERED", START - 6 * DAY, START - DAY), feedback("F-NEW", START - DAY))


@pytest.fixture
def client(services, source_db, pull):
    insert_then_and_now(source_db)
    pull()
    return signed_client(create_app(services))


def kpis(client, query: str) -> tuple[dict, dict]:
    response = client.get(f"/api/v1/kpis?unit=quan-1&period=30d{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return body, body["units"][0]["kpis"]


def test_now_the_backlog_is_the_present_one(client):
    body, figures = kpis(client, "")
    assert (body["as_of"], body["recounted_in_event_time"]) == ("2019-11-27T09:00:00+07:00", False)
    assert (figures["received"], figures["completed"]) == (3, 2)
    assert (figures["backlog"]["in_progress"], figures["backlog"]["overdue"], figures["open_feedback"]) == (1, 0, 1)


def test_a_past_as_of_is_recounted_in_event_time_and_says_so(client, services):
    body, figures = kpis(client, "&as_of=2019-11-23T09:00:00%2B07:00")
    assert (body["as_of"], body["recounted_in_event_time"]) == ("2019-11-23T09:00:00+07:00", True)
    assert body["window"] == {"start": "2019-10-25T00:00:00+07:00", "end": "2019-11-23T09:00:00+07:00"}
    assert (figures["received"], figures["completed"]) == (2, 1)  # NEW not yet received, LATE not yet completed
    assert (figures["backlog"]["in_progress"], figures["backlog"]["overdue"]) == (1, 1)  # LATE, overdue since 22/11
    assert figures["open_feedback"] == 1  # F-ANSWERED, answered only on 26/11
    view = kpis_view(services, "30d", "quan-1", as_of=PAST)  # the page model gives the same
    assert (view.units[0].kpis.backlog.in_progress, view.units[0].kpis.backlog.overdue) == (1, 1)


def test_a_day_as_of_means_the_end_of_that_day_and_naive_times_are_the_citys(client):
    body, figures = kpis(client, "&as_of=2019-11-22")
    assert body["as_of"] == "2019-11-23T00:00:00+07:00"
    assert figures["backlog"]["overdue"] == 1  # due 22/11 09:00
    body, _ = kpis(client, "&as_of=2019-11-23T09:00:00")
    assert body["as_of"] == "2019-11-23T09:00:00+07:00"


def test_the_league_and_the_dossiers_take_as_of_and_the_new_periods(client):
    league = client.get("/api/v1/league?kind=district&period=lw&as_of=2019-11-23T09:00:00%2B07:00").get_json()
    assert (league["period"], league["recounted_in_event_time"]) == ("lw", True)
    assert league["window"] == {"start": "2019-11-11T00:00:00+07:00", "end": "2019-11-18T00:00:00+07:00"}
    assert league["previous_window"] == {"start": "2019-11-04T00:00:00+07:00", "end": "2019-11-11T00:00:00+07:00"}
    # the store's data begins 17/11, after the previous week's first day: not compared, and the API says why
    assert (league["previous_covered"], league["history_start"]) == (False, "2019-11-17")
    assert {(row["previous_rank"], row["movement"]) for row in league["rows"]} == {(None, None)}
    custom = client.get("/api/v1/league?kind=district&period=2019-11-01..2019-11-30").get_json()
    assert custom["window"] == {"start": "2019-11-01T00:00:00+07:00", "end": "2019-11-27T09:00:00+07:00"}
    listed = client.get("/api/v1/dossiers?unit=quan-1&filter=overdue&as_of=2019-11-23T09:00:00%2B07:00")
    assert listed.status_code == 200 and listed.get_json()["as_of"] == "2019-11-23T09:00:00+07:00"


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("/api/v1/kpis?as_of=yesterday", "as_of", "give a day YYYY-MM-DD or an instant"),
        ("/api/v1/kpis?as_of=2019-11-28T09:00:00%2B07:00", "as_of", "is after now (27/11/2019 09:00)"),
        ("/api/v1/league?as_of=2019-13-01", "as_of", "give a day"),
        ("/api/v1/kpis?period=week", "period", "unknown period 'week'"),
        ("/api/v1/league?period=2019-11-30..2019-11-01", "period", "the range ends before it begins"),
        ("/api/v1/dossiers?unit=quan-1&period=2019-02-30..2019-03-01", "period", "a range is two dates"),
    ],
)
def test_a_bad_as_of_or_period_is_a_400_naming_it(client, query, parameter, words):
    response = client.get(query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter and words in body["error"]


def test_the_pages_take_as_of_and_say_the_figures_are_recounted(services, client):
    from callbacks.routing import route
    from dashboard.core.cache import cache_of
    from tests.layouts.test_overview import texts

    app = create_app(services)
    note = "Số liệu tại một thời điểm đã qua được tính lại theo thời gian sự kiện"
    league = texts(route(services, cache_of(app), "/league", "?kind=district&as_of=2019-11-23T09:00:00%2B07:00"))
    assert any(note in text for text in league)
    assert any("25/10/2019" in text and "23/11/2019" in text for text in league)  # the window of that as-of
    assert not any(note in text for text in texts(route(services, cache_of(app), "/league", "?kind=district")))
    tile = route(services, cache_of(app), "/unit/quan-1", "?as_of=2019-11-23T09:00:00%2B07:00")
    assert any(note in text for text in texts(tile))
    assert "Số liệu lúc 09:00 23/11/2019" in texts(tile)
    now = texts(route(services, cache_of(app), "/unit/quan-1", "?as_of=not-a-time"))  # a typo: now, no note
    assert "Số liệu lúc 09:00 27/11/2019" in now and not any(note in text for text in now)
