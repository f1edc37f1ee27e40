"""The wall's alerts: pure threshold rules over plain figures, newest first. Wording is the layouts' job.

Three rules, each with its limits in the settings:
- overdue share: a unit's overdue ÷ in progress above `warn` (warning) or `alarm` (alarm); none without a backlog;
- new late dossiers: a unit's open dossiers whose original due fell in the last 24 hours, at or above `warn`
  (warning) or `alarm` (alarm);
- stale source: a source whose last good pull is older than `stale_factor` × its interval (alarm when its last
  attempt failed, else warning).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # plain data in: the rules read no store
    from dashboard.metrics.freshness import SourceFreshness
    from dashboard.metrics.kpis import Backlog

AlertKind = Literal["overdue_share", "new_late", "stale_source"]
Level = Literal["ok", "warn", "alarm"]
Severity = Literal["warn", "alarm"]  # a level worth an alert
SEVERITY_ORDER: dict[str, int] = {"alarm": 0, "warn": 1, "ok": 2}
NEW_LATE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Alert:
    """One threshold breach: what, how bad, for which unit (and source), since when, the value and its limit."""

    kind: AlertKind
    severity: Severity
    unit_key: str
    at: datetime  # when it began, as far as the data tells; the as-of time when it cannot tell
    value: float
    limit: float
    source: str | None = None
    since: datetime | None = None  # a stale source's last good pull (None: never pulled)
    ledger_id: int | None = None  # its row in the writer's alert ledger, once observed there
    acknowledged_by: str | None = None  # who acknowledged it (a name), and when
    acknowledged_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes it the same alert from one minute to the next: its kind, unit and source."""
        return (self.kind, self.unit_key, self.source or "")

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def level_above(value: float | None, warn: float, alarm: float) -> Level:
    """alarm when value > alarm, warn when value > warn, else ok (None reads as ok)."""
    if value is None:
        return "ok"
    if value > alarm:
        return "alarm"
    return "warn" if value > warn else "ok"


def level_at_least(value: float, warn: float, alarm: float) -> Level:
    """alarm when value ≥ alarm, warn when value ≥ warn, else ok."""
    if value >= alarm:
        return "alarm"
    return "warn" if value >= warn else "ok"


def overdue_share_alerts(backlogs: Mapping[str, Backlog], as_of: datetime, warn: float, alarm: float) -> list[Alert]:
    """Per unit with a backlog: overdue ÷ in progress, alerting above `warn` / `alarm` (strictly)."""
    alerts = []
    for unit, backlog in backlogs.items():
        if not backlog.in_progress:
            continue
        share = backlog.overdue / backlog.in_progress
        level = level_above(share, warn, alarm)
        if level != "ok":
            alerts.append(Alert("overdue_share", level, unit, as_of, share, alarm if level == "alarm" else warn))
    return alerts


def new_late(
    open_rows: Iterable[Mapping[str, Any]], as_of: datetime, window: timedelta = NEW_LATE_WINDOW
) -> dict[str, tuple[int, datetime]]:
    """Per unit, from open dossiers grouped by original due (the rows of `open_backlog`): Σ n over rows with
    as_of − window ≤ due < as_of, and the latest such due (the moment the newest one became late)."""
    counts: dict[str, tuple[int, datetime]] = {}
    for row in open_rows:
        due, n = row["due_at"], row["n"]
        if n and as_of - window <= due < as_of:
            count, latest = counts.get(row["unit_key"], (0, due))
            counts[row["unit_key"]] = (count + n, max(latest, due))
    return {unit: value for unit, value in counts.items() if value[0] > 0}


def new_late_alerts(counts: Mapping[str, tuple[int, datetime]], warn: int, alarm: int) -> list[Alert]:
    """Per unit: its new late dossiers (see `new_late`) at or above `warn` / `alarm`."""
    alerts = []
    for unit, (count, latest) in counts.items():
        level = level_at_least(count, warn, alarm)
        if level != "ok":
            alerts.append(Alert("new_late", level, unit, latest, count, alarm if level == "alarm" else warn))
    return alerts


def stale_source_alerts(sources: Iterable[SourceFreshness], stale_factor: float) -> list[Alert]:
    """Per stale source: since last good pull + stale_factor × interval (as-of when never pulled); alarm when
    its last attempt failed. `value` is the lag in seconds (0 when never pulled), `limit` the allowed lag."""
    alerts = []
    for source in sources:
        if not source.stale:
            continue
        allowed = stale_factor * source.interval_s
        last_good = source.last_good_pull_at
        at = source.as_of if last_good is None else last_good + timedelta(seconds=allowed)
        lag = 0.0 if source.lag is None else source.lag.total_seconds()
        severity: Severity = "alarm" if source.last_error else "warn"
        alerts.append(Alert("stale_source", severity, source.unit, at, lag, allowed, source.name, last_good))
    return alerts


def with_history(
    alerts: Iterable[Alert],
    ledger: Mapping[tuple[str, str, str], Mapping[str, Any]],
    acks: Mapping[int, tuple[str, datetime]],
) -> list[Alert]:
    """Each alert with when it began — the earlier of what the data tells and when the writer first saw it open
    (`ledger`: open rows by key) — its ledger id and its acknowledgement (`acks`: by ledger id, who and when)."""
    found = []
    for alert in alerts:
        row = ledger.get(alert.key)
        if row is None:
            found.append(alert)
            continue
        began = min(alert.at, row["first_seen"])
        by, at = acks.get(row["id"], (None, None))
        found.append(replace(alert, at=began, ledger_id=row["id"], acknowledged_by=by, acknowledged_at=at))
    return found


def by_severity(alerts: Iterable[Alert]) -> list[Alert]:
    """The order a leader acts in: unacknowledged before acknowledged; alarms before warnings; the longest open
    first; then by unit and source."""
    return sorted(
        alerts,
        key=lambda a: (a.acknowledged, SEVERITY_ORDER[a.severity], a.at, a.unit_key, a.source or ""),
    )


def newest_first(alerts: Iterable[Alert]) -> list[Alert]:
    """Newest first; at the same instant alarms before warnings, then by unit and source."""
    ordered = sorted(alerts, key=lambda a: (SEVERITY_ORDER[a.severity], a.unit_key, a.source or ""))
    return sorted(ordered, key=lambda a: a.at, reverse=True)
