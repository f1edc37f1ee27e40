"""The briefing as an Excel workbook (openpyxl), made from the report alone: one sheet per table — the city
summary, each league, the units needing attention with their missed commitments, what changed since the previous
snapshot (when the report has it), the alerts, the sources' freshness — and the definitions of the figures.

Every sheet starts with a title row (the table, the period and the as-of time in the city's time), a note row
(the window, the data version, the snapshot's hash), then one frozen header row. Numbers are numbers with number
formats: rates as values 0–1 shown '0.0%', scores '0.00', counts '#,##0', places up or down '+0;-0;0'; instants
in the city's wall-clock time; the rank a number and a tie its own column; n/a an empty cell. Text cells are
written as strings with the text format '@' and through `dashboard.core.cells.neutralise`: a text that starts with
= + - @, a tab or a carriage return gets a leading apostrophe, as in the CSV, and is never a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.briefings.changes import CITY_FIGURES, UNIT_FIGURES, Delta, UnitChange
from dashboard.briefings.render_csv import Column, Kind, Table, Typed, alert_word, attention_table, league_table, name
from dashboard.briefings.report import Report
from dashboard.core.cells import neutralise
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import SCORE_CELL, fmt_datetime, period_label, t

TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
FORMATS: dict[Kind, str] = {
    "text": "@",
    "rank": "0",
    "flag": "@",
    "score": SCORE_CELL,
    "rate": "0.0%",
    "count": "#,##0",
    "places": "+0;-0;0",
    "when": "dd/mm/yyyy hh:mm",
    "lag": "[h]:mm",
}
ALERT_KINDS: dict[str, Kind] = {"overdue_share": "rate", "new_late": "count", "stale_source": "lag"}
FIGURE_KINDS: dict[str, Kind] = {"score": "score", "on_time": "rate", "online": "rate", "dossier_satisfaction": "rate"}
PARTS = ("before", "after", "change")  # of a unit's figure in what changed
DEFINITIONS = (
    "rank",
    "tie",
    "score",
    "grade",
    "on_time",
    "online",
    "satisfaction",
    "received",
    "completed",
    "in_progress",
    "overdue",
    "overdue_share",
    "movement",
    "stale",
    "attention",
    "shortfall",
    "alerts",
    "empty",
    "text",
    "more",
)
DAY_SECONDS = timedelta(days=1).total_seconds()
SHEET_NAME_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _local(moment: datetime) -> datetime:
    """Excel has no time zones: the city's wall-clock time."""
    return moment.astimezone(CITY_TZ).replace(tzinfo=None)


def write_cell(cell: Cell, value: Any, kind: Kind, lang: str) -> None:
    """One cell: n/a left empty, a flag as "có"/"yes" (empty when not), text inert, numbers with their format."""
    if isinstance(value, Typed):
        value, kind = value.value, value.kind
    if value is None or value is False:
        return
    if value is True:
        value = t("league.xlsx.yes", lang)
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"  # a string cell, never a formula
        cell.number_format = FORMATS["text"]
        return
    if isinstance(value, datetime):
        value, kind = _local(value), "when"
    cell.value = value
    cell.number_format = FORMATS[kind]


def add_sheet(book: Workbook, report: Report, lang: str, title: str, table: Table, frozen_columns: int = 0) -> None:
    """A sheet: title row (table, period, as-of), note row, one frozen header row, then the table's rows."""
    sheet: Worksheet = book.create_sheet(title.translate(SHEET_NAME_FORBIDDEN)[:31])
    period = period_label("league", report.period, lang)
    heading = t("briefing.table.title", lang, table=title, period=period, time=fmt_datetime(report.as_of, lang))
    write_cell(sheet.cell(TITLE_ROW, 1), heading, "text", lang)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    write_cell(sheet.cell(NOTE_ROW, 1), note(report, lang), "text", lang)
    for index, column in enumerate(table.columns, start=1):
        write_cell(sheet.cell(HEADER_ROW, index), column.header, "text", lang)
        sheet.cell(HEADER_ROW, index).font = Font(bold=True)
        wide = 34 if column.kind == "text" else max(10, min(len(column.header) + 2, 22))
        sheet.column_dimensions[get_column_letter(index)].width = wide
    for offset, values in enumerate(table.rows, start=1):
        for index, (value, column) in enumerate(zip(values, table.columns, strict=True), start=1):
            write_cell(sheet.cell(HEADER_ROW + offset, index), value, column.kind, lang)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, frozen_columns + 1)


def note(report: Report, lang: str) -> str:
    """The note row: the window, the data version, the snapshot's hash, the snapshot compared with, a recount."""
    start, end = (fmt_datetime(moment, lang) for moment in report.window)
    text = t("briefing.table.note", lang, start=start, end=end, version=report.data_version)
    text += " · sha256 " + report.content_hash
    if report.previous_as_of is not None:
        text += " · " + t("briefing.table.since", lang, time=fmt_datetime(report.previous_as_of, lang))
    return text + (" · " + t("shell.recounted", lang) if report.recounted else "")


def unit_names(report: Report, lang: str) -> dict[str, str]:
    """Each unit's name in `lang`, by key (the units of the snapshot's figures)."""
    units = (figures["unit"] for figures in report.body.get("kpis", {}).get("units", []))
    return {unit["key"]: name(lang, unit["name_vi"], unit["name_en"]) for unit in units}


def city_table(report: Report, lang: str) -> Table:
    """The city's figures: each with its numerator and denominator when a rate, and the previous snapshot's value
    and the change when the report compares."""
    columns = [
        Column(t("briefing.table.figure", lang)),
        Column(t("briefing.table.city_value", lang), "count"),
        Column(t("briefing.table.numerator", lang), "count"),
        Column(t("briefing.table.denominator", lang), "count"),
    ]
    if report.changes is not None:
        columns += [
            Column(t("briefing.table.before", lang), "count"),
            Column(t("briefing.table.change", lang), "count"),
        ]
    rows = []
    for figure, _path in CITY_FIGURES:
        value = report.city.get(figure)
        kind: Kind = "rate" if isinstance(value, dict) else "count"
        ratio = value if isinstance(value, dict) else {"value": value}
        row = [t(f"briefing.table.city.{figure}", lang), Typed(ratio["value"], kind)]
        row += [ratio.get("numerator"), ratio.get("denominator")]
        if report.changes is not None:
            delta = report.changes.city.get(figure, Delta(None, None))
            row += [Typed(delta.before, kind), Typed(delta.change, kind)]
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows))


def _changed(unit: UnitChange) -> bool:
    flags = (unit.new, unit.newly_late, unit.newly_stale, unit.commitments_met, unit.commitments_missed)
    moved = unit.rank_before != unit.rank_after
    return any(flags) or moved or any(delta.before != delta.after for delta in unit.figures.values())


def _criteria(keys: Iterable[str], lang: str) -> str | None:
    return "; ".join(t(f"league.criterion.{key}", lang) for key in keys) or None


def changes_table(report: Report, lang: str) -> Table:
    """Every unit with something changed since the previous snapshot: ranks, flags, and each figure before, now and
    the change."""
    columns = [
        Column(t("league.col.unit", lang)),
        Column(t("league.xlsx.key", lang)),
        Column(t("briefing.table.league", lang)),
        Column(t("briefing.table.rank_before", lang), "rank"),
        Column(t("briefing.table.rank_after", lang), "rank"),
        Column(t("briefing.table.places_up", lang), "places"),
        Column(t("briefing.table.new", lang), "flag"),
        Column(t("briefing.table.newly_late", lang), "flag"),
        Column(t("briefing.table.newly_stale", lang), "flag"),
        Column(t("briefing.table.met", lang)),
        Column(t("briefing.table.missed", lang)),
    ]
    for figure, _path in UNIT_FIGURES:
        label, kind = t(f"briefing.table.fig.{figure}", lang), FIGURE_KINDS.get(figure, "count")
        columns += [Column(t(f"briefing.table.fig_{part}", lang, figure=label), kind) for part in PARTS]
    rows = []
    for unit in report.changes.units if report.changes else ():
        if not _changed(unit):
            continue
        league = t(f"league.kind.{unit.league}", lang) if unit.league else None
        ranks = [unit.rank_before, unit.rank_after, unit.places_up]
        row: list[Any] = [name(lang, unit.name_vi, unit.name_en), unit.unit_key, league, *ranks]
        row += [unit.new, unit.newly_late, unit.newly_stale]
        row += [_criteria(unit.commitments_met, lang), _criteria(unit.commitments_missed, lang)]
        for figure, _path in UNIT_FIGURES:
            delta = unit.figures.get(figure, Delta(None, None))
            row += [delta.before, delta.after, delta.change]
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows))


def _alert_value(value: float | None, kind: Kind) -> Typed:
    """An alert's value or limit; a stale source's lag is in seconds, written as Excel's days (shown h:mm)."""
    if kind == "lag" and value is not None:
        return Typed(value / DAY_SECONDS, kind)
    return Typed(value, kind)


def alerts_table(report: Report, lang: str) -> Table:
    """The alerts at the as-of; with a comparison, which are new and, after them, those closed since."""
    names = unit_names(report, lang)
    columns = [
        Column(t("briefing.table.severity", lang)),
        Column(t("briefing.table.alert", lang)),
        Column(t("league.col.unit", lang)),
        Column(t("league.xlsx.key", lang)),
        Column(t("briefing.table.source", lang)),
        Column(t("briefing.table.since_time", lang), "when"),
        Column(t("briefing.table.alert_value", lang), "count"),
        Column(t("briefing.table.limit", lang), "count"),
    ]
    compared = report.changes is not None
    if compared:
        columns.append(Column(t("briefing.table.status", lang)))
    opened = report.changes.alerts_opened if report.changes else ()
    closed = report.changes.alerts_closed if report.changes else ()
    rows = []
    for alert in (*report.alerts, *closed):
        kind = ALERT_KINDS.get(alert["kind"], "count")
        row: list[Any] = [t(f"wall.level.{alert['severity']}", lang), alert_word(alert["kind"], lang)]
        row += [names.get(alert["unit_key"], alert["unit_key"]), alert["unit_key"], alert.get("source")]
        row += [datetime.fromisoformat(alert["at"]), _alert_value(alert["value"], kind)]
        row.append(_alert_value(alert["limit"], kind))
        if compared:
            status = "opened" if alert in opened else "closed" if alert in closed else None
            row.append(t(f"briefing.table.status.{status}", lang) if status else None)
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows))


def freshness_table(report: Report, lang: str) -> Table:
    """Each source: its unit, its last good pull, whether it was stale at the as-of, its last error."""
    names = unit_names(report, lang)
    columns = (
        Column(t("briefing.table.source", lang)),
        Column(t("league.col.unit", lang)),
        Column(t("league.xlsx.key", lang)),
        Column(t("briefing.table.last_good_pull", lang), "when"),
        Column(t("league.xlsx.stale", lang), "flag"),
        Column(t("briefing.table.last_error", lang)),
    )
    rows = []
    for source in report.freshness:
        pulled = source["last_good_pull_at"]
        rows.append(
            (
                source["source"],
                names.get(source["unit_key"], source["unit_key"]),
                source["unit_key"],
                datetime.fromisoformat(pulled) if pulled else None,
                source["stale"],
                source["last_error"],
            )
        )
    return Table(columns, tuple(rows))


def definitions_table(report: Report, lang: str) -> Table:
    """Short definitions of the figures (docs/metrics.md has them in full) and what they were computed with."""
    columns = (Column(t("briefing.table.figure", lang)), Column(t("briefing.table.definition", lang)))
    rows: list[tuple[Any, ...]] = [
        (t(f"briefing.table.term.{key}", lang), t(f"briefing.table.def.{key}", lang)) for key in DEFINITIONS
    ]
    rows += [
        (t("briefing.table.computed_with", lang, name=key), digest) for key, digest in report.computed_with.items()
    ]
    rows.append((t("briefing.table.snapshot_hash", lang), report.content_hash))
    return Table(columns, tuple(rows))


def workbook(report: Report, lang: str = "vi") -> bytes:
    """The briefing workbook (see the module's docstring), as the bytes of an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    add_sheet(book, report, lang, t("briefing.table.sheet.city", lang), city_table(report, lang))
    for league in report.leagues:
        title = t("briefing.table.sheet.league", lang, kind=t(f"league.kind.{league.kind}", lang))
        add_sheet(book, report, lang, title, league_table(league, lang), frozen_columns=3)
    attention = attention_table(report.attention, lang)
    add_sheet(book, report, lang, t("briefing.table.sheet.attention", lang), attention, frozen_columns=1)
    if report.changes is not None:
        add_sheet(book, report, lang, t("briefing.table.sheet.changes", lang), changes_table(report, lang), 1)
    add_sheet(book, report, lang, t("briefing.table.sheet.alerts", lang), alerts_table(report, lang))
    add_sheet(book, report, lang, t("briefing.table.sheet.freshness", lang), freshness_table(report, lang))
    add_sheet(book, report, lang, t("briefing.table.sheet.definitions", lang), definitions_table(report, lang))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
