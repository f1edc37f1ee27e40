"""The data version as the pages' polls read it (`dashboard/store/versions.py`): once per `version_check_ms` for any
number of polls, and at once after this process wrote the store."""

from __future__ import annotations

from sqlalchemy import event

from dashboard.pages.common import current_key
from dashboard.store.versions import VersionReads, note_write
from tests.factories import dossier


class Ticking:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


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
    statements: list[str] = []
    event.listen(services.store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    services.settings = services.settings.model_copy(update={"version_check_ms": 60_000})
    first = current_key(services)
    keys = [current_key(services) for _ in range(100)]
    assert keys == [first] * 100
    assert sum("data_version" in s for s in statements) == 1  # 101 polls, one read of the version
    source_db.insert("dossiers", dossier("NEW"))
    pull()  # written by this process: no waiting for the minute's re-read
    assert current_key(services)[0] == first[0] + 1
