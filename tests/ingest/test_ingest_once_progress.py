"""`ingest --once` on a terminal draws each stream's progress on one line, redrawn in place after every chunk."""

from __future__ import annotations

import re
from datetime import timedelta

from click.testing import CliRunner

from dashboard import cli
from dashboard.ingest import progress
from dashboard.ingest.progress import PullProgress, TerminalLine
from dashboard.ingest.sources_file import write_sources
from tests.conftest import START
from tests.factories import SourceDB, dossier


def test_ingest_once_on_a_terminal_draws_a_progress_line_per_stream(tmp_path, monkeypatch):
    db = SourceDB(f"sqlite:///{tmp_path / 'q1.sqlite'}")
    db.insert("dossiers", *[dossier(f"D{i:03}", updated=START - timedelta(days=3, minutes=-i)) for i in range(250)])
    write_sources(
        tmp_path / "sources.yaml", [{"name": "quan-1", "unit": "quan-1", "url": db.url, "profile": "motcua_v1"}]
    )
    monkeypatch.setattr(progress, "on_terminal", lambda: True)
    result = CliRunner().invoke(
        cli.main, ["--data-dir", str(tmp_path), "ingest", "--once"], env={"CCHC_CHUNK_SIZE": "100"}
    )
    assert result.exit_code == 0, result.output
    assert "250 rows stored; 0 of 1 sources failed" in result.stdout
    drawn = [re.sub(r"[\d,]+ rows/s", "R rows/s", part) for part in result.stderr.split("\r")]
    assert drawn == [
        "",
        "quan-1/dossiers [#########...............] 100 of ~250 rows read (40.0%), R rows/s\x1b[K",
        "quan-1/dossiers [###################.....] 200 of ~250 rows read (80.0%), R rows/s\x1b[K",
        "quan-1/dossiers [########################] 250 of ~250 rows read (100.0%), R rows/s\x1b[K\n",
    ]
    db.dispose()


def test_the_terminal_line_starts_a_new_line_for_each_stream_and_has_no_bar_without_an_estimate():
    written: list[str] = []
    line = TerminalLine(written.append, width=10)
    line(PullProgress("quan-1", "dossiers", rows_read=5, elapsed_s=2.0, expected=20))
    line(PullProgress("quan-1", "feedback", rows_read=3_000, elapsed_s=2.0))
    line.close()
    line.close()
    assert "".join(written) == (
        "\rquan-1/dossiers [##........] 5 of ~20 rows read (25.0%), 2 rows/s\x1b[K\n"
        "\rquan-1/feedback 3,000 rows read, 1,500 rows/s\x1b[K\n"
    )
