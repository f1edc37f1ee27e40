"""City overview: exact numbers on hand-built rows, pulled through the real ingest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.kpis import Ratio
from dashboard.pages.kpis import current_city_overview
from tests.conftest import START
from tests.factories import SourceDB, dossier

DAY = timedelta(days=1)


@pytest.fixture
def source_db(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    yield db
    db.dispose()


def config(url: str, name: str = "quan-1", unit: str = "quan-1", interval: float = 60) -> SourceConfig:
    return SourceConfig(name=name, unit=unit, url=url, profile="motcua_v1", interval=interval)


def feedback(native_id: str, status: str, received=START - DAY) -> dict:
    return {
        "native_id": native_id,
        "unit": "760",
        "category": "Hạ tầng đô thị",
        "channel": "app",
        "received_at": received,
        "due_at": None,
        "answered_at": received + timedelta(hours=2) if status == "answered" else None,
        "status": status,
        "rating": None,
        "lat": None,
        "lon": None,
        "source_updated_at": received,
    }


def test_ratio_value_and_empty_denominator():
    assert Ratio(1, 4).value == 0.25
    assert Ratio(0, 0).value is None


def test_city_overview_exact_numbers(store, clock, settings, source_db):
    source_db.insert(
        "dossiers",
        dossier("OPEN", received=START - 3 * DAY, days=5),  # in progress, due in 2 days
        dossier("OVERDUE", received=START - 10 * DAY, days=5),  # in progress, 5 days past due
        dossier("ONLINE", received=START - DAY, days=5, channel="online_full"),  # in progress, online
        dossier("ON-TIME", received=START - 6 * DAY, days=5, status="completed", completed=START - 2 * DAY),
        dossier("AT-DUE", received=START - 4 * DAY, days=3, status="completed", completed=START - DAY),  # = due
        dossier("LATE", received=START - 8 * DAY, days=5, status="completed", completed=START - DAY),
        dossier(
            "TWO-SUPPLEMENTS",
            received=START - 5 * DAY,
            days=5,
            status="completed",
            completed=START - 2 * DAY,
            supplements=2,
        ),
        dossier("WITHDRAWN", received=START - 2 * DAY, status="withdrawn", updated=START - DAY),
        dossier("OLD", received=START - 60 * DAY, status="completed", completed=START - 40 * DAY),
        dossier("FUTURE", received=START + timedelta(hours=1), channel="online_partial"),
    )
    source_db.insert(
        "feedback",
        feedback("F1", "open"),
        feedback("F2", "processing"),
        feedback("F3", "answered"),
        feedback("F4", "open", received=START + timedelta(hours=1)),
    )
    Ingestor(store, clock, settings).pull(config(source_db.url))

    overview = current_city_overview(store, default_calendar(), START)

    assert overview.in_progress == 3  # OPEN, OVERDUE, ONLINE (FUTURE not yet received)
    assert overview.overdue_in_progress == 1  # OVERDUE
    assert overview.overdue_share == Ratio(1, 3)
    assert overview.on_time == Ratio(2, 4)  # ON-TIME, AT-DUE of ON-TIME, AT-DUE, LATE, TWO-SUPPLEMENTS
    assert overview.online_share == Ratio(1, 8)  # ONLINE of all received in the 30 days but OLD and FUTURE
    assert overview.open_feedback == 2  # F1, F2
    assert overview.as_of == START
    assert overview.data_version == store.data_version()[0] > 0


def test_city_overview_on_an_empty_store(store):
    overview = current_city_overview(store, default_calendar(), START)
    assert (overview.in_progress, overview.overdue_in_progress, overview.open_feedback) == (0, 0, 0)
    assert overview.on_time.value is None and overview.online_share.value is None
    assert overview.data_version == 0
