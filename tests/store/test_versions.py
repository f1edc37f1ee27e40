"""The data version as the pages' polls read it (`dashboard/store/versions.py`): once per `version_check_ms` for any
number of polls, and at once after this process wrote the store."""

from __future__ import annotations

import threading

import pytest

from dashboard.pages.common import current_key
from dashboard.store.versions import ReferenceReads, VersionReads, note_reference, note_write
from tests.factories import Ticking, dossier
from tests.statements import statements_of


def test_a_version_is_read_once_while_it_is_younger_than_the_age_and_again_after_a_write():
    reads, ticking = [], Ticking()

    def read() -> int:
        reads.append(ticking.now)
        return len(reads)

    versions = VersionReads(read, ticking)
    assert [versions.version(0.5) for _ in range(200)] == [1] * 200  # 200 polls, one read
    ticking.now += 0.499
    assert versions.version(0.5) == 1 and len(reads) == 1
    ticking.now += 0.001  # exactly the age: read again
    assert versions.version(0.5) == 2 and reads == [100.0, 100.5]
    note_write()  # this process wrote the store: its next poll sees it at once
    assert versions.version(0.5) == 3 and len(reads) == 3
    assert versions.version(0.5) == 3 and len(reads) == 3
    assert versions.version(0.0) == 4  # an age of 0: every poll reads


def test_polls_of_a_page_cost_the_store_one_read_and_a_pull_by_this_process_shows_at_once(services, source_db, pull):
    services.settings = services.settings.model_copy(update={"version_check_ms": 60_000})
    with statements_of(services.store) as statements:
        first = current_key(services)
        keys = [current_key(services) for _ in range(100)]
    assert keys == [first] * 100
    assert sum("data_version" in s for s in statements) == 1  # 101 polls, one read of the version
    source_db.insert("dossiers", dossier("NEW"))
    pull()  # written by this process: no waiting for the minute's re-read
    assert current_key(services)[0] == first[0] + 1


def test_while_one_poll_reads_the_version_the_others_get_the_last_one_at_once_unless_this_process_wrote_since():
    ticking, started, release, reads = Ticking(), threading.Event(), threading.Event(), []

    def read() -> int:
        reads.append(ticking.now)
        if len(reads) == 2:  # the second read is slow
            started.set()
            assert release.wait(10)
        return len(reads)

    versions = VersionReads(read, ticking)
    assert versions.version(0.5) == 1
    ticking.now += 1.0  # stale: the next poll reads again
    answers: list[int] = []
    slow = threading.Thread(target=lambda: answers.append(versions.version(0.5)))
    slow.start()
    assert started.wait(10)
    assert [versions.version(0.5) for _ in range(50)] == [1] * 50  # no queue behind the slow read
    assert len(reads) == 2
    note_write()  # written since the slow read started: the next poll waits for a read that sees it
    after_write: list[int] = []
    waiting = threading.Thread(target=lambda: after_write.append(versions.version(0.5)))
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive() and after_write == []  # waits rather than answer 1 or 2
    release.set()
    slow.join(10)
    waiting.join(10)
    assert answers == [2] and after_write == [3] and len(reads) == 3
    assert versions.version(0.5) == 3 and len(reads) == 3


def test_a_failed_read_keeps_the_last_version_and_the_next_poll_reads_again():
    ticking, fail, reads = Ticking(), [False], []

    def read() -> int:
        reads.append(ticking.now)
        if fail[0]:
            raise ConnectionError("store down")
        return 6 + len(reads)

    versions = VersionReads(read, ticking)
    assert versions.version(0.5) == 7
    ticking.now += 1.0
    fail[0] = True
    with pytest.raises(ConnectionError):
        versions.version(0.5)
    fail[0] = False
    assert versions.version(0.5) == 9 and len(reads) == 3  # not left waiting for the failed read


def test_the_units_are_read_once_while_younger_than_the_age_and_again_after_this_process_seeds_them():
    reads, ticking = [], Ticking()

    def read() -> list[dict]:
        reads.append(ticking.now)
        return [{"key": "q1", "name": f"Quận 1 ({len(reads)})"}]

    reference = ReferenceReads(read, 5.0, ticking)
    shown = [reference.rows() for _ in range(50)]
    assert len(reads) == 1 and shown[0] == shown[49] == [{"key": "q1", "name": "Quận 1 (1)"}]
    shown[0][0]["name"] = "changed by a caller"  # each caller has its own copies
    assert reference.rows()[0]["name"] == "Quận 1 (1)"
    ticking.now += 4.999
    assert reference.rows()[0]["name"] == "Quận 1 (1)" and len(reads) == 1
    ticking.now += 0.001  # the age: another process's change to the units shows now
    assert reference.rows()[0]["name"] == "Quận 1 (2)" and reads == [100.0, 105.0]
    note_reference()  # this process seeded the units: its next read sees them at once
    assert reference.rows()[0]["name"] == "Quận 1 (3)" and len(reads) == 3


def test_a_store_reads_its_units_once_for_a_page_and_at_once_after_seeding_them(store):
    with statements_of(store) as statements:
        first = [store.units() for _ in range(10)]
        assert first[0] == first[9] and len(first[0]) > 0
        assert len([s for s in statements if "FROM units" in s]) == 1
        store.seed_reference([{**first[0][0], "name_vi": "Tên mới"}], [])
        assert store.units()[0]["name_vi"] == "Tên mới"  # seeded by this process: seen at once
        assert len([s for s in statements if "FROM units" in s]) == 2
