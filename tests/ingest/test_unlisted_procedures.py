"""Dossiers of procedures the catalogue does not list, accepted by their profile (`unknown_procedures: accept`),
through the whole path: pulled and stored with their code, their statutory time taken from the source's own due
in the rollups as in a recount, and flagged on /sources with their codes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store.schema import roll_dossier_day
from dashboard.store.verify import verify
from data_sources.profiles import load_profile
from layouts import sources as sources_layout
from tests.data_sources.test_profile_capabilities import DOSSIER_ROWS, NOW, VENDOR, write
from tests.factories import SourceDB


def test_unlisted_procedures_are_stored_counted_verified_and_flagged(tmp_path, store, settings):
    path = write(tmp_path, VENDOR)
    url = f"sqlite:///{tmp_path / 'ward.sqlite'}"
    db = SourceDB(url, load_profile(path))
    try:
        db.insert_raw("dossiers", *DOSSIER_ROWS)
        source = SourceConfig(name="ward", unit="quan-1", url=url, profile=str(path))
        results = Ingestor(store, FixedClock(NOW), settings).pull(source)
    finally:
        db.dispose()
    assert [(r.stream, r.outcome, r.rows_stored, r.rows_rejected) for r in results] == [
        ("dossiers", "ok", 4, 1),  # D-5: a unit code the profile does not map
        ("feedback", "ok", 0, 0),
    ]
    stored = {r["native_code"]: r for r in store.rows("dossiers")}
    assert {code: (r["procedure_code"], r["procedure_listed"], r["statutory_days_source"]) for code, r in stored.items()} == {
        "D-1": ("HT-KH", True, None),
        "D-2": ("PX-XAC-NHAN-CU-TRU", False, 4.0),
        "D-3": ("PX-CHUNG-THUC", False, 0.5),
        "D-4": ("PX-XAC-NHAN-CU-TRU", False, 2.0),
    }  # fmt: skip
    # D-2, the one completed (28/11), brings its source's 4 working days to the statutory-time sum
    with store.engine.connect() as conn:
        days = conn.execute(select(roll_dossier_day).where(roll_dossier_day.c.completed > 0)).mappings().all()
    completed = [(r["unit_key"], r["day"], r["completed"], r["statutory_days"]) for r in days]
    assert completed == [("huyen-can-gio", date(2019, 11, 28), 1, 4.0)]
    assert [check.table for check in verify(store.engine) if not check.ok] == []  # the recount agrees
    assert store.unlisted_procedures() == {"ward": [("PX-XAC-NHAN-CU-TRU", 2), ("PX-CHUNG-THUC", 1)]}
    notes = sources_layout.unlisted_notes(store.unlisted_procedures(), "vi")
    assert [note.children for note in notes] == [
        "Nguồn ward: 3 hồ sơ thuộc thủ tục chưa có trong danh mục (được nhận theo cấu hình lược đồ; thời hạn lấy theo"
        " ngày hẹn trả của nguồn): PX-XAC-NHAN-CU-TRU (2), PX-CHUNG-THUC (1)"
    ]
    assert sources_layout.unlisted_notes({}, "vi") == []


def test_the_mean_statutory_time_of_a_unit_counts_an_unlisted_procedure(tmp_path, sqlite_store, settings):
    from dashboard.core.workdays import default_calendar
    from dashboard.pages.kpis import unit_kpis

    path = write(tmp_path, VENDOR)
    url = f"sqlite:///{tmp_path / 'ward.sqlite'}"
    db = SourceDB(url, load_profile(path))
    try:
        db.insert_raw("dossiers", *DOSSIER_ROWS)
        Ingestor(sqlite_store, FixedClock(NOW), settings).pull(
            SourceConfig(name="ward", unit="quan-1", url=url, profile=str(path))
        )
    finally:
        db.dispose()
    as_of = datetime(2019, 11, 29, 12, 0, tzinfo=CITY_TZ)
    for source in ("rollups", "raw"):
        kpis = unit_kpis(sqlite_store, default_calendar(), "7d", as_of, unit="huyen-can-gio", source=source)
        assert kpis["huyen-can-gio"].mean_statutory_days == 4.0, source
