"""The briefing's figures, rebuilt from a snapshot's report alone and drawn by the pages' own builders: the wall's
city gauge (`layouts.wall_gauges.city_gauge`) and tile map (`layouts.maps.tile_map`), and one bar chart of scores
per league. Pure: plain Plotly figure dicts out, for the offline HTML and the PDF (kaleido) alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dashboard.briefings.report import LeagueTable, Report
from dashboard.core.geo import TileCell, read_tile_grid
from dashboard.core.i18n import fmt_score, t
from dashboard.core.settings import Settings
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import DISTRICT, LEAGUE_KINDS, WARD
from dashboard.metrics.kpis import Backlog, CityOverview, Ratio
from dashboard.pages.wall import Limits, UnitStatus
from layouts import maps
from layouts.figures import FONT, GRID, INK, OKABE_ITO, SEPARATORS, empty_figure
from layouts.wall_gauges import city_gauge

THEME = "light"  # paper, not the operations room's dark screen
GAUGE_SCALE = 0.45  # the wall's sizes are for a screen read from 5 m; a page is read from half a metre
MAP_SCALE = 0.6
TERRITORIAL = (DISTRICT, WARD)  # the leagues a map can draw, the first one present wins (as on the wall)
# Each of the wall's limits and the setting it comes from (`dashboard.pages.wall.limits_of`).
LIMIT_SETTINGS = {
    "overdue_warn": "wall_overdue_warn",
    "overdue_alarm": "wall_overdue_alarm",
    "online_target": "online_target",
    "new_late_warn": "wall_new_late_warn",
    "new_late_alarm": "wall_new_late_alarm",
}
BAR_HEIGHT = 26  # px per league row
BAR_FRAME = 90  # px of axis and margins around the bars


def limits(report: Report) -> Limits:
    """The wall limits the figures are coloured by: the snapshot's own (`body["limits"]`, by `Limits` field name)
    where it records them, else the Settings' defaults (5 % and 10 % overdue, 5 and 20 newly late). Snapshots of
    format cchc-pulse-snapshot/1 record none, so a city that changed its limits sees the defaults here (its own
    limits still show in each alert's `limit`)."""
    recorded = report.body.get("limits") or {}
    values = {
        name: recorded.get(name, Settings.model_fields[setting].default) for name, setting in LIMIT_SETTINGS.items()
    }
    return Limits(**values)


def _ratio(ratio: dict[str, Any] | None) -> Ratio:
    return Ratio(0, 0) if ratio is None else Ratio(int(ratio["numerator"]), int(ratio["denominator"]))


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def overview(report: Report) -> CityOverview:
    """The city's headline figures as the wall holds them, from the snapshot's city summary."""
    city = report.city
    return CityOverview(
        in_progress=int(city["in_progress"]),
        overdue_in_progress=int(city["overdue_in_progress"]),
        on_time=_ratio(city["on_time"]),
        online_share=_ratio(city["online_share"]),
        open_feedback=int(city["open_feedback"]),
        as_of=report.as_of,
        data_version=report.data_version,
    )


def territorial_league(report: Report) -> str | None:
    """The league the map draws: districts when the snapshot ranks them, else wards and communes (None: neither)."""
    kinds = {league.kind for league in report.leagues}
    return next((kind for kind in TERRITORIAL if kind in kinds), None)


def unit_statuses(report: Report) -> dict[str, UnitStatus]:
    """The territorial league's members as the wall's `UnitStatus`, by key, from the snapshot's league rows:
    backlog (in progress, overdue), on time, online, score, rank, stale and data as-of, names and codes; newly
    late dossiers from the `new_late` alerts (0 below the warning limit, where the snapshot keeps no count)."""
    kind = territorial_league(report)
    if kind is None:
        return {}
    units = {figures["unit"]["key"]: figures["unit"] for figures in report.body["kpis"]["units"]}
    new_late = {a["unit_key"]: int(a["value"]) for a in report.alerts if a["kind"] == "new_late"}
    statuses = {}
    for row in report.body["leagues"][kind]["rows"]:
        key, kpis, unit = row["unit_key"], row["kpis"], units.get(row["unit_key"], {})
        backlog = kpis["backlog"]
        statuses[key] = UnitStatus(
            key=key,
            kind=kind,
            code=unit.get("code", key),
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            short_name_vi=unit.get("short_name_vi", row["name_vi"]),
            backlog=Backlog(backlog["in_progress"], backlog["overdue"], backlog.get("overdue_with_apology", 0)),
            on_time=_ratio(kpis["on_time"]),
            online=_ratio(kpis["online"]),
            score=row["index"]["score"],
            rank=row["rank"],
            stale=row["stale"],
            data_as_of=_instant(row.get("data_as_of")),
            new_late=new_late.get(key, 0),
        )
    return statuses


def gauge(report: Report, lang: str, scale: float = GAUGE_SCALE) -> dict[str, Any]:
    """The wall's gauge of the city's overdue share (overdue ÷ in progress), banded at the warning and alarm limits."""
    return city_gauge(overview(report), limits(report), lang, THEME, scale)


def tile_map(
    report: Report, lang: str, cells: Sequence[TileCell] | None = None, scale: float = MAP_SCALE
) -> dict[str, Any]:
    """The wall's tile map of the territorial league, filled by overdue share; `cells`: the tile grid (default: the
    packaged grid of the 24 districts of 2019, a file of the package, not of the machine). A grid of other units
    than the snapshot's gives the wall's message instead of empty tiles."""
    grid = read_tile_grid() if cells is None else cells
    units = unit_statuses(report)
    if units and not {cell.unit_key for cell in grid} & set(units):
        return maps.message_map(t("wall.map.no_tiles", lang, n=len(units)), lang, THEME, scale=scale)
    return maps.tile_map(grid, units, "overdue_share", limits(report), lang, THEME, scale=scale)


def league_bars(league: LeagueTable, lang: str) -> dict[str, Any]:
    """The league's service-index scores (0–100) as horizontal bars, rank 1 at the top, each written out with its
    grade; units without a score are left out, and a league where none has one says so."""
    scored = sorted((r for r in league.rows if r.score is not None), key=lambda r: (r.rank is None, r.rank or 0))
    if not scored:
        return empty_figure(t("briefing.html.no_scores", lang), lang, height=160, uirevision="briefing").to_dict()
    names = [f"{r.rank or '–'}. {unit_name(r.name_vi, r.name_en, lang)}" for r in scored]
    grades = [t(f"league.grade.{r.grade}", lang) if r.grade else "" for r in scored]
    bars = {
        "type": "bar",
        "orientation": "h",
        "x": [r.score for r in scored],
        "y": names,
        "text": [f"{fmt_score(r.score, lang)} · {g}".rstrip(" ·") for r, g in zip(scored, grades, strict=True)],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": OKABE_ITO["blue"], "line": {"color": INK, "width": 0.5}},
        "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
        "showlegend": False,
    }
    layout = {
        "height": BAR_FRAME + BAR_HEIGHT * len(scored),
        "margin": {"l": 8, "r": 90, "t": 16, "b": 48},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "font": {"family": FONT, "size": 13, "color": INK},
        "separators": SEPARATORS.get(lang, SEPARATORS["vi"]),
        "bargap": 0.25,
        "xaxis": {"range": [0, 100], "gridcolor": GRID, "title": {"text": t("league.col.score.tip", lang)}},
        "yaxis": {"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
        "uirevision": f"briefing-league-{league.kind}",
    }
    return {"data": [bars], "layout": layout}


def all_figures(report: Report, lang: str) -> dict[str, dict[str, Any]]:
    """Every figure of the briefing in reading order: "gauge", "map", then "league-<kind>" per league (territorial
    first)."""
    found = {"gauge": gauge(report, lang), "map": tile_map(report, lang)}
    return found | {f"league-{league.kind}": league_bars(league, lang) for league in leagues_in_order(report)}


def leagues_in_order(report: Report) -> list[LeagueTable]:
    """The report's leagues, the territorial league first (`LEAGUE_KINDS`' order)."""
    order: dict[str, int] = {kind: i for i, kind in enumerate(LEAGUE_KINDS)}
    return sorted(report.leagues, key=lambda league: order.get(league.kind, len(order)))
