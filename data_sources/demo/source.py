"""One simulated source: builds its SQLite file from the plan and advances it through time.

A `SourceSim` is plain, picklable data, so builds can run in worker processes. Every unit-day draws from
`np.random.default_rng([seed, stable_hash(unit_key), day.toordinal()])` (feedback: a fourth word, 1), so
the content at a moment never depends on how the simulation got there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, Table, insert
from sqlalchemy.exc import SQLAlchemyError

from dashboard.core.errors import SimulatorError
from dashboard.core.vocabulary import Stream
from dashboard.core.workdays import WorkCalendar
from data_sources.demo.catalog import UnitTraits, stable_hash
from data_sources.demo.feedback import FeedbackPlan, feedback_rows, plan_feedback
from data_sources.demo.plan import DossierPlan, DueCache, dossier_rows, plan_dossiers, plan_events
from data_sources.demo.store import SourceTables, apply_events, open_engine, read_meta, vendor_row, write_meta
from data_sources.demo.timeline import OfficeTimeline, local_day
from data_sources.profiles import Profile

GENERATOR_VERSION = "1"  # bump when the generation changes, so that existing files are rebuilt
ARRIVAL = 0  # event kind of a new row (both streams)
IDENTITY_KEYS = ("generator", "seed", "scale", "start", "history_days", "profile", "unit_key", "unit_code",
                 "fingerprint")  # fmt: skip
PlanT = TypeVar("PlanT", DossierPlan, FeedbackPlan)
RowsOf = Callable[[PlanT, str, np.ndarray, np.ndarray | np.int64], list[dict[str, Any]]]  # a plan's canonical rows


@dataclass(frozen=True)
class SourceSim:
    """Everything needed to simulate one unit's database."""

    path: Path
    unit_code: str
    profile: Profile
    tables: SourceTables  # shared by the sources of one profile
    traits: UnitTraits
    calendar: WorkCalendar
    seed: int
    scale: float
    fingerprint: str
    horizon_days: int  # calendar days after a receipt that cover all of a dossier's events

    def identity(self, start: datetime, history_days: int) -> dict[str, str]:
        """Meta values that must match for an existing file to be reused."""
        return {
            "generator": GENERATOR_VERSION,
            "seed": str(self.seed),
            "scale": repr(float(self.scale)),
            "start": start.astimezone(UTC).isoformat(),
            "history_days": str(history_days),
            "profile": self.profile.name,
            "unit_key": self.traits.key,
            "unit_code": self.unit_code,
            "fingerprint": self.fingerprint,
        }

    def is_current(self, start: datetime, history_days: int) -> bool:
        """Whether the file exists and was built with the same identity (a fast restart can reuse it)."""
        if not self.path.is_file():
            return False
        engine = open_engine(self.path)
        try:
            with engine.connect() as conn:
                meta = read_meta(conn, self.tables)
        except SQLAlchemyError:  # a foreign or broken file: rebuild it
            return False
        finally:
            engine.dispose()
        wanted = self.identity(start, history_days)
        return all(meta.get(k) == wanted[k] for k in IDENTITY_KEYS) and "advanced_to" in meta

    def build(self, start: datetime, history_days: int) -> None:
        """Write a fresh file with the state at `start` of the `history_days` days before it, atomically."""
        now = int(start.timestamp())
        start_day = local_day(now)
        building = self.path.with_name(self.path.name + ".building")
        _remove(building)
        engine = open_engine(building, bulk=True)
        try:
            self.tables.metadata.create_all(engine)
            with engine.begin() as conn:
                buffer = RowBuffer(conn)
                for dossiers, feedback in self._plans(start_day - timedelta(days=history_days), start_day):
                    self._write_day(buffer, dossiers, feedback, now, current=True)
                buffer.flush()
                write_meta(conn, self.tables, {**self.identity(start, history_days), "advanced_to": str(now),
                                               "planned_through": start_day.isoformat()})  # fmt: skip
        finally:
            engine.dispose()
        wal = open_engine(building)  # switch the finished file to WAL (persistent) before it goes live
        with wal.connect():
            pass
        wal.dispose()
        _remove(self.path)
        os.replace(building, self.path)

    def advance(self, engine: Engine, to: int) -> dict[str, dict[int, int]]:
        """Plan the days up to `to`'s day if needed, then apply the events in (advanced time, to]."""
        with engine.begin() as conn:
            meta = read_meta(conn, self.tables)
            if "advanced_to" not in meta:
                raise SimulatorError(f"demo source {self.path}: no simulation state; run build() first")
            after = int(meta["advanced_to"])
            if to <= after:
                return {}
            planned = date.fromisoformat(meta["planned_through"])
            target_day = local_day(to)
            if target_day > planned:
                buffer = RowBuffer(conn)
                for dossiers, feedback in self._plans(planned + timedelta(days=1), target_day):
                    self._write_day(buffer, dossiers, feedback, after, current=False)
                buffer.flush()
            counts = apply_events(conn, self.tables, after, to)
            write_meta(
                conn, self.tables, {"advanced_to": str(to), "planned_through": max(planned, target_day).isoformat()}
            )
        return counts

    def _plans(self, first: date, last: date) -> Iterator[tuple[DossierPlan, FeedbackPlan]]:
        timeline = OfficeTimeline(self.calendar, first, last + timedelta(days=self.horizon_days))
        unit = stable_hash(self.traits.key)
        cache: DueCache = {}
        day = first
        while day <= last:
            if not self.traits.active_on(day):  # before the unit was created, or after it ended
                day += timedelta(days=1)
                continue
            rng = np.random.default_rng([self.seed, unit, day.toordinal()])
            dossiers = plan_dossiers(rng, self.traits, day, self.calendar, timeline, self.scale, cache)
            rng = np.random.default_rng([self.seed, unit, day.toordinal(), 1])
            feedback = plan_feedback(rng, self.traits, day, self.calendar, timeline, self.scale, cache)
            yield dossiers, feedback
            day += timedelta(days=1)

    def _write_day(
        self, buffer: RowBuffer, dossiers: DossierPlan, feedback: FeedbackPlan, now: int, *, current: bool
    ) -> None:
        """Rows as they stand at `now` (when `current`) and the planned events after `now`."""
        self._write_stream(buffer, "dossiers", dossiers, dossier_rows, now, current=current)
        self._write_stream(buffer, "feedback", feedback, feedback_rows, now, current=current)

    def _write_stream(
        self, buffer: RowBuffer, stream: Stream, plan: PlanT, rows: RowsOf[PlanT], now: int, *, current: bool
    ) -> None:
        """One stream of `_write_day` (none when the profile has no such stream)."""
        if stream not in self.tables.streams:
            return
        if current:
            arrived = np.flatnonzero(plan.received <= now)
            canonical = rows(plan, self.unit_code, arrived, np.int64(now))
            buffer.add(self.tables.streams[stream], [vendor_row(self.profile, stream, r) for r in canonical])
        index, at, kind = plan_events(plan.times, now)
        canonical = rows(plan, self.unit_code, index, at)
        pending = [
            {**vendor_row(self.profile, stream, r), "event_at": t, "kind": k}
            for r, t, k in zip(canonical, at.tolist(), kind.tolist(), strict=True)
        ]
        buffer.add(self.tables.plans[stream], pending)


class RowBuffer:
    """Rows collected per table and written with executemany once enough have gathered."""

    def __init__(self, conn: Connection, limit: int = 20_000) -> None:
        self.conn, self.limit = conn, limit
        self.pending: dict[Table, list[dict[str, Any]]] = {}

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        batch = self.pending.setdefault(table, [])
        batch.extend(rows)
        if len(batch) >= self.limit:
            self.conn.execute(insert(table), batch)
            self.pending[table] = []

    def flush(self) -> None:
        for table, batch in self.pending.items():
            if batch:
                self.conn.execute(insert(table), batch)
        self.pending.clear()


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)
