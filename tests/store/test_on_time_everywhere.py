"""The on-time rule (`rules.is_on_time` / `rules.on_time_sql`: completed or refused at or before the original due,
with at most `rules.MAX_SUPPLEMENT_REQUESTS` supplement requests) is read by every figure that counts on-time
and late dossiers: (a) the rollups kept at ingest, (b) the set-based rebuild of the rollups, (c) the recount
from raw rows, and (d) the drill-through lists. One set of hand-built dossiers gives the same exact numbers
from each, on SQLite and PostgreSQL, and when the limit is changed they all move together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from dashboard.core import rules
from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages.kpis import unit_kpis
from dashboard.store.schema import ROLLUP_TABLES, dossiers, roll_dossier_day, roll_dossier_detail, source_state
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
START = AS_OF - timedelta(days=30)
UNIT = "quan-1"
R = AS_OF - timedelta(days=10)  # every dossier's receipt; its original due is 5 days later (factories.dossier)
DUE = R + timedelta(days=5)


def rows() -> list[dict]:
    return [
        dossier("OT-1REQ", received=R, status="completed", completed=R + timedelta(days=1), supplements=1),
        dossier("EARLY-2REQ", received=R, status="completed", completed=R + timedelta(days=1), supplements=2),
        dossier("AT-DUE-2REQ", received=R, status="completed", completed=DUE, supplements=2),
        dossier("EARLY-3REQ", received=R, status="completed", completed=R + timedelta(days=2), supplements=3),
        dossier("LATE", received=R, status="completed", completed=DUE + timedelta(days=2)),
        dossier("LATE-2REQ", received=R, status="completed", completed=DUE + timedelta(seconds=1), supplements=2),
        dossier("REFUSED-OT", received=R, status="refused", completed=R + timedelta(days=2)),
        dossier("OPEN", received=AS_OF - timedelta(days=1), supplements=2),  # not completed: in neither list
        dossier("WITHDRAWN", received=R, status="withdrawn", updated=R + timedelta(days=1)),  # closed, not done
    ]


COMPLETED = {"OT-1REQ", "EARLY-2REQ", "AT-DUE-2REQ", "EARLY-3REQ", "LATE", "LATE-2REQ", "REFUSED-OT"}
ON_TIME_AT_1 = {"OT-1REQ", "REFUSED-OT"}
ON_TIME_AT_2 = ON_TIME_AT_1 | {"EARLY-2REQ", "AT-DUE-2REQ"}


def pull(store, clock, settings, db: SourceDB) -> None:
    clock.set(AS_OF)
    Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit=UNIT, url=db.url, profile="motcua_v1"))


def forget_everything_ingested(store) -> None:
    """An empty store again (reference data kept), so that the next pull recomputes every contribution."""
    with store.begin() as conn:
        for table in (*ROLLUP_TABLES, dossiers, source_state):
            conn.execute(delete(table))


def from_rollups(store) -> dict[str, int]:
    """On time and late from the rollup tables as they stand, and from the KPIs that read them."""
    with store.engine.connect() as conn:
        day = conn.execute(
            select(func.sum(roll_dossier_day.c.completed_on_time), func.sum(roll_dossier_day.c.completed)).where(
                roll_dossier_day.c.unit_key == UNIT
            )
        ).one()
        detail = conn.execute(
            select(func.sum(roll_dossier_detail.c.completed_on_time), func.sum(roll_dossier_detail.c.completed)).where(
                roll_dossier_detail.c.unit_key == UNIT
            )
        ).one()
    kpis = unit_kpis(store, default_calendar(), "30d", AS_OF)[UNIT]
    return {
        "day_on_time": int(day[0]),
        "day_late": int(day[1] - day[0]),
        "detail_on_time": int(detail[0]),
        "detail_late": int(detail[1] - detail[0]),
        "kpi_on_time": kpis.on_time.numerator,
        "kpi_late": kpis.late,
        "kpi_completed": kpis.completed,
    }


def from_raw(store) -> dict[str, int]:
    kpis = unit_kpis(store, default_calendar(), "30d", AS_OF, source="raw")[UNIT]
    return {"kpi_on_time": kpis.on_time.numerator, "kpi_late": kpis.late, "kpi_completed": kpis.completed}


def from_lists(store) -> dict[str, object]:
    on_time = store.lists.page(UNIT, "on_time", AS_OF, START)
    late = store.lists.page(UNIT, "late", AS_OF, START)
    by_procedure = store.lists.late_procedures(UNIT, AS_OF, START)  # late in the window + overdue now (none)
    return {
        "on_time": {r["native_code"] for r in on_time.rows},
        "on_time_total": on_time.total,
        "late": {r["native_code"] for r in late.rows},
        "late_total": late.total,
        "late_by_procedure": [(r["procedure_code"], r["late"]) for r in by_procedure],
    }


def expected_rollups(on_time: set[str]) -> dict[str, int]:
    n, late = len(on_time), len(COMPLETED) - len(on_time)
    return {
        "day_on_time": n,
        "day_late": late,
        "detail_on_time": n,
        "detail_late": late,
        "kpi_on_time": n,
        "kpi_late": late,
        "kpi_completed": len(COMPLETED),
    }


def expected_raw(on_time: set[str]) -> dict[str, int]:
    return {"kpi_on_time": len(on_time), "kpi_late": len(COMPLETED) - len(on_time), "kpi_completed": len(COMPLETED)}


def expected_lists(on_time: set[str]) -> dict[str, object]:
    late = COMPLETED - on_time
    return {
        "on_time": on_time,
        "on_time_total": len(on_time),
        "late": late,
        "late_total": len(late),
        "late_by_procedure": [("HT-KH", len(late))],
    }


@pytest.fixture
def db(tmp_path):
    source = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    source.insert("dossiers", *rows())
    yield source
    source.dispose()


def test_every_figure_reads_the_one_on_time_rule(store, clock, settings, db, monkeypatch):
    pull(store, clock, settings, db)
    assert {r["native_code"] for r in store.rows("dossiers")} == COMPLETED | {"OPEN", "WITHDRAWN"}

    # --- the rule as shipped: at most one supplement request -------------------------------------------
    assert rules.MAX_SUPPLEMENT_REQUESTS == 1
    assert {r["native_code"] for r in store.rows("dossiers") if rules.is_on_time(r)} == ON_TIME_AT_1
    assert from_rollups(store) == expected_rollups(ON_TIME_AT_1)  # (a) kept at ingest
    assert expected_rollups(ON_TIME_AT_1)["kpi_on_time"] == 2 and expected_rollups(ON_TIME_AT_1)["kpi_late"] == 5
    store.rollups.rebuild(default_calendar())
    assert from_rollups(store) == expected_rollups(ON_TIME_AT_1)  # (b) rebuilt
    assert from_raw(store) == expected_raw(ON_TIME_AT_1)  # (c) raw recount
    assert from_lists(store) == expected_lists(ON_TIME_AT_1)  # (d) drill-through lists
    assert from_lists(store)["late"] == {"EARLY-2REQ", "AT-DUE-2REQ", "EARLY-3REQ", "LATE", "LATE-2REQ"}

    # --- the limit raised to two requests: every reader moves with it ---------------------------------
    monkeypatch.setattr(rules, "MAX_SUPPLEMENT_REQUESTS", 2)
    assert {r["native_code"] for r in store.rows("dossiers") if rules.is_on_time(r)} == ON_TIME_AT_2
    assert from_raw(store) == expected_raw(ON_TIME_AT_2)  # (c) reads the rows at once
    assert from_lists(store) == expected_lists(ON_TIME_AT_2)  # (d) likewise
    stale = from_rollups(store)  # stored counters keep the old rule until they are recomputed …
    assert (stale["day_on_time"], stale["detail_on_time"]) == (2, 2)
    store.rollups.rebuild(default_calendar())
    assert from_rollups(store) == expected_rollups(ON_TIME_AT_2)  # (b) … by a rebuild
    forget_everything_ingested(store)
    for source in ("rollups", "raw"):  # nothing left to count
        assert unit_kpis(store, default_calendar(), "30d", AS_OF, source=source) == {}
    pull(store, clock, settings, db)
    assert from_rollups(store) == expected_rollups(ON_TIME_AT_2)  # (a) … or by ingesting the rows again
    assert expected_rollups(ON_TIME_AT_2)["kpi_on_time"] == 4 and expected_rollups(ON_TIME_AT_2)["kpi_late"] == 3
    assert from_raw(store) == expected_raw(ON_TIME_AT_2)
    assert from_lists(store) == expected_lists(ON_TIME_AT_2)
    assert from_lists(store)["late"] == {"EARLY-3REQ", "LATE", "LATE-2REQ"}
