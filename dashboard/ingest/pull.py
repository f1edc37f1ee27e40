"""Pulling sources into the store: map, validate, upsert, and advance the watermark in one transaction.

For each source and stream, rows are read in chunks — by (cursor, key) from the watermark when the vendor
has an updated-at column (and the rows whose cursor is NULL, by key), else new rows by increasing key plus a
re-scan of the rows still open in the store. Each row is mapped through the source's profile; a row that cannot be mapped goes to
`rejected_rows` with its reason and raw values; good rows are upserted on (source, native key). The
watermark becomes min(max cursor stored, the source's own clock − safety lag) in the same transaction as
the chunk, so it never passes a row not yet stored and late-committing rows are read again.
A failing source is recorded with its error and retried with back-off; it never stops the others.
`pull_timeout_s` bounds each chunk's read and store, not the whole pull: a backfill goes on chunk after chunk,
renewing the writer lease between them, and logs its progress (`dashboard/ingest/progress.py`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from dashboard.core.clock import Clock
from dashboard.core.errors import LeaseError, MappingError, PullTimeout
from dashboard.core.settings import Settings
from dashboard.core.vocabulary import Stream
from dashboard.core.workdays import WorkCalendar
from dashboard.ingest.progress import ProgressLog, PullProgress, Watcher
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store
from data_sources.mapping import RowMapper, native_key
from data_sources.profiles import Profile
from data_sources.reader import SourceReader

log = logging.getLogger(__name__)
NATIVE_FIELD = {"dossiers": "native_code", "feedback": "native_id"}


@dataclass
class PullResult:
    source: str
    stream: str
    outcome: str  # ok; slow (timed out after progress: it resumes from its watermark); error
    rows_read: int = 0  # rows the source sent (re-reads at the watermark included)
    rows_stored: int = 0  # rows written because they were new or had changed
    rows_new: int = 0  # … of which new to the store
    rows_rejected: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    last_key: str | None = None
    error: str | None = None
    # the native ids read so far in this pull, with their source keys: one read twice is a duplicate at the source
    seen: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def add(self, read: int, stored: int, new: int, rejected: int) -> None:
        """Count a chunk that committed."""
        self.rows_read += read
        self.rows_stored += stored
        self.rows_new += new
        self.rows_rejected += rejected


def plain_error(exc: BaseException, secret: str | None = None) -> str:
    """The first line of an error, in plain words, with any password removed."""
    original = getattr(exc, "orig", None) or exc
    text = (str(original).strip().splitlines() or [type(original).__name__])[0]
    if secret:
        text = text.replace(secret, "***")
    return f"{type(original).__name__}: {text}"[:500]


class Ingestor:
    """Pulls configured sources into one store; the only writer of the store."""

    progress_every_s = 10.0  # how often a long pull logs its progress (timer seconds)

    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        calendar: WorkCalendar | None = None,
        *,
        timer: Callable[[], float] | None = None,
        watcher: Watcher | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.timer = timer or time.monotonic  # real seconds, for the time-out, the progress and the lease's renewal
        self.watcher = watcher  # told after each chunk (`ingest --once` draws a progress line)
        self._renewed_at = self.timer()
        calendar = calendar or WorkCalendar.from_yaml(settings.holidays_file)
        self.mapper = RowMapper(store.units(), {p["code"] for p in store.procedures()}, calendar)

    def safety_lag_s(self, source: SourceConfig) -> float:
        """How far the watermark stays behind the source's clock: the source's own lag, else its profile's, else
        the settings'."""
        if source.safety_lag_s is not None:
            return source.safety_lag_s
        profile_lag = source.load_profile().safety_lag_s
        return self.settings.safety_lag_s if profile_lag is None else profile_lag

    def due_for_pull(self, source: SourceConfig) -> bool:
        """False while a failing source waits out its back-off."""
        now = self.clock.now()
        for stream in source.load_profile().streams:
            state = self.store.state(source.name, stream)
            if state and state["next_retry_at"] is not None and state["next_retry_at"] > now:
                return False
        return True

    def pull(self, source: SourceConfig) -> list[PullResult]:
        """Pull every stream of one source; errors are recorded, never raised."""
        profile = source.load_profile()
        reader: SourceReader | None = None
        started = self.clock.now()
        try:
            reader = SourceReader(source.url, profile, self.settings.pull_timeout_s)
            source_now = reader.source_now()  # reaches the source once: down or hanging fails here, once
        except Exception as exc:  # a bad driver, URL or server is this source's problem only
            if reader is not None:
                reader.dispose()
            return [self._failed(source, s, started, PullResult(source.name, s, "error"), exc) for s in profile.streams]
        try:
            return [self._pull_stream_safely(source, profile, reader, stream, source_now) for stream in profile.streams]
        finally:
            reader.dispose()

    def _pull_stream_safely(
        self, source: SourceConfig, profile: Profile, reader: SourceReader, stream: Stream, source_now: datetime | None
    ) -> PullResult:
        try:
            return self._pull_stream(source, profile, reader, stream, source_now)
        except SQLAlchemyError as exc:  # our store failed (the source's errors are handled inside): this stream only
            return self._failed(source, stream, self.clock.now(), PullResult(source.name, stream, "error"), exc)

    def _pull_stream(
        self, source: SourceConfig, profile: Profile, reader: SourceReader, stream: Stream, source_now: datetime | None
    ) -> PullResult:
        started = self.clock.now()
        definition = profile.cursor_definition[stream]
        state = self.store.state(source.name, stream) or {}
        same = state.get("cursor_definition") == definition  # a changed cursor definition resets the state
        result = PullResult(
            source.name,
            stream,
            "ok",
            watermark_before=state.get("watermark") if same else None,
            last_key=state.get("last_key") if same else None,
        )
        result.watermark_after = result.watermark_before
        try:
            cap = (source_now or started) - timedelta(seconds=self.safety_lag_s(source))
            backfill = result.watermark_before is None and result.last_key is None  # a share done only for these
            progress = ProgressLog(
                PullProgress(source.name, stream, expected=reader.estimated_rows(stream) if backfill else None),
                self.timer,
                self.progress_every_s,
                self.watcher,
            )
            began = self.timer()
            for chunk, new_rows in self._chunks(source, profile, reader, stream, result):
                self._store_chunk(source, profile, stream, chunk, new_rows, cap, definition, started, result)
                if self.timer() - began > (limit := self.settings.pull_timeout_s):  # kept: read again, as slow
                    raise PullTimeout(f"a chunk of {len(chunk):,} rows took longer than {limit:g} s; will resume")
                self._keep_lease()
                progress.chunk(result.rows_read)
                began = self.timer()  # the next chunk's read begins
            progress.finish()
        except LeaseError:
            raise  # another writer took over: this process writes nothing more, not even the failure
        except PullTimeout as exc:  # raised only once a chunk is stored: progress, so slow rather than failing
            result.outcome = "slow"  # it stored what it read and resumes from its watermark: slow, not failing
            log.info("pull of %s/%s is catching up: %d rows so far (%s)", source.name, stream, result.rows_read, exc)
        except Exception as exc:
            return self._failed(source, stream, started, result, exc)
        try:
            self._succeeded(source, stream, started, definition, result)
        except SQLAlchemyError as exc:  # the store went away at the very end: the chunks stay, the state is retried
            return self._failed(source, stream, started, result, exc)
        return result

    def _keep_lease(self) -> None:
        """Renew the writer lease every third of its duration between chunks (`ingest --once` has no heartbeat)."""
        lease = self.store.lease
        if lease is None or self.timer() - self._renewed_at < lease.duration.total_seconds() / 3:
            return
        if not lease.renew():
            raise LeaseError(f"{lease.holder} lost the writer lease during a pull: another writer took over")
        self._renewed_at = self.timer()

    def _succeeded(
        self, source: SourceConfig, stream: Stream, started: datetime, definition: str, result: PullResult
    ) -> None:
        with self.store.begin() as conn:
            self.store.save_state(
                conn,
                source.name,
                stream,
                cursor_definition=definition,
                watermark=result.watermark_after,
                last_key=result.last_key,
                last_good_pull_at=started,
                last_attempt_at=started,
                last_error=None,
                consecutive_failures=0,
                next_retry_at=None,
                last_outcome=result.outcome,
            )
            self._log(conn, result, started)

    def _chunks(
        self, source: SourceConfig, profile: Profile, reader: SourceReader, stream: Stream, result: PullResult
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """(chunk, whether it holds new rows) — by cursor, or by key plus the re-scan of open rows."""
        mapping = profile.streams[stream]
        size = self.settings.chunk_size
        if mapping.cursor:
            for chunk in reader.read(stream, result.watermark_before, size):
                yield chunk, True
            for chunk in reader.read_without_cursor(stream, size):  # rows the cursor read cannot see
                yield chunk, False
            return
        key_spec = profile.column_spec(stream, mapping.key)
        last_key: str | int | None = result.last_key  # an integer key is read as one
        if last_key is not None and (key_spec is None or key_spec.type == "integer"):
            last_key = int(last_key)
        native_column = mapping.columns[NATIVE_FIELD[stream]].column
        just_read: set[str] = set()
        for chunk in reader.read_by_key(stream, last_key, size):
            just_read.update(str(row[native_column]) for row in chunk)
            yield chunk, True
        open_codes = [c for c in self.store.open_native_keys(source.name, stream) if c not in just_read]
        for chunk in reader.read_matching(stream, native_column, open_codes, size):
            yield chunk, False

    def _store_chunk(
        self,
        source: SourceConfig,
        profile: Profile,
        stream: Stream,
        chunk: list[dict[str, Any]],
        new_rows: bool,
        cap: datetime,
        definition: str,
        started: datetime,
        result: PullResult,
    ) -> None:
        mapping = profile.streams[stream]
        if mapping.cursor:  # unreadable cursors are rejected rows: they move no watermark
            cursor = profile.rows(stream).cursor_instant_or_none  # the cursor's spec looked up once a chunk
            instants = [i for row in chunk if (i := cursor(row)) is not None]
            candidate = min(max(instants), cap) if instants else None
            if candidate is not None and (result.watermark_after is None or candidate > result.watermark_after):
                result.watermark_after = candidate
        elif new_rows and chunk:
            result.last_key = native_key(chunk[-1][mapping.key])
        with self.store.begin() as conn:  # the chunk, its counts and the watermark commit together, or not at all
            self.store.save_state(
                conn,
                source.name,
                stream,
                cursor_definition=definition,
                watermark=result.watermark_after,
                last_key=result.last_key,
                last_attempt_at=started,
            )
            counts = self._write(conn, source, profile, stream, chunk, result.seen)
        result.add(*counts)

    def _write(
        self,
        conn,
        source: SourceConfig,
        profile: Profile,
        stream: Stream,
        chunk: list[dict[str, Any]],
        seen: dict[str, str],
    ) -> tuple[int, int, int, int]:
        """Map a chunk, store its good rows and its rejections, and count them in the source's state, all in the
        caller's transaction; a new data version only when what is stored changed. Returns (read, stored, new,
        rejected)."""
        now = self.clock.now()
        good, bad = self.mapper.map_rows(source, profile, stream, chunk, now, seen)
        keys = [native_key(r[profile.streams[stream].key]) for r in chunk]
        upserted = self.store.upsert(conn, stream, good)
        if self.store.replace_rejected(conn, source.name, stream, keys, bad) or upserted.stored:
            self.store.bump_data_version(conn, now)
        self.store.count_rows(conn, source.name, stream, held=upserted.new, read=len(chunk))
        return len(chunk), upserted.stored, upserted.new, len(bad)

    def sweep(self, source: SourceConfig) -> list[PullResult]:
        """The reconciliation sweep: re-read the last `sweep_window_s` of each stream read by cursor, past the
        watermark's safety lag, and store what the incremental pulls missed (a transaction that committed later
        than the lag, a row written with an old timestamp). `rows_stored` counts them; the watermark stays."""
        profile, results = source.load_profile(), []
        reader = SourceReader(source.url, profile, self.settings.pull_timeout_s)
        try:
            for stream, mapping in profile.streams.items():
                if mapping.cursor:
                    results.append(self._sweep_stream(source, profile, reader, stream))
        finally:
            reader.dispose()
        return results

    def _sweep_stream(self, source: SourceConfig, profile: Profile, reader: SourceReader, stream: Stream) -> PullResult:
        started = self.clock.now()
        since = started - timedelta(seconds=self.settings.sweep_window_s)
        result = PullResult(source.name, stream, "sweep", watermark_before=since)
        try:
            state = self.store.state(source.name, stream) or {}
            definition = state.get("cursor_definition") or profile.cursor_definition[stream]
            for chunk in reader.read(stream, since, self.settings.chunk_size):
                with self.store.begin() as conn:
                    self.store.save_state(conn, source.name, stream, cursor_definition=definition)
                    counts = self._write(conn, source, profile, stream, chunk, result.seen)
                result.add(*counts)
        except LeaseError:
            raise
        except Exception as exc:  # a sweep that fails is logged; the incremental pulls and their back-off go on
            result.outcome, result.error = "error", plain_error(exc, source.password)
            log.warning("sweep of %s/%s failed: %s", source.name, stream, result.error)
        if result.rows_stored:
            log.warning("sweep of %s/%s stored %d rows the pulls had missed", source.name, stream, result.rows_stored)
        with self.store.begin() as conn:
            self._log(conn, result, started)
        return result

    def replay_rejected(self, source: SourceConfig) -> tuple[int, int]:
        """Map a source's rejected rows again (after a mapping fix): (now stored, still rejected)."""
        profile = source.load_profile()
        stored = still = 0
        now = self.clock.now()
        for stream in profile.streams:
            rejected = self.store.rejected(source.name, stream=stream, limit=None)
            raws = [json.loads(r["raw"]) for r in rejected]
            good, bad = self.mapper.map_rows(source, profile, stream, raws, now)
            with self.store.begin() as conn:
                upserted = self.store.upsert(conn, stream, good)
                self.store.count_rows(conn, source.name, stream, held=upserted.new, read=0)
                keys = [r["native_key"] for r in rejected]
                if self.store.replace_rejected(conn, source.name, stream, keys, bad) or upserted.stored:
                    self.store.bump_data_version(conn, now)
            stored += upserted.stored
            still += len(bad)
        return stored, still

    def _failed(
        self, source: SourceConfig, stream: str, started: datetime, result: PullResult, exc: BaseException
    ) -> PullResult:
        message = plain_error(exc, source.password)
        log.warning("pull of %s/%s failed: %s", source.name, stream, message)
        result.outcome, result.error = "error", message
        try:
            self._record_failure(source, stream, started, result)
        except SQLAlchemyError as store_exc:  # the store itself is out of reach: nothing to record the failure in
            log.error("pull of %s/%s: cannot record the failure: %s", source.name, stream, plain_error(store_exc))
        return result

    def _record_failure(self, source: SourceConfig, stream: str, started: datetime, result: PullResult) -> None:
        message = result.error
        state = self.store.state(source.name, stream) or {}
        failures = (state.get("consecutive_failures") or 0) + 1
        backoff = min(self.settings.retry_base_s * 2 ** (failures - 1), self.settings.retry_max_s)
        with self.store.begin() as conn:
            self.store.save_state(
                conn,
                source.name,
                stream,
                last_attempt_at=started,
                last_error=message,
                consecutive_failures=failures,
                next_retry_at=self.clock.now() + timedelta(seconds=backoff),
                cursor_definition=state.get("cursor_definition") or "",
                last_outcome=result.outcome,
            )
            self._log(conn, result, started)

    def _log(self, conn, result: PullResult, started: datetime) -> None:
        self.store.log_pull(
            conn,
            source=result.source,
            stream=result.stream,
            started_at=started,
            finished_at=self.clock.now(),
            outcome=result.outcome,
            rows_read=result.rows_read,
            rows_stored=result.rows_stored,
            rows_rejected=result.rows_rejected,
            watermark_before=result.watermark_before,
            watermark_after=result.watermark_after,
            error=result.error,
        )


__all__ = ["Ingestor", "MappingError", "PullResult", "PullTimeout", "plain_error"]
