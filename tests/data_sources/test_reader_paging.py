"""The source reader's keyset pages: every row exactly once, in (cursor, key) order, however many rows share a
cursor value across page boundaries; and on PostgreSQL and SQLite each page is an index seek, not a scan of
every row before it (issue 16: 547 ms a page mid-table at 1 M rows with the OR form)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text

from data_sources.reader import SourceReader
from tests.conftest import START
from tests.factories import SourceDB, dossier

BASE = START - timedelta(days=2)


def tied_rows(n: int, per_cursor: int) -> list[dict]:
    """n dossiers D00000… whose updated-at moves on one minute every `per_cursor` rows, inserted in reverse."""
    rows = [dossier(f"D{i:05}", updated=BASE + timedelta(minutes=i // per_cursor)) for i in range(n)]
    return rows[::-1]


def read_keys(db: SourceDB, chunk_size: int, watermark=None) -> tuple[list[str], list[int]]:
    reader = SourceReader(db.url, db.profile, 10)
    key = db.profile.streams["dossiers"].key
    try:
        pages = list(reader.read("dossiers", watermark, chunk_size))
    finally:
        reader.dispose()
    return [str(row[key]) for page in pages for row in page], [len(page) for page in pages]


def assert_every_row_once_in_order(db: SourceDB) -> None:
    db.insert("dossiers", *tied_rows(47, per_cursor=10))  # ties of 10 rows, pages of 7: every page splits a tie
    keys, sizes = read_keys(db, chunk_size=7)
    assert keys == [f"D{i:05}" for i in range(47)]
    assert sizes == [7, 7, 7, 7, 7, 7, 5]
    keys, sizes = read_keys(db, chunk_size=7, watermark=BASE + timedelta(minutes=2))  # from the third tie on
    assert keys == [f"D{i:05}" for i in range(20, 47)]
    assert sizes == [7, 7, 7, 6]
    keys, sizes = read_keys(db, chunk_size=10)  # pages that end exactly at a tie's end
    assert (len(keys), len(set(keys)), sizes) == (47, 47, [10, 10, 10, 10, 7])


def test_sqlite_pages_return_every_tied_row_once_in_order(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    assert_every_row_once_in_order(db)
    db.dispose()


@pytest.mark.postgres
def test_postgresql_pages_return_every_tied_row_once_in_order(pg_schema_url):
    db = SourceDB(pg_schema_url, "egov_pg")
    assert_every_row_once_in_order(db)
    db.dispose()


@pytest.mark.mariadb
def test_mariadb_pages_return_every_tied_row_once_in_order(mariadb_url):
    db = SourceDB(mariadb_url, "hscv_mariadb")
    assert_every_row_once_in_order(db)
    db.dispose()


def page_queries(db: SourceDB, chunk_size: int) -> list[tuple[str, object]]:
    """Every page query the reader sends while reading the dossiers, with its parameters."""
    reader = SourceReader(db.url, db.profile, 30)
    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "LIMIT" in statement.upper():
            sent.append((statement, parameters))

    event.listen(reader.engine, "before_cursor_execute", capture)
    try:
        read = sum(len(page) for page in reader.read("dossiers", None, chunk_size))
    finally:
        reader.dispose()
    assert read == 20_000
    return sent


def plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in plan_nodes(child))]


@pytest.mark.postgres
def test_a_postgresql_page_mid_table_is_an_index_seek_on_cursor_and_key(pg_schema_url):
    db = SourceDB(pg_schema_url, "egov_pg")
    db.insert("dossiers", *tied_rows(20_000, per_cursor=25))
    with db.engine.begin() as conn:
        conn.execute(text("CREATE INDEX application_cursor ON application (modified_at, application_no)"))
        conn.execute(text("ANALYZE application"))
    sent = page_queries(db, chunk_size=500)
    assert len(sent) == 41  # 40 full pages and the empty one that ends the read
    statement, parameters = sent[20]  # mid-table: 10,000 rows lie before it
    engine = create_engine(pg_schema_url)
    with engine.connect() as conn:
        explained = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar_one()
    engine.dispose()
    nodes = plan_nodes((explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"])
    scans = [n for n in nodes if n.get("Relation Name") == "application"]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [("Index Scan", "application_cursor")]
    assert "modified_at" in scans[0]["Index Cond"] and "application_no" in scans[0]["Index Cond"]
    assert scans[0]["Actual Rows"] == 500
    assert scans[0].get("Rows Removed by Filter", 0) == 0  # nothing before the page read and thrown away
    assert not [n for n in nodes if n["Node Type"] in ("Seq Scan", "Sort")]
    db.dispose()


def test_a_sqlite_page_mid_table_searches_the_cursor_and_key_index(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", *tied_rows(20_000, per_cursor=25))
    with db.engine.begin() as conn:
        conn.execute(text("CREATE INDEX hs_dossier_cursor ON hs_dossier (updated_at, dossier_code)"))
        conn.execute(text("ANALYZE"))
    statement, parameters = page_queries(db, chunk_size=500)[20]
    with db.engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert plan == ["SEARCH hs_dossier USING INDEX hs_dossier_cursor ((updated_at,dossier_code)>(?,?))"]
    db.dispose()
