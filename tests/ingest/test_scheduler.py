"""The pull scheduler: one interval job per source, back-off on the injected clock, missed runs logged.

Nothing here sleeps: the scheduler is inspected while started paused (so no job ever runs), and back-off
is driven by moving the `FixedClock` by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent

from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.scheduler import PullScheduler
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from tests.conftest import START
from tests.factories import SourceDB, dossier
from tests.netfaults import closed_port

STREAMS = ("dossiers", "feedback")  # the streams of profile motcua_v1, each with its own source_state row


def make_source(name: str, url: str, interval: float = 60) -> SourceConfig:
    return SourceConfig(name=name, unit="quan-1", url=url, profile="motcua_v1", interval=interval)


@pytest.fixture
def services(settings, clock):
    built = Services.build(settings, clock)
    assert built.store.hold_lease("tests").acquire()
    yield built
    built.store.dispose()


@pytest.fixture
def paused():
    """Start a PullScheduler's BackgroundScheduler paused (job defaults applied, nothing runs); shut it down."""
    started: list[PullScheduler] = []

    def start(scheduler: PullScheduler) -> PullScheduler:
        scheduler.scheduler.start(paused=True)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.shutdown()


def pulls(services: Services, source: str) -> list[dict]:
    """The pull log of one source, oldest first."""
    return list(reversed(services.store.pulls(source=source, limit=1000)))


# --- 1. one interval job per source -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "time_scale", "seconds", "grace"),
    [
        (60, 1, 60.0, 60),  # seconds of the clock, unscaled
        (45, 1, 45.0, 45),
        (60, 30, 2.0, 2),  # the demo's --speed 30
        (90, 60, 1.5, 1),  # grace is the whole seconds of the interval
        (0.01, 1, 0.5, 1),  # a tiny interval is floored at half a second, grace at one second
        (60, 1000, 0.5, 1),  # so is a huge speed-up
    ],
)
def test_each_source_gets_one_interval_job_of_its_scaled_interval(
    services, paused, tmp_path, interval, time_scale, seconds, grace
):
    source = make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}", interval=interval)
    services.sources = [source]
    scheduler = paused(PullScheduler(services, time_scale=time_scale))

    jobs = scheduler.scheduler.get_jobs()
    assert [job.id for job in jobs] == ["pull:quan-1", "sweep:quan-1"]  # its pulls, and its reconciliation sweep
    job = jobs[0]
    assert job.trigger.interval == timedelta(seconds=seconds)
    assert job.trigger.interval_length == seconds
    assert job.misfire_grace_time == grace
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.func == scheduler.pull_if_due
    assert job.args == (source,)


def test_several_sources_get_one_job_each_with_their_own_interval(services, paused, tmp_path):
    services.sources = [
        make_source("quan-1", f"sqlite:///{tmp_path / 'a.sqlite'}", interval=60),
        make_source("quan-3", f"sqlite:///{tmp_path / 'b.sqlite'}", interval=300),
        make_source("thu-duc", f"sqlite:///{tmp_path / 'c.sqlite'}", interval=15),
    ]
    scheduler = paused(PullScheduler(services, time_scale=1))

    jobs = {job.id: job for job in scheduler.scheduler.get_jobs() if job.id.startswith("pull:")}
    assert sorted(jobs) == ["pull:quan-1", "pull:quan-3", "pull:thu-duc"]
    assert {name: job.trigger.interval for name, job in jobs.items()} == {
        "pull:quan-1": timedelta(seconds=60),
        "pull:quan-3": timedelta(seconds=300),
        "pull:thu-duc": timedelta(seconds=15),
    }
    assert {name: job.misfire_grace_time for name, job in jobs.items()} == {
        "pull:quan-1": 60,
        "pull:quan-3": 300,
        "pull:thu-duc": 15,
    }
    assert {name: job.args[0].name for name, job in jobs.items()} == {
        "pull:quan-1": "quan-1",
        "pull:quan-3": "quan-3",
        "pull:thu-duc": "thu-duc",
    }
    assert all(job.coalesce is True and job.max_instances == 1 for job in jobs.values())


def test_the_jobs_are_there_before_the_scheduler_starts(services, tmp_path):
    services.sources = [make_source("quan-1", f"sqlite:///{tmp_path / 'a.sqlite'}", interval=60)]
    scheduler = PullScheduler(services, time_scale=30)
    assert scheduler.scheduler.running is False
    job, sweep = scheduler.scheduler.get_jobs()
    assert (job.id, job.trigger.interval, job.misfire_grace_time) == ("pull:quan-1", timedelta(seconds=2), 2)
    assert (sweep.id, sweep.trigger.interval) == ("sweep:quan-1", timedelta(seconds=120))


def test_a_writer_job_added_to_run_now_is_due_at_start_and_others_one_interval_later(services, tmp_path):
    """The alert ledger (60 s) must know since when each alert is open from the writer's first minute, not after it."""
    services.sources = []
    scheduler = PullScheduler(services, time_scale=1)
    scheduler.add_job(lambda: None, 60.0, "alerts:ledger", run_now=True)
    scheduler.add_job(lambda: None, 60.0, "demo:simulate")
    scheduler.scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        started = datetime.now(jobs["alerts:ledger"].next_run_time.tzinfo)
        assert jobs["alerts:ledger"].next_run_time - started < timedelta(seconds=5)
        assert timedelta(seconds=55) < jobs["demo:simulate"].next_run_time - started <= timedelta(seconds=60)
    finally:
        scheduler.scheduler.shutdown(wait=False)


def test_of_the_writers_jobs_only_the_alert_ledger_runs_at_start(services):
    """A restart must not build the weekly pack (it has its own hour) nor wait a minute to know since when alerts
    are open."""
    from dashboard.briefings.cli import writer_jobs

    jobs = writer_jobs(services)
    assert [job.id for job in jobs] == ["briefings:requests", "briefings:schedule", "alerts:ledger", "audit:retention"]
    assert [job.id for job in jobs if job.at_start] == ["alerts:ledger"]


# --- 2. back-off on the injected clock -----------------------------------------------------------------


def test_a_failing_source_backs_off_doubling_up_to_the_cap_and_a_success_resets_it(services, clock, tmp_path):
    """retry_base_s=30, retry_max_s=600 (tests/conftest.py): waits 30, 60, 120, 240, 480, then 600, 600."""
    path = tmp_path / "quan-1.sqlite"  # no such file yet: the read-only open fails
    source = make_source("quan-1", f"sqlite:///{path}")
    services.sources = [source]
    scheduler = PullScheduler(services)
    ingestor = scheduler.ingestor
    assert ingestor.due_for_pull(source) is True  # never pulled: due

    attempts: list[datetime] = []
    for failures, wait in enumerate([30, 60, 120, 240, 480, 600, 600], start=1):
        scheduler.pull_if_due(source)  # due: attempted, and fails
        attempts.append(clock.now())
        retry_at = clock.now() + timedelta(seconds=wait)
        for stream in STREAMS:
            state = services.store.state("quan-1", stream)
            assert state["consecutive_failures"] == failures
            assert state["next_retry_at"] == retry_at
            assert state["last_attempt_at"] == clock.now()
            assert state["last_error"].startswith("OperationalError: unable to open database file")
        log = pulls(services, "quan-1")
        assert len(log) == 2 * failures
        assert [row["outcome"] for row in log[-2:]] == ["error", "error"]

        # while backing off: not due, and pull_if_due attempts nothing
        for step in (timedelta(0), timedelta(seconds=wait / 2), timedelta(seconds=wait - 1)):
            clock.set(retry_at - timedelta(seconds=wait) + step)
            assert ingestor.due_for_pull(source) is False
            scheduler.pull_if_due(source)
            assert len(pulls(services, "quan-1")) == 2 * failures
            assert services.store.state("quan-1", "dossiers")["consecutive_failures"] == failures
        clock.set(retry_at)  # due exactly at next_retry_at
        assert ingestor.due_for_pull(source) is True

    assert [b - a for a, b in zip(attempts, attempts[1:], strict=False)] == [
        timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600)
    ]
    assert attempts[0] == START

    # the source comes back: the next due pull succeeds and clears the back-off
    db = SourceDB(f"sqlite:///{path}")
    try:
        db.insert("dossiers", dossier("Q1-001"))
        clock.advance(timedelta(seconds=1))  # past the retry time
        scheduler.pull_if_due(source)
    finally:
        db.dispose()
    for stream in STREAMS:
        state = services.store.state("quan-1", stream)
        assert (state["consecutive_failures"], state["next_retry_at"], state["last_error"]) == (0, None, None)
        assert state["last_good_pull_at"] == clock.now()
    log = pulls(services, "quan-1")
    assert len(log) == 2 * 7 + 2
    assert [(row["stream"], row["outcome"], row["rows_stored"]) for row in log[-2:]] == [
        ("dossiers", "ok", 1),
        ("feedback", "ok", 0),
    ]
    assert ingestor.due_for_pull(source) is True

    # a failure after the success starts again from the base wait
    path.unlink()
    clock.advance(timedelta(seconds=5))
    scheduler.pull_if_due(source)
    state = services.store.state("quan-1", "dossiers")
    assert (state["consecutive_failures"], state["next_retry_at"]) == (1, clock.now() + timedelta(seconds=30))


@pytest.mark.parametrize(
    ("base", "cap", "waits"),
    [
        (5, 12, [5, 10, 12, 12]),
        (30, 100, [30, 60, 100, 100]),
        (7, 7, [7, 7, 7]),
    ],
)
def test_the_back_off_base_and_cap_come_from_the_settings(sqlite_store, clock, tmp_path, base, cap, waits):
    settings = Settings(data_dir=tmp_path, safety_lag_s=0, chunk_size=3, retry_base_s=base, retry_max_s=cap)
    source = make_source("quan-1", f"sqlite:///{tmp_path / 'missing.sqlite'}")
    ingestor = Ingestor(sqlite_store, clock, settings)
    for failures, wait in enumerate(waits, start=1):
        results = ingestor.pull(source)
        assert [(r.stream, r.outcome) for r in results] == [("dossiers", "error"), ("feedback", "error")]
        state = sqlite_store.state("quan-1", "dossiers")
        assert state["consecutive_failures"] == failures
        assert state["next_retry_at"] - clock.now() == timedelta(seconds=wait)
        clock.advance(timedelta(seconds=wait))


def test_a_server_nothing_listens_on_backs_off_the_same_way(services, clock):
    source = make_source("quan-1", f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/vendor")
    services.sources = [source]
    scheduler = PullScheduler(services)
    scheduler.pull_if_due(source)
    for stream in STREAMS:
        state = services.store.state("quan-1", stream)
        assert (state["consecutive_failures"], state["next_retry_at"]) == (1, START + timedelta(seconds=30))
        assert state["last_error"].startswith("OperationalError: ")
    clock.advance(timedelta(seconds=29))
    assert scheduler.ingestor.due_for_pull(source) is False
    scheduler.pull_if_due(source)
    assert len(pulls(services, "quan-1")) == 2
    clock.advance(timedelta(seconds=1))
    assert scheduler.ingestor.due_for_pull(source) is True
    scheduler.pull_if_due(source)
    assert len(pulls(services, "quan-1")) == 4
    state = services.store.state("quan-1", "feedback")
    assert (state["consecutive_failures"], state["next_retry_at"]) == (2, START + timedelta(seconds=30 + 60))


def test_one_stream_backing_off_holds_the_whole_source(sqlite_store, clock, settings, tmp_path):
    source = make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    ingestor = Ingestor(sqlite_store, clock, settings)
    with sqlite_store.begin() as conn:
        sqlite_store.save_state(conn, "quan-1", "dossiers", cursor_definition="x", next_retry_at=None)
        sqlite_store.save_state(
            conn, "quan-1", "feedback", cursor_definition="x", next_retry_at=START + timedelta(seconds=90)
        )
    assert ingestor.due_for_pull(source) is False
    clock.advance(timedelta(seconds=89))
    assert ingestor.due_for_pull(source) is False
    clock.advance(timedelta(seconds=1))
    assert ingestor.due_for_pull(source) is True
    clock.advance(timedelta(days=1))
    assert ingestor.due_for_pull(source) is True


# --- 3. missed runs --------------------------------------------------------------------------------------


def missed_event(job_id: str, due: datetime, code: int = EVENT_JOB_MISSED) -> JobExecutionEvent:
    return JobExecutionEvent(code, job_id, "default", due)


def test_a_missed_pull_run_is_logged_as_missed(services, clock, tmp_path):
    source = make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    services.sources = [source]
    scheduler = PullScheduler(services)
    clock.advance(timedelta(minutes=7))
    due = datetime(2019, 11, 27, 2, 6, tzinfo=UTC)

    scheduler._missed(missed_event("pull:quan-1", due))

    [row] = pulls(services, "quan-1")
    assert (row["source"], row["stream"], row["outcome"]) == ("quan-1", "*", "missed")
    assert row["started_at"] == row["finished_at"] == START + timedelta(minutes=7)
    assert row["error"] == "run due at 2019-11-27 02:06:00+00:00 was missed"
    assert (row["rows_read"], row["rows_stored"], row["rows_rejected"]) == (0, 0, 0)
    # a missed run is not a failure: no back-off, the source stays due
    assert services.store.state("quan-1", "dossiers") is None
    assert scheduler.ingestor.due_for_pull(source) is True


def test_a_missed_run_of_another_job_is_ignored(services, tmp_path):
    services.sources = [make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}")]
    scheduler = PullScheduler(services)
    due = datetime(2019, 11, 27, 2, 6, tzinfo=UTC)
    for job_id in ("simulate", "demo-sim", "quan-1", "xpull:quan-1"):
        scheduler._missed(missed_event(job_id, due))
    assert services.store.pulls(limit=1000) == []


def test_the_listener_is_registered_for_missed_events_only(services, clock, tmp_path):
    services.sources = [make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}")]
    scheduler = PullScheduler(services)
    due = datetime(2019, 11, 27, 2, 0, tzinfo=UTC)

    scheduler.scheduler._dispatch_event(missed_event("pull:quan-1", due, code=EVENT_JOB_ERROR))
    assert services.store.pulls(limit=1000) == []

    scheduler.scheduler._dispatch_event(missed_event("pull:quan-1", due))
    assert [(r["source"], r["stream"], r["outcome"], r["error"]) for r in services.store.pulls(limit=1000)] == [
        ("quan-1", "*", "missed", "run due at 2019-11-27 02:00:00+00:00 was missed")
    ]


@pytest.mark.parametrize(("time_scale", "seconds"), [(1, 3600.0), (60, 60.0), (100_000, 1.0)])
def test_each_source_is_swept_every_sweep_interval_of_the_clock(services, paused, tmp_path, time_scale, seconds):
    source = make_source("quan-1", f"sqlite:///{tmp_path / 'quan-1.sqlite'}", interval=60)
    services.sources = [source]
    scheduler = paused(PullScheduler(services, time_scale=time_scale))
    job = scheduler.scheduler.get_job("sweep:quan-1")
    assert job.trigger.interval == timedelta(seconds=seconds)  # sweep_every_s = 3600 s of the clock, floored at 1 s
    assert (job.func, job.args, job.coalesce, job.max_instances) == (scheduler.sweep, (source,), True, 1)
