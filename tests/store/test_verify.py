"""`verify`: every rollup kept at ingest against its recount from the raw rows — none on a healthy store, and
exactly the rows that were damaged when one is damaged."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, select, update

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store.schema import roll_dossier_day, roll_open, roll_processing_week
from dashboard.store.verify import verify
from tests.factories import SourceDB
from tests.store.test_rollups import AS_OF, random_dossier, random_feedback


def filled(store, clock, settings, tmp_path):
    rng = random.Random(7)
    db = SourceDB(f"sqlite:///{tmp_path / 'a.sqlite'}")
    rows = [random_dossier(rng, f"D-{i}") for i in range(120)]
    db.insert("dossiers", *rows)
    db.insert("feedback", *[random_feedback(rng, f"F-{i}") for i in range(30)])
    clock.set(AS_OF - timedelta(hours=1))
    source = SourceConfig(name="a", unit="quan-1", url=db.url, profile="motcua_v1")
    ingestor = Ingestor(store, clock, settings.model_copy(update={"chunk_size": 17}))
    ingestor.pull(source)
    for row in rng.sample(rows, 30):  # later changes, so the rollups are kept by deltas
        changed = random_dossier(rng, row["native_code"])
        changed["source_updated_at"] = AS_OF - timedelta(minutes=10)
        db.update("dossiers", changed)
    clock.set(AS_OF)
    ingestor.pull(source)
    db.dispose()


def test_a_healthy_store_has_no_difference(store, clock, settings, tmp_path):
    filled(store, clock, settings, tmp_path)
    checks = verify(store.engine)
    assert [c.table for c in checks] == [
        "roll_dossier_day",
        "roll_dossier_detail",
        "roll_processing",
        "roll_processing_week",
        "roll_open",
        "roll_feedback_day",
        "roll_feedback_open",
    ]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert all(c.rows > 0 for c in checks)


def test_damage_is_found_exactly(store, clock, settings, tmp_path):
    filled(store, clock, settings, tmp_path)
    with store.engine.begin() as conn:
        day = conn.execute(select(roll_dossier_day.c.unit_key, roll_dossier_day.c.day).limit(1)).one()
        conn.execute(  # a double-counted day (what two writers did)
            update(roll_dossier_day)
            .where(roll_dossier_day.c.unit_key == day.unit_key, roll_dossier_day.c.day == day.day)
            .values(received=roll_dossier_day.c.received * 2)
        )
        due = conn.execute(select(roll_open.c.due_at).limit(1)).scalar_one()
        conn.execute(delete(roll_open).where(roll_open.c.due_at == due))  # an open backlog row lost
        conn.execute(delete(roll_processing_week))  # a whole table lost
    checks = {c.table: c for c in verify(store.engine)}
    damaged = {name for name, c in checks.items() if not c.ok}
    assert damaged == {"roll_dossier_day", "roll_open", "roll_processing_week"}
    days = checks["roll_dossier_day"]
    assert (days.only_kept, days.only_recounted) == (1, 1)
    [kept], [recounted] = days.examples_kept, days.examples_recounted
    assert (kept[0], str(kept[1]), recounted[0], str(recounted[1])) == (day.unit_key, str(day.day)) * 2
    assert kept[2] == 2 * recounted[2]  # `received`: kept doubled, recounted as it is
    assert checks["roll_open"].only_kept == 0 and checks["roll_open"].only_recounted >= 1
    weeks = checks["roll_processing_week"]
    assert weeks.rows == 0 and weeks.only_kept == 0 and weeks.only_recounted > 0
    store.rollups.rebuild(settings_calendar())
    assert all(c.ok for c in verify(store.engine))  # a rebuild mends it


def settings_calendar():
    from dashboard.core.workdays import default_calendar

    return default_calendar()
