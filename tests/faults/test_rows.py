"""Faults in the rows themselves, pulled through the real ingest: poison values, NULL cursors, duplicate native
ids. A poison row is one rejected row; nothing is dropped silently; each ends reconciled and verified."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.faults.consistency import assert_consistent

pytestmark = [pytest.mark.faults]
SINCE = START - timedelta(days=30)


def source(db: SourceDB) -> SourceConfig:
    return SourceConfig(name="quan-1", unit="quan-1", url=db.url, profile=db.profile.name, interval=60)


def test_one_unreadable_date_rejects_one_row_and_the_rest_of_the_source_goes_on(
    tmp_path, sqlite_store, clock, settings
):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", *[dossier(f"G-{j:04}", received=START - timedelta(minutes=j)) for j in range(1930)])
    with db.engine.begin() as conn:  # SQLite keeps anything anywhere: the poison the vendors' programs wrote
        for column, value, code in (
            ("received_at", "31/02/2024 25:61", "G-0007"),
            ("due_date", 1574650000, "G-0042"),
            ("updated_at", 20191127, "G-0100"),
        ):
            conn.exec_driver_sql(f"UPDATE hs_dossier SET {column} = ? WHERE dossier_code = ?", (value, code))
    settings = settings.model_copy(update={"chunk_size": 500})
    ingestor = Ingestor(sqlite_store, clock, settings)
    dossiers, _feedback = ingestor.pull(source(db))
    assert (dossiers.outcome, dossiers.rows_read, dossiers.rows_stored, dossiers.rows_rejected) == ("ok", 1930, 1927, 3)
    rejected = {r["native_key"]: (r["field"], r["reason"]) for r in sqlite_store.rejected("quan-1")}
    assert sorted(rejected) == ["G-0007", "G-0042", "G-0100"]
    field, reason = rejected["G-0007"]
    assert field == "received_at" and "'31/02/2024 25:61'" in reason and "received_at" in reason
    version = sqlite_store.data_version()
    assert ingestor.pull(source(db))[0].rows_stored == 0 and sqlite_store.data_version() == version
    # (SQLite sorts an integer before every text date: the integer-cursor row is outside any window by cursor)
    assert_consistent(sqlite_store, [source(db)], SINCE, rejected=2)


def test_rows_with_no_cursor_are_read_not_dropped(tmp_path, sqlite_store, clock, settings):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", *[dossier(f"C-{j:02}") for j in range(30)])
    table = db.tables["dossiers"]
    with db.engine.begin() as conn:  # an import script that never set updated_at
        conn.execute(
            insert(table),
            [{**db.profile.from_canonical("dossiers", dossier(f"N-{j:02}")), "updated_at": None} for j in range(70)],
        )
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"chunk_size": 25}))
    dossiers, _feedback = ingestor.pull(source(db))
    assert (dossiers.rows_read, dossiers.rows_stored, dossiers.rows_rejected) == (100, 100, 0)
    assert sqlite_store.count("dossiers") == 100  # 70 of 70 with a NULL cursor read
    again, _feedback = ingestor.pull(source(db))
    assert (again.rows_read, again.rows_stored) == (100, 0)  # the 30 at the watermark and the 70 again, stored once
    assert_consistent(sqlite_store, [source(db)], SINCE)


def test_a_native_id_sent_twice_rejects_both_rows_and_keeps_them(tmp_path, sqlite_store, clock, settings):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}", "legacy_sqlite")  # keyed by an id, not by the code
    db.insert("dossiers", dossier("ONE"), dossier("TWICE"), dossier("TWICE", channel="online_full"), dossier("TWO"))
    ingestor = Ingestor(sqlite_store, clock, settings.model_copy(update={"chunk_size": 100}))
    dossiers, _feedback = ingestor.pull(source(db))
    assert (dossiers.rows_read, dossiers.rows_stored, dossiers.rows_rejected) == (4, 2, 2)
    rejected = sqlite_store.rejected("quan-1")
    assert [(r["native_key"], r["field"]) for r in sorted(rejected, key=lambda r: r["native_key"])] == [
        ("2", "native_code"),
        ("3", "native_code"),
    ]
    assert all("'TWICE' comes 2 times (keys 2, 3)" in r["reason"] for r in rejected)
    assert [r["native_code"] for r in sqlite_store.rows("dossiers")] == ["ONE", "TWO"]
    assert_consistent(sqlite_store, [source(db)], SINCE, rejected=1)  # one native id, both its rows rejected
