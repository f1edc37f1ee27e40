"""The store's history start (`Series.history_start`): the first day, in the city's time, any dossier was received
in the store — read from the dossier day rollups; feedback does not count; None without dossiers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboard.core.clock import CITY_TZ
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.factories import SourceDB, dossier, feedback_item

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
FIRST = datetime(2019, 10, 14, 0, 30, tzinfo=CITY_TZ)  # 13/10 17:30 UTC: the city's day is 14/10


def pull(store, clock, settings, db: SourceDB) -> None:
    clock.set(AS_OF)
    Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1"))


def test_the_history_start_is_the_earliest_day_a_dossier_was_received(store, clock, settings, tmp_path):
    assert store.series.history_start() is None  # no dossier yet: nothing to compare with
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert(
        "dossiers",
        dossier("LATER", received=AS_OF - timedelta(days=3), days=5),
        dossier("FIRST", unit="770", received=FIRST, days=5, status="completed", completed=FIRST + timedelta(days=2)),
        dossier("SECOND", received=FIRST + timedelta(days=1), days=5),
    )
    db.insert(
        "feedback", feedback_item("EARLIER-FEEDBACK", received=FIRST - timedelta(days=20))
    )  # feedback is not a dossier
    pull(store, clock, settings, db)
    assert store.series.history_start() == date(2019, 10, 14)


def test_a_store_holding_only_feedback_has_no_history_start(store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("feedback", feedback_item("ONLY-FEEDBACK", received=FIRST))
    pull(store, clock, settings, db)
    assert store.series.history_start() is None
