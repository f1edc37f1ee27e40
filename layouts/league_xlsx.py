"""The league table as an Excel workbook (openpyxl): the rows as shown, with every number as a number.

AG Grid's own Excel export is an enterprise feature; this builds the file on the server from the same
`LeagueView` the page shows, in the order (and with the filter) the grid had when the button was pressed; a grid
filtered by its search box says so in the title row and in the file name (`filtered_name`, also the CSV's).
The rank is a number and a tie its own column; text cells go through `dashboard.core.cells.neutralise`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from io import BytesIO
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard.core.cells import inert
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import SCORE_CELL, fmt_datetime, period_label, t
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import SCORE_DECIMALS
from layouts import shell

if TYPE_CHECKING:
    from datetime import datetime

    from dashboard.pages.league import LeagueRow, LeagueView

HEADER_ROW = 5
PERCENT, POINTS, WHEN, COUNT = "0.0%", SCORE_CELL, "dd/mm/yyyy hh:mm", "#,##0"
FILTERED = "loc"  # "lọc": the mark of a filtered export's file name
SLUG_LENGTH = 40
STALE_FILL = PatternFill("solid", fgColor="EEEEEE")


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the city's wall-clock time."""
    return None if moment is None else moment.astimezone(CITY_TZ).replace(tzinfo=None)


def filter_slug(text: str) -> str:
    """The search text for a file name: no diacritics, lower case, words joined by "-" ("Quận 1" → "quan-1")."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_LENGTH].strip("-")


def filtered_name(name: str, quick_filter: str | None) -> str:
    """An export's file name (no extension), with "-loc-<search text>" when the grid was filtered by its search box."""
    if not (quick_filter or "").strip():
        return name
    slug = filter_slug(quick_filter or "")
    return f"{name}-{FILTERED}-{slug}" if slug else f"{name}-{FILTERED}"


def shown_order(shown: object, rows: int) -> list[str] | None:
    """The unit keys of the rows a grid says it shows, as sent by the browser: only what is well formed, each key
    once, and no more than the league has rows (a forged list of 20,000 costs no more than the real one); None
    when it sent no list."""
    if not isinstance(shown, list):
        return None
    keys: dict[str, None] = {}
    for row in shown[: 2 * rows + 10]:  # a real grid sends each of its rows once
        key = row.get("unit_key") if isinstance(row, dict) else None
        if isinstance(key, str) and len(keys) < rows:
            keys.setdefault(key, None)
    return list(keys)


def ordered_rows(view: LeagueView, order: Sequence[str] | None) -> list[LeagueRow]:
    """The view's rows in `order` (unit keys, as the grid showed them, each once); all rows in rank order when
    None. The rows are the server's own: the browser only says which and in what order."""
    if order is None:
        return list(view.rows)
    by_key = {row.unit_key: row for row in view.rows}
    return [by_key[key] for key in dict.fromkeys(order) if key in by_key]


def columns(view: LeagueView, lang: str) -> list[tuple[str, str | None]]:
    """(header, number format) of every column."""
    criteria = view.rows[0].index.subscores if view.rows else ()
    targets = sorted({key for row in view.rows for key in row.targets})
    return [
        (t("league.col.rank", lang), None),
        (t("league.xlsx.previous_rank", lang), None),
        (t("league.col.movement", lang), None),
        (t("league.col.unit", lang), None),
        (t("league.xlsx.key", lang), None),
        (t("league.col.score", lang), POINTS),
        (t("briefing.table.tie", lang), None),
        (t("league.xlsx.grade", lang), None),
        *[(f"{t(f'league.criterion.{sub.key}', lang)} ({sub.max_points:g})", POINTS) for sub in criteria],
        (t("league.xlsx.on_time_n", lang), COUNT),
        (t("league.xlsx.completed", lang), COUNT),
        (t("league.col.on_time", lang), PERCENT),
        (t("league.xlsx.online_n", lang), COUNT),
        (t("league.xlsx.received", lang), COUNT),
        (t("league.col.online", lang), PERCENT),
        (t("league.xlsx.satisfied", lang), COUNT),
        (t("league.xlsx.rated", lang), COUNT),
        (t("league.col.satisfaction", lang), PERCENT),
        *[(f"{t('league.col.commitments', lang)}: {t(f'league.criterion.{key}', lang)}", PERCENT) for key in targets],
        (t("league.xlsx.stale", lang), None),
        (t("league.xlsx.data_as_of", lang), WHEN),
    ]


def values(row: LeagueRow, targets: Sequence[str], lang: str, tied: bool = False) -> list[Any]:
    """One row's cells, in the order of `columns` (`tied`: another unit shares its rank)."""
    kpis = row.kpis
    movement: Any = row.movement
    if row.rank is not None and row.previous_rank is None and row.data_from is None:
        movement = t("league.move.new", lang)
    return [
        row.rank,
        row.previous_rank,
        movement,
        unit_name(row.name_vi, row.name_en, lang),
        row.unit_key,
        None if row.index.score is None else round(row.index.score, SCORE_DECIMALS),
        t("league.xlsx.yes", lang) if tied and row.rank is not None else None,
        t(f"league.grade.{row.index.grade}", lang) if row.index.grade else None,
        *[None if sub.points is None else round(sub.points, SCORE_DECIMALS) for sub in row.index.subscores],
        kpis.on_time.numerator,
        kpis.on_time.denominator,
        kpis.on_time.value,
        kpis.online.numerator,
        kpis.online.denominator,
        kpis.online.value,
        kpis.dossier_satisfaction.numerator,
        kpis.dossier_satisfaction.denominator,
        kpis.dossier_satisfaction.value,
        *[row.progress.get(key) for key in targets],
        t("league.xlsx.yes", lang) if row.stale else None,
        _local(row.data_as_of),
    ]


def league_workbook(
    view: LeagueView, lang: str, order: Sequence[str] | None = None, quick_filter: str | None = None
) -> bytes:
    """The workbook: a title (saying so when filtered by `quick_filter`, the search box's text), the window, the
    as-of time and data version, then one frozen header row and one row per unit."""
    book = Workbook()
    sheet = book.active
    sheet.title = t("league.title", lang)[:31]
    kind, period = t(f"league.kind.{view.kind}", lang), period_label("league", view.period, lang)
    title = t("league.xlsx.title", lang, kind=kind.lower() if lang == "en" else kind, period=period)
    searched = (quick_filter or "").strip()
    sheet["A1"] = inert(f"{title} · {t('briefing.table.filtered', lang, text=searched)}" if searched else title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = t(
        "league.xlsx.window", lang, start=fmt_datetime(view.window.start, lang), end=fmt_datetime(view.window.end, lang)
    )
    sheet["A3"] = f"{shell.as_of_text(view.as_of, lang)} · {t('league.xlsx.version', lang, version=view.data_version)}"
    header = columns(view, lang)
    targets = sorted({key for row in view.rows for key in row.targets})
    for index, (title, _format) in enumerate(header, start=1):
        cell = sheet.cell(HEADER_ROW, index, inert(title))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(len(title) + 2, 28))
    sheet.column_dimensions["D"].width = 28
    ranks = Counter(row.rank for row in view.rows if row.rank is not None)
    for offset, row in enumerate(ordered_rows(view, order), start=1):
        tied = row.rank is not None and ranks[row.rank] > 1
        for index, value in enumerate(values(row, targets, lang, tied), start=1):
            cell = sheet.cell(HEADER_ROW + offset, index, inert(value))
            if header[index - 1][1]:
                cell.number_format = header[index - 1][1]
            if row.stale:
                cell.fill = STALE_FILL
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 5)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
