"""The command line: `check` gives one line per source; `ingest --once` pulls and reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib import resources

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.ingest.sources_file import write_sources
from dashboard.store import Store
from tests.factories import SourceDB, dossier


@pytest.fixture(autouse=True)
def confirmed_calendar(tmp_path, monkeypatch):
    """`check` reads the real clock: a holiday file with a (test) decision for the years around today keeps its
    calendar warning out of the exact outputs below (the warning has tests of its own)."""
    year = date.today().year
    path = tmp_path / "holidays-confirmed.yaml"
    path.write_text("".join(f"{y}:\n  decision: a test decision\n" for y in (year - 1, year, year + 1)), "utf-8")
    monkeypatch.setenv("CCHC_HOLIDAYS_FILE", str(path))
    return path


def test_check_on_todays_date_warns_about_a_year_without_a_decision(tmp_path, monkeypatch):
    year = date.today().year  # the real date: next year has no decision in this file
    path = tmp_path / "holidays-next-year-open.yaml"
    path.write_text("".join(f"{y}:\n  decision: a test decision\n" for y in (year - 1, year)), "utf-8")
    monkeypatch.setenv("CCHC_HOLIDAYS_FILE", str(path))
    monkeypatch.setenv("CCHC_LANGUAGE", "en")
    write_sources(tmp_path / "sources.yaml", [])
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"])
    warning = [line for line in result.output.splitlines() if line.startswith("WARN  the working-day calendar")]
    assert warning == [
        f"WARN  the working-day calendar for {year + 1} is unconfirmed: no holiday decision is recorded, so its days"
        " off are an estimate (due dates, processing times and ageing may be wrong) — add the decision to"
        f" {path}"
    ]
    assert result.exit_code == 0, result.output  # a warning, not a failure


def test_check_reaches_each_source_one_line_each_and_hides_passwords(tmp_path):
    good = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "quan-1", "unit": "quan-1", "url": good.url, "profile": "motcua_v1"},
            {
                "name": "quan-3",
                "unit": "quan-3",
                "url": "postgresql+psycopg://reader:hunter2@127.0.0.1:9/x",
                "profile": "motcua_v1",
            },
        ],
    )
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert lines[0] == f"settings OK; 2 sources in {tmp_path / 'sources.yaml'}"
    assert lines[1].startswith("OK    quan-1 ")
    assert lines[2].startswith("FAIL  quan-3 ") and "OperationalError" in lines[2]
    assert lines[3] == "Không có tiến trình ghi: chưa chạy `ingest`, số liệu không được cập nhật"  # no store yet
    assert len(lines) == 4
    assert "hunter2" not in result.output


def test_check_names_the_file_source_and_field_of_a_bad_config(tmp_path):
    (tmp_path / "sources.yaml").write_text("sources:\n  - {name: q, unit: quan-1, url: 'sqlite:///x'}\n", "utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'sources.yaml'}: source #1 (q), field profile: Field required" in result.output


def test_ingest_once_pulls_every_source(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("A1"), dossier("A2"))
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 rows stored; 0 of 1 sources failed" in result.output
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once", "--source", "quan-9"])
    assert result.exit_code == 1
    assert "no source named 'quan-9'" in result.output


def test_ingest_replay_rejected_stores_rows_once_the_mapping_accepts_them(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("OK-1"), dossier("LATE-UNIT", unit="quan-99"))
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    runner = CliRunner()
    runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--replay-rejected"])
    assert result.output == "quan-1: 0 rows stored, 1 still rejected\n"
    packaged = resources.files("dashboard").joinpath("data/units.csv").read_text("utf-8")
    units = tmp_path / "units.csv"  # the fix: the unit becomes known
    units.write_text(packaged + "quan-99,799,district,Quận 99,District 99,99,hcmc,,,10.8,106.7,1\n", "utf-8")
    result = runner.invoke(
        main, ["--data-dir", str(tmp_path), "ingest", "--replay-rejected"], env={"CCHC_UNITS_FILE": str(units)}
    )
    assert result.output == "quan-1: 1 rows stored, 0 still rejected\n"
    result = runner.invoke(
        main, ["--data-dir", str(tmp_path), "ingest", "--replay-rejected"], env={"CCHC_UNITS_FILE": str(units)}
    )
    assert result.output == ""


def test_rebuild_rollups_after_a_calendar_change(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    received = datetime(2019, 11, 25, 9, tzinfo=CITY_TZ)  # Monday; done Wednesday afternoon: 2 days
    db.insert(
        "dossiers",
        dossier("C-1", received=received, status="completed", completed=received + timedelta(days=2, hours=6)),
    )
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    runner = CliRunner()
    runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    holidays = tmp_path / "holidays.yaml"  # Tuesday 26/11/2019 becomes a day off
    holidays.write_text("2019:\n  days_off: [2019-11-26]\n  makeup_days: []\n", "utf-8")
    result = runner.invoke(
        main, ["--data-dir", str(tmp_path), "rebuild-rollups"], env={"CCHC_HOLIDAYS_FILE": str(holidays)}
    )
    assert result.exit_code == 0, result.output
    assert "Rollups rebuilt from 1 rows." in result.output
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert [r["processing_half_days"] for r in store.rows("dossiers")] == [2]
    assert store.rollups.processing_histogram(received.date(), received.date() + timedelta(days=3)) == [
        ("quan-1", 2, 1)
    ]


def test_check_shows_what_the_store_knows_of_each_source(tmp_path):
    good = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    good.insert("dossiers", dossier("A1"), dossier("BAD", unit="quan-99"))
    write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "quan-1", "unit": "quan-1", "url": good.url, "profile": "motcua_v1"},
            {
                "name": "quan-3",
                "unit": "quan-3",
                "url": "postgresql+psycopg://reader:hunter2@127.0.0.1:9/x",
                "profile": "motcua_v1",
            },
        ],
    )
    runner = CliRunner()
    runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "check"], env={"CCHC_LANGUAGE": "en"})
    lines = result.output.splitlines()
    assert lines[1].startswith("OK    quan-1 ")
    assert lines[2].startswith("      last good pull ") and lines[2].endswith(
        ", 1 rows held, 2 rows read, 1 rejected rows"
    )
    assert lines[3].startswith("FAIL  quan-3 ")
    assert lines[4] == "      never pulled successfully"
    assert lines[5].startswith("      error: The source server refused the connection — OperationalError")
    assert lines[6].startswith("      next retry ") and lines[6].endswith("(1 failures in a row)")
    assert "hunter2" not in result.output


def _drifted_and_intact(tmp_path):
    """Two SQLite sources on motcua_v1: quan-1 intact, quan-3 with the cursor renamed and the feedback table gone."""
    intact = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    drifted = SourceDB(f"sqlite:///{tmp_path / 'q3.sqlite'}")
    intact.insert("dossiers", dossier("A1"))
    drifted.insert("dossiers", dossier("B1"))
    with drifted.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE hs_dossier RENAME COLUMN updated_at TO updated")
        conn.exec_driver_sql("DROP TABLE pa_feedback")
    write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "quan-1", "unit": "quan-1", "url": intact.url, "profile": "motcua_v1"},
            {"name": "quan-3", "unit": "quan-3", "url": drifted.url, "profile": "motcua_v1"},
        ],
    )
    return intact, drifted


def test_check_is_ok_and_exits_0_when_every_mapped_column_is_there(tmp_path):
    intact, _ = _drifted_and_intact(tmp_path)
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": intact.url, "profile": "motcua_v1"}]
    )
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"settings OK; 1 sources in {tmp_path / 'sources.yaml'}",
        f"OK    {'quan-1':<28} {'motcua_v1':<14} {intact.url}",
        "Không có tiến trình ghi: chưa chạy `ingest`, số liệu không được cập nhật",
    ]


def test_check_fails_naming_each_missing_column_and_table_of_a_reachable_source(tmp_path):
    intact, _ = _drifted_and_intact(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "check"], env={"CCHC_LANGUAGE": "en"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"settings OK; 2 sources in {tmp_path / 'sources.yaml'}",
        f"OK    {'quan-1':<28} {'motcua_v1':<14} {intact.url}",
        f"FAIL  {'quan-3':<28} {'motcua_v1':<14} dossiers: column updated_at is missing (mapped to source_updated_at)",
        f"FAIL  {'quan-3':<28} {'motcua_v1':<14} feedback: table pa_feedback does not exist",
        "No writer: `ingest` is not running, the figures are not updated",
    ]
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "check"], env={"CCHC_LANGUAGE": "vi"})
    assert result.exit_code == 1
    assert result.output.splitlines()[2:] == [
        f"FAIL  {'quan-3':<28} {'motcua_v1':<14} dossiers: thiếu cột updated_at (ánh xạ sang trường source_updated_at)",
        f"FAIL  {'quan-3':<28} {'motcua_v1':<14} feedback: không có bảng pa_feedback",
        "Không có tiến trình ghi: chưa chạy `ingest`, số liệu không được cập nhật",
    ]


def test_check_says_who_holds_the_writer_lease(tmp_path):
    intact, _ = _drifted_and_intact(tmp_path)
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": intact.url, "profile": "motcua_v1"}]
    )
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.migrate()
    clock = FixedClock(datetime(2030, 1, 2, 3, 4, tzinfo=CITY_TZ))  # a lease far in the future: still held
    assert store.hold_lease("ops-host:4242:abcdef", 60, clock.now).acquire()
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"], env={"CCHC_LANGUAGE": "en"})
    assert result.output.splitlines()[-1] == (
        "Writer: ops-host:4242:abcdef (token 1), renewed 03:04 02/01/2030, lease until 03:05 02/01/2030"
    )
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    assert result.exit_code == 1 and "ops-host:4242:abcdef holds the writer lease (token 1)" in result.output
    store.lease.release()
    store.dispose()


def test_verify_finds_nothing_on_a_healthy_store_and_names_what_is_lost_or_miscounted(tmp_path):
    from sqlalchemy import delete, update

    from dashboard.store.schema import dossiers, roll_dossier_day

    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("A1"), dossier("A2"), dossier("BAD", unit="quan-99"))
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    runner = CliRunner()
    runner.invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "verify", "--hours", "1000000"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"OK    {'roll_dossier_day':<22} 1 rows equal a recount from the raw rows"  # the day both came
    assert len([line for line in lines if line.startswith("OK    roll_")]) == 7
    assert lines[7].startswith("OK    quan-1/dossiers") and lines[7].endswith(
        ": 3 at the source, 2 stored, 1 rejected, 0 missing, 0 gone at the source"
    )
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with store.engine.begin() as conn:  # an incident: a stored row lost, a rollup counted twice
        conn.execute(delete(dossiers).where(dossiers.c.native_code == "A2"))
        conn.execute(update(roll_dossier_day).values(received=roll_dossier_day.c.received * 2))
    store.dispose()
    result = runner.invoke(main, ["--data-dir", str(tmp_path), "verify", "--hours", "1000000"])
    assert result.exit_code == 1
    assert "DIFF  roll_dossier_day" in result.output and "LOST  quan-1/dossiers" in result.output
    assert "      missing: A2" in result.output.splitlines()


def test_ingest_once_fails_naming_a_source_whose_every_row_was_rejected(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", dossier("BAD-1", unit="quan-99"), dossier("BAD-2", unit="quan-99"))
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "ingest", "--once"])
    assert result.exit_code == 1
    assert "0 rows stored; 1 of 1 sources failed or rejected every row" in result.output
    assert "quan-1/dossiers: all 2 rows read were rejected" in result.output
