"""The unit tile as an Excel workbook (openpyxl), from the tile's own model (`UnitView`): its KPIs, its
commitments, the 90-day trend, the ageing buckets and the late procedures, one sheet each.

The house style of `layouts.league_xlsx`: every sheet opens with a title row (the unit, the sheet, the period and
the as-of time) and the period's window, then one frozen header row; numbers are numbers with a number format
(rates 0–1 as '0.0%', counts '#,##0', days '0.0'), days are dates, n/a an empty cell; text goes through
`dashboard.core.cells.inert`, so a formula-looking name is never evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.core.cells import inert
from dashboard.core.i18n import CATALOGUE, SCORE_CELL, fmt_datetime, fmt_int, period_label, t
from dashboard.core.vocabulary import AGEING_BUCKETS, league_of
from dashboard.metrics.service_index import criterion_ratio, progress_against
from layouts import shell
from layouts.dossiers import procedure_name
from layouts.index_words import not_ranked_text
from layouts.unit import unit_name

if TYPE_CHECKING:
    from dashboard.metrics.kpis import Ratio
    from dashboard.pages.unit import UnitView

HEADER_ROW = 3
PERCENT, COUNT, DAYS, SCORE, DAY = "0.0%", "#,##0", "0.0", SCORE_CELL, "dd/mm/yyyy"


@dataclass(frozen=True)
class Value:
    """A cell whose number format is its own, not its column's (a column of figures of different kinds)."""

    value: Any
    number_format: str | None


@dataclass(frozen=True)
class Sheet:
    tab: str  # the sheet's name (at most 31 characters)
    title: str  # what it holds, for the title row
    columns: tuple[tuple[str, str | None], ...]  # (header, number format)
    rows: tuple[tuple[Any, ...], ...]


def _rate_row(label: str, ratio: Ratio, city: Ratio) -> tuple[Any, ...]:
    return (label, Value(ratio.value, PERCENT), ratio.numerator, ratio.denominator, Value(city.value, PERCENT))


def _count_row(label: str, count: int, city: int) -> tuple[Any, ...]:
    return (label, Value(count, COUNT), None, None, Value(city, COUNT))


def _days_row(label: str, days: float | None, city: float | None) -> tuple[Any, ...]:
    return (label, Value(days, DAYS), None, None, Value(city, DAYS))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _score_row(view: UnitView, lang: str) -> tuple[Any, ...]:
    """The score, or the tile's words for none ("chưa đủ số liệu", "không có số liệu")."""
    index = view.index
    score = Value(index.score, SCORE) if index.score is not None else Value(t(f"index.score.{index.state}", lang), None)
    return (t("unit.export.kpi.score", lang), score, None, None, None)


def _rank_row(view: UnitView, lang: str) -> tuple[Any, ...]:
    """The rank out of the units ranked, as the tile has it ("Hạng 3/17 … trong 17 đơn vị đủ số liệu (trên 25)"),
    or its "Chưa xếp hạng — chưa đủ số liệu"; a unit outside the leagues has none."""
    kind = league_of(view.unit["kind"])
    if kind is None:
        return (t("unit.export.kpi.rank", lang), None, None, None, None)
    ranked = view.ranked_count or view.league_size
    if ranked < view.league_size:
        label = t(
            "unit.export.kpi.rank_enough", lang, ranked=fmt_int(ranked, lang), size=fmt_int(view.league_size, lang)
        )
    else:
        label = t(f"unit.league.{kind}", lang, size=fmt_int(view.league_size, lang))
    if view.rank is None and view.unit.get("ranked", True) and view.index.state != "scored":
        return (label, Value(not_ranked_text(view.index, lang), None), None, None, None)
    return (label, Value(view.rank, COUNT), None, ranked or None, None)


def kpi_sheet(view: UnitView, lang: str) -> Sheet:
    """Each figure of the tile: its value, numerator and denominator (for a rate) and the whole city's value."""
    kpis, city = view.kpis, view.city
    rates = {
        name: _rate_row(t(f"unit.kpi.{name}", lang), getattr(kpis, name), getattr(city, name))
        for name in ("on_time", "apology", "online", "online_full", "dossier_satisfaction", "feedback_on_time")
    }
    backlog, city_backlog = kpis.backlog, city.backlog
    overdue_share = (
        t("briefing.table.term.overdue_share", lang),
        Value(_share(backlog.overdue, backlog.in_progress), PERCENT),
        backlog.overdue,
        backlog.in_progress,
        Value(_share(city_backlog.overdue, city_backlog.in_progress), PERCENT),
    )
    rows = (
        rates["on_time"],
        _count_row(t("kpi.in_progress", lang), backlog.in_progress, city_backlog.in_progress),
        _count_row(t("kpi.overdue", lang), backlog.overdue, city_backlog.overdue),
        overdue_share,
        rates["apology"],
        _days_row(t("unit.export.kpi.processing", lang), kpis.median_processing_days, city.median_processing_days),
        _days_row(t("unit.export.kpi.statutory", lang), kpis.mean_statutory_days, city.mean_statutory_days),
        rates["online"],
        rates["online_full"],
        rates["dossier_satisfaction"],
        rates["feedback_on_time"],
        _rate_row(
            t("unit.export.kpi.feedback_satisfaction", lang), kpis.feedback_satisfaction, city.feedback_satisfaction
        ),
        _count_row(t("unit.list.received", lang), kpis.received, city.received),
        _count_row(t("unit.list.completed", lang), kpis.completed, city.completed),
        _count_row(t("unit.list.late", lang), kpis.late, city.late),
        _count_row(t("unit.list.feedback_received", lang), kpis.feedback_received, city.feedback_received),
        _count_row(t("unit.list.feedback_open", lang), kpis.open_feedback, city.open_feedback),
        _count_row(t("unit.list.feedback_overdue", lang), kpis.overdue_feedback, city.overdue_feedback),
        _score_row(view, lang),
        _rank_row(view, lang),
    )
    columns = (
        (t("unit.export.col.figure", lang), None),
        (t("unit.export.col.value", lang), None),
        (t("unit.export.col.numerator", lang), COUNT),
        (t("unit.export.col.denominator", lang), COUNT),
        (t("unit.export.col.city", lang), None),
    )
    return Sheet(t("unit.export.sheet.kpis", lang), t("unit.export.sheet.kpis", lang), columns, rows)


def _criterion(key: str, lang: str) -> str:
    return t(f"unit.kpi.{key}", lang) if f"unit.kpi.{key}" in CATALOGUE else t(f"league.criterion.{key}", lang)


def commitment_sheet(view: UnitView, lang: str) -> Sheet:
    """Each signed target: the target, the rate reached, its numbers, how far toward the target, met or not."""
    rows = []
    for key, target in view.targets.items():
        ratio = criterion_ratio(view.kpis, key)
        progress = progress_against(target, ratio)
        met = None if progress is None else t("unit.export.met" if progress >= 1 else "unit.export.not_met", lang)
        rows.append((_criterion(key, lang), target, ratio.value, ratio.numerator, ratio.denominator, progress, met))
    columns = (
        (t("unit.export.col.criterion", lang), None),
        (t("unit.export.col.target", lang), PERCENT),
        (t("unit.export.col.reached", lang), PERCENT),
        (t("unit.export.col.numerator", lang), COUNT),
        (t("unit.export.col.denominator", lang), COUNT),
        (t("unit.export.col.progress", lang), PERCENT),
        (t("unit.export.col.result", lang), None),
    )
    return Sheet(
        t("unit.export.sheet.commitments", lang), t("unit.export.sheet.commitments", lang), columns, tuple(rows)
    )


def trend_sheet(view: UnitView, lang: str) -> Sheet:
    """Per day, oldest first: received, completed, closed (every end: result, refusal, withdrawal, cancellation) and
    in progress at the end of the day — the chart's numbers."""
    rows = tuple(
        (row["day"], row["received"], row["completed"], row.get("closed"), row["in_progress"]) for row in view.trend
    )
    columns = (
        (t("unit.export.col.day", lang), DAY),
        (t("fig.trend.received", lang), COUNT),
        (t("fig.trend.completed", lang), COUNT),
        (t("unit.export.col.closed", lang), COUNT),
        (t("fig.trend.in_progress", lang), COUNT),
    )
    title = t("unit.trend", lang, n=view.trend_days)
    return Sheet(t("unit.export.sheet.trend", lang, n=view.trend_days), title, columns, rows)


def ageing_sheet(view: UnitView, lang: str) -> Sheet:
    """The dossiers in progress per ageing bucket, and each bucket's share of them."""
    ageing, total = view.kpis.backlog.ageing, view.kpis.backlog.in_progress
    rows = tuple(
        (t(f"fig.ageing.{bucket}", lang), ageing.get(bucket, 0), _share(ageing.get(bucket, 0), total))
        for bucket in AGEING_BUCKETS
    )
    columns = (
        (t("unit.export.col.bucket", lang), None),
        (t("fig.ageing.count", lang), COUNT),
        (t("unit.export.col.share", lang), PERCENT),
    )
    return Sheet(t("unit.export.sheet.ageing", lang), t("unit.ageing", lang), columns, rows)


def late_procedure_sheet(view: UnitView, lang: str) -> Sheet:
    """The procedures with the most late dossiers (completed late in the period, or overdue now)."""
    rows = tuple((row["procedure_code"], procedure_name(row, lang), row["late"]) for row in view.late_procedures)
    columns = (
        (t("unit.export.col.procedure_code", lang), None),
        (t("unit.col.procedure", lang), None),
        (t("unit.export.col.late", lang), COUNT),
    )
    return Sheet(t("unit.export.sheet.late", lang), t("unit.late_procedures", lang), columns, rows)


def sheets(view: UnitView, lang: str) -> list[Sheet]:
    return [
        kpi_sheet(view, lang),
        commitment_sheet(view, lang),
        trend_sheet(view, lang),
        ageing_sheet(view, lang),
        late_procedure_sheet(view, lang),
    ]


def heading(unit: str, what: str, period: str, as_of_text: str, lang: str) -> str:
    """A sheet's title row: "Quận 1 · Chỉ số · kỳ 30 ngày · Số liệu lúc 15:00 27/11/2019"."""
    return t("unit.export.title", lang, unit=unit, sheet=what, period=period, as_of=as_of_text)


def write_sheet(book: Workbook, sheet: Sheet, title: str, note: str) -> None:
    """The sheet: its title row, a note row, one bold frozen header row, then its rows."""
    page = book.create_sheet(sheet.tab[:31])
    page["A1"] = inert(title)
    page["A1"].font = Font(bold=True, size=13)
    page["A2"] = inert(note)
    for index, (header, _format) in enumerate(sheet.columns, start=1):
        page.cell(HEADER_ROW, index, inert(header)).font = Font(bold=True)
        page.column_dimensions[get_column_letter(index)].width = max(12, min(len(header) + 2, 40))
    page.column_dimensions["A"].width = 44 if sheet.columns[0][1] is None else 14
    for offset, row in enumerate(sheet.rows, start=1):
        for index, value in enumerate(row, start=1):
            number_format = sheet.columns[index - 1][1]
            if isinstance(value, Value):
                value, number_format = value.value, value.number_format
            cell = page.cell(HEADER_ROW + offset, index, inert(value))
            if number_format and value is not None:
                cell.number_format = number_format
    page.freeze_panes = page.cell(HEADER_ROW + 1, 1)


def workbook(parts: Sequence[Sheet], titles: Sequence[str], note: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet, title in zip(parts, titles, strict=True):
        write_sheet(book, sheet, title, note)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tile_workbook(view: UnitView, lang: str) -> bytes:
    """The workbook of the tile: five sheets, each titled with the unit, the period and the as-of time."""
    name, period = unit_name(view.unit, lang), period_label("unit", view.period, lang)
    as_of_text = shell.as_of_text(view.as_of, lang)
    window = view.kpis.window
    note = t("league.xlsx.window", lang, start=fmt_datetime(window.start, lang), end=fmt_datetime(window.end, lang))
    parts = sheets(view, lang)
    return workbook(parts, [heading(name, sheet.title, period, as_of_text, lang) for sheet in parts], note)
