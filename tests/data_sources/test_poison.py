"""A poison row is one rejected row: on real SQLite, PostgreSQL and MariaDB sources laid out by each profile, values
the server accepts but we cannot read (an integer or '31/02/2024 25:61' in a DATETIME column, a zero date, 'infinity',
a BLOB, an unknown code, a huge text …) are read as the driver gives them, rejected one row each with a reason naming
the column and the raw value, and every good row around them is mapped. Then 10,000 bad rows of 25 kinds."""

from __future__ import annotations

import dataclasses
import json
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, LargeBinary, MetaData, Table, insert, literal, text, update
from sqlalchemy import Text as TextType
from sqlalchemy.types import NullType

from dashboard.core.errors import MappingError
from dashboard.core.workdays import default_calendar
from data_sources.mapping import NATIVE_KEY_MAX, RAW_TEXT_MAX, RowMapper, native_key, raw_json
from data_sources.profiles import load_profile
from data_sources.reader import SourceReader
from data_sources.values import UndecodableText, show
from tests.conftest import START
from tests.factories import SourceDB, dossier

NATIVE = {"dossiers": "native_code", "feedback": "native_id"}
PROFILES = ("motcua_v1", "legacy_sqlite", "egov_pg", "hscv_mariadb")


@dataclass(frozen=True)
class Src:
    """What RowMapper needs of a source (pull.py passes its SourceConfig)."""

    name: str = "src"
    unit: str = "quan-1"


@dataclass(frozen=True)
class Case:
    code: str  # the row's native code as first written (good values throughout)
    planted: dict[str, Any]  # vendor column → the value written over it afterwards, as the server takes it
    field: str | None = None  # the rejection's field; None: a good row
    reason: str = ""
    exact: bool = True  # False: `reason` is a part of the reason (the server's own text of a value varies)
    canonical: dict[str, Any] = dataclasses.field(default_factory=dict)  # the good row's own values, e.g. a status
    bad_cursor: bool = False  # the cursor value is present but unreadable
    key: str | None = None  # the rejected row's native_key when the key itself was planted


def undecodable(data: bytes):
    """SQLite TEXT holding bytes that are not UTF-8 (an old desktop app writing Windows-1258, say)."""
    return literal(data, LargeBinary()).cast(TextType())


def canonical(stream: str, code: str, i: int, **extra: Any) -> dict[str, Any]:
    updated = START - timedelta(hours=2, minutes=7 * i)
    if stream == "dossiers":
        return dossier(code, updated=updated, **extra)
    return {
        "native_id": code,
        "unit": "760",
        "category": "Môi trường",
        "channel": "app",
        "received_at": START - timedelta(days=3),
        "due_at": START + timedelta(days=2),
        "answered_at": None,
        "status": "open",
        "rating": None,
        "lat": 10.77,
        "lon": 106.7,
        "source_updated_at": updated,
        **extra,
    }


def plant(db: SourceDB, stream: str, cases: list[Case], session: tuple[str, ...] = ()) -> None:
    """Write every case as a good row through the profile, then each planted value with an untyped UPDATE."""
    table = db.tables[stream]
    native_column = db.profile.streams[stream].columns[NATIVE[stream]].column
    untyped = Table(table.name, MetaData(), *(Column(c.name, NullType()) for c in table.c))
    rows = [db.profile.from_canonical(stream, canonical(stream, c.code, i, **c.canonical)) for i, c in enumerate(cases)]
    with db.engine.begin() as conn:
        conn.execute(insert(table), rows)
        for statement in session:
            conn.execute(text(statement))
        for case in cases:
            if case.planted:
                conn.execute(update(untyped).where(untyped.c[native_column] == case.code).values(case.planted))


def read_and_map(url: str, profile, stream: str, chunk_size: int, store):
    """Read the whole stream as pull.py does (by cursor, else by key) and map each chunk with RowMapper."""
    mapper = RowMapper(store.units(), {p["code"] for p in store.procedures()}, default_calendar())
    reader = SourceReader(url, profile, timeout_s=10)
    rows: list[dict[str, Any]] = []
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    try:
        mapping = profile.streams[stream]
        chunks = (
            reader.read(stream, None, chunk_size) if mapping.cursor else reader.read_by_key(stream, None, chunk_size)
        )
        for chunk in chunks:
            assert 0 < len(chunk) <= chunk_size
            mapped, rejected = mapper.map_rows(Src(), profile, stream, chunk, START)
            rows += chunk
            good += mapped
            bad += rejected
    finally:
        reader.dispose()
    return rows, good, bad


def good_rows(stream: str, n: int = 8) -> list[Case]:
    return [Case(f"G-{i:02d}", {}) for i in range(n)]


def blob_in(column: str, kind: str, field_name: str) -> Case:
    return Case(
        f"P-BLOB-{column}",
        {column: b"\x00\xff\x10"},
        field_name,
        f"cannot read b'\\x00\\xff\\x10' in column {column} as {kind}: a BLOB is not {'a date or time' if kind in ('datetime', 'timestamp', 'date') else 'a number' if kind in ('integer', 'float') else 'text'}",
    )


LONG = "X" * 100_000
LONG_REASON = f"value of 100000 characters in column {{}} exceeds 64: {show(LONG)}"
ISO = "Invalid isoformat string"

MOTCUA_SQLITE = [
    Case(
        "P-INT-DATE",
        {"received_at": 1574650000},
        "received_at",
        "cannot read 1574650000 in column received_at as datetime: a number is not a date or time",
    ),
    Case(
        "P-BAD-TEXT",
        {"received_at": "31/02/2024 25:61"},
        "received_at",
        f"cannot read '31/02/2024 25:61' in column received_at as datetime: {ISO}: '31/02/2024 25:61'",
    ),
    Case(
        "P-FEB-31",
        {"due_date": "2024-02-31 10:00:00"},
        "due_original_at",
        "cannot read '2024-02-31 10:00:00' in column due_date as datetime: day is out of range for month",
    ),
    Case(
        "P-HOUR-25",
        {"due_date_current": "2019-11-29 25:00:00"},
        "due_current_at",
        "cannot read '2019-11-29 25:00:00' in column due_date_current as datetime: hour must be in 0..23",
    ),
    blob_in("finished_at", "datetime", "completed_at"),
    Case(
        "P-YEAR-1",
        {"apology_at": "0001-01-01 00:00:00"},
        "apology_at",
        "cannot read '0001-01-01 00:00:00' in column apology_at as datetime: date value out of range",
    ),
    Case(
        "P-YEAR-9999",
        {"apology_new_due": "9999-12-31 23:00:00"},
        "apology_new_due_at",
        "cannot read '9999-12-31 23:00:00' in column apology_new_due as datetime: 9999-12-31 UTC is outside the years 1800–2199",
    ),
    Case(
        "P-TEXT-INT",
        {"supplement_count": "hai"},
        "supplement_requests",
        "cannot read 'hai' in column supplement_count as integer: not a number",
    ),
    Case(
        "P-HUGE-INT",
        {"supplement_count": 2**40},
        "supplement_requests",
        "cannot read 1099511627776 in column supplement_count as integer: larger than 2,147,483,647",
    ),
    Case(
        "P-NEGATIVE",
        {"supplement_count": -3},
        "supplement_requests",
        "cannot read -3 in column supplement_count as integer: a count cannot be negative",
    ),
    Case(
        "P-FRACTION",
        {"supplement_count": 2.5},
        "supplement_requests",
        "cannot read 2.5 in column supplement_count as integer: not a whole number",
    ),
    Case(
        "P-INF",
        {"supplement_count": float("inf")},
        "supplement_requests",
        "cannot read inf in column supplement_count as integer: not a finite number",
    ),
    blob_in("supplement_count", "integer", "supplement_requests"),
    Case("P-STATUS", {"status": "KHONG_RO"}, "status", "unknown code 'KHONG_RO' in column status"),
    Case(
        "P-NUL-STATUS",
        {"status": "MOI\x00"},
        "status",
        "cannot read 'MOI\\x00' in column status as text: contains a NUL character",
    ),
    Case("P-RATING", {"rating": 7}, "rating", "unknown code '7' in column rating"),
    Case("P-RATING-TEXT", {"rating": "tốt"}, "rating", "unknown code 'tốt' in column rating"),
    Case(
        "P-CURSOR-TEXT",
        {"updated_at": "không rõ"},
        "source_updated_at",
        f"cannot read 'không rõ' in column updated_at as datetime: {ISO}: 'không rõ'",
        bad_cursor=True,
    ),
    Case(
        "P-CURSOR-INT",
        {"updated_at": 12345},
        "source_updated_at",
        "cannot read 12345 in column updated_at as datetime: a number is not a date or time",
        bad_cursor=True,
    ),
    Case(
        "P-CURSOR-BLOB",
        {"updated_at": b"\x01\x02"},
        "source_updated_at",
        "cannot read b'\\x01\\x02' in column updated_at as datetime: a BLOB is not a date or time",
        bad_cursor=True,
    ),
    Case(
        "P-LONG-CODE",
        {"dossier_code": "L" * 150},
        "native_code",
        f"value of 150 characters in column dossier_code exceeds 100: {'L' * 150!r}",
        key="L" * 150,
    ),
    Case("P-HUGE-TEXT", {"procedure_code": LONG}, "procedure_code", LONG_REASON.format("procedure_code")),
    Case(
        "P-UNDECODABLE",
        {"unit_code": undecodable(b"Qu\xe1\xba")},
        "unit",
        "cannot read b'Qu\\xe1\\xba' in column unit_code as text: bytes that are not UTF-8 text",
    ),
    Case(
        "P-UNDECODABLE-KEY",
        {"dossier_code": undecodable(b"HS\x8f\xff")},
        "native_code",
        "cannot read b'HS\\x8f\\xff' in column dossier_code as text: bytes that are not UTF-8 text",
        key="HS\\x8f\\xff",
    ),
    Case(
        "P-NUL-KEY",
        {"dossier_code": "HS\x00NUL"},
        "native_code",
        "cannot read 'HS\\x00NUL' in column dossier_code as text: contains a NUL character",
        key="HS\\x00NUL",
    ),
    Case("P-MISSING", {"channel": None}, "channel", "missing value in column channel"),
    Case("P-BLANK", {"procedure_code": "   "}, "procedure_code", "missing value in column procedure_code"),
    Case(
        "P-NO-COMPLETION",
        {},
        "completed_at",
        "status completed without a completion time",
        canonical={"status": "completed"},
    ),
    Case("P-DUE-EARLY", {}, "due_original_at", "due before received", canonical={"days": -1}),
    Case(
        "P-DONE-EARLY",
        {},
        "completed_at",
        "completed before received",
        canonical={"status": "completed", "completed": START - timedelta(days=4)},
    ),
    Case("P-PROCEDURE", {"procedure_code": "XX-99"}, "procedure_code", "unknown procedure 'XX-99'"),
    Case("P-UNIT", {"unit_code": "999"}, "unit", "unknown unit '999' on 24/11/2019"),
    # Forms a driver may hand over that are good: an ISO text with an offset, a number as text, a decomposed code.
    Case("G-ISO-OFFSET", {"received_at": "2019-11-24T09:00:00+07:00"}),
    Case("G-NUMBER-TEXT", {"supplement_count": " 2 "}),
]
MOTCUA_FEEDBACK_SQLITE = [
    Case("F-LAT-TEXT", {"latitude": "mười"}, "lat", "cannot read 'mười' in column latitude as float: not a number"),
    Case("F-LAT-COMMA", {"latitude": "10,77"}, "lat", "cannot read '10,77' in column latitude as float: not a number"),
    Case(
        "F-LON-INF",
        {"longitude": float("-inf")},
        "lon",
        "cannot read -inf in column longitude as float: not a finite number",
    ),
    Case(
        "F-LON-HUGE",
        {"longitude": "1e999"},  # a REAL column's affinity makes this text the float inf
        "lon",
        "cannot read inf in column longitude as float: not a finite number",
    ),
    blob_in("latitude", "float", "lat"),
    Case("F-STATUS", {"status": "DA_XONG"}, "status", "unknown code 'DA_XONG' in column status"),
    Case(
        "F-CATEGORY",
        {"category": "C" * 121},
        "category",
        f"value of 121 characters in column category exceeds 120: {'C' * 121!r}",
    ),
    Case("F-DUE-EARLY", {}, "due_at", "due before received", canonical={"due_at": START - timedelta(days=5)}),
    Case(
        "F-CURSOR",
        {"updated_at": 7},
        "source_updated_at",
        "cannot read 7 in column updated_at as datetime: a number is not a date or time",
        bad_cursor=True,
    ),
    Case("G-LAT-TEXT", {"latitude": "10.5"}),
]
LEGACY_FORMAT = "does not match format '%d/%m/%Y %H:%M'"
LEGACY_COMMON = [
    Case(
        "L-BAD-DATE",
        {"NgayNhan": "31/02/2024 25:61"},
        "received_at",
        f"cannot read '31/02/2024 25:61' in column NgayNhan as datetime: time data '31/02/2024 25:61' {LEGACY_FORMAT}",
    ),
    Case(
        "L-FEB-31",
        {"NgayNhan": "31/02/2024 10:00"},
        "received_at",
        "cannot read '31/02/2024 10:00' in column NgayNhan as datetime: day is out of range for month",
    ),
    Case(
        "L-ISO",
        {"NgayHenTra": "2019-11-29"},
        "due_original_at",
        f"cannot read '2019-11-29' in column NgayHenTra as datetime: time data '2019-11-29' {LEGACY_FORMAT}",
    ),
    Case(
        "L-WORDS",
        {"NgayCoKetQua": "hôm qua"},
        "completed_at",
        f"cannot read 'hôm qua' in column NgayCoKetQua as datetime: time data 'hôm qua' {LEGACY_FORMAT}",
    ),
    Case(
        "L-NUMBER",
        {"NgayXinLoi": 1574650000},
        "apology_at",
        f"cannot read '1574650000' in column NgayXinLoi as datetime: time data '1574650000' {LEGACY_FORMAT}",
    ),
    Case("L-STATUS", {"TrangThai": "Đang thụ lý"}, "status", "unknown code 'Đang thụ lý' in column TrangThai"),
    Case("L-RATING", {"DanhGia": "Tốt"}, "rating", "unknown code 'Tốt' in column DanhGia"),
    Case("L-HUGE", {"MaThuTuc": LONG}, "procedure_code", LONG_REASON.format("MaThuTuc")),
    Case("L-UNIT", {"DonVi": "999"}, "unit", "unknown unit '999' on 24/11/2019"),
    Case("G-NFD", {"HinhThuc": unicodedata.normalize("NFD", "Trực tiếp")}),  # a decomposed code is the same code
]
LEGACY_SQLITE = [
    *LEGACY_COMMON,
    Case(
        "L-TEXT-INT",
        {"SoLanBoSung": "hai"},
        "supplement_requests",
        "cannot read 'hai' in column SoLanBoSung as integer: not a number",
    ),
    blob_in("DanhGia", "text", "rating"),
    Case(
        "L-UNDECODABLE",
        {"TrangThai": undecodable(b"\xd0ang x\xec l\xfd")},
        "status",
        "cannot read b'\\xd0ang x\\xec l\\xfd' in column TrangThai as text: bytes that are not UTF-8 text",
    ),
]
EGOV_SQLITE = [
    Case("E-STATUS-TEXT", {"status_id": "abc"}, "status", "unknown code 'abc' in column status_id"),
    Case("E-RATING-REAL", {"satisfaction": 3.7}, "rating", "unknown code '3.7' in column satisfaction"),
    Case(
        "E-INT-DATE",
        {"submitted_at": 1574650000},
        "received_at",
        "cannot read 1574650000 in column submitted_at as timestamp: a number is not a date or time",
    ),
    Case(
        "E-CURSOR",
        {"modified_at": "infinity"},
        "source_updated_at",
        f"cannot read 'infinity' in column modified_at as timestamp: {ISO}: 'infinity'",
        bad_cursor=True,
    ),
    Case("G-RATING-REAL", {"satisfaction": 4.0}),  # SQLite keeps 4.0 in an INTEGER column as 4
]
HSCV_SQLITE = [
    Case(
        "H-FEB-31",
        {"ngay_hen_tra": "2024-02-31"},
        "due_original_at",
        "cannot read '2024-02-31' in column ngay_hen_tra as date: day is out of range for month",
    ),
    Case(
        "H-CURSOR",
        {"ngay_cap_nhat": "0000-00-00 00:00:00"},
        "source_updated_at",
        "cannot read '0000-00-00 00:00:00' in column ngay_cap_nhat as timestamp: year 0 is out of range",
        bad_cursor=True,
    ),
    blob_in("so_lan_bo_sung", "integer", "supplement_requests"),
]
EGOV_PG = [
    Case("E-STATUS", {"status_id": 99}, "status", "unknown code '99' in column status_id"),
    Case("E-CHANNEL", {"channel_id": -1}, "channel", "unknown code '-1' in column channel_id"),
    Case("E-RATING", {"satisfaction": 0}, "rating", "unknown code '0' in column satisfaction"),
    Case(
        "E-INFINITY",
        {"submitted_at": "infinity"},
        "received_at",
        f"cannot read 'infinity' in column submitted_at as timestamp: {ISO}: 'infinity'",
    ),
    Case(
        "E-YEAR-10000",
        {"due_at": "10000-01-01 00:00:00+00"},
        "due_original_at",
        "in column due_at as timestamp: Invalid isoformat string: '10000-01-01",
        exact=False,
    ),
    Case(
        "E-BC",
        {"completed_at": "0044-03-15 00:00:00+00 BC"},
        "completed_at",
        " BC' in column completed_at as timestamp: Invalid isoformat string",
        exact=False,
    ),
    Case(
        "E-CURSOR-INF",
        {"modified_at": "infinity"},
        "source_updated_at",
        f"cannot read 'infinity' in column modified_at as timestamp: {ISO}: 'infinity'",
        bad_cursor=True,
    ),
    Case(
        "E-CURSOR-NEG",
        {"modified_at": "-infinity"},
        "source_updated_at",
        f"cannot read '-infinity' in column modified_at as timestamp: {ISO}: '-infinity'",
        bad_cursor=True,
    ),
    Case("E-HUGE", {"service_code": LONG}, "procedure_code", LONG_REASON.format("service_code")),
    Case(
        "E-LONG-KEY",
        {"application_no": "K" * 300},
        "native_code",
        f"value of 300 characters in column application_no exceeds 100: {show('K' * 300)}",
        key=native_key("K" * 300),
    ),
    Case(
        "E-NEGATIVE",
        {"supplement_count": -5},
        "supplement_requests",
        "cannot read -5 in column supplement_count as integer: a count cannot be negative",
    ),
    Case("E-BLANK", {"service_code": "  "}, "procedure_code", "missing value in column service_code"),
    Case("E-UNIT", {"agency_code": "999"}, "unit", "unknown unit '999' on 24/11/2019"),
    Case(
        "E-NO-COMPLETION",
        {},
        "completed_at",
        "status completed without a completion time",
        canonical={"status": "completed"},
    ),
]
MOTCUA_PG = [
    Case("P-RATING", {"rating": 7}, "rating", "unknown code '7' in column rating"),
    Case("P-STATUS", {"status": "KHONG_RO"}, "status", "unknown code 'KHONG_RO' in column status"),
    Case(
        "P-INFINITY",
        {"received_at": "-infinity"},
        "received_at",
        f"cannot read '-infinity' in column received_at as datetime: {ISO}: '-infinity'",
    ),
    Case(
        "P-CURSOR-INF",
        {"updated_at": "infinity"},
        "source_updated_at",
        f"cannot read 'infinity' in column updated_at as datetime: {ISO}: 'infinity'",
        bad_cursor=True,
    ),
    Case("P-HUGE", {"procedure_code": LONG}, "procedure_code", LONG_REASON.format("procedure_code")),
]
HSCV_MARIADB = [
    Case(
        "H-FEB-31",
        {"ngay_tiep_nhan": "2024-02-31 10:00:00"},
        "received_at",
        "cannot read '2024-02-31 10:00:00' in column ngay_tiep_nhan as datetime: day is out of range for month",
    ),
    Case(
        "H-ZERO-DUE",
        {"ngay_hen_tra": "0000-00-00"},
        "due_original_at",
        "cannot read '0000-00-00' in column ngay_hen_tra as date: year 0 is out of range",
    ),
    Case(
        "H-DAY-0",
        {"ngay_hen_tra_moi": "2019-11-00"},
        "due_current_at",
        "cannot read '2019-11-00' in column ngay_hen_tra_moi as date: day is out of range for month",
    ),
    # MariaDB without a strict sql_mode keeps an impossible time as the zero date.
    Case(
        "H-HOUR-25",
        {"ngay_xin_loi": "2019-11-25 25:61:00"},
        "apology_at",
        "cannot read '0000-00-00 00:00:00' in column ngay_xin_loi as datetime: year 0 is out of range",
    ),
    Case(
        "H-CURSOR-ZERO",
        {"ngay_cap_nhat": "0000-00-00 00:00:00"},
        "source_updated_at",
        "cannot read '0000-00-00 00:00:00' in column ngay_cap_nhat as timestamp: year 0 is out of range",
        bad_cursor=True,
    ),
    Case("H-STATUS", {"trang_thai": "khong_ro"}, "status", "unknown code 'khong_ro' in column trang_thai"),
    Case("H-CHANNEL", {"hinh_thuc_nop": "TRUC_TIEP"}, "channel", "unknown code 'TRUC_TIEP' in column hinh_thuc_nop"),
    Case("H-RATING", {"danh_gia": "rat_hai_long"}, "rating", "unknown code 'rat_hai_long' in column danh_gia"),
    Case(
        "H-NEGATIVE",
        {"so_lan_bo_sung": -2},
        "supplement_requests",
        "cannot read -2 in column so_lan_bo_sung as integer: a count cannot be negative",
    ),
    Case("H-UNIT", {"ma_don_vi": "999"}, "unit", "unknown unit '999' on 24/11/2019"),
]
MOTCUA_MARIADB = [
    Case(
        "P-FEB-30",
        {"received_at": "2024-02-30 08:00:00"},
        "received_at",
        "cannot read '2024-02-30 08:00:00' in column received_at as datetime: day is out of range for month",
    ),
    Case(
        "P-CURSOR-FEB-31",
        {"updated_at": "2024-02-31 10:00:00"},
        "source_updated_at",
        "cannot read '2024-02-31 10:00:00' in column updated_at as datetime: day is out of range for month",
        bad_cursor=True,
    ),
    Case(
        "P-CURSOR-ZERO",
        {"updated_at": "0000-00-00 00:00:00"},
        "source_updated_at",
        "cannot read '0000-00-00 00:00:00' in column updated_at as datetime: year 0 is out of range",
        bad_cursor=True,
    ),
    Case("P-RATING", {"rating": 7}, "rating", "unknown code '7' in column rating"),
    Case("P-STATUS", {"status": "KHONG_RO"}, "status", "unknown code 'KHONG_RO' in column status"),
]

# (server, profile, stream) → its cases; the good rows are added to each.
SCENARIOS = {
    ("sqlite", "motcua_v1", "dossiers"): MOTCUA_SQLITE,
    ("sqlite", "motcua_v1", "feedback"): MOTCUA_FEEDBACK_SQLITE,
    ("sqlite", "legacy_sqlite", "dossiers"): LEGACY_SQLITE,
    ("sqlite", "egov_pg", "dossiers"): EGOV_SQLITE,
    ("sqlite", "hscv_mariadb", "dossiers"): HSCV_SQLITE,
    ("postgresql", "egov_pg", "dossiers"): EGOV_PG,
    ("postgresql", "legacy_sqlite", "dossiers"): LEGACY_COMMON,
    ("postgresql", "motcua_v1", "dossiers"): MOTCUA_PG,
    ("mariadb", "hscv_mariadb", "dossiers"): HSCV_MARIADB,
    ("mariadb", "motcua_v1", "dossiers"): MOTCUA_MARIADB,
}


def server_url(request, server: str, tmp_path) -> str:
    if server == "sqlite":
        return f"sqlite:///{tmp_path / 'source.sqlite'}"
    return request.getfixturevalue("pg_schema_url" if server == "postgresql" else "mariadb_url")


def session_statements(server: str, db: SourceDB, stream: str) -> tuple[str, ...]:
    """What lets the server take the poison: MariaDB a lax sql_mode; PostgreSQL unbounded text columns."""
    if server == "mariadb":
        return ("SET SESSION sql_mode = 'ALLOW_INVALID_DATES'",)
    if server == "postgresql":
        table = db.tables[stream]
        alter = ", ".join(f'ALTER COLUMN "{c.name}" TYPE text' for c in table.c if type(c.type).__name__ == "String")
        return (f'ALTER TABLE "{table.name}" {alter}',)
    return ()


@pytest.mark.parametrize(("server", "profile_name", "stream"), list(SCENARIOS), ids=lambda v: str(v))
def test_each_poison_row_is_one_rejected_row_and_the_stream_goes_on(
    request, tmp_path, sqlite_store, server, profile_name, stream
):
    url = server_url(request, server, tmp_path)
    db = SourceDB(url, profile_name)
    try:
        cases = good_rows(stream) + SCENARIOS[server, profile_name, stream]
        random.Random(7).shuffle(cases)
        plant(db, stream, cases, session_statements(server, db, stream))
        profile, mapping = db.profile, db.profile.streams[stream]
        native_column = mapping.columns[NATIVE[stream]].column
        by_native = {c.key or native_key(c.code): c for c in cases}
        poison = [c for c in cases if c.field is not None]
        for chunk_size in (1, 3, 1000):  # 1: every row, poison or not, is the last of a page fed back to the next
            rows, good, bad = read_and_map(url, profile, stream, chunk_size, sqlite_store)
            case_of = {native_key(r[mapping.key]): by_native[native_key(r[native_column])] for r in rows}
            assert len(rows) == len(case_of) == len(cases), "every row read exactly once"
            assert sorted(g[NATIVE[stream]] for g in good) == sorted(c.code for c in cases if c.field is None)
            rejected = {case_of[r["native_key"]].code: (r["field"], r["reason"]) for r in bad}
            assert len(bad) == len(rejected) == len(poison)
            for case in poison:
                found_field, reason = rejected[case.code]
                assert found_field == case.field, (case.code, reason)
                assert reason == case.reason if case.exact else case.reason in reason, case.code
            for r in bad:
                assert len(r["native_key"]) <= NATIVE_KEY_MAX and "\x00" not in r["native_key"] + r["reason"]
                raw = json.loads(r["raw"])
                assert set(raw) == {c.name for c in db.tables[stream].c}
                assert all(len(v) <= RAW_TEXT_MAX for v in raw.values() if isinstance(v, str))
            if mapping.cursor:  # the watermark is taken over the readable cursors only
                instants = {native_key(r[mapping.key]): profile.cursor_instant_or_none(stream, r) for r in rows}
                assert {k for k, v in instants.items() if v is None} == {k for k, c in case_of.items() if c.bad_cursor}
            with sqlite_store.begin() as conn:  # what map_rows gives, the store takes
                sqlite_store.upsert(conn, stream, good)
                sqlite_store.replace_rejected(conn, "src", stream, [native_key(r[mapping.key]) for r in rows], bad)
            assert len(sqlite_store.rejected("src", stream, limit=None)) == len(poison)
    finally:
        db.dispose()


@pytest.mark.parametrize("server", ["sqlite", "postgresql", "mariadb"])
def test_pages_after_a_watermark_and_by_key_go_past_poison(request, tmp_path, sqlite_store, server):
    """From a watermark (ours, bound through the column's type) the first page compares right on each dialect;
    the rows at or after it are read, poison ones included; a legacy source resumes after a key we kept."""
    url = server_url(request, server, tmp_path)
    profile_name = {"sqlite": "motcua_v1", "postgresql": "egov_pg", "mariadb": "hscv_mariadb"}[server]
    scenario = SCENARIOS[server, profile_name, "dossiers"]
    db = SourceDB(url, profile_name)
    try:
        cases = good_rows("dossiers") + scenario
        plant(db, "dossiers", cases, session_statements(server, db, "dossiers"))
        rows, _, _ = read_and_map(url, db.profile, "dossiers", 1000, sqlite_store)
        instants = sorted(i for r in rows if (i := db.profile.cursor_instant_or_none("dossiers", r)) is not None)
        watermark = instants[len(instants) // 2]
        reader = SourceReader(url, db.profile, timeout_s=10)
        try:
            again = [r for chunk in reader.read("dossiers", watermark, 2) for r in chunk]
        finally:
            reader.dispose()
        readable = [i for r in again if (i := db.profile.cursor_instant_or_none("dossiers", r)) is not None]
        assert readable and min(readable) == watermark
        assert sorted(readable) == [i for i in instants if i >= watermark]
    finally:
        db.dispose()
    legacy = SourceDB(server_url(request, server, tmp_path).replace("source.sqlite", "legacy.sqlite"), "legacy_sqlite")
    try:
        plant(legacy, "dossiers", good_rows("dossiers") + LEGACY_COMMON, session_statements(server, legacy, "dossiers"))
        reader = SourceReader(legacy.url, legacy.profile, timeout_s=10)
        try:
            ids = [r["id"] for chunk in reader.read_by_key("dossiers", 5, 2) for r in chunk]
            codes = [c.code for c in LEGACY_COMMON[:3]]
            matched = [r["SoHoSo"] for chunk in reader.read_matching("dossiers", "SoHoSo", codes, 2) for r in chunk]
        finally:
            reader.dispose()
        assert ids == list(range(6, len(good_rows("dossiers")) + len(LEGACY_COMMON) + 1))
        assert sorted(matched) == sorted(codes)
    finally:
        legacy.dispose()


# --- to_canonical alone: whatever a row holds, a MappingError naming the column, or a mapped row --------------------

ODD_VALUES: list[Any] = [
    0,
    -1,
    1574650000,
    2**63,
    10**5000,
    1.5,
    float("nan"),
    float("inf"),
    float("-inf"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("1e999999"),
    Decimal("-0"),
    Decimal("2.5"),
    True,
    False,
    b"",
    b"\x00\xff",
    bytearray(b"ab"),
    memoryview(b"xy"),
    UndecodableText(b"\xc3("),
    "",
    "   ",
    "31/02/2024 25:61",
    "2024-02-31",
    "0000-00-00 00:00:00",
    "infinity",
    "x" * 100_000,
    "a\x00b",
    "\udc80",
    "１２",
    "٣",
    "1e5",
    "-0",
    "+7",
    "NaN",
    "1_000",
    datetime.min,
    datetime.max,
    datetime(2019, 11, 25, tzinfo=UTC),
    date.min,
    date.max,
    time(23, 59),
    timedelta(days=1),
    [1],
    {"a": 1},
    object(),
    (1, 2),
    complex(1, 2),
    Exception("x"),
]


@pytest.mark.parametrize("profile_name", PROFILES)
def test_to_canonical_raises_only_mapping_errors_that_name_the_column(profile_name, sqlite_store):
    profile = load_profile(profile_name)
    mapper = RowMapper(sqlite_store.units(), {p["code"] for p in sqlite_store.procedures()}, default_calendar())
    for stream, mapping in profile.streams.items():
        good = profile.from_canonical(stream, canonical(stream, "G-1", 0))
        columns = {s.column for s in mapping.columns.values()} | {mapping.key} | {mapping.cursor or mapping.key}
        for column in sorted(columns):
            fields = {n for n, s in mapping.columns.items() if s.column == column} | {"cursor"}
            raws = [{**good, column: value} for value in ODD_VALUES]
            for raw in raws:
                try:
                    profile.to_canonical(stream, raw)
                    profile.cursor_instant_or_none(stream, raw)
                except MappingError as exc:
                    assert exc.field in fields and column in exc.reason, (column, exc)
            mapped, rejected = mapper.map_rows(Src(), profile, stream, raws, START)  # never raises
            assert len(mapped) + len(rejected) == len(raws)
            assert all(r["field"] != "row" for r in rejected), [r["reason"] for r in rejected if r["field"] == "row"]
            for r in rejected:
                json.loads(r["raw"])
                r["native_key"].encode("utf-8")
                assert len(r["native_key"]) <= NATIVE_KEY_MAX and r["reason"]


def test_cursor_instant_raises_a_mapping_error_and_the_lenient_form_gives_none():
    profile = load_profile("motcua_v1")
    good = profile.from_canonical("dossiers", canonical("dossiers", "G-1", 0))
    assert profile.cursor_instant_or_none("dossiers", good) == profile.cursor_instant("dossiers", good)
    for value in (None, "  ", 5, "31/02/2024 25:61", b"\x01"):
        assert profile.cursor_instant_or_none("dossiers", {**good, "updated_at": value}) is None
    with pytest.raises(MappingError) as caught:
        profile.cursor_instant("dossiers", {**good, "updated_at": 5})
    assert (caught.value.field, caught.value.reason) == (
        "source_updated_at",
        "cannot read 5 in column updated_at as datetime: a number is not a date or time",
    )
    assert load_profile("legacy_sqlite").cursor_instant_or_none("dossiers", {}) is None  # no cursor at all


def test_raw_values_are_capped_and_always_encode():
    raw = {
        "long": "é" * 12_345 + "end",
        "blob": bytes(range(100)),
        "view": memoryview(b"\x00\x01"),
        "undecodable": UndecodableText(b"HS\x8f"),
        "when": datetime(2019, 11, 25, 9, 30),
        "day": date(2019, 11, 25),
        "money": Decimal("NaN"),
        "nan": float("nan"),
        "huge": 10**5000,
        "nul": "a\x00b",
        "surrogate": "\udc80",
        "odd": object.__new__(type("Odd", (), {"__str__": lambda self: 1 / 0})),
    }
    decoded = json.loads(raw_json(raw))
    assert len(decoded["long"]) == RAW_TEXT_MAX and decoded["long"].endswith("…(+10,321 characters)")
    assert decoded["blob"] == {"bytes": 100, "hex": bytes(range(64)).hex() + "…"}
    assert decoded["view"] == {"bytes": 2, "hex": "0001"}
    assert decoded["undecodable"] == {"bytes": 3, "not_utf8": "HS\\x8f"}
    assert (decoded["when"], decoded["day"], decoded["money"], decoded["nan"]) == (
        "2019-11-25 09:30:00",
        "2019-11-25",
        "NaN",
        "nan",
    )
    assert decoded["huge"] == f"<integer of {(10**5000).bit_length()} bits>"
    assert (decoded["nul"], decoded["surrogate"], decoded["odd"]) == ("a\x00b", "\udc80", "<Odd>")
    assert native_key("HS\x00X") == "HS\\x00X" and native_key(b"HS\xff") == "HS\\xff" and native_key(42) == "42"
    long_a, long_b = native_key("k" * 300 + "a"), native_key("k" * 300 + "b")
    assert len(long_a) == NATIVE_KEY_MAX and long_a != long_b and long_a.startswith("k" * 150)


# --- 10,000 bad rows of 25 kinds on SQLite -------------------------------------------------------------------------

RECEIVED = START - timedelta(days=3)
KINDS: dict[str, tuple[str, Any]] = {  # kind → (field rejected, i → (canonical values, planted vendor values))
    "unknown status code": ("status", lambda i: ({}, {"status": f"LA_{i}"})),
    "missing required field": ("channel", lambda i: ({}, {"channel": None})),
    "blank required field": ("procedure_code", lambda i: ({}, {"procedure_code": "   "})),
    "unparseable date text": ("received_at", lambda i: ({}, {"received_at": f"hôm qua {i}"})),
    "integer in a date column": ("received_at", lambda i: ({}, {"received_at": 1574650000 + i})),
    "invalid calendar date": ("due_original_at", lambda i: ({}, {"due_date": f"2024-02-{30 + i % 2} 10:00:00"})),
    "hour 25": ("due_current_at", lambda i: ({}, {"due_date_current": "2019-11-29 25:61:00"})),
    "year out of range": (
        "received_at",
        lambda i: ({}, {"received_at": ("0001-01-01 00:00:00", "9999-12-31 23:59:59")[i % 2]}),
    ),
    "zero date": ("apology_at", lambda i: ({}, {"apology_at": "0000-00-00 00:00:00"})),
    "due before received": ("due_original_at", lambda i: ({"days": -1 - i % 5}, {})),
    "completed before received": (
        "completed_at",
        lambda i: ({"status": "completed", "completed": RECEIVED - timedelta(hours=1 + i % 9)}, {}),
    ),
    "completed status without completion time": ("completed_at", lambda i: ({"status": "completed"}, {})),
    "unknown unit code": ("unit", lambda i: ({}, {"unit_code": f"9{i}"})),
    "unknown procedure": ("procedure_code", lambda i: ({}, {"procedure_code": f"XX-{i}"})),
    "over-long text": ("procedure_code", lambda i: ({}, {"procedure_code": "P" * (65 + 97 * (i % 100))})),
    "NaN or infinity": (
        "supplement_requests",
        lambda i: ({}, {"supplement_count": (float("inf"), float("-inf"), "NaN")[i % 3]}),
    ),
    "BLOB": ("completed_at", lambda i: ({}, {"finished_at": bytes([i % 256]) * 8})),
    "negative integer": ("supplement_requests", lambda i: ({}, {"supplement_count": -1 - i})),
    "overflowing integer": ("supplement_requests", lambda i: ({}, {"supplement_count": 2**31 + i})),
    "fractional integer": ("supplement_requests", lambda i: ({}, {"supplement_count": 0.5 + i})),
    "bad rating code": ("rating", lambda i: ({}, {"rating": 4 + i % 5})),
    "unreadable cursor text": ("source_updated_at", lambda i: ({}, {"updated_at": f"không rõ {i}"})),
    "integer cursor": ("source_updated_at", lambda i: ({}, {"updated_at": i})),
    "text that is not UTF-8": ("channel", lambda i: ({}, {"channel": b"TRUC_TI\xc3"})),  # made TEXT below
    "NUL in text": ("status", lambda i: ({}, {"status": "MOI\x00"})),
}


def test_ten_thousand_bad_rows_of_25_kinds_are_all_rejected(tmp_path, store):
    db = SourceDB(f"sqlite:///{tmp_path / 'batch.sqlite'}", "motcua_v1")
    try:
        kinds = list(KINDS)
        table = db.tables["dossiers"]
        untyped = Table(table.name, MetaData(), *(Column(c.name, NullType()) for c in table.c))
        rows = []
        for i in range(10_000):
            values, planted = KINDS[kinds[i % len(kinds)]][1](i)
            row = db.profile.from_canonical("dossiers", canonical("dossiers", f"B{i:05d}", i % 500, **values))
            row = {k: v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v for k, v in row.items()}
            rows.append({**row, **planted})
        with db.engine.begin() as conn:
            conn.execute(insert(untyped), rows)
            conn.execute(text("UPDATE hs_dossier SET channel = CAST(channel AS TEXT) WHERE typeof(channel) = 'blob'"))
        chunks, good, bad = read_and_map(db.url, db.profile, "dossiers", 500, store)
        assert len({r["dossier_code"] for r in chunks}) == len(chunks) == 10_000
        assert good == [] and len(bad) == 10_000
        counts: Counter[str] = Counter()
        for r in bad:
            kind = kinds[int(r["native_key"][1:]) % len(kinds)]
            assert r["field"] == KINDS[kind][0] and r["reason"], (kind, r["field"], r["reason"])
            counts[kind] += 1
        with store.begin() as conn:
            store.replace_rejected(conn, "src", "dossiers", [native_key(r["dossier_code"]) for r in chunks], bad)
        assert len(store.rejected("src", limit=None)) == 10_000
        print("\nrejected per kind:", dict(counts))
        assert set(counts.values()) == {400} and len(counts) == 25
    finally:
        db.dispose()


def test_a_bug_of_ours_while_mapping_rejects_the_row_not_the_chunk(sqlite_store, monkeypatch, caplog):
    profile = load_profile("motcua_v1")
    mapper = RowMapper(sqlite_store.units(), {p["code"] for p in sqlite_store.procedures()}, default_calendar())
    raws = [profile.from_canonical("dossiers", canonical("dossiers", f"G-{i}", i)) for i in range(3)]
    original = RowMapper.canonical

    def flaky(self, source, profile, stream, raw, now):
        if raw["dossier_code"] == "G-1":
            raise TypeError("a bug")
        return original(self, source, profile, stream, raw, now)

    monkeypatch.setattr(RowMapper, "canonical", flaky)
    good, bad = mapper.map_rows(Src(), profile, "dossiers", raws, START)
    assert [g["native_code"] for g in good] == ["G-0", "G-2"]
    assert [(b["native_key"], b["field"], b["reason"]) for b in bad] == [("G-1", "row", "unexpected TypeError: a bug")]
    assert "a bug: the row is rejected" in caplog.text
