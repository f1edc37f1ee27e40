"""The sources page builders: plain data in, components with the right words, numbers and links out."""

from __future__ import annotations

import re
import typing
from datetime import timedelta
from pathlib import Path

from dash import dcc, html

from dashboard.core.i18n import CATALOGUE
from dashboard.metrics.freshness import ErrorKind, SourceFreshness
from dashboard.pages.sources import RejectedPage, RejectedRow
from layouts import sources
from layouts.ids import ShellIds, SourcesIds
from tests.conftest import START
from tests.layouts.test_overview import texts

ROOT = Path(__file__).resolve().parents[2]
REFUSED = (
    'OperationalError: connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused'
)


def health(name: str, **changes) -> SourceFreshness:
    values = {
        "name": name,
        "unit": "quan-1",
        "unit_name_vi": "Quận 1",
        "unit_name_en": "District 1",
        "interval_s": 60,
        "last_good_pull_at": START - timedelta(minutes=5),
        "last_error": None,
        "stale": False,
        "as_of": START,
        "profile": "motcua_v1",
        "last_attempt_at": START - timedelta(minutes=5),
        "rows_total": 1234,
        "rows_seen": 56789,
        "safe_url": f"postgresql+psycopg://reader:***@10.0.0.5/{name}",
        "backend": "postgresql",
    }
    return SourceFreshness(**{**values, **changes})


def city() -> list[SourceFreshness]:
    return [
        health("quan-1"),
        health(
            "quan-3",
            last_good_pull_at=None,
            last_error=REFUSED,
            stale=True,
            consecutive_failures=2,
            next_retry_at=START + timedelta(minutes=2),
            rows_total=0,
        ),
        health("quan-5", rejected_count=3),
        health("quan-7", last_good_pull_at=None, stale=True, rows_total=0),
    ]


def rejected_row(key: str, **changes) -> RejectedRow:
    values = {
        "source": "quan-5",
        "stream": "dossiers",
        "native_key": key,
        "field": "unit",
        "reason": "unknown unit '999' on 24/11/2019",
        "rejected_at": START - timedelta(minutes=1),
        "raw": (("dossier_code", key), ("unit_code", "999"), ("finished_at", None)),
        "raw_column": "unit_code",
    }
    return RejectedRow(**{**values, **changes})


def rejected(source="quan-5", page=1, total=2, rows=None) -> RejectedPage:
    rows = (rejected_row("B"), rejected_row("A")) if rows is None else rows
    return RejectedPage(source, page, 50, total, {"quan-5": total, "cu": 4}, rows)


def test_the_summary_counts_sources_up_to_date_and_names_each_problem():
    words = texts(html.Div(sources.summary(city(), "vi")))
    assert words[0] == "Nguồn cập nhật đúng hạn: 2 / 4"
    assert [w for w in words if w in ("Lỗi", "Chưa kéo", "Dữ liệu cũ", "1")] == ["Lỗi", "1", "Chưa kéo", "1"]
    assert words[-1] == "Dòng bị từ chối: 3"
    assert texts(html.Div(sources.summary(city(), "en")))[0] == "Sources up to date: 2 / 4"


def test_each_source_row_says_everything_in_words():
    table = sources.sources_table(city(), "vi")
    rows = table.children[1].children
    ok, down, mixed, never = (texts(row) for row in rows)
    assert ok[:8] == [
        "quan-1",
        "Quận 1",
        "motcua_v1",
        "OK",
        "08:55 27/11/2019",
        "5 phút trước",
        "1.234",
        "đã đọc 56.789",
    ]
    assert ok[8:] == ["—", "—", "0"]  # rows held, then rows read (re-reads included)
    assert down[:8] == ["quan-3", "Quận 1", "motcua_v1", "Lỗi", "chưa có", "—", "0", "đã đọc 56.789"]
    assert down[8:] == ["Máy chủ nguồn không nhận kết nối", REFUSED, "09:02 27/11/2019", "2 lần lỗi liên tiếp", "0"]
    assert mixed[-1] == "3" and never[3] == "Chưa kéo"
    headers = texts(table.children[0])
    assert headers == [
        "Nguồn",
        "Đơn vị",
        "Lược đồ",
        "Trạng thái",
        "Lần kéo thành công cuối",
        "Độ trễ",
        "Số dòng đang lưu",
        "Lỗi gần nhất",
        "Thử lại lúc",
        "Dòng bị từ chối",
    ]


def test_the_rejected_count_links_to_that_sources_rejected_rows_and_no_address_is_shown():
    table = sources.sources_table(city(), "en")
    [link] = [node for node in table._traverse() if isinstance(node, dcc.Link)]
    assert (link.children, link.href) == ("3", "/sources?lang=en&source=quan-5")
    assert link.title == "See the 3 rejected rows of quan-5"
    codes = [node for node in table._traverse() if isinstance(node, html.Code)]
    named = {code.children: getattr(code, "title", None) for code in codes}
    assert named["quan-3"] == "postgresql"  # the kind of database, never its host, user or database (issue 14)
    titles = [getattr(code, "title", None) or "" for code in codes]
    assert not any("reader" in title or "10.0.0.5" in title for title in titles)
    assert "The source server refused the connection" in texts(table) and "District 1" in texts(table)


def test_the_rejected_browser_shows_reason_and_raw_values_as_a_table():
    parts = html.Div(sources.rejected_browser(rejected(), "vi"))
    words = texts(parts)
    assert words[:6] == ["Tất cả", "6", "cu", "4", "quan-5", "2"]  # the filter: all, then each source
    chips = [node for node in parts._traverse() if isinstance(node, dcc.Link)]
    assert [c.href for c in chips] == [
        "/sources?lang=vi",
        "/sources?lang=vi&source=cu",
        "/sources?lang=vi&source=quan-5",
    ]
    assert "is-current" in chips[2].className and "is-current" not in chips[0].className
    assert "Dòng 1–2 trong 2" in words
    first = words.index("08:59 27/11/2019")
    assert words[first : first + 6] == [
        "08:59 27/11/2019",
        "quan-5",
        "Hồ sơ",
        "B",
        "unit",
        "unknown unit '999' on 24/11/2019",
    ]
    assert words[first + 6 : first + 12] == ["dossier_code", "B", "unit_code", "999", "finished_at", "(trống)"]
    marked = [node for node in parts._traverse() if "is-rejected" in (getattr(node, "className", "") or "")]
    assert [texts(node) for node in marked] == [["unit_code", "999"], ["unit_code", "999"]]
    assert not any(getattr(node, "id", None) == SourcesIds.REJECTED_NEXT for node in parts._traverse())


def test_the_pager_links_keep_the_source_and_the_language():
    middle = html.Div(sources.rejected_browser(rejected(page=2, total=120, rows=(rejected_row("X"),)), "en"))
    assert middle[SourcesIds.REJECTED_PREV].href == "/sources?lang=en&source=quan-5"
    assert middle[SourcesIds.REJECTED_NEXT].href == "/sources?lang=en&source=quan-5&page=3"
    assert "Page 2 of 3" in texts(middle) and "Rows 51–51 of 120" in texts(middle)
    first = html.Div(sources.rejected_browser(rejected(source=None, total=120), "vi"))
    assert first[SourcesIds.REJECTED_NEXT].href == "/sources?lang=vi&page=2"
    assert "‹ Trang trước" in texts(first)  # shown, not a link, on the first page
    assert not any(getattr(node, "id", None) == SourcesIds.REJECTED_PREV for node in first._traverse())


def test_no_rejected_rows_is_said_not_left_blank():
    assert "Nguồn quan-9 không có dòng nào bị từ chối." in texts(
        html.Div(sources.rejected_browser(rejected(source="quan-9", total=0, rows=()), "vi"))
    )
    assert "No rows were rejected." in texts(html.Div(sources.rejected_browser(rejected(None, 1, 0, ()), "en")))
    assert texts(sources.sources_table([], "vi")) == ["Chưa cấu hình nguồn dữ liệu nào."]


def test_the_page_has_the_header_links_the_poll_and_the_focus():
    seen = [4, "2019-11-27T09:00"]
    page = sources.layout(city(), rejected(), START, "vi", "/sources", 5000, seen)
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 09:00 27/11/2019"
    assert page[SourcesIds.INTERVAL].interval == 5000 and page[SourcesIds.SEEN].data == seen
    assert page[SourcesIds.FOCUS].data is True  # a source is picked: show its rejected rows
    assert "Nguồn dữ liệu" in texts(page) and "Dòng bị từ chối" in texts(page)
    assert page[ShellIds.NAV_OVERVIEW].href == "/?lang=vi" and page[ShellIds.NAV_SOURCES].href == "/sources?lang=vi"
    assert "is-current" in page[ShellIds.NAV_SOURCES].className
    assert "is-current" not in page[ShellIds.NAV_OVERVIEW].className
    assert page[ShellIds.LANG_EN].href == "/sources?lang=en"
    unfocused = sources.layout(city(), rejected(source=None), START, "en", "/sources", 5000, seen)
    assert unfocused[SourcesIds.FOCUS].data is False
    assert unfocused[ShellIds.NAV_OVERVIEW].children == "Overview"


def test_every_key_the_page_uses_is_in_the_catalogue():
    used = set()
    for module in ("layouts/sources.py", "callbacks/sources.py", "layouts/shell.py"):
        used |= set(
            re.findall(
                r"""["']((?:sources|sourcespage|rejected|nav|stream)\.[a-z_.]+)["']""",
                (ROOT / module).read_text("utf-8"),
            )
        )
    used |= {f"error.{kind}" for kind in typing.get_args(ErrorKind)} | {"stream.dossiers", "stream.feedback"}
    used |= set(sources.COLUMNS) | set(sources.REJECTED_COLUMNS)
    assert sorted(used - set(CATALOGUE)) == []
    assert len(used) > 30
