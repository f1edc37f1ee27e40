"""The one writer: the lease row, its fencing token and the fence every data-path write runs first, on SQLite
and PostgreSQL. Two `Store` objects on one database stand for two processes; their clocks are moved by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.core.clock import FixedClock
from dashboard.core.errors import LeaseError
from dashboard.store import Store
from dashboard.store.schema import data_version
from tests.conftest import START


@pytest.fixture
def stores(store):
    """Two processes on the same store: `a` and `b`, each with its own connections and its own clock."""
    store.lease.release()  # the fixture's own lease: this test hands it out itself
    a, b = Store(store.url), Store(store.url)
    yield a, b
    a.dispose()
    b.dispose()


def version(store: Store) -> int:
    return store.data_version()[0]


def bump(store: Store) -> None:
    with store.begin() as conn:
        store.bump_data_version(conn, START)


def test_one_holder_at_a_time_and_a_take_over_raises_the_token(stores):
    a, b = stores
    clock_a, clock_b = FixedClock(START), FixedClock(START)
    lease_a = a.hold_lease("writer-a", 15, clock_a.now)
    lease_b = b.hold_lease("writer-b", 15, clock_b.now)
    assert lease_a.acquire() is True
    first = lease_a.token
    assert lease_b.acquire() is False and lease_b.token is None  # held, not expired: b waits as the standby
    state = b.writer()
    assert (state.holder, state.token, state.expires_at) == ("writer-a", first, START + timedelta(seconds=15))
    clock_b.advance(timedelta(seconds=14.9))
    assert lease_b.acquire() is False  # still a's
    clock_b.advance(timedelta(seconds=0.1))  # exactly at the expiry: a let it run out
    assert lease_b.acquire() is True and lease_b.token == first + 1
    assert b.writer().holder == "writer-b"


def test_a_writer_that_lost_the_lease_writes_nothing(stores):
    a, b = stores
    clock = FixedClock(START)
    lease_a, lease_b = a.hold_lease("writer-a", 15, clock.now), b.hold_lease("writer-b", 15, clock.now)
    assert lease_a.acquire()
    bump(a)
    assert version(a) == 1
    clock.advance(timedelta(seconds=20))  # a hangs past its lease; b takes over and writes
    assert lease_b.acquire()
    bump(b)
    with pytest.raises(LeaseError, match="writer-a lost the writer lease"):
        bump(a)  # a wakes up and tries to write: refused, and its transaction rolls back
    assert version(b) == 2
    assert lease_a.token is None and lease_a.renew() is False
    with pytest.raises(LeaseError, match="does not hold the writer lease"):
        bump(a)  # and stays refused


def test_renewal_keeps_the_lease_and_release_hands_it_over_at_once(stores):
    a, b = stores
    clock = FixedClock(START)
    lease_a, lease_b = a.hold_lease("writer-a", 15, clock.now), b.hold_lease("writer-b", 15, clock.now)
    assert lease_a.acquire()
    for _ in range(4):  # 4 × 10 s: renewed every 10 s, never expired
        clock.advance(timedelta(seconds=10))
        assert lease_a.renew() is True
        assert lease_b.acquire() is False
    assert a.writer().expires_at == START + timedelta(seconds=55)
    lease_a.release()  # a clean stop
    assert a.writer().holder is None
    assert lease_b.acquire() is True  # no wait for the expiry
    with pytest.raises(LeaseError):
        bump(a)


def test_a_process_without_the_lease_cannot_write(store):
    web = Store(store.url)  # a web worker: it never asked for the lease
    try:
        with pytest.raises(LeaseError, match="has not acquired"):
            bump(web)
        with web.engine.connect() as conn:
            assert conn.execute(select(data_version.c.version)).scalar() is None  # nothing written
    finally:
        web.dispose()


def test_no_take_over_in_the_middle_of_a_write(stores):
    """A write transaction holds the lease row: a standby whose clock says the lease ran out waits for it to end,
    then takes over; the old writer's next transaction is refused."""
    a, b = stores
    clock_a, clock_b = FixedClock(START), FixedClock(START + timedelta(minutes=5))
    lease_a, lease_b = a.hold_lease("writer-a", 15, clock_a.now), b.hold_lease("writer-b", 15, clock_b.now)
    assert lease_a.acquire()
    taken = threading.Event()
    with a.begin() as conn:  # a's write is in flight
        a.bump_data_version(conn, START)
        standby = threading.Thread(target=lambda: taken.set() if lease_b.acquire() else None)
        standby.start()
        assert not taken.wait(1.0), "the standby took the lease while a write of the writer was in flight"
    standby.join(30)
    assert taken.is_set() and version(a) == 1  # a's write landed whole, then b took over
    with pytest.raises(LeaseError):
        bump(a)


@pytest.mark.postgres
def test_renewals_never_wait_for_the_writers_own_writes(pg_schema_url):
    """The heartbeat is its own row: a write in flight (holding the lease row) does not hold up a renewal, so a
    busy writer keeps its lease."""
    from tests.conftest import _seeded

    store = _seeded(Store(pg_schema_url))
    lease = store.lease
    release, renewed = threading.Event(), threading.Event()
    with store.begin() as conn:  # a chunk's transaction, in flight
        store.bump_data_version(conn, START)
        renewer = threading.Thread(target=lambda: renewed.set() if lease.renew() else None)
        renewer.start()
        assert renewed.wait(10), "the renewal waited for a write in flight"
        release.set()
    renewer.join(10)
    store.dispose()


@pytest.mark.postgres
def test_a_writer_frozen_inside_a_transaction_is_cut_and_the_standby_takes_over(pg_schema_url):
    """SIGSTOP in the middle of a write: the server ends the frozen session after the lease, so the lease row is
    free again and the standby takes over; the frozen writer's transaction wrote nothing."""
    from tests.conftest import _seeded

    seeded = _seeded(Store(pg_schema_url))
    seeded.lease.release()
    seeded.dispose()
    a, b = Store(pg_schema_url), Store(pg_schema_url)
    clock_b = FixedClock(datetime.now(UTC) + timedelta(minutes=5))  # well past the frozen writer's real expiry
    lease_a = a.hold_lease("frozen", 1.0)
    assert lease_a.acquire()
    lease_b = b.hold_lease("standby", 1.0, clock_b.now)
    frozen = a.engine.connect()
    transaction = frozen.begin()
    lease_a.fence(frozen)  # inside a write, then frozen (idle in transaction)
    a.bump_data_version(frozen, START)
    took = False
    for _ in range(100):  # the standby looks again and again, as it would every third of a lease
        if lease_b.acquire():
            took = True
            break
        threading.Event().wait(0.1)
    assert took and b.writer().holder == "standby"
    with pytest.raises(Exception, match="terminat|closed|idle"):
        transaction.commit()  # the frozen writer wakes up: its transaction was cut
    assert version(b) == 0  # its write never landed
    frozen.close()
    a.dispose()
    b.dispose()
