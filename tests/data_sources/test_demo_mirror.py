"""The demo on real servers: mirrored MariaDB and PostgreSQL sources read exactly like their SQLite originals."""

from __future__ import annotations

import uuid
from datetime import timedelta

from dashboard.core.clock import FixedClock
from dashboard.core.reference import load_procedures, load_units
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store
from data_sources.demo import Simulator
from data_sources.demo.mirror import Mirror
from tests.conftest import MARIADB_URL, PG_ADMIN_URL, START, need_server

PROFILES = {"quan-1": "hscv_mariadb", "quan-3": "egov_pg", "quan-4": "motcua_v1"}


def test_mirrored_sources_give_the_same_rows_as_the_sqlite_files(tmp_path, settings):
    need_server("MariaDB", 3306)
    need_server("PostgreSQL", 5432)
    units = [u for u in load_units() if u["key"] in PROFILES]
    simulator = Simulator(tmp_path / "sim", seed=3, scale=0.02, units=units, profile_for=PROFILES.get)
    simulator.build(START, history_days=4)
    mirror = Mirror(
        simulator.sources, mariadb_url=MARIADB_URL, postgres_url=PG_ADMIN_URL, prefix=f"t{uuid.uuid4().hex[:8]}_"
    )
    try:
        mirror.create()
        first = mirror.sync()
        simulator.advance(START + timedelta(hours=2))
        later = mirror.sync()
        assert set(mirror.targets) == {"quan-1", "quan-3"} and first > 0 and later > 0
        clock = FixedClock(START + timedelta(hours=2, minutes=5))
        stores = {}
        for label, url_of in (("files", lambda s: s.url), ("servers", mirror.url_for)):
            store = Store(f"sqlite:///{tmp_path / f'{label}.sqlite'}")
            store.migrate()
            store.seed_reference(load_units(), load_procedures())
            assert store.hold_lease("tests").acquire()
            ingestor = Ingestor(store, clock, settings)
            for source in simulator.sources:
                config = SourceConfig(
                    name=source.name, unit=source.unit_key, url=url_of(source), profile=source.profile
                )
                assert all(r.outcome == "ok" for r in ingestor.pull(config)), url_of(source)
            stores[label] = store
        assert mirror.url_for(simulator.sources[0]).startswith("mysql+pymysql://")

        def content(store):
            return {
                stream: [{k: v for k, v in row.items() if k not in ("id", "ingested_at")} for row in store.rows(stream)]
                for stream in ("dossiers", "feedback")
            }

        assert content(stores["servers"]) == content(stores["files"])
        assert len(content(stores["files"])["dossiers"]) > 10
    finally:
        mirror.drop()
        simulator.close()
