"""What changed between two briefing snapshots, from their bodies alone: for the city and each unit, KPI deltas,
rank movement, commitments newly met or missed, units newly late (overdue dossiers where there were none) or
newly stale, and alerts opened and closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (name, how to read it from a unit's API figures): ratios as values 0–1, counts as numbers.
UNIT_FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("score", ("index", "score")),
    ("on_time", ("kpis", "on_time", "value")),
    ("online", ("kpis", "online", "value")),
    ("dossier_satisfaction", ("kpis", "dossier_satisfaction", "value")),
    ("in_progress", ("kpis", "backlog", "in_progress")),
    ("overdue", ("kpis", "backlog", "overdue")),
    ("open_feedback", ("kpis", "open_feedback")),
)
CITY_FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_progress", ("in_progress",)),
    ("overdue_in_progress", ("overdue_in_progress",)),
    ("overdue_share", ("overdue_share", "value")),
    ("on_time", ("on_time", "value")),
    ("online_share", ("online_share", "value")),
    ("open_feedback", ("open_feedback",)),
)


@dataclass(frozen=True)
class Delta:
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class UnitChange:
    unit_key: str
    name_vi: str
    name_en: str
    league: str | None  # the league it is ranked in after (None: not ranked then)
    rank_before: int | None
    rank_after: int | None
    figures: dict[str, Delta]
    commitments_met: tuple[str, ...] = ()  # criteria met now and not before
    commitments_missed: tuple[str, ...] = ()  # criteria met before and not now
    newly_late: bool = False  # overdue dossiers now, none before
    newly_stale: bool = False  # a source of the unit stale now, none before
    new: bool = False  # not in the earlier snapshot

    @property
    def places_up(self) -> int | None:
        """Places up in its league (negative: down); None without both ranks."""
        return None if self.rank_before is None or self.rank_after is None else self.rank_before - self.rank_after


@dataclass(frozen=True)
class Changes:
    since: str  # the earlier snapshot's as-of (ISO)
    until: str
    city: dict[str, Delta]
    units: tuple[UnitChange, ...]
    alerts_opened: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    alerts_closed: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def _read(data: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = data
    for step in path:
        if not isinstance(value, dict) or value.get(step) is None:
            return None
        value = value[step]
    return float(value)


def _met(figures: dict[str, Any]) -> set[str]:
    return {
        c["criterion"]
        for c in figures.get("commitments", [])
        if c["value"] is not None and c["target"] is not None and c["value"] >= c["target"]
    }


def _ranks(body: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {row["unit_key"]: (kind, row["rank"]) for kind, league in body["leagues"].items() for row in league["rows"]}


def _stale_units(body: dict[str, Any]) -> set[str]:
    return {f["unit_key"] for f in body["freshness"] if f["stale"]}


def _alert_key(alert: dict[str, Any]) -> tuple[Any, ...]:
    return alert["kind"], alert["unit_key"], alert.get("source")


def changes(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """What changed from snapshot body `before` to `after` (both as stored)."""
    old_units = {u["unit"]["key"]: u for u in before["kpis"]["units"]}
    old_ranks, new_ranks = _ranks(before), _ranks(after)
    old_stale, new_stale = _stale_units(before), _stale_units(after)
    units = []
    for figures in after["kpis"]["units"]:
        key, unit = figures["unit"]["key"], figures["unit"]
        old = old_units.get(key)
        deltas = {name: Delta(_read(old or {}, path), _read(figures, path)) for name, path in UNIT_FIGURES}
        league, rank = new_ranks.get(key, (None, None))
        met_now, met_then = _met(figures), _met(old or {})
        overdue_then = _read(old or {}, ("kpis", "backlog", "overdue")) or 0
        units.append(
            UnitChange(
                unit_key=key,
                name_vi=unit["name_vi"],
                name_en=unit["name_en"],
                league=league,
                rank_before=old_ranks.get(key, (None, None))[1],
                rank_after=rank,
                figures=deltas,
                commitments_met=tuple(sorted(met_now - met_then)) if old else (),
                commitments_missed=tuple(sorted(met_then - met_now)),
                newly_late=(deltas["overdue"].after or 0) > 0 and overdue_then == 0 and old is not None,
                newly_stale=key in new_stale and key not in old_stale,
                new=old is None,
            )
        )
    opened = {_alert_key(a): a for a in after["alerts"]}
    closed = {_alert_key(a): a for a in before["alerts"]}
    return Changes(
        since=before["as_of"],
        until=after["as_of"],
        city={
            name: Delta(_read(before["city_figures"], path), _read(after["city_figures"], path))
            for name, path in CITY_FIGURES
        },
        units=tuple(units),
        alerts_opened=tuple(a for k, a in opened.items() if k not in closed),
        alerts_closed=tuple(a for k, a in closed.items() if k not in opened),
    )
