"""The demo's preparation: every simulated database is pulled into the store, and live ticks move numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

from dashboard import demo
from dashboard.core.clock import FixedClock
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.pages.kpis import unit_kpis
from tests.conftest import MARIADB_URL, PG_ADMIN_URL, START, need_server


def test_prepare_pulls_all_24_districts_and_the_departments_then_ticks_add_rows(tmp_path):
    base = Settings(data_dir=tmp_path)
    simulated = demo.simulator(base, scale=0.01, seed=7)
    prepared = demo.prepare(base, simulated, START, history_days=5)
    services = prepared.services
    states = services.store.states()
    assert len(services.sources) == 41
    assert {s.profile for s in services.sources} == set(demo.PROFILES)
    assert {s["source"] for s in states} == {s.name for s in services.sources}
    assert all(s["last_error"] is None and s["last_good_pull_at"] is not None for s in states)
    kpis = unit_kpis(services.store, services.calendar, "30d", START)
    districts = {u["key"] for u in services.store.units() if u["kind"] == "district" and u["key"] != "tp-thu-duc"}
    assert districts <= set(kpis)
    assert services.store.rejected() == []
    before = services.store.count("dossiers")
    counts = simulated.advance(START + timedelta(hours=3))
    assert counts["dossiers_new"] > 0
    ingestor = Ingestor(services.store, FixedClock(START + timedelta(hours=3, minutes=5)), services.settings)
    for source in services.sources:
        ingestor.pull(source)
    assert services.store.count("dossiers") == before + counts["dossiers_new"]


def test_the_demo_reads_its_server_profiles_from_mariadb_and_postgresql_when_urls_are_given(tmp_path):
    need_server("MariaDB", 3306)
    need_server("PostgreSQL", 5432)
    base = Settings(data_dir=tmp_path)
    simulated = demo.simulator(base, scale=0.01, seed=7)
    prepared = demo.prepare(
        base,
        simulated,
        START,
        history_days=2,
        mariadb_url=MARIADB_URL,
        postgres_url=PG_ADMIN_URL,
        mirror_prefix=f"t{uuid.uuid4().hex[:8]}_",
    )
    try:
        schemes = {s.profile: s.url.split(":")[0] for s in prepared.services.sources}
        assert schemes == {
            "hscv_mariadb": "mysql+pymysql",
            "egov_pg": "postgresql+psycopg",
            "motcua_v1": "sqlite",
            "legacy_sqlite": "sqlite",
        }
        states = prepared.services.store.states()
        assert len(states) == 82 and all(s["last_error"] is None for s in states)
        assert prepared.services.store.rejected() == []
    finally:
        prepared.mirror.drop()
        simulated.close()
