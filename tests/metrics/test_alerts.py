"""The wall's alert rules, on hand-built figures: exact levels at the limits, windows and ordering."""

from __future__ import annotations

from datetime import timedelta

from dashboard.metrics.alerts import (
    Alert,
    level_above,
    level_at_least,
    new_late,
    new_late_alerts,
    newest_first,
    overdue_share_alerts,
    stale_source_alerts,
)
from dashboard.metrics.freshness import SourceFreshness
from dashboard.metrics.kpis import Backlog
from tests.conftest import START


def test_levels_at_and_around_the_limits():
    assert level_above(0.05, 0.05, 0.10) == "ok"  # at the warning limit: not above it
    assert level_above(0.0501, 0.05, 0.10) == "warn"
    assert level_above(0.10, 0.05, 0.10) == "warn"
    assert level_above(0.1001, 0.05, 0.10) == "alarm"
    assert level_above(None, 0.05, 0.10) == "ok"
    assert level_at_least(4, 5, 20) == "ok"
    assert level_at_least(5, 5, 20) == "warn"
    assert level_at_least(20, 5, 20) == "alarm"


def test_overdue_share_alerts_name_the_unit_value_and_limit():
    backlogs = {
        "quan-1": Backlog(in_progress=20, overdue=1),  # 5 %: at the warning limit, no alert
        "quan-3": Backlog(in_progress=19, overdue=1),  # 5.26 %: warning
        "quan-5": Backlog(in_progress=10, overdue=2),  # 20 %: alarm
        "quan-7": Backlog(in_progress=0, overdue=0),  # no backlog, no share
    }
    alerts = overdue_share_alerts(backlogs, START, warn=0.05, alarm=0.10)
    assert alerts == [
        Alert("overdue_share", "warn", "quan-3", START, 1 / 19, 0.05),
        Alert("overdue_share", "alarm", "quan-5", START, 0.2, 0.10),
    ]


def test_new_late_counts_only_dossiers_whose_due_fell_in_the_last_24_hours():
    rows = [
        {"unit_key": "quan-1", "due_at": START - timedelta(hours=24), "apology": False, "n": 2},  # just inside
        {"unit_key": "quan-1", "due_at": START - timedelta(hours=1), "apology": True, "n": 3},
        {"unit_key": "quan-1", "due_at": START - timedelta(hours=24, seconds=1), "apology": False, "n": 7},  # older
        {"unit_key": "quan-1", "due_at": START, "apology": False, "n": 5},  # due now: not late yet
        {"unit_key": "quan-3", "due_at": START + timedelta(days=1), "apology": False, "n": 4},  # not due
        {"unit_key": "quan-5", "due_at": START - timedelta(minutes=5), "apology": False, "n": 0},  # nothing open
    ]
    assert new_late(rows, START) == {"quan-1": (5, START - timedelta(hours=1))}


def test_new_late_alerts_at_the_limits():
    at = START - timedelta(hours=2)
    counts = {"quan-1": (4, at), "quan-3": (5, at), "quan-5": (20, at)}
    assert new_late_alerts(counts, warn=5, alarm=20) == [
        Alert("new_late", "warn", "quan-3", at, 5, 5),
        Alert("new_late", "alarm", "quan-5", at, 20, 20),
    ]


def _source(name: str, last_good, *, stale: bool, error: str | None = None) -> SourceFreshness:
    return SourceFreshness(
        name=name,
        unit=name,
        unit_name_vi=name,
        unit_name_en=name,
        interval_s=60,
        last_good_pull_at=last_good,
        last_error=error,
        stale=stale,
        as_of=START,
    )


def test_stale_sources_alert_from_the_moment_they_became_stale():
    sources = [
        _source("quan-1", START - timedelta(minutes=1), stale=False),
        _source("quan-3", START - timedelta(minutes=10), stale=True),
        _source("quan-5", START - timedelta(minutes=30), stale=True, error="connection refused"),
        _source("quan-7", None, stale=True),
    ]
    alerts = stale_source_alerts(sources, stale_factor=3)
    assert alerts == [
        Alert(
            "stale_source",
            "warn",
            "quan-3",
            START - timedelta(minutes=7),
            600,
            180,
            "quan-3",
            START - timedelta(minutes=10),
        ),
        Alert(
            "stale_source",
            "alarm",
            "quan-5",
            START - timedelta(minutes=27),
            1800,
            180,
            "quan-5",
            START - timedelta(minutes=30),
        ),
        Alert("stale_source", "warn", "quan-7", START, 0, 180, "quan-7", None),
    ]


def test_newest_first_then_alarms_before_warnings():
    older = Alert("new_late", "alarm", "quan-9", START - timedelta(hours=1), 30, 20)
    warn_a = Alert("overdue_share", "warn", "quan-3", START, 0.06, 0.05)
    warn_b = Alert("overdue_share", "warn", "quan-1", START, 0.07, 0.05)
    alarm = Alert("overdue_share", "alarm", "quan-5", START, 0.2, 0.1)
    assert newest_first([older, warn_a, warn_b, alarm]) == [alarm, warn_b, warn_a, older]
    assert newest_first([]) == []


def test_the_order_to_act_unacknowledged_alarms_first_the_longest_open_first():
    from dashboard.metrics.alerts import Alert, by_severity, with_history

    t0 = START - timedelta(hours=5)
    found = [
        Alert("overdue_share", "warn", "quan-3", START, 0.06, 0.05),
        Alert("overdue_share", "alarm", "quan-1", START, 0.2, 0.1),
        Alert("overdue_share", "alarm", "quan-5", START, 0.3, 0.1),
        Alert("new_late", "alarm", "quan-7", START - timedelta(hours=1), 25, 20),
    ]
    ledger = {
        ("overdue_share", "quan-3", ""): {"id": 1, "first_seen": t0},
        ("overdue_share", "quan-1", ""): {"id": 2, "first_seen": START - timedelta(hours=2)},
        ("overdue_share", "quan-5", ""): {"id": 3, "first_seen": t0},
        ("new_late", "quan-7", ""): {"id": 4, "first_seen": START},  # the data knows it began an hour ago
    }
    acks = {3: ("Lãnh đạo", START)}
    ordered = by_severity(with_history(found, ledger, acks))
    assert [(a.unit_key, a.at, a.acknowledged_by) for a in ordered] == [
        ("quan-1", START - timedelta(hours=2), None),
        ("quan-7", START - timedelta(hours=1), None),
        ("quan-3", t0, None),
        ("quan-5", t0, "Lãnh đạo"),  # acknowledged: after every other, whatever its severity
    ]
