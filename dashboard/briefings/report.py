"""The briefing report: what every rendering (PDF, Word, Excel, CSV, offline HTML) shows, read from a snapshot's
body alone (never from the store), so every rendering of one snapshot says the same thing.

"Needs attention" (in words: the catalogue's `briefing.pdf.attention.rule`): every unit in breach (an alarm on the wall at the as-of: overdue share above
the alarm limit, many newly late dossiers, or a stale source), then the units furthest below their commitments
(the sum, over the criteria a unit committed to and missed, of the relative shortfall (target − value) ÷ target),
at most ATTENTION_BELOW of those, and at most ATTENTION_MAX units in all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.briefings.changes import Changes, changes
from dashboard.core.i18n import fmt_int, t
from dashboard.core.vocabulary import CITY

ATTENTION_BELOW = 10  # units furthest below their commitments
ATTENTION_MAX = 20  # pages of units at most, breaches included


@dataclass(frozen=True)
class TableRow:
    """One league row as the briefing prints it: rates as values 0–1 (None: n/a), counts as numbers."""

    rank: int | None
    tied: bool  # another unit shares the rank
    unit_key: str
    name_vi: str
    name_en: str
    score: float | None
    grade: str | None
    state: str  # the index's: scored, too_few (not ranked: not enough data), no_data
    on_time: float | None
    online: float | None
    satisfaction: float | None
    received: int
    completed: int
    in_progress: int
    overdue: int
    movement: int | None
    stale: bool


@dataclass(frozen=True)
class LeagueTable:
    kind: str
    rows: tuple[TableRow, ...]

    def unranked_note(self, lang: str) -> str | None:
        """The league page's words for the units not ranked (`layouts.league.summary`): how many have not enough
        data, and among how many units the ranks are; None when every unit is ranked."""
        ranked = sum(row.rank is not None for row in self.rows)
        if ranked == len(self.rows):
            return None
        key = "league.summary.too_few" if ranked else "league.summary.none"
        return t(key, lang, n=fmt_int(len(self.rows) - ranked, lang), ranked=fmt_int(ranked, lang))


@dataclass(frozen=True)
class AttentionUnit:
    unit_key: str
    name_vi: str
    name_en: str
    league: str | None
    rank: int | None
    in_breach: tuple[dict[str, Any], ...]  # the unit's alarms at the as-of
    shortfall: float  # Σ (target − value) ÷ target over the criteria it missed
    missed: tuple[dict[str, Any], ...]  # the commitments it missed: criterion, target, value
    figures: dict[str, Any]  # the unit's API figures (kpis, index, commitments)


@dataclass(frozen=True)
class Report:
    content_hash: str
    period: str
    as_of: datetime
    window: tuple[datetime, datetime]
    data_version: int
    recounted: bool
    city: dict[str, Any]
    leagues: tuple[LeagueTable, ...]
    attention: tuple[AttentionUnit, ...]
    alerts: tuple[dict[str, Any], ...]
    freshness: tuple[dict[str, Any], ...]
    computed_with: dict[str, str]
    changes: Changes | None = None  # since the previous snapshot, when given
    previous_as_of: datetime | None = None
    body: dict[str, Any] = field(default_factory=dict, repr=False)


def _value(ratio: dict[str, Any] | None) -> float | None:
    return None if ratio is None else ratio.get("value")


def index_state(index: dict[str, Any]) -> str:
    """The index's state; a snapshot made before the minimum counts records none: scored, or no data."""
    return index.get("state") or ("scored" if index["score"] is not None else "no_data")


def table_row(row: dict[str, Any], ranks: list[int | None]) -> TableRow:
    kpis = row["kpis"]
    return TableRow(
        rank=row["rank"],
        tied=row["rank"] is not None and ranks.count(row["rank"]) > 1,
        unit_key=row["unit_key"],
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        score=row["index"]["score"],
        grade=row["index"]["grade"],
        state=index_state(row["index"]),
        on_time=_value(kpis["on_time"]),
        online=_value(kpis["online"]),
        satisfaction=_value(kpis["dossier_satisfaction"]),
        received=kpis["received"],
        completed=kpis["completed"],
        in_progress=kpis["backlog"]["in_progress"],
        overdue=kpis["backlog"]["overdue"],
        movement=row["movement"],
        stale=row["stale"],
    )


def missed_commitments(figures: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    """The commitments a unit missed (value below target) and its total relative shortfall."""
    missed = [
        c for c in figures.get("commitments", []) if c["value"] is not None and c["target"] and c["value"] < c["target"]
    ]
    return missed, sum((c["target"] - c["value"]) / c["target"] for c in missed)


def attention(body: dict[str, Any], ranks: dict[str, tuple[str, int | None]]) -> list[AttentionUnit]:
    """The units that need attention, by the rule above: breaches first (most alarms), then by shortfall."""
    alarms: dict[str, list[dict[str, Any]]] = {}
    for alert in body["alerts"]:
        if alert["severity"] == "alarm":
            alarms.setdefault(alert["unit_key"], []).append(alert)
    found = []
    for figures in body["kpis"]["units"]:
        key = figures["unit"]["key"]
        if figures["unit"]["kind"] == CITY:  # the city's own row: its figures are the summary
            continue
        missed, shortfall = missed_commitments(figures)
        league, rank = ranks.get(key, (None, None))
        found.append(
            AttentionUnit(
                key,
                figures["unit"]["name_vi"],
                figures["unit"]["name_en"],
                league,
                rank,
                tuple(alarms.get(key, ())),
                shortfall,
                tuple(missed),
                figures,
            )  # fmt: skip
        )
    breach = sorted((u for u in found if u.in_breach), key=lambda u: (-len(u.in_breach), -u.shortfall, u.unit_key))
    below = sorted((u for u in found if not u.in_breach and u.shortfall > 0), key=lambda u: (-u.shortfall, u.unit_key))
    return (breach + below[:ATTENTION_BELOW])[:ATTENTION_MAX]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def report(body: dict[str, Any], content_hash: str, previous: dict[str, Any] | None = None) -> Report:
    """The report of a snapshot body (and what changed since `previous`, an earlier snapshot's body)."""
    leagues = []
    ranks: dict[str, tuple[str, int | None]] = {}
    for kind, league in sorted(body["leagues"].items()):
        all_ranks = [row["rank"] for row in league["rows"]]
        leagues.append(LeagueTable(kind, tuple(table_row(row, all_ranks) for row in league["rows"])))
        ranks |= {row["unit_key"]: (kind, row["rank"]) for row in league["rows"]}
    window = body["window"]
    return Report(
        content_hash=content_hash,
        period=body["period"],
        as_of=_instant(body["as_of"]),
        window=(_instant(window["start"]), _instant(window["end"])),
        data_version=body["data_version"],
        recounted=body["recounted_in_event_time"],
        city=body["city_figures"],
        leagues=tuple(leagues),
        attention=tuple(attention(body, ranks)),
        alerts=tuple(body["alerts"]),
        freshness=tuple(body["freshness"]),
        computed_with=body["computed_with"],
        changes=changes(previous, body) if previous else None,
        previous_as_of=_instant(previous["as_of"]) if previous else None,
        body=body,
    )
