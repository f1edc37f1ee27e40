"""The pure figures: plain data in, traces with the right values, words and styling out."""

from __future__ import annotations

from datetime import date, timedelta

from layouts import figures


def days(*rows: tuple[int, int, int]) -> list[dict]:
    first = date(2019, 11, 25)
    return [
        {"day": first + timedelta(days=i), "received": r, "completed": c, "in_progress": p}
        for i, (r, c, p) in enumerate(rows)
    ]


def test_trend_has_received_bars_completed_line_and_in_progress_on_the_right_axis():
    figure = figures.trend_figure(days((4, 1, 10), (0, 2, 8), (3, 0, 11)), "vi", uirevision="trend-quan-1")
    received, completed, in_progress = figure.data
    assert [trace.type for trace in figure.data] == ["bar", "scatter", "scatter"]
    assert list(received.x) == [date(2019, 11, 25), date(2019, 11, 26), date(2019, 11, 27)]
    assert list(received.y) == [4, 0, 3] and list(completed.y) == [1, 2, 0] and list(in_progress.y) == [10, 8, 11]
    assert (received.name, completed.name, in_progress.name) == (
        "Tiếp nhận",
        "Đã giải quyết",
        "Đang giải quyết (cuối ngày)",
    )
    assert in_progress.yaxis == "y2" and in_progress.line.dash == "dash"  # told apart by shape, not colour alone
    layout = figure.layout
    assert layout.uirevision == "trend-quan-1" and layout.separators == ",."
    assert layout.yaxis.title.text == "Hồ sơ mỗi ngày" and layout.yaxis2.title.text == "Đang giải quyết"
    assert layout.xaxis.tickformat == "%d/%m"


def test_trend_in_english_and_empty():
    english = figures.trend_figure(days((1, 0, 1)), "en")
    assert [trace.name for trace in english.data] == ["Received", "Completed", "In progress (end of day)"]
    assert english.layout.separators == ".,"
    for empty in (figures.trend_figure([], "vi"), figures.trend_figure(days((0, 0, 0), (0, 0, 0)), "vi")):
        assert len(empty.data) == 0
        assert [a.text for a in empty.layout.annotations] == ["Chưa có hồ sơ trong 90 ngày qua"]
        assert empty.layout.xaxis.visible is False and empty.layout.height == 340


def test_ageing_has_one_labelled_bar_per_bucket_in_order():
    ageing = {"not_due": 19, "due_soon": 13, "overdue_1_5": 1, "overdue_6_20": 1234, "overdue_over_20": 0}
    figure = figures.ageing_figure(ageing, "vi", uirevision="ageing-quan-1")
    [bars] = figure.data
    assert bars.orientation == "h" and list(bars.x) == [19, 13, 1, 1234, 0]
    assert list(bars.y) == [
        "Còn hạn",
        "Sắp đến hạn (≤ 2 ngày)",
        "Quá hạn 1–5 ngày",
        "Quá hạn 6–20 ngày",
        "Quá hạn trên 20 ngày",
    ]
    assert list(bars.text) == ["19", "13", "1", "1.234", "0"]  # counts written on the bars, Vietnamese grouping
    assert list(bars.marker.color) == ["#009E73", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7"]
    assert list(bars.marker.pattern.shape) == ["", "", "/", "/", "x"]  # overdue hatched: never colour alone
    assert figure.layout.yaxis.autorange == "reversed" and figure.layout.uirevision == "ageing-quan-1"
    assert figure.layout.xaxis.title.text == "Số hồ sơ"


def test_ageing_empty_and_in_english():
    empty = figures.ageing_figure({}, "en")
    assert len(empty.data) == 0 and [a.text for a in empty.layout.annotations] == ["No dossiers in progress"]
    [bars] = figures.ageing_figure({"overdue_over_20": 2}, "en").data
    assert list(bars.x) == [0, 0, 0, 0, 2] and bars.y[-1] == "Over 20 days overdue"


def test_graph_config_hides_the_logo_and_is_a_fresh_dict():
    config = figures.graph_config()
    assert config["displaylogo"] is False and config["responsive"] is True
    assert config["displayModeBar"] is False  # issue 15: no English toolbar, no "share" to an online service
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    config["displaylogo"] = True
    assert figures.graph_config()["displaylogo"] is False
