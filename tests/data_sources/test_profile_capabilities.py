"""A vendor none of the shipped profiles covers, configured from its profile alone: feedback with no status column
(derived from whether it was answered), the vendor's own unit codes, defaulted and recoded channels, and dossiers
of procedures the catalogue does not list — read through `SourceReader` from SQLite and PostgreSQL tables, mapped
through `RowMapper`, exact canonical rows; and the errors a bad `default`, `derive` or `values` gives."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import MappingError, ProfileError
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from data_sources.mapping import RowMapper, source_statutory_days
from data_sources.profiles import PROFILE_DIR, Profile, load_profile
from data_sources.reader import SourceReader
from tests.factories import SourceDB

VENDOR = """\
# A ward one-stop-shop (test vendor): its own unit codes, an "ONLINE" channel that does not say partial or
# full, a status column left NULL on finished dossiers, procedures of its own, and feedback with no status column.
name: ward_vendor
timezone: Asia/Ho_Chi_Minh
streams:
  dossiers:
    table: ho_so_dv
    key: so_ho_so
    cursor: cap_nhat
    unknown_procedures: accept
    columns:
      native_code: {column: so_ho_so, type: text, length: 100}
      unit: {column: don_vi, type: text, length: 16}
      procedure_code: {column: thu_tuc, type: text, length: 64}
      channel: {column: kenh, type: text, length: 16, default: counter}
      received_at: {column: nhan_luc, type: datetime}
      due_original_at: {column: hen_tra, type: datetime}
      completed_at: {column: xong_luc, type: datetime}
      status:
        column: trang_thai
        type: text
        length: 16
        derive:
          - {when: {completed_at: present}, value: completed}
          - {otherwise: processing}
      supplement_requests: {default: 0}
      source_updated_at: {column: cap_nhat, type: datetime}
    values:
      unit: {Q1: 760, CG: huyen-can-gio}
      channel: {QUAY: counter, ONLINE: online_partial, BUU_DIEN: postal}
      status: {DANG_XL: processing, XONG: completed, TU_CHOI: refused}
  feedback:
    table: gop_y
    key: ma
    cursor: cap_nhat
    columns:
      native_id: {column: ma, type: text, length: 100}
      unit: {column: don_vi, type: text, length: 16}
      category: {column: linh_vuc, type: text, length: 120, default: Khác}
      channel: {default: web}
      received_at: {column: nhan_luc, type: datetime}
      due_at: {column: han, type: datetime}
      answered_at: {column: tra_loi_luc, type: datetime}
      status:
        derive:
          - {when: {answered_at: present}, value: answered}
          - {otherwise: open}
      source_updated_at: {column: cap_nhat, type: datetime}
    values:
      unit: {CG: huyen-can-gio, Q1: "760"}
"""
NOW = datetime(2019, 11, 29, 3, 0, tzinfo=UTC)


def local(*parts: int) -> datetime:
    return datetime(*parts)  # naive: the vendor's local time


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "ward_vendor.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


class Source:
    name, unit = "ward", "quan-1"


DOSSIER_ROWS = [
    {  # a listed procedure, the vendor's unit code for District 1, ONLINE recoded
        "so_ho_so": "D-1",
        "don_vi": "Q1",
        "thu_tuc": "HT-KH",
        "kenh": "ONLINE",
        "nhan_luc": local(2019, 11, 25, 8, 0),
        "hen_tra": local(2019, 11, 28, 17, 0),
        "xong_luc": None,
        "trang_thai": "DANG_XL",
        "cap_nhat": local(2019, 11, 25, 8, 0),
    },
    {  # a procedure of its own, no channel (the default), status NULL but completed (derived)
        "so_ho_so": "D-2",
        "don_vi": "CG",
        "thu_tuc": "PX-XAC-NHAN-CU-TRU",
        "kenh": None,
        "nhan_luc": local(2019, 11, 25, 14, 0),
        "hen_tra": local(2019, 11, 29, 17, 0),
        "xong_luc": local(2019, 11, 28, 10, 0),
        "trang_thai": None,
        "cap_nhat": local(2019, 11, 28, 10, 0),
    },
    {  # its own procedure due the same afternoon (4 office hours), blank channel, status NULL and open
        "so_ho_so": "D-3",
        "don_vi": "Q1",
        "thu_tuc": "PX-CHUNG-THUC",
        "kenh": "  ",
        "nhan_luc": local(2019, 11, 26, 9, 0),
        "hen_tra": local(2019, 11, 26, 14, 30),
        "xong_luc": None,
        "trang_thai": "",
        "cap_nhat": local(2019, 11, 26, 9, 0),
    },
    {  # received after hours on a Friday: counts from Monday, due Wednesday = 2 working days
        "so_ho_so": "D-4",
        "don_vi": "CG",
        "thu_tuc": "PX-XAC-NHAN-CU-TRU",
        "kenh": "BUU_DIEN",
        "nhan_luc": local(2019, 11, 22, 18, 0),
        "hen_tra": local(2019, 11, 27, 17, 0),
        "xong_luc": None,
        "trang_thai": "DANG_XL",
        "cap_nhat": local(2019, 11, 27, 8, 0),
    },
    {  # a unit code the profile does not map: rejected, naming the column
        "so_ho_so": "D-5",
        "don_vi": "XX",
        "thu_tuc": "HT-KH",
        "kenh": "QUAY",
        "nhan_luc": local(2019, 11, 27, 9, 0),
        "hen_tra": local(2019, 11, 29, 17, 0),
        "xong_luc": None,
        "trang_thai": "DANG_XL",
        "cap_nhat": local(2019, 11, 27, 9, 0),
    },
]
FEEDBACK_ROWS = [
    {
        "ma": "F-1",
        "don_vi": "Q1",
        "linh_vuc": "Trật tự đô thị",
        "nhan_luc": local(2019, 11, 25, 8, 30),
        "han": local(2019, 12, 2, 17, 0),
        "tra_loi_luc": local(2019, 11, 27, 15, 0),
        "cap_nhat": local(2019, 11, 27, 15, 0),
    },
    {
        "ma": "F-2",
        "don_vi": "CG",
        "linh_vuc": None,
        "nhan_luc": local(2019, 11, 26, 10, 0),
        "han": None,
        "tra_loi_luc": None,
        "cap_nhat": local(2019, 11, 26, 10, 0),
    },
    {
        "ma": "F-3",
        "don_vi": "Q1",
        "linh_vuc": " ",
        "nhan_luc": local(2019, 11, 28, 9, 0),
        "han": local(2019, 12, 5, 17, 0),
        "tra_loi_luc": None,
        "cap_nhat": local(2019, 11, 28, 9, 0),
    },
]
COMMON = {"source": "ward", "ingested_at": NOW, "apology_at": None, "apology_new_due_at": None, "rating": None}
EXPECTED_DOSSIERS = [
    {
        **COMMON,
        "native_code": "D-1",
        "unit_key": "quan-1",
        "procedure_code": "HT-KH",
        "channel": "online_partial",
        "received_at": utc(2019, 11, 25, 1, 0),
        "due_original_at": utc(2019, 11, 28, 10, 0),
        "due_current_at": utc(2019, 11, 28, 10, 0),
        "completed_at": None,
        "status": "processing",
        "supplement_requests": 0,
        "source_updated_at": utc(2019, 11, 25, 1, 0),
        "processing_half_days": None,
        "procedure_listed": True,
        "statutory_days_source": None,
    },
    {
        **COMMON,
        "native_code": "D-3",
        "unit_key": "quan-1",
        "procedure_code": "PX-CHUNG-THUC",
        "channel": "counter",
        "received_at": utc(2019, 11, 26, 2, 0),
        "due_original_at": utc(2019, 11, 26, 7, 30),
        "due_current_at": utc(2019, 11, 26, 7, 30),
        "completed_at": None,
        "status": "processing",
        "supplement_requests": 0,
        "source_updated_at": utc(2019, 11, 26, 2, 0),
        "processing_half_days": None,
        "procedure_listed": False,
        "statutory_days_source": 0.5,  # 09:00–11:30 and 13:00–14:30: 4 office hours of 8
    },
    {
        **COMMON,
        "native_code": "D-4",
        "unit_key": "huyen-can-gio",
        "procedure_code": "PX-XAC-NHAN-CU-TRU",
        "channel": "postal",
        "received_at": utc(2019, 11, 22, 11, 0),
        "due_original_at": utc(2019, 11, 27, 10, 0),
        "due_current_at": utc(2019, 11, 27, 10, 0),
        "completed_at": None,
        "status": "processing",
        "supplement_requests": 0,
        "source_updated_at": utc(2019, 11, 27, 1, 0),
        "processing_half_days": None,
        "procedure_listed": False,
        "statutory_days_source": 2.0,  # Tuesday 26 and Wednesday 27 after Monday 25
    },
    {
        **COMMON,
        "native_code": "D-2",
        "unit_key": "huyen-can-gio",
        "procedure_code": "PX-XAC-NHAN-CU-TRU",
        "channel": "counter",
        "received_at": utc(2019, 11, 25, 7, 0),
        "due_original_at": utc(2019, 11, 29, 10, 0),
        "due_current_at": utc(2019, 11, 29, 10, 0),
        "completed_at": utc(2019, 11, 28, 3, 0),
        "status": "completed",
        "supplement_requests": 0,
        "source_updated_at": utc(2019, 11, 28, 3, 0),
        "processing_half_days": 5,  # 2 × 3 working days (26–28), minus 1: completed before noon
        "procedure_listed": False,
        "statutory_days_source": 4.0,  # 26, 27, 28, 29 November after Monday 25
    },
]
FEEDBACK_COMMON = {"source": "ward", "ingested_at": NOW, "channel": "web", "rating": None, "lat": None, "lon": None}
EXPECTED_FEEDBACK = [
    {
        **FEEDBACK_COMMON,
        "native_id": "F-2",
        "unit_key": "huyen-can-gio",
        "category": "Khác",
        "received_at": utc(2019, 11, 26, 3, 0),
        "due_at": None,
        "answered_at": None,
        "status": "open",
        "source_updated_at": utc(2019, 11, 26, 3, 0),
    },
    {
        **FEEDBACK_COMMON,
        "native_id": "F-1",
        "unit_key": "quan-1",
        "category": "Trật tự đô thị",
        "received_at": utc(2019, 11, 25, 1, 30),
        "due_at": utc(2019, 12, 2, 10, 0),
        "answered_at": utc(2019, 11, 27, 8, 0),
        "status": "answered",
        "source_updated_at": utc(2019, 11, 27, 8, 0),
    },
    {
        **FEEDBACK_COMMON,
        "native_id": "F-3",
        "unit_key": "quan-1",
        "category": "Khác",
        "received_at": utc(2019, 11, 28, 2, 0),
        "due_at": utc(2019, 12, 5, 10, 0),
        "answered_at": None,
        "status": "open",
        "source_updated_at": utc(2019, 11, 28, 2, 0),
    },
]


@pytest.fixture
def mapper() -> RowMapper:
    return RowMapper(load_units(), {p["code"] for p in load_procedures()}, default_calendar())


@pytest.fixture(params=["sqlite", "postgresql"])
def vendor_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ward.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


def read_and_map(url: str, profile: Profile, mapper: RowMapper, stream: str) -> tuple[list[dict], list[dict]]:
    reader = SourceReader(url, profile)
    try:
        assert reader.probe() == []
        raws = [row for chunk in reader.read(stream, None, 2) for row in chunk]
    finally:
        reader.dispose()
    return mapper.map_rows(Source(), profile, stream, raws, NOW)


def test_a_vendor_profile_with_derived_defaulted_recoded_fields_and_its_own_procedures(tmp_path, vendor_url, mapper):
    profile = load_profile(write(tmp_path, VENDOR))
    db = SourceDB(vendor_url, profile)
    try:
        db.insert_raw("dossiers", *DOSSIER_ROWS)
        db.insert_raw("feedback", *FEEDBACK_ROWS)
        assert set(db.tables["feedback"].c.keys()) == {
            "ma", "don_vi", "linh_vuc", "nhan_luc", "han", "tra_loi_luc", "cap_nhat"
        }  # fmt: skip  # no status, no channel column: the profile derives and defaults them
        dossiers, rejected = read_and_map(vendor_url, profile, mapper, "dossiers")
        feedback, no_feedback = read_and_map(vendor_url, profile, mapper, "feedback")
    finally:
        db.dispose()
    assert dossiers == EXPECTED_DOSSIERS
    assert [(r["native_key"], r["field"], r["reason"]) for r in rejected] == [
        ("D-5", "unit", "unknown code 'XX' in column don_vi")
    ]
    assert feedback == EXPECTED_FEEDBACK
    assert no_feedback == []


def test_without_accept_an_unknown_procedure_still_rejects_and_rows_keep_their_keys(tmp_path, mapper):
    profile = load_profile(write(tmp_path, VENDOR.replace("    unknown_procedures: accept\n", "")))
    assert profile.streams["dossiers"].unknown_procedures == "reject"
    url = f"sqlite:///{tmp_path / 'ward.sqlite'}"
    db = SourceDB(url, profile)
    try:
        db.insert_raw("dossiers", *DOSSIER_ROWS)
        dossiers, rejected = read_and_map(url, profile, mapper, "dossiers")
    finally:
        db.dispose()
    plain = {k: v for k, v in EXPECTED_DOSSIERS[0].items() if k not in ("procedure_listed", "statutory_days_source")}
    assert dossiers == [plain]
    assert [(r["native_key"], r["field"], r["reason"]) for r in rejected] == [
        ("D-3", "procedure_code", "unknown procedure 'PX-CHUNG-THUC'"),
        ("D-4", "procedure_code", "unknown procedure 'PX-XAC-NHAN-CU-TRU'"),
        ("D-5", "unit", "unknown code 'XX' in column don_vi"),
        ("D-2", "procedure_code", "unknown procedure 'PX-XAC-NHAN-CU-TRU'"),
    ]  # in the order read: by the update time


def test_feedback_without_a_status_column_is_stored_open_or_answered(tmp_path, sqlite_store, clock, settings):
    """The issue's symptom end to end: pulled into the store, open feedback is open, not rejected."""
    spec = yaml.safe_load(VENDOR)
    del spec["streams"]["dossiers"]
    path = write(tmp_path, yaml.safe_dump(spec, allow_unicode=True))
    url = f"sqlite:///{tmp_path / 'ward.sqlite'}"
    db = SourceDB(url, load_profile(path))
    try:
        db.insert_raw("feedback", *FEEDBACK_ROWS)
        source = SourceConfig(name="ward", unit="quan-1", url=url, profile=str(path))
        [result] = Ingestor(sqlite_store, clock, settings).pull(source)
    finally:
        db.dispose()
    assert (result.outcome, result.rows_stored, result.rows_rejected) == ("ok", 3, 0)
    assert [(r["native_id"], r["unit_key"], r["category"], r["channel"], r["status"]) for r in sqlite_store.rows("feedback")] == [
        ("F-1", "quan-1", "Trật tự đô thị", "web", "answered"),
        ("F-2", "huyen-can-gio", "Khác", "web", "open"),
        ("F-3", "quan-1", "Khác", "web", "open"),
    ]  # fmt: skip


def test_a_status_column_wins_over_its_derive_rule_and_a_rule_needs_every_test(tmp_path):
    text = VENDOR.replace(
        "          - {when: {completed_at: present}, value: completed}\n",
        "          - {when: {completed_at: present, channel: {in: [online_partial, online_full]}}, value: completed}\n"
        "          - {when: {completed_at: present, unit: {equals: huyen-can-gio}}, value: refused}\n",
    )
    profile = load_profile(write(tmp_path, text))
    base = {**DOSSIER_ROWS[1], "kenh": "ONLINE"}
    assert profile.to_canonical("dossiers", base)["status"] == "completed"
    assert profile.to_canonical("dossiers", {**base, "kenh": "QUAY"})["status"] == "refused"  # CG recoded first
    assert profile.to_canonical("dossiers", {**base, "kenh": "QUAY", "don_vi": "Q1"})["status"] == "processing"
    assert profile.to_canonical("dossiers", {**base, "trang_thai": "TU_CHOI"})["status"] == "refused"  # the column


def test_a_required_field_no_rule_gives_rejects_the_row(tmp_path):
    text = VENDOR.replace("          - {otherwise: open}\n", "")
    profile = load_profile(write(tmp_path, text))
    with pytest.raises(MappingError) as caught:
        profile.to_canonical("feedback", {**FEEDBACK_ROWS[1]})
    assert (caught.value.field, caught.value.reason) == ("status", "missing value: no derive rule holds")


def test_profiles_dump_and_load_again_with_their_rules(tmp_path):
    profile = load_profile(write(tmp_path, VENDOR))
    dumped = json.loads(profile.model_dump_json())
    assert "rules" not in dumped["streams"]["feedback"]
    assert dumped["streams"]["feedback"]["columns"]["status"] == {
        "derive": [{"when": {"answered_at": "present"}, "value": "answered"}, {"otherwise": "open"}]
    }
    assert dumped["streams"]["feedback"]["columns"]["channel"] == {"default": "web"}
    assert Profile.model_validate(dumped) == profile
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        shipped = load_profile(path)
        assert Profile.model_validate(json.loads(shipped.model_dump_json())) == shipped


BAD_PROFILE_IDS = [
    "derive-value-not-in-vocabulary",
    "unknown-test",
    "unknown-field",
    "field-without-column-or-default",
    "equals-on-an-instant",
    "equals-value-not-in-vocabulary",
    "rule-neither-when-nor-otherwise",
    "otherwise-not-last",
    "otherwise-and-default",
    "derive-not-a-list",
    "default-not-in-vocabulary",
    "default-null",
    "default-not-a-count",
    "default-with-type-but-no-column",
    "native-key-default",
    "value-map-target-not-in-vocabulary",
    "value-map-unit-too-long",
    "value-map-on-an-instant",
    "value-map-without-column",
    "accept-on-feedback",
    "unknown-procedures-option",
]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            "value: answered}",
            "value: closed}",
            "streams.feedback.columns.status.derive.0.value: 'closed' is not one of open, processing, answered, "
            "rejected",
        ),
        (
            "{answered_at: present}",
            "{answered_at: set}",
            "streams.feedback.columns.status.derive.0.when.answered_at: a test is present, absent, {equals: value} "
            "or {in: [values]}, not 'set'",
        ),
        (
            "{answered_at: present}",
            "{answerd_at: present}",
            "streams.feedback.columns.status.derive.0.when.answerd_at: not a canonical field (native_id, unit, "
            "category, channel, received_at, due_at, answered_at, status, rating, lat, lon, source_updated_at)",
        ),
        (
            "{answered_at: present}",
            "{lat: present}",
            "streams.feedback.columns.status.derive.0.when.lat: lat is derived itself or has neither a column nor a "
            "default: a rule reads only fields whose value comes from a column or a default",
        ),
        (
            "{answered_at: present}",
            "{answered_at: {equals: 2019-11-27}}",
            "streams.feedback.columns.status.derive.0.when.answered_at: answered_at is instant: only present or "
            "absent can test it",
        ),
        (
            "{answered_at: present}",
            "{channel: {equals: phone}}",
            "streams.feedback.columns.status.derive.0.when.channel.equals: 'phone' is not one of app, hotline, web",
        ),
        (
            "- {otherwise: open}",
            "- {else: open}",
            "streams.feedback.columns.status.derive.1: a rule is {when: {…}, value: …} or {otherwise: …}, not else",
        ),
        (
            "- {when: {answered_at: present}, value: answered}\n          - {otherwise: open}",
            "- {otherwise: open}\n          - {when: {answered_at: present}, value: answered}",
            "streams.feedback.columns.status.derive.0: otherwise must be the last rule (the rules after it would "
            "never apply)",
        ),
        (
            "      status:\n        derive:",
            "      status:\n        default: open\n        derive:",
            "streams.feedback.columns.status.derive.1: otherwise and a default say the same: give only one of them",
        ),
        (
            "      status:\n        derive:\n          - {when: {answered_at: present}, value: answered}\n"
            "          - {otherwise: open}",
            "      status: {derive: {when: {answered_at: present}, value: answered}}",
            "streams.feedback.columns.status.derive: a list of rules, e.g. [{when: {answered_at: present}, value: "
            "answered}]",
        ),
        (
            "channel: {default: web}",
            "channel: {default: online_partial}",
            "streams.feedback.columns.channel.default: 'online_partial' is not one of app, hotline, web",
        ),
        (
            "channel: {default: web}",
            "channel: {default: null}",
            "streams.feedback.columns.channel.default: a default needs a value (or remove it)",
        ),
        (
            "supplement_requests: {default: 0}",
            "supplement_requests: {default: -1}",
            "streams.dossiers.columns.supplement_requests.default: -1 is not a count (a whole number from 0 to "
            "2,147,483,647)",
        ),
        (
            "channel: {default: web}",
            "channel: {type: text, default: web}",
            "streams.feedback.columns.channel.column: Field required",
        ),
        (
            "native_id: {column: ma, type: text, length: 100}",
            "native_id: {column: ma, type: text, length: 100, default: F-0}",
            "streams.feedback.columns.native_id: a row's identity comes from its column, never a default or rule",
        ),
        (
            "ONLINE: online_partial",
            "ONLINE: online",
            "streams.dossiers.values.channel.ONLINE: 'online' is not one of counter, postal, online_partial, "
            "online_full",
        ),
        (
            "unit: {Q1: 760, CG: huyen-can-gio}",
            f"unit: {{Q1: 760, CG: {'x' * 65}}}",
            "streams.dossiers.values.unit.CG: 65 characters exceed the store's 64",
        ),
        (
            "      unit: {Q1: 760, CG: huyen-can-gio}\n",
            "      unit: {Q1: 760, CG: huyen-can-gio}\n      received_at: {A: b}\n",
            "streams.dossiers.values.received_at: only a coded text field is recoded, not received_at",
        ),
        (
            '      unit: {CG: huyen-can-gio, Q1: "760"}\n',
            '      unit: {CG: huyen-can-gio, Q1: "760"}\n      channel: {ONLINE: web}\n',
            "streams.feedback.values.channel: channel has no column whose codes it could recode",
        ),
        (
            "    cursor: cap_nhat\n    columns:\n      native_id",
            "    cursor: cap_nhat\n    unknown_procedures: accept\n    columns:\n      native_id",
            "streams.feedback.unknown_procedures: only dossiers have procedures",
        ),
        (
            "unknown_procedures: accept",
            "unknown_procedures: ignore",
            "streams.dossiers.unknown_procedures: Input should be 'reject' or 'accept'",
        ),
    ],
    ids=BAD_PROFILE_IDS,
)
def test_a_bad_default_derive_or_values_names_the_file_and_the_field(tmp_path, old, new, error):
    assert VENDOR.count(old) == 1, old
    path = write(tmp_path, VENDOR.replace(old, new))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value) == f"{path.resolve()}: {error}"


def test_a_profile_that_is_not_yaml_names_the_file(tmp_path):
    path = write(tmp_path, VENDOR + "  : : [\n")
    with pytest.raises(ProfileError, match=rf"^{re.escape(str(path.resolve()))}: not valid YAML: while parsing"):
        load_profile(path)


RECEIPTS = [
    datetime(2019, 11, 25, 8, 0, tzinfo=CITY_TZ),  # Monday morning
    datetime(2019, 11, 22, 18, 0, tzinfo=CITY_TZ),  # Friday after hours
    datetime(2019, 11, 23, 10, 0, tzinfo=CITY_TZ),  # Saturday
    datetime(2020, 1, 20, 16, 59, tzinfo=CITY_TZ),  # before Tết Canh Tý (23–29 January off)
    datetime(2019, 5, 3, 9, 0, tzinfo=CITY_TZ),  # before the make-up Saturday 4 May 2019
]


@pytest.mark.parametrize("received", RECEIPTS, ids=lambda r: f"{r:%Y-%m-%d-%H%M}")
def test_the_source_statutory_time_inverts_the_calendars_due(received):
    calendar = default_calendar()
    for days in range(1, 16):
        due = calendar.due_after_working_days(received, days)
        assert source_statutory_days(calendar, received, due) == days
        earlier = due - timedelta(hours=6, minutes=59)  # 17:00 on the due day: the same day still counts
        assert source_statutory_days(calendar, received, earlier) == days


def test_a_same_day_due_is_its_office_hours_over_eight():
    calendar = default_calendar()
    received = datetime(2019, 11, 26, 7, 30, tzinfo=CITY_TZ)
    assert source_statutory_days(calendar, received, received.replace(hour=11, minute=30)) == 0.5
    assert source_statutory_days(calendar, received, received.replace(hour=17)) == 1.0
    assert source_statutory_days(calendar, received, received.replace(hour=12, minute=30)) == 0.5  # lunch
    assert (
        source_statutory_days(calendar, received.replace(hour=16, minute=0), received.replace(hour=16, minute=45))
        == 0.094
    )
    late = datetime(2019, 11, 26, 18, 0, tzinfo=CITY_TZ)  # after hours, due that evening: no office time
    assert source_statutory_days(calendar, late, late.replace(hour=20)) == 0.0
