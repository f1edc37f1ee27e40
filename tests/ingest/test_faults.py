"""A source that is down, hangs, or commits late never loses a row nor stops the others."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.conftest import MARIADB_URL, PG_ADMIN_URL, START
from tests.factories import SourceDB, dossier
from tests.faults.consistency import assert_consistent
from tests.netfaults import BlackHole, Proxy, closed_port


def egov_row(code: str, modified: datetime, agency: str = "so-tu-phap") -> dict:
    return {
        "application_no": code,
        "agency_code": agency,
        "service_code": "TP-LLTP",
        "channel_id": 4,
        "submitted_at": modified,
        "due_at": modified + timedelta(days=10),
        "status_id": 2,
        "supplement_count": 0,
        "modified_at": modified,
    }


@pytest.fixture
def blackhole():
    hole = BlackHole()
    yield hole
    hole.close()


def test_down_and_hanging_sources_do_not_stop_the_others_and_recover_from_their_watermark(
    sqlite_store, clock, settings, pg_schema_url, tmp_path, blackhole, caplog
):
    settings = settings.model_copy(update={"pull_timeout_s": 1.0, "chunk_size": 100})
    proxy = Proxy(5432)
    via_proxy = pg_schema_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    pg = SourceDB(pg_schema_url, "egov_pg")
    good = SourceDB(f"sqlite:///{tmp_path / 'good.sqlite'}")
    sources = {
        "flaky": SourceConfig(name="flaky", unit="so-tu-phap", url=via_proxy, profile="egov_pg"),
        "closed": SourceConfig(
            name="closed",
            unit="quan-3",
            profile="motcua_v1",
            url=f"postgresql+psycopg://reader:pw-closed@127.0.0.1:{closed_port()}/x",
        ),
        "hanging-pg": SourceConfig(
            name="hanging-pg",
            unit="quan-4",
            profile="egov_pg",
            url=f"postgresql+psycopg://reader:pw-hang@127.0.0.1:{blackhole.port}/x",
        ),
        "hanging-mariadb": SourceConfig(
            name="hanging-mariadb",
            unit="quan-5",
            profile="hscv_mariadb",
            url=f"mysql+pymysql://reader:pw-hang2@127.0.0.1:{blackhole.port}/x",
        ),
        "good": SourceConfig(name="good", unit="quan-1", url=good.url, profile="motcua_v1"),
    }
    ingestor = Ingestor(sqlite_store, clock, settings)
    first = datetime(2019, 11, 20, 1, 0, tzinfo=UTC)
    with pg.engine.begin() as conn:
        conn.execute(
            insert(pg.tables["dossiers"]), [egov_row("F-1", first), egov_row("F-2", first + timedelta(hours=1))]
        )
    assert [r.rows_stored for r in ingestor.pull(sources["flaky"])] == [2, 0]
    watermark = sqlite_store.state("flaky", "dossiers")["watermark"]
    assert watermark == first + timedelta(hours=1)

    proxy.down()
    with pg.engine.begin() as conn:
        conn.execute(insert(pg.tables["dossiers"]), [egov_row("F-3", first + timedelta(hours=2))])
    good.insert("dossiers", dossier("G-1"))
    with caplog.at_level(logging.WARNING):
        outcomes = {name: [r.outcome for r in ingestor.pull(source)] for name, source in sources.items()}
    assert outcomes == {
        "flaky": ["error"] * 2,
        "closed": ["error"] * 2,
        "hanging-pg": ["error"] * 2,
        "hanging-mariadb": ["error"] * 2,
        "good": ["ok", "ok"],
    }
    assert [r["native_code"] for r in sqlite_store.rows("dossiers", source="good")] == ["G-1"]
    hang_error = sqlite_store.state("hanging-pg", "dossiers")["last_error"]
    assert "timeout" in hang_error.lower()
    assert "timed out" in sqlite_store.state("hanging-mariadb", "dossiers")["last_error"]
    assert sqlite_store.state("flaky", "dossiers")["watermark"] == watermark  # kept while down
    for secret in ("pw-closed", "pw-hang", "pw-hang2"):
        assert secret not in caplog.text
        assert all(secret not in (s["last_error"] or "") for s in sqlite_store.states())

    # Back-off runs on the injected clock: no retry before 30 s, then the source resumes from its watermark.
    assert not ingestor.due_for_pull(sources["flaky"])
    clock.advance(timedelta(seconds=29))
    assert not ingestor.due_for_pull(sources["flaky"])
    clock.advance(timedelta(seconds=1))
    assert ingestor.due_for_pull(sources["flaky"])
    proxy.up()
    results = ingestor.pull(sources["flaky"])
    # F-2 is re-read at the watermark, unchanged: read, not stored; F-3 is new
    assert [(r.outcome, r.rows_read, r.rows_stored, r.rows_new) for r in results] == [("ok", 2, 1, 1), ("ok", 0, 0, 0)]
    assert [r["native_code"] for r in sqlite_store.rows("dossiers", source="flaky")] == ["F-1", "F-2", "F-3"]
    assert sqlite_store.state("flaky", "dossiers")["consecutive_failures"] == 0
    since = first - timedelta(days=30)
    assert_consistent(sqlite_store, [sources["flaky"], sources["good"]], since)  # 0 lost, 0 duplicated, rollups = raw
    proxy.down()
    pg.dispose()


def test_a_row_committed_late_with_an_older_updated_at_is_not_lost(sqlite_store, clock, settings, pg_schema_url):
    """The watermark stays a safety lag behind the source's own clock, so a transaction that stamped its
    rows before the last pull but committed after it is still read."""
    settings = settings.model_copy(update={"safety_lag_s": 60})
    pg = SourceDB(pg_schema_url, "egov_pg")
    table = pg.tables["dossiers"]
    with pg.engine.begin() as conn:
        server_now = conn.execute(select(func.now())).scalar_one()
        conn.execute(insert(table), [egov_row("EARLY-COMMIT", server_now - timedelta(seconds=10), "cuc-thue")])
    # Real server time is today's: the rows belong to an agency that still exists (the tax department).
    source = SourceConfig(name="egov", unit="cuc-thue", url=pg_schema_url, profile="egov_pg")
    ingestor = Ingestor(sqlite_store, clock, settings)
    ingestor.pull(source)
    watermark = sqlite_store.state("egov", "dossiers")["watermark"]
    assert server_now - timedelta(seconds=61) < watermark <= server_now - timedelta(seconds=59)
    with pg.engine.begin() as conn:  # stamped 20 s ago, i.e. before the row already pulled, committed only now
        conn.execute(insert(table), [egov_row("LATE-COMMIT", server_now - timedelta(seconds=20), "cuc-thue")])
    ingestor.pull(source)
    assert [r["native_code"] for r in sqlite_store.rows("dossiers")] == ["EARLY-COMMIT", "LATE-COMMIT"]
    pg.dispose()


def test_a_changed_cursor_definition_resets_the_state(sqlite_store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("C-1", received=START - timedelta(days=5)))
    source = SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1")
    ingestor = Ingestor(sqlite_store, clock, settings)
    ingestor.pull(source)
    with sqlite_store.begin() as conn:  # as if the profile had used another cursor column before
        sqlite_store.save_state(
            conn,
            "q1",
            "dossiers",
            cursor_definition="motcua_v1:hs_dossier:received_at:x",
            watermark=START + timedelta(days=1),
        )
    result = ingestor.pull(source)[0]
    assert (result.watermark_before, result.rows_read) == (None, 1)


def test_the_module_constants_point_at_the_local_servers():
    assert "127.0.0.1:5432" in PG_ADMIN_URL and "127.0.0.1:3306" in MARIADB_URL
