"""The home page's builders: plain data in, components with the right words, numbers and links out."""

from __future__ import annotations

from datetime import date, timedelta

from dash import dcc, html

from dashboard.core.periods import previous_window, window
from dashboard.core.vocabulary import LAST_30_DAYS
from dashboard.metrics.alerts import Alert
from dashboard.metrics.direction import HEADLINE, change
from dashboard.metrics.kpis import Backlog, CityOverview, Ratio
from dashboard.pages.overview import Headline, OverviewView, TrendPoint
from dashboard.pages.wall import Limits, UnitStatus, WallData
from layouts import home_parts, overview, shell
from layouts.ids import HomeIds, NotFoundIds, OverviewIds, ShellIds
from tests.conftest import START


def city(**changes) -> CityOverview:
    values = {
        "in_progress": 1234,
        "overdue_in_progress": 33,
        "on_time": Ratio(213, 1000),
        "online_share": Ratio(1, 8),
        "open_feedback": 7,
        "as_of": START,
        "data_version": 4,
    }
    return CityOverview(**{**values, **changes})


def unit(key: str, name_vi: str, name_en: str, in_progress: int, overdue: int, code: str = "760") -> UnitStatus:
    return UnitStatus(key, "district", code, name_vi, name_en, name_vi, Backlog(in_progress, overdue), Ratio(0, 0),
                      Ratio(0, 0), None, None, False, START, new_late=2 if overdue else 0)  # fmt: skip


UNITS = (
    unit("quan-1", "Quận 1", "District 1", 40, 12),
    unit("quan-binh-thanh", "Quận Bình Thạnh", "Binh Thanh District", 50, 0, "765"),
)


def wall(alerts=(), **changes) -> WallData:
    values = {
        "as_of": START,
        "version": 4,
        "changed_at": START,
        "overview": city(),
        "satisfaction": Ratio(9, 10),
        "units": UNITS,
        "sources_ok": 39,
        "sources_total": 41,
        "stale_sources": 2,
        "alerts": tuple(alerts),
        "limits": Limits(),
        "unit_names": {"quan-1": ("Quận 1", "District 1")},
    }
    return WallData(**{**values, **changes})


def headline(name: str, value, ratio, before, against="previous") -> Headline:
    return Headline(name, value, ratio, change(HEADLINE[name], value, before), against)


def view(**changes) -> OverviewView:
    data = changes.pop("wall", wall())
    values = {
        "period": LAST_30_DAYS,
        "window": window(LAST_30_DAYS, START),
        "previous_window": previous_window(LAST_30_DAYS, START),
        "as_of": START,
        "overview": city(),
        "headlines": (
            headline("overdue_share", 33 / 1234, Ratio(33, 1234), 0.035, "yesterday"),
            headline("in_progress", 1234, None, 1200, "yesterday"),
            headline("on_time", 0.213, Ratio(213, 1000), None),
            headline("online", 0.125, Ratio(1, 8), 0.2),
            headline("satisfaction", 0.9, Ratio(9, 10), 0.9),
        ),
        "satisfaction": Ratio(9, 10),
        "feedback_satisfaction": Ratio(0, 0),
        "feedback": headline("feedback", 7, None, 5, "yesterday"),
        "wall": data,
        "act_on": UNITS,
        "trend": (TrendPoint(date(2019, 11, 26), 1200), TrendPoint(date(2019, 11, 27), 1234)),
    }
    return OverviewView(**{**values, **changes})


def texts(component) -> list[str]:
    """Every string in a component tree, in order."""
    found = []
    for node in [component, *component._traverse()]:
        children = getattr(node, "children", node)
        if isinstance(children, str):
            found.append(children)
    return found


def links(component) -> dict[str, str]:
    return {
        " ".join(texts(node)) or str(node.children): node.href
        for node in component._traverse()
        if isinstance(node, dcc.Link)
    }


def test_the_verdict_is_one_sentence_with_its_direction_in_words():
    assert " ".join(texts(html.P(overview.verdict(view(), "vi")))) == (
        "2,7% hồ sơ đang giải quyết quá hạn  —  ▼ tốt hơn hôm qua (3,5%)"
    )
    assert " ".join(texts(html.P(overview.verdict(view(), "en")))) == (
        "2.7% of dossiers in progress are overdue  —  ▼ better than yesterday (3.5%)"
    )
    assert overview.verdict_level(view()) == "ok"  # 2,7 % is under the 5 % warning
    nothing = view(overview=city(in_progress=0, overdue_in_progress=0))
    assert texts(html.P(overview.verdict(nothing, "vi"))) == ["Chưa có hồ sơ đang giải quyết."]


def test_each_change_reads_better_worse_steady_up_down_or_nothing_to_compare():
    def words(name, now, before, against="previous", lang="vi"):
        return home_parts.change_text(headline(name, now, Ratio(1, 1), before, against), lang)

    assert words("online", 0.125, 0.2) == ("▼", "kém hơn kỳ trước (20,0%)", "worse")
    assert words("satisfaction", 0.9, 0.898) == (
        "≈",
        "gần như không đổi so với kỳ trước (89,8%, +0,2 điểm %)",
        "steady",
    )
    assert words("satisfaction", 0.9, 0.898, lang="en") == (
        "≈",
        "about the same as the previous period (89.8%, +0.2 pp)",
        "steady",
    )
    assert words("satisfaction", 0.9, 0.9) == ("=", "không đổi so với kỳ trước (90,0%)", "steady")
    assert words("on_time", 0.213, None) == ("", "chưa có số liệu kỳ trước để so sánh", "none")
    in_progress = Headline("in_progress", 1234, None, change(HEADLINE["in_progress"], 1234, 1200), "yesterday")
    assert home_parts.change_text(in_progress, "vi") == ("▲", "tăng so với hôm qua (1.200)", "neutral")
    assert home_parts.change_text(in_progress, "en") == ("▲", "up from yesterday (1,200)", "neutral")


def test_the_headline_figures_link_to_the_pages_that_explain_them():
    cards = html.Div(overview.headline_cards(view(), "vi"))
    assert cards[OverviewIds.OVERDUE].children == "2,7%"
    assert cards[OverviewIds.IN_PROGRESS].children == "1.234"
    assert cards[OverviewIds.ON_TIME].children == "21,3%"
    assert cards[OverviewIds.ONLINE].children == "12,5%"
    assert cards[HomeIds.SATISFACTION_VALUE].children == "90,0%"
    hrefs = [node.href for node in cards._traverse() if isinstance(node, dcc.Link)]
    assert hrefs == ["/alerts?lang=vi"] + ["/league?lang=vi&kind=district&period=30d"] * 4
    words = texts(cards)
    assert "33 / 1.234 hồ sơ đang giải quyết" in words and "213 / 1.000 hồ sơ đã giải quyết" in words
    assert "9 / 10 lượt đánh giá" in words and "▼ kém hơn kỳ trước (20,0%)" in words


def test_the_units_to_act_on_link_to_their_tiles_where_the_viewer_may_open_them():
    listed = html.Div(home_parts.units_panel(view(), "vi", home_parts.open_everything))
    assert links(listed) == {
        "Quận 1": "/unit/quan-1?lang=vi",
        "Quận Bình Thạnh": "/unit/quan-binh-thanh?lang=vi",
        "Xem cả bảng xếp hạng": "/league?lang=vi&kind=district&period=30d",
    }
    words = texts(listed)
    assert (
        "30,0% quá hạn · 12 / 40 hồ sơ" in words and "Báo động" in words and "2 hồ sơ mới quá hạn trong 24 giờ" in words
    )
    only_own = html.Div(home_parts.units_panel(view(), "vi", lambda path: path == "/unit/quan-1"))
    assert links(only_own) == {
        "Quận 1": "/unit/quan-1?lang=vi",
        "Xem cả bảng xếp hạng": "/league?lang=vi&kind=district&period=30d",
    }
    assert "Quận Bình Thạnh" in texts(only_own)  # still listed, without a link


def test_the_search_finds_a_unit_without_diacritics_and_opens_its_tile():
    assert home_parts.folded("Quận Bình Thạnh") == "quan binh thanh" and home_parts.folded("Đức") == "duc"
    options = home_parts.search_options(UNITS, "vi", home_parts.open_everything)
    assert [(o["label"], o["value"]) for o in options] == [
        ("Quận 1", "/unit/quan-1?lang=vi"),
        ("Quận Bình Thạnh", "/unit/quan-binh-thanh?lang=vi"),
    ]
    assert "binh thanh" in options[1]["search"] and "Binh Thanh District" in options[1]["search"]
    refused = home_parts.search_options(UNITS, "en", lambda path: path != "/unit/quan-1")
    assert [o["label"] for o in refused] == ["Binh Thanh District"]


def test_the_alerts_open_ones_first_with_a_link_to_all_of_them():
    alarm = Alert("overdue_share", "alarm", "quan-1", START - timedelta(minutes=30), 0.3, 0.1)
    panel = html.Div(home_parts.alerts_panel(wall([alarm]), "vi"))
    words = texts(panel)
    assert "Quận 1: 30,0% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)" in words
    assert "từ 08:30 · 30 phút" in words and "Báo động" in words
    assert links(panel) == {"Tất cả cảnh báo (1)": "/alerts?lang=vi"}
    assert texts(html.Div(home_parts.alerts_panel(wall(), "en"))) == ["No alerts."]


def test_no_sources_table_but_a_freshness_line_linking_to_sources():
    line = html.P(home_parts.freshness_line(wall(), "vi"))
    assert texts(line)[0] == "Nguồn dữ liệu: 39 / 41 bình thường · 2 nguồn dữ liệu cũ"
    assert links(line) == {"chi tiết từng nguồn": "/sources?lang=vi"}
    page = overview.layout(view(), {}, [], "vi", "/", 5000, [4, "2019-11-27T09:00", "30d"])
    assert not [
        node
        for node in page._traverse()
        if isinstance(node, html.Table) or "pulse-sources" in str(getattr(node, "className", ""))
    ]
    assert page[OverviewIds.SOURCES].children[2].href == "/sources?lang=vi"


def test_the_trend_is_over_working_days_on_a_whole_number_axis():
    figure = home_parts.trend_figure(view().trend, "vi")
    [line] = figure.data
    assert list(line.x) == ["26/11", "27/11"] and list(line.y) == [1200, 1234]
    assert (figure.layout.xaxis.type, figure.layout.yaxis.tickformat, figure.layout.separators) == (
        "category",
        ",d",
        ",.",
    )
    empty = home_parts.trend_figure([TrendPoint(date(2019, 11, 27), 0)], "en")
    assert empty.layout.annotations[0].text == "No dossiers in the period"


def test_the_page_has_the_header_the_poll_the_period_picker_and_the_seen_key():
    page = overview.layout(view(), {"data": []}, ["a note"], "vi", "/", 5000, [4, "2019-11-27T09:00", "30d"])
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 09:00 27/11/2019"
    assert page[OverviewIds.INTERVAL].interval == 5000
    assert page[OverviewIds.SEEN].data == [4, "2019-11-27T09:00", "30d"]
    assert page[HomeIds.PERIODS].value == "30d"
    assert [o["label"] for o in page[HomeIds.PERIODS].options] == [
        "Hôm nay", "7 ngày", "30 ngày", "Quý này", "Năm nay", "Tuần trước", "Tháng trước"
    ]  # fmt: skip
    assert page[HomeIds.MAP].figure == {"data": []} and page[HomeIds.MAP_NOTES].children == "a note"
    assert page[HomeIds.TREND_TITLE].children == "Hồ sơ đang giải quyết cuối mỗi ngày làm việc"
    assert "Tổng quan thành phố" in texts(page) and "CCHC Pulse" in texts(page)
    assert page[ShellIds.LANG_EN].href == "/?lang=en"
    assert set(overview.parts(view(), "en")) == set(overview.PART_IDS)


def test_not_found_names_the_path():
    page = shell.not_found("/nope", "en")
    assert page[NotFoundIds.TEXT].children == "There is no page at /nope."
    assert isinstance(page, html.Div)
