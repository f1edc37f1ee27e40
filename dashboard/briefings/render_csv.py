"""The briefing's league tables and its units needing attention as CSV, for Excel and for scripts, made from the
report alone: one header row; plain values (numbers written with '.' decimals, rates as values 0–1, n/a as an empty
field, the rank a number — or, for a unit not ranked, why in words — and a tie its own column, 1 or 0); UTF-8 with a byte-order mark so Excel reads the
Vietnamese; every text through `dashboard.core.cells.neutralise`, so a formula-looking name is never evaluated.

The columns and values of these tables are defined here once (`league_table`, `attention_table`); `render_xlsx`
writes the same tables as sheets, with number formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from dashboard.briefings.report import AttentionUnit, LeagueTable, TableRow
from dashboard.core.cells import neutralise
from dashboard.core.i18n import t
from dashboard.core.unit_names import unit_name

BOM = "\ufeff"
# What a column holds: words, a rank, a yes/no flag, a score (0–100), a rate (0–1), a count, places up or down,
# an instant, a lag (in days); `render_xlsx` gives each its number format.
Kind = Literal["text", "rank", "flag", "score", "rate", "count", "places", "when", "lag"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Typed:
    """A value whose kind is its own, not its column's (a column of figures of different kinds)."""

    value: Any
    kind: Kind


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


def name(lang: str, vi: str, en: str) -> str:
    return unit_name(vi, en, lang)


def league_columns(lang: str) -> tuple[Column, ...]:
    """The columns of a league, in order."""
    return (
        Column(t("league.col.rank", lang), "rank"),
        Column(t("briefing.table.tie", lang), "flag"),
        Column(t("league.col.unit", lang)),
        Column(t("league.xlsx.key", lang)),
        Column(t("league.col.score", lang), "score"),
        Column(t("league.xlsx.grade", lang)),
        Column(t("league.col.on_time", lang), "rate"),
        Column(t("league.col.online", lang), "rate"),
        Column(t("league.col.satisfaction", lang), "rate"),
        Column(t("league.xlsx.received", lang), "count"),
        Column(t("league.xlsx.completed", lang), "count"),
        Column(t("briefing.table.in_progress", lang), "count"),
        Column(t("briefing.table.overdue", lang), "count"),
        Column(t("league.col.movement", lang), "places"),
        Column(t("league.xlsx.stale", lang), "flag"),
    )


def league_values(row: TableRow, lang: str) -> tuple[Any, ...]:
    """One unit's cells, in the order of `league_columns` (None: n/a). A unit not ranked says why in its rank cell,
    as the web league's rank does ("Chưa xếp hạng — chưa đủ số liệu"), and its score cell holds its score when one
    is computed, else the briefing's words for none ("chưa đủ số liệu", as the HTML and PDF briefings)."""
    unranked = row.rank is None
    score = t(f"index.score.{row.state}", lang) if row.score is None else row.score
    return (
        t(f"index.unranked.{row.state}", lang) if unranked else row.rank,
        None if unranked else row.tied,
        name(lang, row.name_vi, row.name_en),
        row.unit_key,
        score,
        t(f"league.grade.{row.grade}", lang) if row.grade else None,
        row.on_time,
        row.online,
        row.satisfaction,
        row.received,
        row.completed,
        row.in_progress,
        row.overdue,
        row.movement,
        row.stale,
    )


def league_table(table: LeagueTable, lang: str) -> Table:
    """A league, best first, unranked units last (as the report holds it)."""
    return Table(league_columns(lang), tuple(league_values(row, lang) for row in table.rows))


def alert_word(kind: str, lang: str) -> str:
    return t(f"briefing.table.alert.{kind}", lang)


def attention_table(units: Sequence[AttentionUnit], lang: str) -> Table:
    """The units needing attention, in the report's order: one row per commitment a unit missed (one row with the
    commitment columns empty for a unit in breach that missed none)."""
    columns = (
        Column(t("league.col.unit", lang)),
        Column(t("league.xlsx.key", lang)),
        Column(t("briefing.table.league", lang)),
        Column(t("league.col.rank", lang), "rank"),
        Column(t("briefing.table.alarms", lang)),
        Column(t("briefing.table.shortfall", lang), "score"),
        Column(t("briefing.table.criterion", lang)),
        Column(t("briefing.table.target", lang), "rate"),
        Column(t("briefing.table.value", lang), "rate"),
        Column(t("briefing.table.progress", lang), "rate"),
    )
    rows = []
    for unit in units:
        alarms = "; ".join(alert_word(alert["kind"], lang) for alert in unit.in_breach) or None
        league = t(f"league.kind.{unit.league}", lang) if unit.league else None
        first = (name(lang, unit.name_vi, unit.name_en), unit.unit_key, league, unit.rank, alarms, unit.shortfall)
        missed: list[tuple[Any, ...]] = [
            (t(f"league.criterion.{c['criterion']}", lang), c["target"], c["value"], c["value"] / c["target"])
            for c in unit.missed
        ]
        rows += [(*first, *commitment) for commitment in missed or [(None, None, None, None)]]
    return Table(columns, tuple(rows))


def plain(value: Any) -> Any:
    """A CSV field: n/a empty, a flag 1 or 0, an instant in ISO 8601, text made inert, numbers as they are."""
    if isinstance(value, Typed):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else value


def write(table: Table) -> str:
    """The table as CSV text: a byte-order mark, one header row, one line per row (CRLF, as Excel writes)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([neutralise(column.header) for column in table.columns])
    writer.writerows([plain(value) for value in row] for row in table.rows)
    return out.getvalue()


def league_csv(table: LeagueTable, lang: str = "vi") -> str:
    """A league as CSV (see the module's docstring)."""
    return write(league_table(table, lang))


def attention_csv(units: Sequence[AttentionUnit], lang: str = "vi") -> str:
    """The units needing attention (`Report.attention`) with their missed commitments, as CSV."""
    return write(attention_table(units, lang))
