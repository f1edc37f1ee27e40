"""The league table as a reusable AG Grid of `LeagueRow`s: the /league page and the wall both use `league_grid`.

Every cell's words and numbers are made here from plain data: the grid holds raw numbers (to sort and filter)
beside the formatted text, and the custom renderers in `assets/league_grid.js` only draw them. The CSV export
(in the browser) writes each row's `csv_cells`: one header row, numbers as numbers, rates 0–1, the rank a number
and a tie its own column (1 or 0), text through `dashboard.core.cells.neutralise`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

import dash_ag_grid as dag
from babel.dates import format_datetime

from dashboard.core.cells import neutralise
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import LOCALES, MISSING, fmt_datetime, fmt_day, fmt_int, fmt_pct, fmt_score, t
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import DEFAULT_KIND, DEFAULT_PERIOD, SCORE_DECIMALS
from dashboard.metrics.service_index import criterion_ratio
from layouts import shell
from layouts.aggrid_locale import locale_text
from layouts.ids import LeagueIds
from layouts.index_words import not_ranked_text, subscore_line
from layouts.names import name_lang
from layouts.unit import unit_href  # the tile's address, in the same language and period

if TYPE_CHECKING:  # the league page's model, plain data; layouts never load the store or the pages
    from dashboard.metrics.kpis import Ratio
    from dashboard.metrics.service_index import SubScore
    from dashboard.pages.league import LeagueRow

KIND_PARAM, PERIOD_PARAM = "kind", "period"
NULLS_LAST = {"function": "pulseNullsLast"}
TEXT_ORDER = {"function": "pulseTextCompare"}
BEST_FIRST = ["desc", "asc", None]
CSV_CELL = {"function": "pulseCsvCell(params)"}  # assets/league_grid.js: the row's csv_cells[column]
CSV_HEADER = {"function": "pulseCsvHeader(params)"}  # a column's context.csvHeader, else its header


class CommitPart(TypedDict):
    """One commitment of a row, as `assets/league_grid.js` draws it."""

    key: str
    progress: float | None  # value ÷ target (met from 1.0 up); None without data
    met: bool


def league_href(lang: str, kind: str = DEFAULT_KIND, period: str = DEFAULT_PERIOD) -> str:
    """The league page's address for a kind and a period."""
    return f"{shell.LEAGUE_PATH}?{urlencode({'lang': lang, KIND_PARAM: kind, PERIOD_PARAM: period})}"


def _short_time(moment: datetime, lang: str) -> str:
    return format_datetime(moment, "HH:mm dd/MM", tzinfo=CITY_TZ, locale=LOCALES[lang])


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DECIMALS)


def _rank_cells(row: LeagueRow, ties: Counter, lang: str) -> dict[str, Any]:
    """The rank, and beneath it "đồng hạng" / "tied" when it is shared; a dash and why for a unit not ranked."""
    if row.rank is None:
        return {"rank_text": MISSING, "rank_title": not_ranked_text(row.index, lang)}
    tied = ties[row.rank] > 1
    text = f"{row.rank}\n{t('league.rank.tied', lang)}" if tied else str(row.rank)
    return {"rank_text": text, "rank_title": t("league.tied", lang, rank=row.rank) if tied else ""}


def _movement_cells(row: LeagueRow, lang: str) -> dict[str, str]:
    if row.rank is None:
        return {"movement_text": MISSING, "movement_class": "is-na", "movement_title": t("league.move.na", lang)}
    if row.new_since is not None:
        day = fmt_day(row.new_since, lang)
        text, look, title = t("league.move.newunit", lang), "is-new", t("league.move.newunit.tip", lang, day=day)
    elif row.data_from is not None:  # the store's data begins inside the previous period: nothing to move from
        text, look, title = MISSING, "is-na", t("league.move.short.tip", lang, day=fmt_day(row.data_from, lang))
    elif row.previous_rank is None or row.movement is None:
        text, look, title = t("league.move.new", lang), "is-new", t("league.move.new.tip", lang)
    elif row.movement > 0:
        text, look, title = f"▲{row.movement}", "is-up", t("league.move.up", lang, n=row.movement)
    elif row.movement < 0:
        text, look, title = f"▼{-row.movement}", "is-down", t("league.move.down", lang, n=-row.movement)
    else:
        text, look, title = "–", "is-same", t("league.move.same", lang)
    return {"movement_text": text, "movement_class": look, "movement_title": title}


def _ratio_cells(name: str, ratio: Ratio, tip: str, lang: str) -> dict[str, Any]:
    nums = {"num": fmt_int(ratio.numerator, lang), "den": fmt_int(ratio.denominator, lang)}
    text = fmt_pct(ratio.value, lang)
    return {
        name: None if ratio.value is None else _rounded(ratio.value * 100),  # percent, to filter on "> 90"
        f"{name}_text": text,
        f"{name}_label": f"{text} ({nums['num']}/{nums['den']})" if ratio.denominator else text,
        f"{name}_detail": f"{nums['num']}/{nums['den']}" if ratio.denominator else "",
        f"{name}_title": t(tip, lang, **nums),
    }


def _commit_share(row: LeagueRow) -> float | None:
    """The mean, over the commitments with data, of value ÷ target capped at 1 (None: no data)."""
    known = [min(progress, 1.0) for key in row.targets if (progress := row.progress.get(key)) is not None]
    return sum(known) / len(known) if known else None


def _csv_cells(row: LeagueRow, data: dict[str, Any], tied: bool) -> dict[str, Any]:
    """What the CSV export writes for each column (`csv_columns`): plain values, None for n/a."""
    cells = {
        "rank": row.rank,
        "tie": None if row.rank is None else int(tied),
        "name": neutralise(data["name"]),
        "movement": row.movement,
        "score": data["score"],
        "grade_text": neutralise(data["grade_text"]) or None,
        "on_time": row.kpis.on_time.value,
        "online": row.kpis.online.value,
        "satisfaction": row.kpis.dossier_satisfaction.value,
        "commit": _commit_share(row),
        "stale_text": int(row.stale),
    }
    return cells | {f"points_{sub.key}": _rounded(sub.points) for sub in row.index.subscores}


def _commitment_cells(row: LeagueRow, lang: str) -> dict[str, Any]:
    if not row.targets:
        return {"commit": None, "commit_text": t("league.commit.none", lang), "commit_title": "", "commit_parts": []}
    parts: list[CommitPart] = []
    lines: list[str] = []
    for key, target in row.targets.items():
        progress, value = row.progress.get(key), criterion_ratio(row.kpis, key).value
        parts.append({"key": key, "progress": progress, "met": progress is not None and progress >= 1})
        lines.append(
            t(
                "league.commit.line",
                lang,
                name=t(f"league.criterion.{key}", lang),
                value=fmt_pct(value, lang),
                target=fmt_pct(target, lang),
                progress=fmt_pct(progress, lang),
            )
        )
    share = _commit_share(row)
    met = sum(p["met"] for p in parts)
    return {
        "commit": None if share is None else _rounded(share * 100),
        "commit_text": t("league.commit.met", lang, met=met, total=len(parts)),
        "commit_title": "\n".join(lines),
        "commit_parts": parts,
    }


def _trend_cells(row: LeagueRow, lang: str) -> dict[str, Any]:
    present = [value for value in row.trend if value is not None]
    title = (
        t("league.trend.tip", lang, first=fmt_score(present[0], lang), last=fmt_score(present[-1], lang))
        if present
        else t("league.unranked", lang)
    )
    return {"trend": [_rounded(value) for value in row.trend], "trend_title": title}


def _joined_cells(row: LeagueRow, lang: str) -> dict[str, str]:
    if row.joined is None:
        return {"joined_text": "", "joined_title": ""}
    day = fmt_day(row.joined, lang)
    return {"joined_text": t("league.joined", lang, day=day), "joined_title": t("league.joined.tip", lang, day=day)}


def _stale_cells(row: LeagueRow, lang: str) -> dict[str, Any]:
    if not row.stale:
        return {"stale": False, "stale_text": "", "stale_title": ""}
    if row.data_as_of is None:
        return {"stale": True, "stale_text": t("league.stale.never", lang), "stale_title": ""}
    return {
        "stale": True,
        "stale_text": t("league.stale", lang, time=_short_time(row.data_as_of, lang)),
        "stale_title": fmt_datetime(row.data_as_of, lang),
    }


def grid_row(row: LeagueRow, lang: str, ties: Counter, period: str = DEFAULT_PERIOD) -> dict[str, Any]:
    """One grid row: raw numbers to sort and filter on, and beside each the words the cell shows."""
    score = _rounded(row.index.score)
    grade = row.index.grade or ""
    data: dict[str, Any] = {
        "unit_key": row.unit_key,
        "href": unit_href(row.unit_key, lang, period),
        "name_lang": name_lang(lang),
        "name": unit_name(row.name_vi, row.name_en, lang),
        "rank": row.rank,
        "previous_rank": row.previous_rank,
        "movement": row.movement,
        "score": score,
        "score_text": fmt_score(score, lang) if score is not None else t(f"index.score.{row.index.state}", lang),
        "grade": grade,
        "grade_text": t(f"league.grade.{grade}", lang) if grade else "",
        "data_as_of": row.data_as_of.astimezone(CITY_TZ).isoformat() if row.data_as_of else None,
    }
    data |= _rank_cells(row, ties, lang) | _movement_cells(row, lang)
    for sub in row.index.subscores:
        points = _rounded(sub.points)
        data |= {f"points_{sub.key}": points, f"points_{sub.key}_text": fmt_score(points, lang)}
        data[f"points_{sub.key}_formula"] = subscore_line(sub, lang)  # the cell's tooltip, in words
    data |= _ratio_cells("on_time", row.kpis.on_time, "league.on_time.tip", lang)
    data |= _ratio_cells("online", row.kpis.online, "league.online.tip", lang)
    data |= _ratio_cells("satisfaction", row.kpis.dossier_satisfaction, "league.satisfaction.tip", lang)
    data |= _commitment_cells(row, lang) | _trend_cells(row, lang) | _joined_cells(row, lang)
    data["csv_cells"] = _csv_cells(row, data, row.rank is not None and ties[row.rank] > 1)
    return data | _stale_cells(row, lang)


def grid_rows(rows: Sequence[LeagueRow], lang: str, period: str = DEFAULT_PERIOD) -> list[dict[str, Any]]:
    """The grid's rowData, in the league's order (best first, unranked last)."""
    ties = Counter(row.rank for row in rows if row.rank is not None)
    return [grid_row(row, lang, ties, period) for row in rows]


def _text(field: str) -> dict[str, str]:
    return {"function": f"params.data.{field}"}


def _number_column(
    header: str, field: str, text: str, width: int, filtered: bool = True, **extra: Any
) -> dict[str, Any]:
    """A column of numbers shown as text, best first on the first click, n/a last either way."""
    return {
        "headerName": header,
        "field": field,
        "valueFormatter": _text(text),
        "comparator": NULLS_LAST,
        "sortingOrder": BEST_FIRST,
        "filter": "agNumberColumnFilter" if filtered else False,
        "type": "rightAligned",
        "minWidth": round(width * 0.8),
        "width": width,
        **extra,
    }


def _subscore_columns(criteria: Sequence[SubScore], lang: str) -> dict[str, Any]:
    """Points per criterion; a cell's tooltip is the formula that gave its points."""
    children = []
    for sub in criteria:
        name = t(f"league.criterion.{sub.key}", lang)
        column = _number_column(name, f"points_{sub.key}", f"points_{sub.key}_text", 72, filtered=False)
        column |= {
            "tooltipField": f"points_{sub.key}_formula",
            "headerTooltip": t("league.col.points.tip", lang, name=name, points=f"{sub.max_points:g}"),
            "headerClass": ["ag-right-aligned-header", "pulse-league-tight"],
            "context": {"csvHeader": f"{name} ({sub.max_points:g})"},  # one header row: "Đúng hạn (20)"
        }
        children.append(column)
    return {"headerName": t("league.col.subscores", lang), "children": children}


def _kpi_columns(lang: str) -> dict[str, Any]:
    """The period's on-time rate, online share and dossier satisfaction, each over its x/y; tooltips in words."""
    children = [
        _number_column(t(f"league.col.{name}", lang), name, f"{name}_label", 84, filtered=name == "on_time")
        | {"cellRenderer": "PulseRatio", "tooltipField": f"{name}_title"}
        for name in ("on_time", "online", "satisfaction")
    ]
    return {"headerName": t("league.col.kpis", lang), "children": children}


def column_defs(criteria: Sequence[SubScore], lang: str, compact: bool = False) -> list[dict[str, Any]]:
    """Rank, movement, unit, score, the points per criterion, the period's KPIs, commitments and the trend."""
    columns: list[dict[str, Any]] = [
        _number_column(t("league.col.rank", lang), "rank", "rank_text", 72, filtered=False, pinned="left")
        | {
            "cellRenderer": "PulseRank",
            "sortingOrder": ["asc", "desc", None],
            "headerTooltip": t("league.col.rank.tip", lang),
            "minWidth": 60,
            "type": [],
            "cellClass": "pulse-league-center",
            "headerClass": "pulse-league-center",
        },
        {
            "headerName": t("league.col.unit", lang),
            "field": "name",
            "colId": "name",
            "cellRenderer": "PulseUnitLink",
            "getQuickFilterText": {"function": "params.value"},
            "comparator": TEXT_ORDER,
            "wrapText": True,
            "autoHeight": True,  # long department names take two lines
            "filter": "agTextColumnFilter",
            "pinned": "left",  # with the rank and the score: on a phone they stay while the rest scrolls
            "minWidth": 124,
            "width": 170,
        },
        _number_column(t("league.col.score", lang), "score", "score_text", 128, pinned="left")
        | {"cellRenderer": "PulseScore", "headerTooltip": t("league.col.score.tip", lang), "minWidth": 104},
        _number_column(t("league.col.movement", lang), "movement", "movement_text", 80, filtered=False)
        | {"cellRenderer": "PulseMovement", "headerTooltip": t("league.col.movement.tip", lang)},
    ]
    if not compact and criteria:
        columns.append(_subscore_columns(criteria, lang))
    columns.append(_kpi_columns(lang))
    if not compact:
        columns.append(
            _number_column(t("league.col.commitments", lang), "commit", "commit_text", 120, filtered=False, type=[])
            | {"cellRenderer": "PulseCommitments", "headerTooltip": t("league.col.commitments.tip", lang)}
        )
    columns.append(
        {
            "headerName": t("league.col.trend", lang),
            "field": "trend",
            "cellRenderer": "PulseSparkline",
            "sortable": False,
            "filter": False,
            "cellDataType": False,
            "cellClass": "pulse-league-spark-cell",
            "minWidth": 104,
            "width": 104,
            "headerTooltip": t("league.col.trend.tip", lang),
        }
    )
    columns += [  # hidden, for the CSV export only
        {"headerName": t("briefing.table.tie", lang), "field": "tie", "colId": "tie", "hide": True},
        {"headerName": t("league.xlsx.grade", lang), "field": "grade_text", "colId": "grade_text", "hide": True},
        {"headerName": t("league.xlsx.stale", lang), "field": "stale_text", "colId": "stale_text", "hide": True},
    ]
    return columns


def csv_columns(criteria: Sequence[SubScore], compact: bool = False) -> list[str]:
    """The columns a CSV export holds: all but the trend line, plus the tie, the grade and the stale mark."""
    subs = [] if compact else [f"points_{sub.key}" for sub in criteria]
    commit = [] if compact else ["commit"]
    first = ["rank", "tie", "name", "movement", "score", "grade_text"]
    return [*first, *subs, "on_time", "online", "satisfaction", *commit, "stale_text"]


def league_grid(
    rows: Sequence[LeagueRow],
    lang: str,
    grid_id: str = LeagueIds.GRID,
    *,
    period: str = DEFAULT_PERIOD,
    export_name: str = "league",
    compact: bool = False,
) -> dag.AgGrid:
    """The league as an AG Grid: sortable, filterable, exportable to CSV; stale rows grey with their as-of time.

    `compact` (the wall) leaves out the points per criterion and the commitments.
    """
    criteria = rows[0].index.subscores if rows else ()
    options: dict[str, Any] = {
        "domLayout": "autoHeight",
        "rowHeight": 46,
        "tooltipShowDelay": 250,
        "tooltipHideDelay": 20000,
        "animateRows": False,
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
        "suppressDragLeaveHidesColumns": True,
        "rowClassRules": {"pulse-league-row-stale": "params.data.stale"},
    }
    if (locale := locale_text(lang)) is not None:
        options["localeText"] = locale
    return dag.AgGrid(
        id=grid_id,
        rowData=grid_rows(rows, lang, period),
        columnDefs=column_defs(criteria, lang, compact),
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "suppressHeaderMenuButton": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "getQuickFilterText": {"function": "''"},  # the search box looks at unit names only
        },
        getRowId="params.data.unit_key",
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        csvExportParams={
            "fileName": f"{export_name}.csv",
            "columnKeys": csv_columns(criteria, compact),
            "skipColumnGroupHeaders": True,  # one header row
            "processCellCallback": CSV_CELL,
            "processHeaderCallback": CSV_HEADER,
        },
        className="pulse-league-grid" + (" is-compact" if compact else ""),
        style={"height": None, "width": "100%"},
    )
