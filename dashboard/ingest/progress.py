"""How far a pull has got: rows read, rows a second and — for a backfill, when the source can say roughly how many
rows it holds — the share done; logged every `every_s` seconds and handed to an optional watcher after each chunk
(`ingest --once` draws it on a terminal)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("dashboard.ingest.pull")


@dataclass
class PullProgress:
    """One stream's pull so far: rows read in `elapsed_s` seconds, of about `expected` (None when unknown)."""

    source: str
    stream: str
    rows_read: int = 0
    elapsed_s: float = 0.0
    expected: int | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def share(self) -> float | None:
        """rows read / rows expected, at most 1 (the estimate may be short); None when nothing is expected."""
        return min(self.rows_read / self.expected, 1.0) if self.expected else None

    def line(self) -> str:
        """e.g. `quan-1/dossiers: 295,000 of ~1,000,000 rows read (29.5%), 4,486 rows/s`."""
        share = self.share
        of = f" of ~{self.expected:,}" if self.expected else ""
        done = f" ({share:.1%})" if share is not None else ""
        return f"{self.source}/{self.stream}: {self.rows_read:,}{of} rows read{done}, {self.rows_per_s:,.0f} rows/s"


Watcher = Callable[[PullProgress], None]


class ProgressLog:
    """Counts a stream's rows as its chunks commit; logs a progress line at most every `every_s` seconds of `timer`
    and tells the watcher (if any) after every chunk."""

    def __init__(
        self,
        progress: PullProgress,
        timer: Callable[[], float],
        every_s: float,
        watcher: Watcher | None = None,
    ) -> None:
        self.progress = progress
        self.timer = timer
        self.every_s = every_s
        self.watcher = watcher
        self.started = self.last_logged = timer()
        self.logged = False

    def chunk(self, rows_read: int) -> None:
        now = self.timer()
        self.progress.rows_read = rows_read
        self.progress.elapsed_s = now - self.started
        if now - self.last_logged >= self.every_s:
            self.last_logged, self.logged = now, True
            log.info("pull of %s", self.progress.line())
        if self.watcher is not None:
            self.watcher(self.progress)

    def finish(self) -> None:
        """The closing line of a pull long enough to have logged its progress."""
        if self.logged:
            log.info("pull of %s, done", self.progress.line())


class TerminalLine:
    """A watcher for a terminal: one line per stream, redrawn in place after each chunk, e.g.
    `quan-1/dossiers [#######.................] 295,000 of ~1,000,000 rows read (29.5%), 4,486 rows/s`."""

    def __init__(self, write: Callable[[str], None], width: int = 24) -> None:
        self.write = write
        self.width = width
        self.stream: tuple[str, str] | None = None

    def __call__(self, progress: PullProgress) -> None:
        stream = (progress.source, progress.stream)
        if self.stream not in (None, stream):
            self.write("\n")
        self.stream = stream
        share = progress.share
        done = int(share * self.width) if share is not None else 0
        bar = f"[{'#' * done}{'.' * (self.width - done)}] " if share is not None else ""
        name, _, rest = progress.line().partition(": ")
        self.write(f"\r{name} {bar}{rest}\x1b[K")  # \x1b[K: clear what a longer line left

    def close(self) -> None:
        """End the last stream's line."""
        if self.stream is not None:
            self.write("\n")
            self.stream = None


def on_terminal() -> bool:
    return sys.stderr.isatty()


def terminal_line() -> TerminalLine | None:
    """A progress line on standard error when it is a terminal (`ingest --once`), else None."""
    return TerminalLine(_to_stderr) if on_terminal() else None


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
