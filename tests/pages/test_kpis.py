"""Every KPI definition on hand-built dossiers, with exact numbers (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.kpis import Ratio, median_half_days
from dashboard.pages.kpis import unit_kpis
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)  # a Wednesday afternoon


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


def due(received: datetime, days: int) -> datetime:
    return default_calendar().due_after_working_days(received, days)


def make(code: str, received: datetime, days: int, **kw):
    """A dossier whose due is `days` working days after receipt (HT-KH: 3 working days statutory)."""
    row = dossier(code, received=received, **kw)
    row["due_original_at"] = row["due_current_at"] = due(received, days)
    return row


@pytest.fixture
def pulled(store, clock, settings, tmp_path):
    """Pull hand-built rows of Quận 1 into the store; returns a function taking the rows."""
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")

    def pull(*rows, feedback=()):
        if rows:
            db.insert("dossiers", *rows)
        if feedback:
            db.insert("feedback", *feedback)
        clock.set(AS_OF)
        Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1"))
        return store

    return pull


def kpis(store, period="30d", as_of=AS_OF, source="rollups", units=None):
    return unit_kpis(store, default_calendar(), period, as_of, source=source, units=units)


def test_definitions_on_a_hand_built_unit(pulled):
    r = at(2019, 11, 18, 9)  # Monday
    store = pulled(
        # completed exactly at the due moment: on time
        make("AT-DUE", r, 3, status="completed", completed=due(r, 3), channel="online_full", rating="satisfied"),
        # completed one minute after the due, with an apology: late, apology
        make(
            "LATE-APOLOGY",
            r,
            3,
            status="completed",
            completed=due(r, 3) + timedelta(minutes=1),
            apology_at=due(r, 3) - timedelta(hours=2),
            apology_new_due_at=due(r, 5),
            rating="dissatisfied",
        ),
        # completed before the due but after two supplement requests: not on time, not after due
        make(
            "TWO-SUPPLEMENTS",
            r,
            3,
            status="completed",
            completed=at(2019, 11, 19, 10),
            supplements=2,
            channel="online_partial",
        ),
        # refused before due: counts as completed, on time
        make("REFUSED", r, 3, status="refused", completed=at(2019, 11, 20, 16)),
        # withdrawn: closed, neither in progress nor completed
        make("WITHDRAWN", r, 3, status="withdrawn", updated=at(2019, 11, 19, 8)),
        # in progress, overdue since 21/11 (3 working days late by 27/11), no apology
        make("OVERDUE", r, 3, status="processing"),
        # in progress, due tomorrow: due soon
        make("DUE-SOON", at(2019, 11, 25, 9), 3, status="processing", channel="online_partial"),
        # in progress, not yet due
        make("NOT-DUE", at(2019, 11, 27, 9), 10, status="awaiting_supplement", supplements=1),
    )
    k = kpis(store)["quan-1"]
    assert k.received == 8
    assert (k.online, k.online_full) == (Ratio(3, 8), Ratio(1, 8))
    assert k.on_time == Ratio(2, 4)  # AT-DUE, REFUSED of 4 completed
    assert k.late == 2
    assert k.apology == Ratio(1, 2)  # LATE-APOLOGY of {LATE-APOLOGY, OVERDUE}
    assert k.dossier_satisfaction == Ratio(1, 2)
    assert (k.backlog.in_progress, k.backlog.overdue, k.backlog.overdue_with_apology) == (3, 1, 0)
    assert k.backlog.ageing == {"not_due": 1, "due_soon": 1, "overdue_1_5": 1, "overdue_6_20": 0, "overdue_over_20": 0}
    # processing half-days: AT-DUE 6 (end of the 3rd working day); LATE-APOLOGY 7 (00:00:59 on 22/11, before
    # noon of a later working day: 2 × 4 − 1); TWO-SUPPLEMENTS 1 (19/11, 10:00); REFUSED 6 (20/11 afternoon)
    histogram = sorted(
        (half_days, n) for _unit, half_days, n in store.raw.processing(AS_OF - timedelta(days=30), AS_OF)
    )
    assert histogram == [(1, 1), (4, 1), (6, 1), (7, 1)]
    assert k.median_processing_days == 2.0  # half-days [1, 4, 6, 7] → lower median 4 → 2 days
    assert k.mean_statutory_days == 3.0


def test_period_figures_alone_leave_the_instant_ones_out(pulled):
    r = at(2019, 11, 18, 9)
    store = pulled(
        make(
            "LATE-APOLOGY",
            r,
            3,
            status="completed",
            completed=due(r, 3) + timedelta(minutes=1),
            apology_at=due(r, 3) - timedelta(hours=2),
            apology_new_due_at=due(r, 5),
        ),
        make("OVERDUE", r, 3, status="processing"),
    )
    whole = kpis(store)["quan-1"]
    alone = unit_kpis(store, default_calendar(), "30d", AS_OF, instant=False)["quan-1"]
    assert (whole.backlog.in_progress, whole.apology, alone.backlog.in_progress, alone.apology) == (
        1,
        Ratio(1, 2),  # LATE-APOLOGY of {LATE-APOLOGY, OVERDUE}
        0,
        Ratio(1, 1),  # the overdue dossier in progress is an instant figure: left out
    )
    assert (
        (alone.received, alone.on_time, alone.late)
        == (whole.received, whole.on_time, whole.late)
        == (
            2,
            Ratio(0, 1),
            1,
        )
    )


def test_ageing_buckets_count_working_days_and_round_partial_days_up(pulled):
    received = at(2019, 9, 2, 9)
    store = pulled(
        make("O-1", at(2019, 11, 26, 8), 0, status="processing"),  # due 26/11 23:59:59 → 1 working day late
        make("O-5", at(2019, 11, 20, 8), 0, status="processing"),  # due 20/11 → 5 working days late
        make("O-6", at(2019, 11, 19, 8), 0, status="processing"),  # due 19/11 → 6
        make("O-20", at(2019, 10, 30, 8), 0, status="processing"),  # due 30/10 → 20
        make("O-21", at(2019, 10, 29, 8), 0, status="processing"),  # due 29/10 → 21
        make("SEPT", received, 1, status="processing"),
    )
    assert kpis(store)["quan-1"].backlog.ageing == {
        "not_due": 0,
        "due_soon": 0,
        "overdue_1_5": 2,
        "overdue_6_20": 2,
        "overdue_over_20": 2,
    }


def test_due_dates_across_tet_and_the_make_up_saturday():
    assert due(at(2019, 2, 1, 9), 3) == at(2019, 2, 13, 23, 59, 59)  # 11, 12, 13/02 after Tết
    assert due(at(2019, 5, 3, 9), 2) == at(2019, 5, 6, 23, 59, 59)  # Saturday 04/05 is a working day


def test_a_unit_with_no_dossiers_is_absent_and_an_empty_period_is_zero(pulled):
    store = pulled(make("OLD", at(2019, 6, 3, 9), 3, status="completed", completed=at(2019, 6, 4, 9)))
    assert kpis(store, "today") == {}
    result = kpis(store, "today", units=["quan-1", "quan-3"])
    for unit in ("quan-1", "quan-3"):
        k = result[unit]
        assert (k.received, k.on_time, k.online, k.late, k.backlog.in_progress) == (0, Ratio(0, 0), Ratio(0, 0), 0, 0)
        assert k.on_time.value is None and k.median_processing_days is None and k.apology.value is None


def test_periods_and_partial_days(pulled):
    store = pulled(
        make("TODAY", at(2019, 11, 27, 8), 3, status="processing"),
        make("LATER-TODAY", at(2019, 11, 27, 16), 3, status="processing"),  # after as-of 15:00: not yet
        make("MON", at(2019, 11, 25, 8), 3, status="processing"),
        make("OCT-1", at(2019, 10, 1, 8), 3, status="completed", completed=at(2019, 10, 2, 8)),
        make("SEPT-30", at(2019, 9, 30, 8), 3, status="completed", completed=at(2019, 10, 1, 8)),
        make("JAN", at(2019, 1, 2, 8), 3, status="completed", completed=at(2019, 1, 3, 8)),
    )
    received = {p: kpis(store, p)["quan-1"].received for p in ("today", "7d", "30d", "qtd", "ytd")}
    assert received == {"today": 1, "7d": 2, "30d": 2, "qtd": 3, "ytd": 5}
    assert kpis(store, "qtd")["quan-1"].on_time == Ratio(2, 2)  # completions 01/10 and 02/10


def test_feedback_open_answered_on_time_and_satisfaction(pulled):
    def item(code, received, status, answered=None, rating=None, days=10):
        return {
            "native_id": code,
            "unit": "760",
            "category": "Môi trường",
            "channel": "app",
            "received_at": received,
            "due_at": due(received, days),
            "answered_at": answered,
            "status": status,
            "rating": rating,
            "lat": 10.78,
            "lon": 106.70,
            "source_updated_at": answered or received,
        }

    r = at(2019, 11, 4, 9)
    store = pulled(
        feedback=[
            item("F-ON-TIME", r, "answered", answered=at(2019, 11, 8, 9), rating="satisfied"),
            item("F-LATE", r, "answered", answered=at(2019, 11, 25, 9), rating="neutral"),
            item("F-OPEN", r, "open"),
            item("F-OPEN-NEW", at(2019, 11, 26, 9), "processing"),
        ]
    )
    k = kpis(store)["quan-1"]
    assert (k.feedback_received, k.open_feedback, k.overdue_feedback) == (4, 2, 1)
    assert (k.feedback_on_time, k.feedback_satisfaction) == (Ratio(1, 2), Ratio(1, 2))


def test_median_of_a_histogram_is_the_lower_median_in_days():
    assert median_half_days({}) is None
    assert median_half_days({1: 1}) == 0.5
    assert median_half_days({2: 1, 6: 1}) == 1.0
    assert median_half_days({2: 1, 4: 1, 6: 1}) == 2.0
