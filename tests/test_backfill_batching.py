"""The batched backfill path (rows straight to the driver, rollup deltas summed set-wise, a stream's mapping worked
out once a chunk) stores exactly what the row-by-row SQLAlchemy path stores: rows, rollups, rejections."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import MappingError
from dashboard.core.sqltypes import UTCDateTime
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store, contributions, rollups
from dashboard.store.rollups import ROLLUP_TABLES
from dashboard.store.verify import verify
from data_sources.fields import CANONICAL_FIELDS
from data_sources.profiles import load_profile
from tests.conftest import PG_ADMIN_URL, _seeded, need_server
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 14, 30, tzinfo=CITY_TZ)
RECEIVED = AS_OF - timedelta(days=10)


def _dossiers_a() -> list[dict]:
    """Eleven dossiers of source a: open, completed on time and late, refused, withdrawn, with apology, rated."""
    rows = []
    for i in range(11):
        received = RECEIVED + timedelta(hours=7 * i)
        status = ("processing", "completed", "completed", "refused", "withdrawn", "awaiting_supplement")[i % 6]
        completed = received + timedelta(days=(1, 6)[i % 2]) if status in ("completed", "refused") else None
        row = dossier(
            f"D-{i}",
            received=received,
            days=3,
            status=status,
            completed=completed,
            updated=(completed or received) + timedelta(minutes=5) if status == "withdrawn" else None,
            channel=("counter", "online_full", "online_partial")[i % 3],
            rating="satisfied" if completed and i % 4 else None,
        )
        if i in (0, 7):
            row["apology_at"] = row["due_original_at"] - timedelta(hours=2)
            row["apology_new_due_at"] = row["due_original_at"] + timedelta(days=2)
        rows.append(row)
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path):
    """Two empty stores on the same database: one to write with the batched path, one with SQLAlchemy's."""
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path / f'{name}.sqlite'}" for name in ("batched", "plain")]
        schemas: list[str] = []
    else:
        need_server("PostgreSQL", 5432)
        schemas = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
        admin = create_engine(PG_ADMIN_URL)
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        urls = [f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}" for schema in schemas]
    pair = [_seeded(Store(url)) for url in urls]
    yield pair
    for store in pair:
        store.dispose()
    if schemas:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _stored(store: Store) -> dict:
    """Everything a pull writes that a reader sees: rows (ids included), rollups, rejections, the data version."""
    with store.engine.connect() as conn:
        rolled = {name: sorted(tuple(r) for r in conn.execute(select(t))) for name, t in ROLLUP_TABLES.items()}
    rejected = sorted((r["source"], r["native_key"], r["field"], r["reason"], r["raw"]) for r in store.rejected())
    states = [{k: v for k, v in s.items() if k != "last_good_pull_at"} for s in store.states()]
    return {
        "dossiers": store.rows("dossiers"),
        "feedback": store.rows("feedback"),
        "rollups": rolled,
        "rejected": rejected,
        "version": store.data_version(),
        "states": states,
    }


def _scenario(store: Store, clock, settings, tmp_path, tag: str) -> list[dict]:
    """Two sources sharing two dossiers (liên thông), a poison row mid-chunk, an update, then re-reads of the same
    rows; what is stored after each step."""
    a = SourceDB(f"sqlite:///{tmp_path / f'a-{tag}.sqlite'}")
    b = SourceDB(f"sqlite:///{tmp_path / f'b-{tag}.sqlite'}")
    rows_a = _dossiers_a()
    a.insert("dossiers", *rows_a[:6])
    poison = a.profile.from_canonical("dossiers", dossier("D-P", received=RECEIVED + timedelta(hours=40)))
    a.insert_raw("dossiers", {**poison, "status": "KHONG_RO"})  # a code the profile does not know
    a.insert("dossiers", *rows_a[6:])
    a.insert("feedback", *[_feedback(f"F-{i}", i) for i in range(4)])
    # b holds D-2 (received later there) and D-3 (received earlier there: b's copy is the one counted), and B-0
    later = rows_a[2]["received_at"] + timedelta(hours=1)
    b.insert(
        "dossiers",
        {**rows_a[2], "received_at": later, "status": "processing", "completed_at": None, "rating": None},
        {**rows_a[3], "received_at": rows_a[3]["received_at"] - timedelta(hours=1)},
        dossier(
            "B-0", received=RECEIVED + timedelta(days=1), status="completed", completed=RECEIVED + timedelta(days=2)
        ),
    )
    sources = [SourceConfig(name=n, unit="quan-1", url=db.url, profile="motcua_v1") for n, db in (("a", a), ("b", b))]
    ingestor = Ingestor(store, clock, settings.model_copy(update={"chunk_size": 5}))
    seen = []
    clock.set(AS_OF - timedelta(hours=3))
    for source in sources:
        ingestor.pull(source)
    seen.append(_stored(store))
    clock.set(AS_OF - timedelta(hours=2))
    done = {**rows_a[0], "status": "completed", "completed_at": AS_OF - timedelta(hours=4), "rating": "neutral"}
    a.update("dossiers", {**done, "source_updated_at": AS_OF - timedelta(hours=4)})
    for source in sources:
        ingestor.pull(source)
    seen.append(_stored(store))
    clock.set(AS_OF - timedelta(hours=1))
    for source in sources:  # nothing changed at the sources
        ingestor.pull(source)
        ingestor.sweep(source)
    seen.append(_stored(store))
    a.dispose()
    b.dispose()
    return seen


def _feedback(code: str, i: int) -> dict:
    received = RECEIVED + timedelta(hours=9 * i)
    answered = received + timedelta(days=2) if i % 2 else None
    return {
        "native_id": code,
        "unit": "760",
        "category": "Giao thông",
        "channel": "hotline",
        "received_at": received,
        "due_at": received + timedelta(days=(1, 10)[i % 2]) if i != 2 else None,
        "answered_at": answered,
        "status": "answered" if answered else "open",
        "rating": "satisfied" if answered else None,
        "lat": None,
        "lon": None,
        "source_updated_at": answered or received,
    }


def test_the_batched_path_stores_what_the_plain_path_stores(stores, clock, settings, tmp_path, monkeypatch):
    batched_store, plain_store = stores
    batched = _scenario(batched_store, clock, settings, tmp_path, "batched")
    monkeypatch.setattr(rollups, "driver_takes_rows", lambda dialect: False)  # SQLAlchemy's executemany, row by row
    plain = _scenario(plain_store, clock, settings, tmp_path, "plain")
    for step, (got, want) in enumerate(zip(batched, plain, strict=True)):
        for part in want:
            assert got[part] == want[part], (step, part)
    assert all(check.ok for check in verify(batched_store.engine))  # rollups = a recount of the raw rows

    first, updated, reread = batched
    codes = {(r["source"], r["native_code"]): r for r in first["dossiers"]}
    assert len(codes) == 11 + 3 and ("a", "D-P") not in codes  # D-0..D-10 of a (D-P rejected), 3 of b
    assert first["rejected"] == [
        ("a", "D-P", "status", "unknown code 'KHONG_RO' in column status", first["rejected"][0][4])
    ]
    counted = {code: r["counted"] for code, r in codes.items() if code[1] in ("D-2", "D-3")}
    assert counted == {("a", "D-2"): True, ("b", "D-2"): False, ("a", "D-3"): False, ("b", "D-3"): True}
    received = sum(r[2] for r in first["rollups"]["roll_dossier_day"])
    assert received == 14 - 2  # each liên thông dossier once
    # open: D-0, D-5 (awaiting supplements) and D-6 of a; b's open copy of D-2 is not the counted one
    assert sum(r[3] for r in first["rollups"]["roll_open"]) == 3
    assert [r[3] for r in updated["rollups"]["roll_open"]] == [1, 1]  # D-0 completed since: its row is gone
    assert updated["version"][0] == first["version"][0] + 1
    # the same rows read again change nothing, not even the data version; only the rows seen are counted
    assert {k: v for k, v in reread.items() if k != "states"} == {k: v for k, v in updated.items() if k != "states"}
    assert [s["rows_total"] for s in reread["states"]] == [s["rows_total"] for s in updated["states"]] == [11, 4, 3, 0]


def test_counts_delta_sums_as_delta_does_to_the_bit():
    rng = random.Random(16)
    start = datetime(2019, 3, 1, tzinfo=UTC)

    def row(i: int) -> dict:
        received = start + timedelta(hours=rng.randrange(100))  # many rows a day: long sums
        done = rng.random() < 0.6
        return {
            "unit_key": rng.choice(("quan-1", "quan-3")),
            "channel": rng.choice(("counter", "online_full")),
            "received_at": received,
            "procedure_code": "HT-KH",
            "status": "completed" if done else rng.choice(("processing", "withdrawn")),
            "completed_at": received + timedelta(hours=rng.randrange(1, 30)) if done else None,
            "due_original_at": received + timedelta(days=3),
            "due_current_at": received + timedelta(days=3),
            "supplement_requests": 0,
            "apology_at": received if rng.random() < 0.2 else None,
            "rating": rng.choice((None, "satisfied")),
            "processing_half_days": rng.randrange(0, 9) if done else None,
            "source_updated_at": received + timedelta(hours=1),
            "counted": rng.random() < 0.9,
        }

    old, new = [row(i) for i in range(300)], [row(i) for i in range(400)]
    days = [rng.choice((0.333, 0.1, 5.0, 0.375, rng.random())) for _ in range(700)]
    reference = contributions.delta(
        [contributions.dossier_contribution(r, d) for r, d in zip(old, days, strict=False)],
        [contributions.dossier_contribution(r, d) for r, d in zip(new, days[300:], strict=False)],
    )
    got = contributions.counts_delta(
        (contributions.dossier_counts(r, d) for r, d in zip(old, days, strict=False)),
        (contributions.dossier_counts(r, d) for r, d in zip(new, days[300:], strict=False)),
    )
    assert got == reference and list(got) == list(reference)
    assert any(c.get("statutory_days", 0) % 1 for c in got.values())  # float sums, equal to the last bit


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgresql"])
def test_the_utc_datetime_bulk_processor_gives_what_the_type_gives(dialect):
    kind = UTCDateTime()
    standard, bulk = kind.dialect_impl(dialect).bind_processor(dialect), kind.bulk_bind_processor(dialect)
    assert standard is not None
    values = [
        None,
        datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2019, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),
        datetime(1800, 1, 1, tzinfo=UTC),
        datetime(2019, 6, 30, 23, 59, 59, 500, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        datetime(2019, 6, 30, 23, 59, tzinfo=ZoneInfo("UTC")),
    ]
    assert [bulk(v) for v in values] == [standard(v) for v in values]
    with pytest.raises(ValueError, match="naive datetime"):
        bulk(datetime(2019, 1, 2))


@pytest.mark.parametrize("profile_name", ["motcua_v1", "egov_pg"])
def test_a_fields_reader_gives_convert_s_value_or_reason(profile_name):
    profile = load_profile(profile_name)
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    values = [
        "TRUC_TIEP",
        " CO_KET_QUA",
        "KHONG_RO",
        "Quận 1 ồ",
        "x" * 300,
        "a\x00b",
        3,
        3.0,
        -1,
        2**40,
        True,
        float("nan"),
        1.5,
        Decimal("7"),
        b"\xff",
        datetime(2019, 1, 2, 3, 4),
        datetime(2019, 1, 2, 3, 4, tzinfo=UTC),
        datetime(2019, 1, 2, 3, 4, tzinfo=zone),
        datetime(1700, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 0),
        "2019-01-02 03:04:05",
    ]

    def outcome(read, value):
        try:
            return ("value", read(value))
        except MappingError as exc:
            return ("rejected", exc.field, exc.reason)

    for stream, mapping in profile.streams.items():
        for name, _required, _column, read, _rule in profile.rows(stream).fields:
            spec, kind = mapping.columns.get(name), CANONICAL_FIELDS[stream][name][1]
            if read is None or spec is None:
                continue
            convert = partial(profile._convert, name, kind, spec, codes=mapping.values.get(name))
            for value in values * 2:  # the second time a code comes from what the reader remembered
                assert outcome(read, value) == outcome(convert, value), (stream, name, value)


def test_the_copy_into_postgresql_is_binary_only_for_values_its_binary_form_takes():
    from datetime import date

    from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table
    from sqlalchemy.dialects.postgresql import insert

    assert rollups._binary_takes(1043, ["a", None, "b"]) and rollups._binary_takes(701, [1.5, 2])
    assert not rollups._binary_takes(1043, ["a", 5])  # an int into a varchar: text COPY casts it, binary fails
    assert not rollups._binary_takes(1082, [datetime(2019, 1, 2, tzinfo=UTC)])  # a datetime is a date subclass
    assert not rollups._binary_takes(1184, [datetime(2019, 1, 2)])  # naive
    assert not rollups._binary_takes(1700, [Decimal("1.5")])  # numeric: no binary form listed
    need_server("PostgreSQL", 5432)
    schema, admin = f"t_{uuid.uuid4().hex[:12]}", create_engine(PG_ADMIN_URL)
    table = Table(
        "copied",
        MetaData(schema=schema),
        Column("code", String(16), primary_key=True),
        Column("n", Integer),
        Column("x", Float),
        Column("ok", Boolean),
        Column("day", Date),
        Column("at", UTCDateTime),
    )
    at = datetime(2019, 11, 27, 7, 30, tzinfo=UTC)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            table.create(conn)
            binary = [{"code": "A", "n": 3, "x": 2, "ok": True, "day": date(2019, 11, 27), "at": at}]
            rollups.upsert_many(conn, insert, table, ["code"], binary, fresh=True)
            text_form = [{"code": 7, "n": 4, "x": Decimal("0.25"), "ok": False, "day": None, "at": None}]
            rollups.upsert_many(conn, insert, table, ["code"], text_form, fresh=True)
            stored = [tuple(r) for r in conn.execute(select(table).order_by(table.c.code))]
        assert stored == [("7", 4, 0.25, False, None, None), ("A", 3, 2.0, True, date(2019, 11, 27), at)]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
