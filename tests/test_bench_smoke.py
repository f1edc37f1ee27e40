"""A smoke run of the KPI benchmark (bench/kpi_rollups.py) at 50,000 dossiers: it finishes, prints its table,
and rollups and raw rows agree. No time threshold: a benchmark is not a test."""

from __future__ import annotations

import json

import pytest

from bench import first_viewer, kpi_rollups, load


@pytest.mark.slow
def test_kpi_benchmark_smoke_run(tmp_path, capsys):
    status = kpi_rollups.main(["--dossiers", "50000", "--out", str(tmp_path)])

    printed = capsys.readouterr().out
    assert status == 0, printed
    for line in ("from rollups", "from raw rows", "ratio (raw ÷ rollups)", "target: rollups < 50 ms"):
        assert line in printed
    figures = json.loads((tmp_path / "kpi_rollups.json").read_text("utf-8"))
    assert figures["agree"] is True and figures["mismatches"] == []
    assert (figures["dossiers"], figures["sources"], figures["units"]) == (50_000, 53, 53)
    assert not list(tmp_path.glob("*.sqlite")), "a store the run built is removed unless --keep"


@pytest.mark.slow
@pytest.mark.postgres
def test_backfill_benchmark_smoke_run(tmp_path, capsys):
    """bench/backfill.py at 3,000 rows: every row read and held, both rates, their ratio and both page forms printed."""
    from bench import backfill
    from tests.conftest import need_server

    need_server("PostgreSQL", 5432)
    status = backfill.main(["--rows", "3000", "--chunk", "500", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert status == 0, printed
    for line in (
        "raw psycopg SELECT *",
        "backfill (pull)",
        "ratio (backfill ÷ raw)",
        "floor: the rows written",
        "page mid-table, (c, k) > (x, y)",
    ):
        assert line in printed
    figures = json.loads((tmp_path / "backfill.json").read_text("utf-8"))
    assert (figures["outcome"], figures["rows_read"], figures["rows_held"], figures["rows_rejected"]) == (
        "ok",
        3000,
        3000,
        0,
    )
    assert (
        figures["raw_rows_per_s"] > 0 and figures["backfill_rows_per_s"] > 0 and figures["write_floor_rows_per_s"] > 0
    )


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        ("2026-12-02T09:13:00+00:00", "2026-12-02T07:30:00+07:00"),  # Wednesday 16:13 in the city: that morning
        ("2026-12-02T00:10:00+00:00", "2026-12-01T07:30:00+07:00"),  # Wednesday 07:10: not yet open, Tuesday's
        ("2026-12-05T03:00:00+00:00", "2026-12-04T07:30:00+07:00"),  # Saturday: Friday's
        ("2026-12-07T00:00:00+00:00", "2026-12-04T07:30:00+07:00"),  # Monday 07:00: the Friday before
        ("2026-12-07T00:30:00+00:00", "2026-12-07T07:30:00+07:00"),  # Monday 07:30 sharp: that morning
    ],
)
def test_load_benchmark_starts_its_offices_at_the_latest_opening(now, opening):
    """The CI run at 16:13 saw no data change in its second round: the simulated offices, started at the real time,
    closed at once (1200 × real time). They start at the opening of the latest working day that has opened."""
    from datetime import datetime

    from dashboard.core.workdays import WorkCalendar

    start = load.office_morning(datetime.fromisoformat(now), WorkCalendar.from_yaml())
    assert start == datetime.fromisoformat(opening) and str(start.tzinfo) == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("start", "real_s", "office_time"),
    [
        ("2026-12-04T16:30:00+07:00", 0.25, "2026-12-04T16:45:00+07:00"),  # Friday, within the afternoon
        ("2026-12-04T16:30:00+07:00", 1.0, "2026-12-07T08:00:00+07:00"),  # past closing: Monday's opening, on
        ("2026-12-04T11:00:00+07:00", 1.0, "2026-12-04T13:30:00+07:00"),  # over the lunch break
        ("2026-12-05T10:00:00+07:00", 0.5, "2026-12-07T08:00:00+07:00"),  # started on a Saturday: Monday
        ("2026-12-04T08:00:00+07:00", 9.0, "2026-12-07T09:00:00+07:00"),  # a whole office day (8 h) and one more
    ],
)
def test_the_load_benchmarks_offices_run_over_office_hours_only(monkeypatch, start, real_s, office_time):
    """A run's sequence (8, 50, 200 viewers) outlasts a simulated office day: its third round saw no data change
    at all, its offices closed for the night. Their clock goes on at the next opening (an office hour a real second
    here)."""
    from datetime import datetime

    from dashboard.core.workdays import WorkCalendar

    monotonic = [100.0]
    monkeypatch.setattr(load.time, "monotonic", lambda: monotonic[0])
    clock = load.OfficeClock(datetime.fromisoformat(start), 3600.0, WorkCalendar.from_yaml())
    monotonic[0] += real_s
    assert clock.now() == datetime.fromisoformat(office_time) and clock.now().tzinfo is not None


@pytest.mark.slow
@pytest.mark.redis
def test_load_benchmark_smoke_run(capsys):
    """bench/load.py with 1 and 3 viewers (the 3: two walls and a unit head's tile) for a few seconds against gunicorn
    and Redis: every poll answered, the data changed while they polled, and the table printed for both."""
    status = load.main(["--viewers", "1,3", "--seconds", "6", "--change-every", "1.5"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    rows = [json.loads(line) for line in printed.splitlines() if line.startswith('{"n"')]
    assert [(row["n"], row["walls"], row["tiles"]) for row in rows] == [(1, 1, 0), (3, 2, 1)]
    assert all(row["errors"] == 0 and row["polls"] > 0 and row["changes"] > 0 for row in rows), printed
    assert rows[1]["tile_p95"] > 0 and rows[1]["kib_per_new_key"] > 0, printed
    assert all(0 < row["server_p95"] < 30_000 for row in rows), printed  # the polls' times in gunicorn's access log
    assert "targets: p95 ≤ 250 ms, 0 errors" in printed


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_load_benchmark_smoke_run_on_a_postgresql_store(capsys):
    """bench/load.py on a PostgreSQL store (a schema of its own, dropped at the end): a wall and a tile, every poll answered."""
    from sqlalchemy import create_engine, text

    from tests.conftest import need_server

    need_server("PostgreSQL", 5432)
    status = load.main(["--viewers", "2", "--seconds", "5", "--change-every", "1.5", "--store", "postgresql"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    [row] = [json.loads(line) for line in printed.splitlines() if line.startswith('{"n"')]
    assert (row["store"], row["walls"], row["tiles"], row["errors"]) == ("postgresql", 1, 1, 0), printed
    assert row["polls"] > 0 and row["changes"] > 0, printed
    engine = create_engine(load.PG_URL)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench_load_%'")).scalar()
    engine.dispose()
    assert left == 0, "the run's schema is dropped"


@pytest.mark.slow
def test_first_viewer_benchmark_smoke_run(capsys):
    """bench/first_viewer.py on its small demo store, one run per case: every page's line printed, with its ratio."""
    assert first_viewer.main(["--runs", "1"]) == 0
    printed = capsys.readouterr().out
    for page in ("league, districts", "league, departments", "unit tile", "home page", "API /kpis"):
        assert any(line.startswith(page) and line.rstrip().endswith("≤ 50 ms") for line in printed.splitlines())
    assert "slowest first viewer:" in printed
