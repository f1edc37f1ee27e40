"""Source health: exact numbers on hand-built sources pulled through the real ingest, one of them down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.freshness import error_kind
from dashboard.pages.freshness import source_freshness
from dashboard.pages.sources import raw_values, rejected_page
from dashboard.store.versions import note_reference
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.netfaults import closed_port
from tests.statements import statements_of

MINUTE = timedelta(minutes=1)


def config(url: str, name: str, interval: float = 60) -> SourceConfig:
    return SourceConfig(name=name, unit=name, url=url, profile="motcua_v1", interval=interval)


def feedback(native_id: str) -> dict:
    received = START - timedelta(days=1)
    return {
        "native_id": native_id,
        "unit": "760",
        "category": "Hạ tầng đô thị",
        "channel": "app",
        "received_at": received,
        "due_at": None,
        "answered_at": None,
        "status": "open",
        "rating": None,
        "lat": None,
        "lon": None,
        "source_updated_at": received,
    }


@pytest.fixture
def city(store, clock, settings, tmp_path):
    """quan-1 good (2 dossiers, 1 feedback), quan-3 down twice, quan-5 with 2 rejected rows, quan-7 never pulled."""
    good = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    good.insert("dossiers", dossier("D1"), dossier("D2"))
    good.insert("feedback", feedback("F1"))
    mixed = SourceDB(f"sqlite:///{tmp_path / 'quan-5.sqlite'}")
    mixed.insert("dossiers", dossier("OK1"), dossier("BADUNIT", unit="999"), dossier("NOPROC", procedure="XX-99"))
    sources = [
        config(good.url, "quan-1"),
        config(f"postgresql+psycopg://reader:secret@127.0.0.1:{closed_port()}/x", "quan-3"),
        config(mixed.url, "quan-5"),
        config(good.url, "quan-7"),
    ]
    ingestor = Ingestor(store, clock, settings)
    for source in sources[:3]:
        ingestor.pull(source)
    clock.advance(MINUTE)
    ingestor.pull(sources[1])  # down again: the second failure in a row
    yield sources
    good.dispose()
    mixed.dispose()


def test_every_field_of_every_source(store, city):
    fresh = {f.name: f for f in source_freshness(store, city, START + 3 * MINUTE, stale_factor=3)}
    assert [f.status for f in fresh.values()] == ["ok", "error", "ok", "never"]

    good = fresh["quan-1"]
    assert (good.unit_name_vi, good.unit_name_en, good.profile) == ("Quận 1", "District 1", "motcua_v1")
    assert (good.last_good_pull_at, good.last_attempt_at, good.lag) == (START, START, 3 * MINUTE)
    assert (good.rows_total, good.consecutive_failures, good.next_retry_at, good.rejected_count) == (3, 0, None, 0)
    assert good.last_error is None and good.error_kind is None and not good.stale  # lag = 3 × 60 s, not more

    down = fresh["quan-3"]
    assert down.last_good_pull_at is None and down.lag is None and down.stale
    assert down.last_attempt_at == START + MINUTE
    assert down.consecutive_failures == 2
    assert down.next_retry_at == START + MINUTE + timedelta(seconds=60)  # retry_base_s 30 s × 2
    assert down.last_error.startswith("OperationalError: ") and "Connection refused" in down.last_error
    assert down.error_kind == "refused"
    assert "secret" not in down.last_error and "secret" not in down.safe_url and ":***@" in down.safe_url
    assert (down.rows_total, down.rejected_count) == (0, 0)

    mixed = fresh["quan-5"]
    assert (mixed.rows_total, mixed.rejected_count, mixed.status) == (1, 2, "ok")

    never = fresh["quan-7"]
    assert (never.last_good_pull_at, never.last_attempt_at, never.next_retry_at) == (None, None, None)
    assert (never.rows_total, never.consecutive_failures, never.rejected_count) == (0, 0, 0)


def test_one_query_for_the_states_and_one_for_the_rejected_counts(store, city):
    with statements_of(store) as statements:
        source_freshness(store, city, START, stale_factor=3)
    assert sum("source_state" in s for s in statements) == 1
    assert sum("rejected_rows" in s for s in statements) == 1
    assert len(statements) == 2  # the units' names: as the pulls just before read them (`ReferenceReads`)
    note_reference()  # as after this process seeded the units
    with statements_of(store) as statements:
        source_freshness(store, city, START, stale_factor=3)
    assert len(statements) == 3 and sum("FROM units" in s for s in statements) == 1  # … read with them


def test_stale_after_stale_factor_intervals_and_error_before_everything(store, city):
    later = source_freshness(store, city, START + 3 * MINUTE + timedelta(seconds=1), stale_factor=3)
    assert [f.status for f in later] == ["stale", "error", "stale", "never"]


def test_a_stream_that_never_succeeded_means_never_pulled(store, clock, settings, tmp_path):
    source_db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    good = config(source_db.url, "quan-1")
    Ingestor(store, clock, settings).pull(good)
    definition = store.state("quan-1", "feedback")["cursor_definition"]
    with store.begin() as conn:  # as if the feedback stream had only ever failed
        store.save_state(conn, "quan-1", "feedback", cursor_definition=definition, last_good_pull_at=None)
    [fresh] = source_freshness(store, [good], START, stale_factor=3)
    assert fresh.last_good_pull_at is None and fresh.status == "never"
    source_db.dispose()


def test_a_password_left_in_a_stored_error_is_hidden(store, city):
    with store.begin() as conn:
        store.save_state(conn, "quan-3", "dossiers", cursor_definition="", last_error="Error: bad secret here")
    down = source_freshness(store, city, START, stale_factor=3)[1]
    assert down.last_error == "Error: bad *** here"


def test_rejected_counts_and_pages_newest_first(store, city):
    assert store.rejected_counts() == {"quan-5": 2}
    assert [r["native_key"] for r in store.rejected("quan-5", limit=1, offset=1)] == ["BADUNIT"]

    first = rejected_page(store, city, "quan-5", 1, page_size=1)
    assert (first.source, first.page, first.pages, first.total, first.counts) == ("quan-5", 1, 2, 2, {"quan-5": 2})
    [newest] = first.rows
    assert (newest.native_key, newest.field, newest.reason) == ("NOPROC", "procedure_code", "unknown procedure 'XX-99'")
    assert (newest.stream, newest.rejected_at, newest.raw_column) == ("dossiers", START, "procedure_code")

    second = rejected_page(store, city, "quan-5", 9, page_size=1)  # past the end: the last page
    [oldest] = second.rows
    assert (second.page, oldest.native_key, oldest.field, oldest.raw_column) == (2, "BADUNIT", "unit", "unit_code")
    assert ("unit_code", "999") in oldest.raw and ("dossier_code", "BADUNIT") in oldest.raw

    everything = rejected_page(store, [], None, 0)  # all sources, page 0 → 1; no profile known
    assert (everything.page, everything.pages, everything.total, len(everything.rows)) == (1, 1, 2, 2)
    assert everything.rows[0].raw_column is None
    nothing = rejected_page(store, city, "quan-1", 1)
    assert (nothing.total, nothing.pages, nothing.rows) == (0, 1, ())


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (
            'OperationalError: connection failed: connection to server at "127.0.0.1", port 9 failed: Connection refused',
            "refused",
        ),
        (
            "OperationalError: (2003, \"Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")",
            "refused",
        ),
        ("OperationalError: (1045, \"Access denied for user 'reader'@'127.0.0.1' (using password: YES)\")", "auth"),
        ('OperationalError: connection failed: ... failed: FATAL:  role "reader" does not exist', "auth"),
        (
            'OperationalError: connection failed: ... failed: FATAL:  password authentication failed for user "r"',
            "auth",
        ),
        ("OperationalError: failed to resolve host 'nohost.invalid': [Errno -2] Name or service not known", "host"),
        ("PullTimeout: pull took longer than 60 s; will resume", "timeout"),
        ("OperationalError: (2003, \"Can't connect to MySQL server on '10.0.0.5' (timed out)\")", "timeout"),
        ('OperationalError: connection failed: ... failed: FATAL:  database "nodb" does not exist', "missing"),
        ("OperationalError: no such table: hs_dossier", "missing"),
        ("OperationalError: unable to open database file", "missing"),
        ("ValueError: something else", "other"),
        (None, None),
    ],
)
def test_error_kinds_from_real_driver_messages(message, kind):
    assert error_kind(message) == kind


def test_raw_values_keep_the_source_order_and_survive_bad_json():
    assert raw_values('{"b": 1, "a": null}') == (("b", 1), ("a", None))
    assert raw_values("not json") == (("raw", "not json"),)
    assert raw_values("[1, 2]") == (("raw", "[1, 2]"),)
