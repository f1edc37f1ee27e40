"""One form per use of a unit's name (docs/metrics.md, "How a unit is named"): the full name on the tile's header,
the league and the home page's units to act on; the short name only on the wall's meters and map labels."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from dash import html

from dashboard.briefings.render_csv import name as briefing_name
from dashboard.core.reference import load_units
from dashboard.core.unit_names import unit_name, unit_short_name
from dashboard.metrics.kpis import Backlog, Ratio
from dashboard.pages.wall import Limits, UnitStatus
from layouts import home_parts, league_grid, unit, wall_gauges
from tests.conftest import START
from tests.layouts.test_league import row
from tests.layouts.test_overview import texts
from tests.metrics.test_service_index import kpis

BINH_TAN = next(u for u in load_units() if u["key"] == "quan-binh-tan")


def status() -> UnitStatus:
    u = BINH_TAN
    return UnitStatus(u["key"], u["kind"], u["code"], u["name_vi"], u["name_en"], u["short_name_vi"],
                      Backlog(40, 12), Ratio(0, 0), Ratio(0, 0), None, None, False, START)  # fmt: skip


def test_the_rule_full_names_everywhere_short_ones_where_space_is_the_constraint():
    vi, en, short = BINH_TAN["name_vi"], BINH_TAN["name_en"], BINH_TAN["short_name_vi"]
    assert (unit_name(vi, en, "en"), unit_name(vi, en, "vi"), unit_name(vi, "", "en")) == (
        "Binh Tan District",
        "Quận Bình Tân",
        "Quận Bình Tân",
    )
    assert [unit_short_name("district", vi, en, short, lang) for lang in ("en", "vi")] == ["Binh Tan", "Bình Tân"]
    assert unit_short_name("district", "Quận 1", "District 1", "1", "vi") == "Quận 1"
    assert unit_short_name("department", "Sở Nội vụ", "Department of Home Affairs", "Nội vụ", "en") == (
        "Department of Home Affairs"
    )


def test_the_same_unit_reads_the_same_on_the_tile_the_league_the_home_page_and_the_briefings_in_english():
    tile_header = unit.unit_name(BINH_TAN, "en")
    league_row = replace(
        row("quan-binh-tan", BINH_TAN["name_vi"], 1, None, kpis("quan-binh-tan")), name_en=BINH_TAN["name_en"]
    )
    league_name = league_grid.grid_row(league_row, "en", Counter())["name"]
    home_line = home_parts.unit_line(status(), "en", home_parts.open_everything, Limits())
    home_name = texts(home_line)[0]
    assert [tile_header, league_name, home_name, briefing_name("en", BINH_TAN["name_vi"], BINH_TAN["name_en"])] == [
        "Binh Tan District"
    ] * 4
    meter = wall_gauges.district_meter(status(), Limits(), 0.5, "en")
    label = next(n for n in meter._traverse() if isinstance(n, html.Div) and "wall-meter-name" in n.className)
    assert (label.children, label.title) == ("Binh Tan", "Binh Tan District")  # a meter's width: the short name
