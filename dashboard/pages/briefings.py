"""The briefings pages' model: every snapshot's record and the requests waiting or failed, read from the store, and
the plain shapes of one snapshot's key figures and of what changed between two (filled from the bodies by
`dashboard.briefings.archive`, which reads them with the renderings' own `report` and `changes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.core.errors import ParameterError
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import LAST_7_DAYS, LAST_30_DAYS, LAST_MONTH, LAST_WEEK
from dashboard.services import Services

PERIODS_TO_ASK = (LAST_WEEK, LAST_MONTH, LAST_7_DAYS, LAST_30_DAYS)  # the periods the web may ask a snapshot of
REQUESTED_BY = "web"  # who asked, for a request filed from the archive page
REQUESTS_SHOWN = 10


@dataclass(frozen=True)
class SnapshotRow:
    """One snapshot's record (never its body)."""

    id: int
    period: str
    as_of: datetime
    data_version: int
    requested_by: str
    created_at: datetime
    content_hash: str

    @property
    def short_hash(self) -> str:
        """The first 12 characters of the sha256, as the archive shows it."""
        return self.content_hash[:12]


@dataclass(frozen=True)
class RequestRow:
    """A snapshot request still waiting for the writer (`error` None) or closed with its error."""

    id: int
    period: str
    as_of: datetime | None  # None: the writer's now
    requested_by: str
    requested_at: datetime
    error: str | None


@dataclass(frozen=True)
class Archive:
    snapshots: tuple[SnapshotRow, ...]  # newest as-of first
    requests: tuple[RequestRow, ...]  # newest first

    def fingerprint(self) -> list[Any]:
        """What the page shows changes only when this does (the refresh's key)."""
        return [[s.id for s in self.snapshots], [[r.id, r.error] for r in self.requests]]


@dataclass(frozen=True)
class Unit:
    key: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return unit_name(self.name_vi, self.name_en, lang)


@dataclass(frozen=True)
class Ranked:
    """A league row as the archive shows it: rank, unit, score, on-time rate (0–1)."""

    rank: int | None
    unit: Unit
    score: float | None
    on_time: float | None


@dataclass(frozen=True)
class LeagueEnds:
    kind: str
    ranked: int  # units with a rank
    top: tuple[Ranked, ...]  # best first
    bottom: tuple[Ranked, ...]  # the lowest ranks not already in `top`, worst last


@dataclass(frozen=True)
class Figure:
    name: str  # a city figure's name (dashboard.briefings.changes.CITY_FIGURES)
    value: float | None
    ratio: bool  # a rate 0–1 (else a count)


@dataclass(frozen=True)
class KeyFigures:
    """One snapshot's key figures: the city's, and each league's top and bottom."""

    snapshot: SnapshotRow
    window: tuple[datetime, datetime]
    city: tuple[Figure, ...]
    leagues: tuple[LeagueEnds, ...]


@dataclass(frozen=True)
class FigureChange:
    name: str
    before: float | None
    after: float | None
    change: float | None
    ratio: bool


@dataclass(frozen=True)
class Moved:
    unit: Unit
    league: str | None
    rank_before: int | None
    rank_after: int | None

    @property
    def places_up(self) -> int:
        return (self.rank_before or 0) - (self.rank_after or 0)


@dataclass(frozen=True)
class Criteria:
    unit: Unit
    criteria: tuple[str, ...]  # the commitments' criteria (league.criterion.<name>)


@dataclass(frozen=True)
class AlertNote:
    kind: str  # overdue_share, new_late, stale_source
    severity: str
    unit: Unit
    source: str | None


@dataclass(frozen=True)
class ChangesView:
    """What changed from snapshot `before` to snapshot `after`."""

    before: SnapshotRow
    after: SnapshotRow
    city: tuple[FigureChange, ...]
    moved: tuple[Moved, ...]  # units whose rank changed, most places up first
    met: tuple[Criteria, ...]  # commitments newly met
    missed: tuple[Criteria, ...]  # commitments newly missed
    newly_late: tuple[Unit, ...]
    newly_stale: tuple[Unit, ...]
    opened: tuple[AlertNote, ...]
    closed: tuple[AlertNote, ...]


@dataclass(frozen=True)
class Comparison:
    """Two snapshots side by side (`/briefings?a=…&b=…`) and what changed from a to b."""

    a: KeyFigures
    b: KeyFigures
    changes: ChangesView


def _snapshot(row: dict[str, Any]) -> SnapshotRow:
    return SnapshotRow(
        row["id"], row["period"], row["as_of"], row["data_version"], row["requested_by"], row["created_at"],
        row["content_hash"],
    )  # fmt: skip


def snapshots(services: Services) -> tuple[SnapshotRow, ...]:
    """Every snapshot's record, newest as-of first."""
    return tuple(_snapshot(row) for row in services.store.snapshots.list())


def snapshot(services: Services, snapshot_id: int) -> SnapshotRow | None:
    """One snapshot's record (None: no such snapshot)."""
    found = services.store.snapshots.meta(snapshot_id)
    return None if found is None else _snapshot(found)


def previous_of(services: Services, found: SnapshotRow) -> SnapshotRow | None:
    """The snapshot `found` is compared with: the newest one of the same period with an earlier as-of."""
    earlier = services.store.snapshots.previous(found.id)
    return None if earlier is None else _snapshot(earlier)


def archive(services: Services) -> Archive:
    """The archive page's model: every snapshot, and the latest requests waiting or failed."""
    requests = tuple(
        RequestRow(r["id"], r["period"], r["as_of"], r["requested_by"], r["requested_at"], r["error"])
        for r in services.store.snapshots.waiting_or_failed(REQUESTS_SHOWN)
    )
    return Archive(snapshots(services), requests)


def ask(services: Services, period: str) -> tuple[int, bool]:
    """File a request for a snapshot of `period` now (one of `PERIODS_TO_ASK`), unless one for it is waiting:
    (the request's id, whether it was filed now). Only a request: the one writer makes the snapshot."""
    if period not in PERIODS_TO_ASK:
        raise ParameterError("period", f"period {period!r}: the web asks only for {', '.join(PERIODS_TO_ASK)}")
    waiting = [r for r in services.store.snapshots.pending() if r["period"] == period and r["as_of"] is None]
    if waiting:
        return int(waiting[0]["id"]), False
    return services.store.snapshots.request(period, REQUESTED_BY, services.clock.now()), True
