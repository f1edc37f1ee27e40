"""The command line: `check` gives one line per source; `ingest --once` pulls and reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources

from click.testing import CliRunner

from dashboard.cli import main
from dashboard.core.clock import CITY_TZ
from dashboard.ingest.sources_file import write_sources
from dashboard.store import Store
from tests.factories import SourceDB, dossier


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
    assert len(lines) == 3
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
    assert lines[2].startswith("      last good pull ") and lines[2].endswith(", 1 rows, 1 rejected rows")
    assert lines[3].startswith("FAIL  quan-3 ")
    assert lines[4] == "      never pulled successfully"
    assert lines[5].startswith("      error: The source server refused the connection — OperationalError")
    assert lines[6].startswith("      next retry ") and lines[6].endswith("(1 failures in a row)")
    assert "hunter2" not in result.output
