"""One APScheduler job per source, in the one writer process.

Intervals are in seconds of the injected clock; `time_scale` (the demo's `--speed`) shortens the real
wait accordingly. A source that is backing off is skipped until its `next_retry_at`; a run that starts
too late is recorded in the pull log as `missed`. Never start a scheduler in a web worker.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from dashboard.core.clock import Clock, SystemClock
from dashboard.core.errors import LeaseError
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store

log = logging.getLogger(__name__)
JOB_PREFIX = "pull:"
SWEEP_PREFIX = "sweep:"


class Writer(Protocol):
    """What the scheduler pulls with (`dashboard.services.Services` is one)."""

    settings: Settings
    store: Store
    clock: Clock
    sources: list[SourceConfig]


class PullScheduler:
    """Schedules pulls of every configured source (and optional extra jobs, e.g. the demo simulator)."""

    def __init__(
        self,
        services: Writer,
        *,
        blocking: bool = False,
        time_scale: float = 1.0,
        workers: int = 4,
        run_now: bool = False,
    ) -> None:
        self.services = services
        self.ingestor = Ingestor(services.store, services.clock, services.settings)
        self.time_scale = time_scale
        kind = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler: BaseScheduler = kind(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        self.lost = threading.Event()  # set when a write was refused because another writer holds the lease
        for source in services.sources:
            self._add_source(source, run_now)
            self._add_sweep(source)

    def _add_source(self, source: SourceConfig, run_now: bool) -> None:
        seconds = max(source.interval / self.time_scale, 0.5)
        self.scheduler.add_job(
            self.pull_if_due,
            "interval",
            args=[source],
            seconds=seconds,
            id=f"{JOB_PREFIX}{source.name}",
            replace_existing=True,
            misfire_grace_time=max(int(seconds), 1),
            **({"next_run_time": SystemClock().now()} if run_now else {}),
        )

    def _add_sweep(self, source: SourceConfig) -> None:
        seconds = max(self.services.settings.sweep_every_s / self.time_scale, 1.0)
        self.scheduler.add_job(
            self.sweep,
            "interval",
            args=[source],
            seconds=seconds,
            id=f"{SWEEP_PREFIX}{source.name}",
            replace_existing=True,
            misfire_grace_time=max(int(seconds), 1),
        )

    def sweep(self, source: SourceConfig) -> None:
        """The reconciliation sweep of one source (not while it backs off: its pulls will catch up)."""
        if self.lost.is_set() or not self.ingestor.due_for_pull(source):
            return
        try:
            self.ingestor.sweep(source)
        except LeaseError as exc:
            log.error("sweep of %s stopped: %s", source.name, exc)
            self.lost.set()
        except Exception as exc:  # the source is out of reach: its next pull records it
            log.warning("sweep of %s could not reach it: %s", source.name, exc)

    def add_job(self, func: Callable[[], object], seconds: float, job_id: str, run_now: bool = False) -> None:
        """An extra periodic job (real seconds), e.g. advancing the demo simulator; `run_now` runs it once at start
        too (the writer's jobs: a restarted writer knows its alerts and purges its audit log without waiting)."""
        self.scheduler.add_job(
            func,
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            misfire_grace_time=max(int(seconds), 1),
            **({"next_run_time": SystemClock().now()} if run_now else {}),
        )

    def pull_if_due(self, source: SourceConfig) -> None:
        """Pull `source` unless it is backing off; a pull refused for want of the writer lease stops them all."""
        if self.lost.is_set() or not self.ingestor.due_for_pull(source):
            return
        try:
            results = self.ingestor.pull(source)
        except LeaseError as exc:
            log.error("pull of %s stopped: %s", source.name, exc)
            self.lost.set()
            return
        for result in results:
            log.info(
                "pulled %s/%s: %s, %d rows stored, %d rejected",
                result.source,
                result.stream,
                result.outcome,
                result.rows_stored,
                result.rows_rejected,
            )

    def _missed(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith(JOB_PREFIX):
            return
        name = event.job_id.removeprefix(JOB_PREFIX)
        now = self.services.clock.now()
        with contextlib.suppress(LeaseError), self.services.store.begin() as conn:
            self.services.store.log_pull(
                conn,
                source=name,
                stream="*",
                started_at=now,
                finished_at=now,
                outcome="missed",
                error=f"run due at {event.scheduled_run_time} was missed",
            )

    def start(self) -> None:
        """Start the jobs (blocks for a blocking scheduler, until interrupted)."""
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
