"""A small city for the briefing renderings: three sources (Quận 1, Quận 3, Sở Tư pháp) pulled at 15:00 on
27/11/2019, and its snapshot (period 30d) with the report made from it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.briefings.report import report
from dashboard.briefings.snapshot import load, take
from dashboard.core.clock import CITY_TZ
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from tests.factories import SourceDB, counting_every_dossier, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
DAY = timedelta(days=1)


def rows(unit: str, prefix: str, late: int, on_time: int, overdue: int, procedure: str = "HT-KH") -> list[dict]:
    """`late` completed after their due, `on_time` before it, `overdue` open past it, each received 10 days ago."""
    received = AS_OF - 10 * DAY
    made = [dossier(f"{prefix}-L{i}", unit=unit, received=received, days=3, status="completed",
                    completed=received + 5 * DAY, procedure=procedure) for i in range(late)]  # fmt: skip
    made += [dossier(f"{prefix}-T{i}", unit=unit, received=received, days=5, status="completed",
                     completed=received + 2 * DAY, procedure=procedure) for i in range(on_time)]  # fmt: skip
    made += [
        dossier(f"{prefix}-O{i}", unit=unit, received=received, days=3, procedure=procedure) for i in range(overdue)
    ]
    return made


def small_city(services, tmp_path, plan) -> tuple:
    """(services, snapshot id, body, report) of a city whose sources are `plan`: (name, unit, code, late, on time,
    overdue, procedure) each."""
    services.clock.set(AS_OF)
    sources = []
    for name, unit, code, late, on_time, overdue, procedure in plan:
        db = SourceDB(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
        db.insert("dossiers", *rows(code, name.upper(), late, on_time, overdue, procedure))
        sources.append(SourceConfig(name=name, unit=unit, url=db.url, profile="motcua_v1", interval=60))
    services.sources = sources
    ingestor = Ingestor(services.store, services.clock, services.settings, services.calendar)
    for source in sources:
        ingestor.pull(source)
    made = take(services, "30d", AS_OF, "test")
    body = load(services, made)
    meta = services.store.snapshots.meta(made)
    return services, made, body, report(body, meta["content_hash"])


@pytest.fixture
def briefing(services, tmp_path):
    """(services, snapshot id, body, report) of the small city."""
    services.index_config = counting_every_dossier(services.index_config)  # 10, 11 and 6 dossiers, ranked
    plan = (
        ("quan-1", "quan-1", "760", 1, 9, 0, "HT-KH"),  # 90 % on time, nothing overdue
        ("quan-3", "quan-3", "770", 4, 4, 3, "HT-KH"),  # 50 % on time, 3 of 3 in progress overdue: an alarm
        ("tu-phap", "so-tu-phap", "so-tu-phap", 0, 5, 1, "TP-LLTP"),
    )
    return small_city(services, tmp_path, plan)


@pytest.fixture
def below_the_minimum(services, tmp_path):
    """The small city under the index as configured (at least 20 dossiers): Quận 1 with 20 completed dossiers is
    scored, Quận 3 (8 completed of 11) and Sở Tư pháp (5 of 6) have not enough data."""
    plan = (
        ("quan-1", "quan-1", "760", 2, 18, 0, "HT-KH"),  # 18 of 20 on time, 0 of 20 online: 18 ÷ 42 × 100
        ("quan-3", "quan-3", "770", 4, 4, 3, "HT-KH"),
        ("tu-phap", "so-tu-phap", "so-tu-phap", 0, 5, 1, "TP-LLTP"),
    )
    return small_city(services, tmp_path, plan)
