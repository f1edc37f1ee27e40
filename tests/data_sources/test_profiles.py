"""Each schema profile maps a hand-built vendor table, on its real database server, to exactly the expected
canonical rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.factories import SourceDB


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def pull(store, clock, settings, db: SourceDB, name: str = "src", unit: str = "quan-1"):
    source = SourceConfig(name=name, unit=unit, url=db.url, profile=db.profile.name)
    return Ingestor(store, clock, settings).pull(source)


def stored(store, stream: str, fields: list[str]) -> list[tuple]:
    return [tuple(row[f] for f in fields) for row in store.rows(stream)]


DOSSIER_FIELDS = [
    "native_code",
    "unit_key",
    "procedure_code",
    "channel",
    "received_at",
    "due_original_at",
    "due_current_at",
    "completed_at",
    "status",
    "supplement_requests",
    "apology_at",
    "apology_new_due_at",
    "rating",
]


@pytest.fixture
def mariadb_source(mariadb_url):
    db = SourceDB(mariadb_url, "hscv_mariadb")
    yield db
    db.dispose()


@pytest.fixture
def pg_source(pg_schema_url):
    db = SourceDB(pg_schema_url, "egov_pg")
    yield db
    db.dispose()


@pytest.fixture
def legacy_source(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'legacy.sqlite'}", "legacy_sqlite")
    yield db
    db.dispose()


def test_mariadb_profile_vietnamese_columns_date_dues_and_utc_timestamps(sqlite_store, clock, settings, mariadb_source):
    table = mariadb_source.tables["dossiers"]
    base = {
        "ma_don_vi": "760",
        "ma_thu_tuc": "HT-KH",
        "so_lan_bo_sung": 0,
        "ngay_hen_tra_moi": None,
        "ngay_co_ket_qua": None,
        "ngay_xin_loi": None,
        "ngay_hen_lai": None,
        "danh_gia": None,
    }
    with mariadb_source.engine.begin() as conn:
        conn.execute(
            insert(table),
            [
                {
                    **base,
                    "ma_ho_so": "000.00.07.H29-191125-0001",
                    "hinh_thuc_nop": "truc_tuyen_mot_phan",
                    "ngay_tiep_nhan": datetime(2019, 11, 25, 9, 30),
                    "ngay_hen_tra": date(2019, 11, 28),
                    "trang_thai": "dang_xu_ly",
                    "ngay_cap_nhat": utc(2019, 11, 25, 2, 30),
                },
                {
                    **base,
                    "ma_ho_so": "000.00.07.H29-191120-0002",
                    "hinh_thuc_nop": "truc_tiep",
                    "ngay_tiep_nhan": datetime(2019, 11, 20, 14, 0),
                    "ngay_hen_tra": date(2019, 11, 22),
                    "ngay_hen_tra_moi": date(2019, 11, 26),
                    "ngay_xin_loi": datetime(2019, 11, 22, 16, 0),
                    "ngay_hen_lai": date(2019, 11, 26),
                    "ngay_co_ket_qua": datetime(2019, 11, 25, 10, 15),
                    "trang_thai": "da_tra_ket_qua",
                    "so_lan_bo_sung": 1,
                    "danh_gia": "hai_long",
                    "ngay_cap_nhat": utc(2019, 11, 25, 3, 15),
                },
                {
                    **base,
                    "ma_ho_so": "000.00.07.H29-191125-0003",
                    "hinh_thuc_nop": "truc_tiep",
                    "ngay_tiep_nhan": datetime(2019, 11, 25, 10, 0),
                    "ngay_hen_tra": date(2019, 11, 28),
                    "trang_thai": "khong_ro",
                    "ngay_cap_nhat": utc(2019, 11, 25, 3, 0),
                },
            ],
        )
    results = pull(sqlite_store, clock, settings, mariadb_source)
    assert [(r.outcome, r.rows_stored, r.rows_rejected) for r in results] == [("ok", 2, 1), ("ok", 0, 0)]
    assert stored(sqlite_store, "dossiers", DOSSIER_FIELDS) == [
        (
            "000.00.07.H29-191120-0002",
            "quan-1",
            "HT-KH",
            "counter",
            utc(2019, 11, 20, 7, 0),
            utc(2019, 11, 22, 16, 59, 59),
            utc(2019, 11, 26, 16, 59, 59),
            utc(2019, 11, 25, 3, 15),
            "completed",
            1,
            utc(2019, 11, 22, 9, 0),
            utc(2019, 11, 26, 16, 59, 59),
            "satisfied",
        ),
        (
            "000.00.07.H29-191125-0001",
            "quan-1",
            "HT-KH",
            "online_partial",
            utc(2019, 11, 25, 2, 30),
            utc(2019, 11, 28, 16, 59, 59),
            utc(2019, 11, 28, 16, 59, 59),
            None,
            "processing",
            0,
            None,
            None,
            None,
        ),
    ]
    assert sqlite_store.state("src", "dossiers")["watermark"] == utc(2019, 11, 25, 3, 15)
    [rejected] = sqlite_store.rejected("src")
    assert (rejected["native_key"], rejected["field"], rejected["reason"]) == (
        "000.00.07.H29-191125-0003",
        "status",
        "unknown code 'khong_ro' in column trang_thai",
    )


def test_postgresql_profile_integer_codes_timestamptz_and_five_point_ratings(sqlite_store, clock, settings, pg_source):
    base = {
        "agency_code": "so-tu-phap",
        "service_code": "TP-LLTP",
        "revised_due_at": None,
        "completed_at": None,
        "supplement_count": 0,
        "apology_issued_at": None,
        "apology_due_at": None,
        "satisfaction": None,
    }
    with pg_source.engine.begin() as conn:
        conn.execute(
            insert(pg_source.tables["dossiers"]),
            [
                {
                    **base,
                    "application_no": "G01.01-191101-0007",
                    "channel_id": 4,
                    "submitted_at": utc(2019, 11, 1, 1),
                    "due_at": utc(2019, 11, 15, 10),
                    "completed_at": utc(2019, 11, 14, 3),
                    "status_id": 6,
                    "satisfaction": 4,
                    "modified_at": utc(2019, 11, 14, 3),
                },
                {
                    **base,
                    "application_no": "G01.01-191102-0008",
                    "channel_id": 1,
                    "submitted_at": utc(2019, 11, 2, 2),
                    "due_at": utc(2019, 11, 16, 10),
                    "status_id": 3,
                    "supplement_count": 2,
                    "satisfaction": 2,
                    "modified_at": utc(2019, 11, 10, 3),
                },
            ],
        )
    results = pull(sqlite_store, clock, settings, pg_source, unit="so-tu-phap")
    assert [(r.outcome, r.rows_stored) for r in results] == [("ok", 2), ("ok", 0)]
    assert stored(sqlite_store, "dossiers", DOSSIER_FIELDS) == [
        (
            "G01.01-191101-0007",
            "so-tu-phap",
            "TP-LLTP",
            "online_full",
            utc(2019, 11, 1, 1),
            utc(2019, 11, 15, 10),
            utc(2019, 11, 15, 10),
            utc(2019, 11, 14, 3),
            "completed",
            0,
            None,
            None,
            "satisfied",
        ),
        (
            "G01.01-191102-0008",
            "so-tu-phap",
            "TP-LLTP",
            "counter",
            utc(2019, 11, 2, 2),
            utc(2019, 11, 16, 10),
            utc(2019, 11, 16, 10),
            None,
            "awaiting_supplement",
            2,
            None,
            None,
            "dissatisfied",
        ),
    ]


def test_legacy_sqlite_profile_text_dates_vietnamese_statuses_and_no_updated_at(
    sqlite_store, clock, settings, legacy_source
):
    table = legacy_source.tables["dossiers"]
    base = {
        "DonVi": "787",
        "MaThuTuc": "CT-HD",
        "HinhThuc": "Trực tiếp",
        "NgayHenTraMoi": None,
        "NgayCoKetQua": None,
        "SoLanBoSung": 0,
        "NgayXinLoi": None,
        "NgayHenLai": None,
        "DanhGia": None,
    }
    with legacy_source.engine.begin() as conn:
        conn.execute(
            insert(table),
            [
                {
                    **base,
                    "SoHoSo": "CG-0001",
                    "NgayNhan": "25/11/2019 08:05",
                    "NgayHenTra": "27/11/2019 17:00",
                    "TrangThai": "Đang xử lý",
                },
                {
                    **base,
                    "SoHoSo": "CG-0002",
                    "NgayNhan": "25/11/2019 09:40",
                    "NgayHenTra": "27/11/2019 17:00",
                    "NgayCoKetQua": "26/11/2019 15:20",
                    "TrangThai": "Đã trả kết quả",
                    "DanhGia": "Hài lòng",
                },
                {
                    **base,
                    "SoHoSo": "CG-0003",
                    "NgayNhan": "2019-11-25",
                    "NgayHenTra": "27/11/2019 17:00",
                    "TrangThai": "Đang xử lý",
                },
            ],
        )
    first = pull(sqlite_store, clock, settings, legacy_source, unit="huyen-can-gio")
    assert [(r.rows_stored, r.rows_rejected, r.last_key) for r in first] == [(2, 1, "3"), (0, 0, None)]
    assert stored(
        sqlite_store,
        "dossiers",
        ["native_code", "unit_key", "received_at", "due_original_at", "completed_at", "status", "rating"],
    ) == [
        ("CG-0001", "huyen-can-gio", utc(2019, 11, 25, 1, 5), utc(2019, 11, 27, 10), None, "processing", None),
        (
            "CG-0002",
            "huyen-can-gio",
            utc(2019, 11, 25, 2, 40),
            utc(2019, 11, 27, 10),
            utc(2019, 11, 26, 8, 20),
            "completed",
            "satisfied",
        ),
    ]
    assert sqlite_store.rejected("src")[0]["reason"].startswith("cannot read '2019-11-25' in column NgayNhan")
    # No updated-at column: a completion is found by re-scanning the dossiers still open in the store,
    # and a new row by its increasing id.
    with legacy_source.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.SoHoSo == "CG-0001")
            .values(TrangThai="Đã có kết quả", NgayCoKetQua="27/11/2019 08:30")
        )
        conn.execute(
            insert(table),
            [
                {
                    **base,
                    "SoHoSo": "CG-0004",
                    "NgayNhan": "27/11/2019 08:45",
                    "NgayHenTra": "29/11/2019 17:00",
                    "TrangThai": "Mới tiếp nhận",
                }
            ],
        )
    clock.advance(timedelta(minutes=1))
    second = pull(sqlite_store, clock, settings, legacy_source, unit="huyen-can-gio")
    assert (second[0].rows_read, second[0].rows_stored, second[0].last_key) == (2, 2, "4")
    assert stored(sqlite_store, "dossiers", ["native_code", "status", "completed_at"]) == [
        ("CG-0001", "completed", utc(2019, 11, 27, 1, 30)),
        ("CG-0002", "completed", utc(2019, 11, 26, 8, 20)),
        ("CG-0004", "processing", None),
    ]


def test_replay_rejected_rows_after_a_mapping_fix(sqlite_store, clock, settings, legacy_source, tmp_path):
    base = {
        "DonVi": "787",
        "MaThuTuc": "CT-HD",
        "HinhThuc": "Trực tiếp",
        "NgayHenTra": "27/11/2019 17:00",
        "SoLanBoSung": 0,
    }
    legacy_source.insert_raw(
        "dossiers", {**base, "SoHoSo": "R-1", "NgayNhan": "25/11/2019 08:05", "TrangThai": "Đang thụ lý"}
    )
    pull(sqlite_store, clock, settings, legacy_source, unit="huyen-can-gio")
    assert [r["native_key"] for r in sqlite_store.rejected("src")] == ["1"]
    fixed = tmp_path / "legacy_fixed.yaml"
    text = legacy_source.profile_path.read_text("utf-8").replace(
        '"Đang xử lý": processing, "Chờ', '"Đang xử lý": processing, "Đang thụ lý": processing, "Chờ'
    )
    fixed.write_text(text, "utf-8")
    source = SourceConfig(name="src", unit="huyen-can-gio", url=legacy_source.url, profile=str(fixed))
    assert Ingestor(sqlite_store, clock, settings).replay_rejected(source) == (1, 0)
    assert sqlite_store.rejected("src") == []
    assert stored(sqlite_store, "dossiers", ["native_code", "status"]) == [("R-1", "processing")]
