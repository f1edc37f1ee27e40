"""The overview builders: plain data in, components with the right words and numbers out."""

from __future__ import annotations

from datetime import timedelta

from dash import html

from dashboard.metrics.freshness import SourceFreshness
from dashboard.metrics.kpis import CityOverview, Ratio
from layouts import overview, shell
from layouts.ids import NotFoundIds, OverviewIds, ShellIds
from tests.conftest import START


def city(**changes) -> CityOverview:
    values = {
        "in_progress": 1234,
        "overdue_in_progress": 263,
        "on_time": Ratio(213, 1000),
        "online_share": Ratio(1, 8),
        "open_feedback": 7,
        "as_of": START,
        "data_version": 4,
    }
    return CityOverview(**{**values, **changes})


def freshness(name: str, last_good=START - timedelta(minutes=5), error=None, stale=False) -> SourceFreshness:
    return SourceFreshness(
        name=name,
        unit="quan-1",
        unit_name_vi="Quận 1",
        unit_name_en="District 1",
        interval_s=60,
        last_good_pull_at=last_good,
        last_error=error,
        stale=stale,
        as_of=START,
    )


def texts(component) -> list[str]:
    """Every string in a component tree, in order."""
    found = []
    for node in [component, *component._traverse()]:
        children = getattr(node, "children", node)
        if isinstance(children, str):
            found.append(children)
    return found


def test_kpi_cards_show_big_numbers_and_their_context_in_vietnamese():
    cards = overview.kpi_cards(city(), "vi")
    assert cards[OverviewIds.IN_PROGRESS].children == "1.234"
    assert cards[OverviewIds.OVERDUE].children == "263"
    assert cards[OverviewIds.ON_TIME].children == "21,3%"
    assert cards[OverviewIds.ONLINE].children == "12,5%"
    assert cards[OverviewIds.FEEDBACK].children == "7"
    words = texts(cards)
    assert "Hồ sơ đang giải quyết" in words and "Phản ánh đang mở" in words
    assert "21,3% số hồ sơ đang giải quyết" in words  # overdue share of in progress
    assert "213 / 1.000 hồ sơ đã giải quyết" in words
    assert "1 / 8 hồ sơ tiếp nhận" in words


def test_kpi_cards_in_english_and_without_data():
    empty = city(in_progress=0, overdue_in_progress=0, on_time=Ratio(0, 0), online_share=Ratio(0, 0))
    cards = overview.kpi_cards(empty, "en")
    assert cards[OverviewIds.ON_TIME].children == "—"
    assert texts(cards).count("no dossiers yet") == 3
    assert "On time, 30 days" in texts(cards)


def test_source_table_states_each_status_in_words():
    rows = [
        freshness("quan-1"),
        freshness("quan-3", error="OperationalError: connection refused"),
        freshness("quan-5", last_good=None, stale=True),
        freshness("quan-7", last_good=START - timedelta(hours=2), stale=True),
    ]
    words = texts(overview.sources_table(rows, "vi"))
    for expected in ("OK", "Lỗi", "OperationalError: connection refused", "Chưa kéo", "Dữ liệu cũ"):
        assert expected in words
    assert "5 phút trước" in words and "2 giờ trước" in words and "08:55 27/11/2019" in words
    assert "chưa có" in words and "Quận 1" in words
    assert "District 1" in texts(overview.sources_table(rows, "en"))


def test_no_sources_is_said_not_left_blank():
    assert texts(overview.sources_table([], "vi")) == ["Chưa cấu hình nguồn dữ liệu nào."]


def test_the_page_has_the_header_the_poll_and_the_seen_key():
    page = overview.layout(city(), [freshness("quan-1")], "vi", "/", 5000, [4, "2019-11-27T09:00"])
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 09:00 27/11/2019"
    assert page[OverviewIds.INTERVAL].interval == 5000
    assert page[OverviewIds.SEEN].data == [4, "2019-11-27T09:00"]
    assert "Tổng quan thành phố" in texts(page) and "CCHC Pulse" in texts(page)
    assert page[ShellIds.LANG_EN].href == "/?lang=en"
    assert "is-current" in page[ShellIds.LANG_VI].className


def test_not_found_names_the_path():
    page = shell.not_found("/nope", "en")
    assert page[NotFoundIds.TEXT].children == "There is no page at /nope."
    assert isinstance(page, html.Div)
