"""Drill-through lists: the dossiers behind each number, paginated."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import FilterError
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store.lists import dossier_condition as _condition
from dashboard.store.schema import dossiers
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
START = AS_OF - timedelta(days=30)


@pytest.fixture
def store_with_rows(store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    r = AS_OF - timedelta(days=10)
    db.insert(
        "dossiers",
        dossier("OPEN", received=AS_OF - timedelta(days=1), days=5),
        dossier("OVERDUE-1", received=r, days=3),
        dossier("OVERDUE-2", received=r, days=4, apology_at=r + timedelta(days=3)),
        dossier("LATE", received=r, days=2, status="completed", completed=r + timedelta(days=4)),
        dossier(
            "ON-TIME", received=r, days=5, status="completed", completed=r + timedelta(days=1), channel="online_partial"
        ),
        dossier("OTHER-UNIT", unit="770", received=r, days=3),
    )
    clock.set(AS_OF)
    Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1"))
    return store


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("in_progress", ["OVERDUE-1", "OVERDUE-2", "OPEN"]),  # oldest due first
        ("overdue", ["OVERDUE-1", "OVERDUE-2"]),
        ("overdue_no_apology", ["OVERDUE-1"]),
        ("received", ["OPEN", "ON-TIME", "OVERDUE-2", "OVERDUE-1", "LATE"]),  # newest received first, then newest id
        ("online", ["ON-TIME"]),
        ("completed", ["ON-TIME", "LATE"]),
        ("on_time", ["ON-TIME"]),
        ("late", ["LATE"]),
        ("late_no_apology", ["OVERDUE-1", "LATE"]),
    ],
)
def test_each_filter_lists_exactly_its_dossiers(store_with_rows, name, codes):
    page = store_with_rows.lists.page("quan-1", name, AS_OF, START)
    assert sorted(r["native_code"] for r in page.rows) == sorted(codes)
    if name in ("in_progress", "overdue"):
        assert [r["native_code"] for r in page.rows][-1] == codes[-1]
    assert page.total == len(codes)


def test_pages_and_procedure_names(store_with_rows):
    first = store_with_rows.lists.page("quan-1", "received", AS_OF, START, page=1, page_size=2)
    third = store_with_rows.lists.page("quan-1", "received", AS_OF, START, page=3, page_size=2)
    assert (first.total, first.pages, len(first.rows), len(third.rows)) == (5, 3, 2, 1)
    assert first.rows[0]["native_code"] == "OPEN" and first.rows[0]["procedure_name_vi"] == "Đăng ký kết hôn"
    with pytest.raises(FilterError, match="unknown filter 'nope'"):
        store_with_rows.lists.page("quan-1", "nope", AS_OF)


def test_late_procedures_count_completed_late_and_overdue(store_with_rows):
    rows = store_with_rows.lists.late_procedures("quan-1", AS_OF, START)
    assert [(r["procedure_code"], r["late"]) for r in rows] == [("HT-KH", 3)]


def test_unit_days_series_and_feedback_points(store_with_rows):
    first = (AS_OF - timedelta(days=10)).date()
    opening, days = store_with_rows.series.unit_days("quan-1", first, first + timedelta(days=9))
    assert opening == 0
    assert [(d["received"], d["closed"], d["in_progress"]) for d in days if d["received"] or d["closed"]] == [
        (4, 0, 4),
        (0, 1, 3),
        (0, 1, 2),
        (1, 0, 3),
    ]  # 17/11: four; 18/11 ON-TIME; 21/11 LATE; 26/11 OPEN
    assert len(days) == 10
    assert store_with_rows.series.feedback_points(START, AS_OF) == []


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("late_total", ["OVERDUE-1", "OVERDUE-2", "LATE"]),
        ("late_with_apology", ["OVERDUE-2"]),
        ("online_full", []),
        ("rated", []),
    ],
)
def test_the_apology_and_other_filters(store_with_rows, name, codes):
    page = store_with_rows.lists.page("quan-1", name, AS_OF, START)
    assert sorted(r["native_code"] for r in page.rows) == sorted(codes)


def test_a_procedure_narrows_a_list_and_feedback_lists_have_their_filters(store_with_rows):
    assert store_with_rows.lists.page("quan-1", "late_total", AS_OF, START, procedure="HT-KH").total == 3
    assert store_with_rows.lists.page("quan-1", "late_total", AS_OF, START, procedure="TP-LLTP").total == 0
    assert store_with_rows.lists.feedback_page("quan-1", "open", AS_OF, START).total == 0
    with pytest.raises(FilterError, match="unknown filter 'late'"):
        store_with_rows.lists.feedback_page("quan-1", "late", AS_OF)


def plan_of(store, statement) -> str:
    """The query plan of `statement` as text, run as the app runs it (PostgreSQL: with sequential scans off,
    since tables this small are read whole; what matters is which index can serve)."""
    sqlite = store.engine.dialect.name == "sqlite"

    def explain(_conn, _cursor, sql, parameters, _context, _executemany):
        return ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql, parameters

    with store.engine.begin() as conn:
        if not sqlite:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        event.listen(conn, "before_cursor_execute", explain, retval=True)
        return str(conn.execute(statement).all())


def test_the_overdue_list_reads_the_partial_index_of_open_dossiers(store_with_rows):
    """The index's condition is matched only when a query states it literally (`schema.open_status`)."""
    where = (dossiers.c.unit_key == "quan-1") & _condition("overdue", AS_OF, None)
    statement = select(func.count()).select_from(dossiers).where(where)
    with store_with_rows.engine.connect() as conn:
        assert conn.execute(statement).scalar_one() == 2  # OVERDUE-1, OVERDUE-2
    plan = plan_of(store_with_rows, statement)
    assert "ix_dossiers_open_unit_due" in plan, plan


def test_a_units_completions_in_a_window_read_the_unit_completed_at_index(store_with_rows):
    where = (dossiers.c.unit_key == "quan-1") & _condition("late", AS_OF, START)
    statement = select(func.count()).select_from(dossiers).where(where)
    with store_with_rows.engine.connect() as conn:
        assert conn.execute(statement).scalar_one() == 1  # LATE
    if store_with_rows.engine.dialect.name == "sqlite":  # PostgreSQL picks by its statistics, as it should
        plan = plan_of(store_with_rows, statement)
        assert "ix_dossiers_unit_key_completed_at (unit_key=? AND completed_at>? AND completed_at<?)" in plan, plan


def test_the_due_soon_list_holds_exactly_the_open_dossiers_of_the_due_soon_bucket(store, clock, settings, tmp_path):
    from dashboard.core.workdays import default_calendar
    from dashboard.metrics.ageing import ageing_bucket, ageing_cutoffs

    cut = ageing_cutoffs(AS_OF, default_calendar())
    until, received = cut.due_soon_until, AS_OF - timedelta(days=3)

    def due(code: str, at: datetime, **extra) -> dict:
        return {**dossier(code, received=received, **extra), "due_original_at": at, "due_current_at": at}

    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert(
        "dossiers",
        due("AT-UNTIL", until),
        due("AT-AS-OF", AS_OF),
        due("TOMORROW", AS_OF + timedelta(days=1)),
        due("AFTER-UNTIL", until + timedelta(minutes=1)),
        due("OVERDUE", AS_OF - timedelta(minutes=1)),
        due("DONE", AS_OF + timedelta(days=1), status="completed", completed=AS_OF - timedelta(hours=1)),
        due("OTHER-UNIT", AS_OF + timedelta(days=1), unit="770"),
    )
    clock.set(AS_OF)
    Ingestor(store, clock, settings).pull(SourceConfig(name="q1", unit="quan-1", url=db.url, profile="motcua_v1"))
    page = store.lists.due_soon("quan-1", AS_OF, until, page_size=2)
    assert ([r["native_code"] for r in page.rows], page.total) == (["AT-AS-OF", "TOMORROW"], 3)
    listed = store.lists.due_soon("quan-1", AS_OF, until).rows
    open_rows = store.lists.page("quan-1", "in_progress", AS_OF).rows
    assert [r["native_code"] for r in listed] == ["AT-AS-OF", "TOMORROW", "AT-UNTIL"]
    assert listed == [r for r in open_rows if ageing_bucket(r["due_original_at"], cut) == "due_soon"]
