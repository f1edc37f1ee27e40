"""What an operator's probes read: is the store reachable, who writes, how fresh each source is — the model of
/healthz and /metrics (the same figures as /sources, in machine form). The writer lease is judged in real time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from dashboard.core.writer import LeaseState
from dashboard.metrics.freshness import SourceFreshness
from dashboard.pages.freshness import source_freshness
from dashboard.services import Services


@dataclass(frozen=True)
class Health:
    """`status`: ok; degraded (no writer holds the lease, or a source is stale or failing); down (no store)."""

    status: str
    as_of: datetime
    wall_time: datetime
    store: str  # ok, unmigrated, unreachable: <error>
    data_version: int | None
    changed_at: datetime | None
    writer: LeaseState | None
    writer_live: bool
    sources: tuple[SourceFreshness, ...]

    @property
    def source_statuses(self) -> dict[str, int]:
        return dict(Counter(source.status for source in self.sources))


def health(services: Services) -> Health:
    """The store probed with one read; everything else only when it answers."""
    as_of, wall_time, store = services.clock.now(), services.wall_clock.now(), services.store
    try:
        if not store.is_migrated():
            return Health("down", as_of, wall_time, "unmigrated", None, None, None, False, ())
        version, changed_at = store.data_version()
        writer = store.writer()
        sources = tuple(source_freshness(store, services.sources, as_of, services.settings.stale_factor))
    except SQLAlchemyError as exc:
        reason = f"unreachable: {type(exc).__name__}"
        return Health("down", as_of, wall_time, reason, None, None, None, False, ())
    live = writer is not None and writer.held_at(wall_time)
    degraded = not live or any(source.status in ("error", "stale", "never") for source in sources)
    status = "degraded" if degraded else "ok"
    return Health(status, as_of, wall_time, "ok", version, changed_at, writer, live, sources)
