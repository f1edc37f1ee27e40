"""The briefings pages' figures, read from snapshot bodies alone with the renderings' own `report` and `changes`
(so the archive says what the PDF says): one snapshot's key figures, two side by side, and what changed since
the previous snapshot of the same period. Every body is read through the store's hash check (`snapshot.load`)."""

from __future__ import annotations

from typing import Any

from dashboard.briefings.changes import CITY_FIGURES, Changes, changes
from dashboard.briefings.figures import leagues_in_order
from dashboard.briefings.report import LeagueTable, TableRow, report
from dashboard.briefings.snapshot import load
from dashboard.pages.briefings import (
    AlertNote,
    ChangesView,
    Comparison,
    Criteria,
    Figure,
    FigureChange,
    KeyFigures,
    LeagueEnds,
    Moved,
    Ranked,
    SnapshotRow,
    Unit,
    previous_of,
    snapshot,
)
from dashboard.services import Services

ENDS = 5  # each league's top and bottom shown side by side


def _is_ratio(path: tuple[str, ...]) -> bool:
    return path[-1] == "value"


def _city_value(city: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = city
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return None if value is None else float(value)


def _ranked(row: TableRow) -> Ranked:
    return Ranked(row.rank, Unit(row.unit_key, row.name_vi, row.name_en), row.score, row.on_time)


def league_ends(table: LeagueTable, ends: int = ENDS) -> LeagueEnds:
    """The league's `ends` best and `ends` lowest ranked units (no unit twice when it has fewer than 2 × `ends`)."""
    ranked = [row for row in table.rows if row.rank is not None]
    top = ranked[:ends]
    bottom = ranked[max(len(top), len(ranked) - ends) :]
    return LeagueEnds(table.kind, len(ranked), tuple(map(_ranked, top)), tuple(map(_ranked, bottom)))


def key_figures(found: SnapshotRow, body: dict[str, Any]) -> KeyFigures:
    """A snapshot's city figures and each league's ends (the territorial league first, as the briefing has it)."""
    made = report(body, found.content_hash)
    city = tuple(Figure(name, _city_value(made.city, path), _is_ratio(path)) for name, path in CITY_FIGURES)
    return KeyFigures(found, made.window, city, tuple(league_ends(table) for table in leagues_in_order(made)))


def _units(*bodies: dict[str, Any]) -> dict[str, Unit]:
    """Every unit named in the bodies (the later body's names win)."""
    return {
        u["unit"]["key"]: Unit(u["unit"]["key"], u["unit"]["name_vi"], u["unit"]["name_en"])
        for body in bodies
        for u in body["kpis"]["units"]
    }


def _alert(alert: dict[str, Any], units: dict[str, Unit]) -> AlertNote:
    key = alert["unit_key"]
    return AlertNote(alert["kind"], alert["severity"], units.get(key) or Unit(key, key, key), alert.get("source"))


def changes_view(before: SnapshotRow, after: SnapshotRow, found: Changes, units: dict[str, Unit]) -> ChangesView:
    """`found` (dashboard.briefings.changes) as the pages show it."""
    ratios = {name: _is_ratio(path) for name, path in CITY_FIGURES}
    moved = sorted(
        (u for u in found.units if u.places_up), key=lambda u: (-(u.places_up or 0), u.rank_after or 0, u.unit_key)
    )
    named = [(units[u.unit_key], u) for u in found.units]
    return ChangesView(
        before=before,
        after=after,
        city=tuple(FigureChange(n, d.before, d.after, d.change, ratios[n]) for n, d in found.city.items()),
        moved=tuple(Moved(units[u.unit_key], u.league, u.rank_before, u.rank_after) for u in moved),
        met=tuple(Criteria(unit, u.commitments_met) for unit, u in named if u.commitments_met),
        missed=tuple(Criteria(unit, u.commitments_missed) for unit, u in named if u.commitments_missed),
        newly_late=tuple(unit for unit, u in named if u.newly_late),
        newly_stale=tuple(unit for unit, u in named if u.newly_stale),
        opened=tuple(_alert(a, units) for a in found.alerts_opened),
        closed=tuple(_alert(a, units) for a in found.alerts_closed),
    )


def what_changed(
    before: SnapshotRow, before_body: dict[str, Any], after: SnapshotRow, after_body: dict[str, Any]
) -> ChangesView:
    """What changed from snapshot `before` to `after`, from their bodies."""
    return changes_view(before, after, changes(before_body, after_body), _units(before_body, after_body))


def compare(services: Services, a_id: int, b_id: int) -> Comparison | None:
    """Snapshots `a` and `b` side by side and what changed from a to b (None: either is unknown). A body that no
    longer matches its hash is a `StoreError`."""
    a, b = snapshot(services, a_id), snapshot(services, b_id)
    if a is None or b is None:
        return None
    a_body, b_body = load(services, a.id), load(services, b.id)
    return Comparison(key_figures(a, a_body), key_figures(b, b_body), what_changed(a, a_body, b, b_body))


def since_previous(services: Services, snapshot_id: int) -> tuple[SnapshotRow, ChangesView | None] | None:
    """A snapshot and what changed since the previous snapshot of its period (None: no earlier one); None when
    there is no such snapshot."""
    found = snapshot(services, snapshot_id)
    if found is None:
        return None
    previous = previous_of(services, found)
    if previous is None:
        load(services, found.id)  # its body is still checked: a changed one is refused, never shown
        return found, None
    return found, what_changed(previous, load(services, previous.id), found, load(services, found.id))
