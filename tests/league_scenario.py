"""A hand-built city for the league page, its callbacks and the API: three districts with known numbers.

At AS_OF (Wed 27/11/2019 15:00), over 30 days:
- Quận 1 (760): 1 of 2 completed on time, 2 of 4 received online, one dossier overdue since Fri 22/11 and
  one not yet due; score (20 × 0.5 + 22) ÷ 42 × 100 = 76.19; previous period 100 (rank 1) → rank 3, ▼2.
- Quận 3 (770): 2 of 2 on time, all online → 100; previous period 22 ÷ 42 (rank 2) → rank 1 (tied), ▲1.
  Its own source was last pulled at 14:00: stale, ranked, marked "dữ liệu cũ từ 14:00 27/11".
- Quận 4 (773): 2 of 2 on time → 100, tied with Quận 3; no previous rank → "mới".
Every other district has no data: n/a, unranked, listed last. The store's history starts 30/07/2019 (Quận 1's
Q1-history, received and completed long before both periods), so the previous period (29/09 – 29/10) is covered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
THIS_WEEK = AS_OF - timedelta(days=9)
LAST_MONTH = AS_OF - timedelta(days=45)
HISTORY = AS_OF - timedelta(days=120)  # the store's first day: before the previous period, outside both windows
STALE_PULL = AS_OF - timedelta(hours=1)


def done(code: str, unit: str, received: datetime, late: bool = False) -> dict:
    """Due 5 days after receipt; completed after 3 days, or late after 6; filed fully online."""
    completed = received + timedelta(days=6 if late else 3)
    return dossier(
        code, unit=unit, received=received, days=5, status="completed", completed=completed, channel="online_full"
    )


def build(tmp_path, settings: Settings, clock: FixedClock) -> tuple[Services, list[SourceDB]]:
    """The services over a store pulled from two source databases: quan-1 (fresh) and quan-3 (stale)."""
    main_db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    q3_db = SourceDB(f"sqlite:///{tmp_path / 'quan-3.sqlite'}")
    main_db.insert(
        "dossiers",
        done("Q1-a", "760", THIS_WEEK),
        done("Q1-b", "760", THIS_WEEK, late=True),
        dossier("Q1-open", unit="760", received=AS_OF - timedelta(days=10), days=5),  # overdue since 22/11
        dossier("Q1-new", unit="760", received=AS_OF - timedelta(days=1), days=10),  # due 6/12
        done("Q1-old", "760", LAST_MONTH),
        done("Q1-history", "760", HISTORY),
        done("Q4-a", "773", THIS_WEEK),
        done("Q4-b", "773", THIS_WEEK),
    )
    q3_db.insert(
        "dossiers",
        done("Q3-a", "770", THIS_WEEK),
        done("Q3-b", "770", THIS_WEEK),
        done("Q3-old", "770", LAST_MONTH, late=True),
    )
    sources = [
        SourceConfig(name="quan-1", unit="quan-1", url=main_db.url, profile="motcua_v1", interval=60),
        SourceConfig(name="quan-3", unit="quan-3", url=q3_db.url, profile="motcua_v1", interval=60),
    ]
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = sources
    ingestor = Ingestor(services.store, clock, settings)
    clock.set(STALE_PULL)
    ingestor.pull(sources[1])
    clock.set(AS_OF)
    ingestor.pull(sources[0])
    return services, [main_db, q3_db]
