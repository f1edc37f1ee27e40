"""The unit tile's downloads: the buttons that ask for them, their file names, and a whole drill-through list (every
row, not one page) as CSV or as an Excel workbook; the tile's own workbook is `layouts.unit_xlsx`.

A list has one header row and plain values: counts as numbers, instants in the city's time (ISO 8601 with the
offset in the CSV, date cells shown dd/mm/yyyy hh:mm in the workbook), n/a empty; the CSV is UTF-8 with a byte-order
mark so Excel reads the Vietnamese. Text goes through `dashboard.core.cells.neutralise`: a native code such as
'=1+1' gets a leading apostrophe and is never evaluated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.core.categories import category_for
from dashboard.core.cells import inert
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import CATALOGUE, fmt_datetime, fmt_int, period_label, t
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import BACKLOG_FILTERS, FEEDBACK_LIST_PREFIX, OPEN_FEEDBACK_FILTERS
from layouts import shell
from layouts.attrs import Attrs
from layouts.dossiers import procedure_name
from layouts.ids import UnitIds

if TYPE_CHECKING:
    from dashboard.pages.unit import UnitView
    from dashboard.pages.unit_export import WholeList

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
BOM = "\ufeff"
WHEN = "dd/mm/yyyy hh:mm"
HEADER_ROW = 3
NOW_LISTS = (*BACKLOG_FILTERS, *(f"{FEEDBACK_LIST_PREFIX}{name}" for name in OPEN_FEEDBACK_FILTERS))  # no period


# --- the buttons ------------------------------------------------------------------------------------------------
def _buttons(buttons: list[tuple[str, str]], lang: str) -> html.Div:
    return html.Div(
        [dbc.Button(label, id=button_id, color="light", size="sm") for button_id, label in buttons],
        className="pulse-exports",
        role="group",
        **Attrs({"aria-label": t("unit.export.group", lang)}),
    )


def tile_tools(lang: str, detail: bool = True) -> html.Div:
    """ "Tải Excel" of the whole tile (for the unit's own staff), and the two downloads' targets (kept out of the
    refreshed parts)."""
    return html.Div(
        [
            _buttons([(UnitIds.XLSX, t("unit.export.xlsx", lang))] if detail else [], lang),
            dcc.Download(id=UnitIds.DOWNLOAD),
            dcc.Download(id=UnitIds.DRILL_DOWNLOAD),
        ],
        className="pulse-unit-exports",
    )


def drill_tools(lang: str) -> html.Div:
    """ "Tải CSV" and "Tải Excel" of the open list, every row of it."""
    return _buttons(
        [(UnitIds.DRILL_CSV, t("unit.export.csv", lang)), (UnitIds.DRILL_XLSX, t("unit.export.xlsx", lang))], lang
    )


# --- file names -------------------------------------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(CITY_TZ):%Y%m%d-%H%M}"


def tile_file_name(view: UnitView) -> str:
    """don-vi-quan-1-30d-20191127-1500 (no extension)."""
    return f"don-vi-{view.unit['key']}-{view.period}-{_stamp(view.as_of)}"


def list_file_name(listed: WholeList) -> str:
    """ho-so-quan-1-overdue-20191127-1500, phan-anh-quan-1-feedback_open-20191127-1500 (no extension)."""
    what = "phan-anh" if listed.feedback else "ho-so"
    return f"{what}-{listed.unit['key']}-{listed.list_name}-{_stamp(listed.as_of)}"


# --- a whole list -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    when: bool = False  # an instant
    number_format: str | None = None


def _word(prefix: str, value: str | None, lang: str) -> str | None:
    """The catalogue's word for a code (`<prefix>.<value>`), else the code itself; None for no value."""
    if value is None:
        return None
    return t(f"{prefix}.{value}", lang) if f"{prefix}.{value}" in CATALOGUE else value


def dossier_columns(lang: str) -> tuple[Column, ...]:
    def word(prefix: str, field: str) -> Callable[[dict[str, Any]], Any]:
        return lambda row: _word(prefix, row.get(field), lang)

    return (
        Column(t("unit.col.code", lang), lambda row: row["native_code"]),
        Column(t("unit.export.col.procedure_code", lang), lambda row: row["procedure_code"]),
        Column(t("unit.col.procedure", lang), lambda row: procedure_name(row, lang)),
        Column(t("unit.export.col.channel", lang), word("unit.export.channel", "channel")),
        Column(t("unit.col.received", lang), lambda row: row["received_at"], when=True),
        Column(t("unit.col.due", lang), lambda row: row["due_original_at"], when=True),
        Column(t("unit.export.col.status", lang), word("unit.status", "status")),
        Column(t("unit.col.completed", lang), lambda row: row.get("completed_at"), when=True),
        Column(t("unit.col.late_days", lang), lambda row: row.get("late_days"), number_format="#,##0"),
        Column(t("unit.export.col.apology_at", lang), lambda row: row.get("apology_at"), when=True),
        Column(t("unit.export.col.new_due", lang), lambda row: row.get("apology_new_due_at"), when=True),
        Column(t("unit.export.col.rating", lang), word("unit.export.rating", "rating")),
    )


def feedback_columns(lang: str) -> tuple[Column, ...]:
    return (
        Column(t("unit.col.feedback_id", lang), lambda row: row["native_id"]),
        Column(t("unit.col.feedback_category", lang), lambda row: category_for(row["category"], lang)[0]),
        Column(t("unit.col.feedback_channel", lang), lambda row: _word("unit.feedback.channel", row["channel"], lang)),
        Column(t("unit.col.received", lang), lambda row: row["received_at"], when=True),
        Column(t("unit.export.col.feedback_due", lang), lambda row: row.get("due_at"), when=True),
        Column(
            t("unit.export.col.status", lang), lambda row: _word("unit.export.feedback_status", row["status"], lang)
        ),
        Column(t("unit.col.feedback_answered", lang), lambda row: row.get("answered_at"), when=True),
        Column(t("unit.export.col.rating", lang), lambda row: _word("unit.export.rating", row.get("rating"), lang)),
    )


def list_columns(listed: WholeList, lang: str) -> tuple[Column, ...]:
    return feedback_columns(lang) if listed.feedback else dossier_columns(lang)


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the city's wall-clock time."""
    return None if moment is None else moment.astimezone(CITY_TZ).replace(tzinfo=None)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(CITY_TZ).isoformat(timespec="seconds")


def list_csv(listed: WholeList, lang: str) -> bytes:
    """One header row, one row per dossier (or feedback item) of the whole list."""
    columns = list_columns(listed, lang)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([inert(column.header) for column in columns])
    for row in listed.rows:
        cells = []
        for column in columns:
            value = column.value(row)
            cells.append(_iso(value) if column.when else "" if value is None else inert(value))
        writer.writerow(cells)
    return (BOM + text.getvalue()).encode("utf-8")


def list_title(listed: WholeList, lang: str) -> str:
    """ "Hồ sơ quá hạn đang giải quyết: 120 hồ sơ · Quận 1 · Số liệu lúc …", the period too for a period's list."""
    unit = unit_name(listed.unit["name_vi"], listed.unit["name_en"], lang)
    suffix = "_feedback" if listed.feedback else ""
    name = t(f"unit.list.{listed.list_name}", lang)
    parts = [t(f"unit.drill.title{suffix}", lang, name=name, n=fmt_int(len(listed.rows), lang)), unit]
    if listed.list_name not in NOW_LISTS:
        parts.append(t("unit.export.period", lang, period=period_label("unit", listed.period, lang)))
    return " · ".join([*parts, shell.as_of_text(listed.as_of, lang)])


def list_workbook(listed: WholeList, lang: str) -> bytes:
    """A title row (the list, its size, the unit, the period, the as-of time), the window, one frozen header row
    and every row of the list (written row by row: a list may be long)."""
    columns = list_columns(listed, lang)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t("unit.export.sheet.feedback" if listed.feedback else "unit.export.sheet.list", lang))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 18 if column.when else max(12, len(column.header) + 2)
    sheet.column_dimensions["C"].width = 14 if listed.feedback else 36

    def cell(value: Any, number_format: str | None = None, font: Font | None = None) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=inert(value))
        if number_format and value is not None:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    start, end = fmt_datetime(listed.window.start, lang), fmt_datetime(listed.window.end, lang)
    note = (
        t("unit.export.now_list", lang)
        if listed.list_name in NOW_LISTS
        else t("league.xlsx.window", lang, start=start, end=end)
    )
    sheet.append([cell(list_title(listed, lang), font=Font(bold=True, size=13))])
    sheet.append([cell(note)])
    sheet.append([cell(column.header, font=Font(bold=True)) for column in columns])
    for row in listed.rows:
        sheet.append(
            [
                cell(_local(column.value(row)), WHEN) if column.when else cell(column.value(row), column.number_format)
                for column in columns
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
