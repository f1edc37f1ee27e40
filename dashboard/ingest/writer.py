"""The one writer's life: a hot standby until the store's writer lease is free, then the writer — every source
pulled on its interval while a heartbeat renews the lease — and back to standby the moment the lease is lost.

Run by `python -m dashboard ingest`; start a second one anywhere as the standby. A writer that dies or hangs
stops renewing, and the standby takes over once the lease has run out (`writer_lease_s`); a writer stopped
cleanly releases the lease, and the standby takes over at its next look (a third of the lease).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Literal, NamedTuple

from sqlalchemy.exc import SQLAlchemyError

from dashboard.core.writer import LeaseState
from dashboard.ingest.scheduler import PullScheduler, Writer
from dashboard.store.lease import WriterLease

log = logging.getLogger(__name__)
Role = Literal["standby", "writer", "lost"]
Report = Callable[[Role, LeaseState | None], None]


class Job(NamedTuple):
    """What the writer runs besides the pulls: what, every how many real seconds, its id, and whether it also runs
    once when the writer starts (the others wait their first interval)."""

    func: Callable[[], object]
    every_s: float
    id: str
    at_start: bool = False


def _quiet(_role: Role, _state: LeaseState | None) -> None:
    return None


class WriterLoop:
    """Alternates between standby and writer until `stop` is set; reports each change of role."""

    def __init__(
        self,
        services: Writer,
        lease: WriterLease,
        *,
        time_scale: float = 1.0,
        report: Report = _quiet,
        jobs: tuple[Job, ...] = (),
    ):
        self.services = services
        self.jobs = jobs  # run only while this process is the writer (e.g. the briefings' snapshot requests)
        self.lease = lease
        self.time_scale = time_scale
        self.report = report
        self.beat_s = lease.duration.total_seconds() / 3  # renewals per lease: three, so one late beat is harmless

    def run(self, stop: threading.Event) -> None:
        role: Role | None = None
        while not stop.is_set():
            if not self._acquire():
                if role != "standby":
                    role = "standby"
                    self.report(role, self.lease.state())
                stop.wait(self.beat_s)
                continue
            role = "writer"
            self.report(role, self.lease.state())
            if self._write(stop):
                role = "lost"
                self.report(role, self.lease.state())
        self.lease.release()

    def _acquire(self) -> bool:
        try:
            return self.lease.acquire()
        except SQLAlchemyError as exc:  # the store is unreachable: wait, as a standby does
            log.warning("writer lease: cannot reach the store: %s", exc)
            return False

    def _write(self, stop: threading.Event) -> bool:
        """Pull on a schedule and renew the lease until stopped (False) or the lease is lost (True)."""
        scheduler = PullScheduler(self.services, time_scale=self.time_scale, run_now=True)
        for job in self.jobs:
            scheduler.add_job(job.func, job.every_s, job.id, run_now=job.at_start)
        scheduler.start()
        try:
            while not stop.wait(self.beat_s):
                if scheduler.lost.is_set() or not self._renew():
                    return True
            return False
        finally:
            scheduler.shutdown()

    def _renew(self) -> bool:
        try:
            return self.lease.renew()
        except SQLAlchemyError as exc:  # keep writing: the fence refuses every write once another takes over
            log.warning("writer lease: renewal failed, will retry: %s", exc)
            return True
