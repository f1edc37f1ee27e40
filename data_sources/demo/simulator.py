"""The demo district simulator: one SQLite database per district and department, filled as time passes.

`Simulator.build(start)` writes each database as it stands at `start` with `history_days` of history;
`advance(to)` then applies every arrival, status change and completion up to `to`. The content depends only
on (seed, scale, start, to, units, procedures, calendar), never on the steps taken or the wall clock.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dashboard.core.reference import load_procedures, load_units
from dashboard.core.workdays import WorkCalendar, default_calendar
from data_sources.demo import feedback as feedback_plan
from data_sources.demo.catalog import CITY_DOSSIERS_PER_WORKING_DAY, unit_traits
from data_sources.demo.source import ARRIVAL, SimulatorError, SourceSim
from data_sources.demo.store import SourceTables, open_engine, read_meta, source_tables
from data_sources.profiles import Profile, load_profile

DEFAULT_PROFILE = "motcua_v1"
DEFAULT_VALID_ON = date(2019, 1, 1)
PARALLEL_MIN_DOSSIERS = 30_000  # below this, worker start-up costs more than it saves


@dataclass(frozen=True)
class DemoSource:
    """One simulated database."""

    name: str  # the unit key, e.g. "quan-1"
    unit_key: str
    unit_code: str  # what the source writes in its unit column: GSO code for districts, key for departments
    path: Path  # the SQLite file
    profile: str  # schema profile name, e.g. "motcua_v1"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path.resolve()}"


class Simulator:
    """Simulated source databases for the districts valid on `valid_on` and the departments with procedures."""

    def __init__(
        self,
        directory: Path,
        *,
        seed: int = 2019,
        scale: float = 0.1,
        units: Sequence[dict[str, Any]] | None = None,
        procedures: Sequence[dict[str, Any]] | None = None,
        calendar: WorkCalendar | None = None,
        profile_for: Callable[[str], str] | None = None,
        valid_on: date = DEFAULT_VALID_ON,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, not {scale}")
        self.directory = Path(directory)
        self.seed, self.scale = seed, scale
        units = list(units) if units is not None else load_units()
        procedures = tuple(procedures) if procedures is not None else tuple(load_procedures())
        calendar = calendar or default_calendar()
        profile_for = profile_for or (lambda _key: DEFAULT_PROFILE)
        fingerprint = _fingerprint(units, procedures, calendar)
        longest = max((p["statutory_time"] for p in procedures if p["statutory_unit"] == "day"), default=1)
        horizon = int(3 * max(longest, feedback_plan.FEEDBACK_DUE_WORKING_DAYS)) + 60
        self.sources: list[DemoSource] = []
        self._sims: list[SourceSim] = []
        profiles: dict[str, tuple[Profile, SourceTables]] = {}
        for traits in unit_traits(seed, units, procedures, valid_on):
            path = self.directory / f"{traits.key}.sqlite"
            source = DemoSource(traits.key, traits.key, traits.code, path, profile_for(traits.key))
            if source.profile not in profiles:
                profile = load_profile(source.profile)
                profiles[source.profile] = (profile, source_tables(profile))
            profile, tables = profiles[source.profile]
            self.sources.append(source)
            self._sims.append(SourceSim(path, traits.code, profile, tables, traits, calendar, seed, scale,
                                        fingerprint, horizon))  # fmt: skip
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def build(
        self,
        start: datetime,
        history_days: int = 90,
        progress: Callable[[int, int], None] | None = None,
        workers: int | None = None,
    ) -> None:
        """Create (or recreate, if meta differs) every database with `history_days` of history ending at `start`.

        Files already built with the same seed, scale, start, history, profile and reference data are reused
        as they are (a fast restart; they keep the time they were advanced to, see `advanced_to`).
        `workers` forked processes build in parallel (default: the CPU count for large builds; in-process when
        the caller runs other threads, where forking is unsafe).
        """
        _aware(start)
        if history_days < 0:
            raise ValueError("history_days must be zero or more")
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._dispose()
            todo = [sim for sim in self._sims if not sim.is_current(start, history_days)]
            total, done = len(self._sims), len(self._sims) - len(todo)
            if progress:
                progress(done, total)
            expected = CITY_DOSSIERS_PER_WORKING_DAY * self.scale * history_days * 5 / 7
            if workers is None:
                workers = (os.cpu_count() or 1) if expected >= PARALLEL_MIN_DOSSIERS else 1
            workers = max(1, min(workers, len(todo)))
            if not _can_fork():
                workers = 1
            if workers == 1:
                for sim in todo:
                    sim.build(start, history_days)
                    done += 1
                    if progress:
                        progress(done, total)
                return
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [pool.submit(sim.build, start, history_days) for sim in todo]
                for future in as_completed(futures):
                    future.result()
                    done += 1
                    if progress:
                        progress(done, total)

    def advance(self, to: datetime) -> dict[str, int]:
        """Apply every arrival, status change and completion with event time in (last advanced time, to].

        Returns counts of applied events: new rows, and changes to existing rows. Idempotent for the same
        `to`; a `to` before the last advanced time does nothing.
        """
        moment = int(_aware(to).timestamp())
        totals = {"dossiers_new": 0, "dossiers_updated": 0, "feedback_new": 0, "feedback_updated": 0}
        with self._lock:
            for sim in self._sims:
                for stream, kinds in sim.advance(self._engine(sim), moment).items():
                    totals[f"{stream}_new"] += kinds.get(ARRIVAL, 0)
                    totals[f"{stream}_updated"] += sum(n for kind, n in kinds.items() if kind != ARRIVAL)
        return totals

    @property
    def advanced_to(self) -> datetime | None:
        """The earliest time any database was advanced to (None before build)."""
        moments = []
        with self._lock:
            for sim in self._sims:
                if not sim.path.is_file():
                    return None
                with self._engine(sim).connect() as conn:
                    meta = read_meta(conn, sim.tables)
                if "advanced_to" not in meta:
                    return None
                moments.append(int(meta["advanced_to"]))
        return datetime.fromtimestamp(min(moments), UTC) if moments else None

    def close(self) -> None:
        """Close the connections that `advance` keeps open (they reopen on the next call)."""
        with self._lock:
            self._dispose()

    def _engine(self, sim: SourceSim) -> Engine:
        engine = self._engines.get(sim.traits.key)
        if engine is None:
            if not sim.path.is_file():
                raise SimulatorError(f"demo source {sim.path}: the file does not exist; run build() first")
            engine = self._engines[sim.traits.key] = open_engine(sim.path, keep_open=True)
        return engine

    def _dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def _can_fork() -> bool:
    """Worker processes by fork: only from a single-threaded process (a fork copies no other thread's locks)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give a time zone (e.g. Asia/Ho_Chi_Minh)")
    return moment


def _fingerprint(units: Sequence[dict[str, Any]], procedures: Sequence[dict[str, Any]], calendar: WorkCalendar) -> str:
    """A checksum of the reference data the simulation depends on."""
    data = [
        [[u["key"], u["code"], u["kind"], u["valid_from"], u["valid_to"], u["lat"], u["lon"]] for u in units],
        [sorted(p.items()) for p in procedures],
        sorted(calendar.off),
        sorted(calendar.makeup),
        sorted(calendar.years),
    ]
    return format(zlib.crc32(json.dumps(data, default=str).encode("utf-8")), "08x")
