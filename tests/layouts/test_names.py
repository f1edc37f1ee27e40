"""Proper names carry their own language and a mark; the page's tab title and language ride on its root."""

from __future__ import annotations

from layouts import shell
from layouts.names import category, name, unit_name


def test_a_name_is_a_span_in_its_own_language():
    span = name("lanh-dao")
    assert (span.children, span.lang, getattr(span, "data-name"), span.className) == (
        "lanh-dao",
        "vi",
        "vi",
        "pulse-name",
    )
    assert unit_name("Quận Bình Tân", "Binh Tan District", "en").lang == "en"
    assert unit_name("Quận Bình Tân", "Binh Tan District", "en").children == "Binh Tan District"
    assert unit_name("Quận Bình Tân", "Binh Tan District", "qps").children == "Quận Bình Tân"
    assert unit_name("Quận Bình Tân", "", "en").lang == "vi"  # no English name: the Vietnamese, marked so


def test_a_page_names_its_tab_and_language_and_no_element_carries_a_page_wide_lang():
    page = shell.page("Nguồn dữ liệu", None, "vi", "/sources", "…")
    assert getattr(page, "data-page-title") == "Nguồn dữ liệu · CCHC Pulse"
    assert getattr(page, "data-page-lang") == "vi"
    assert not any(getattr(c, "lang", None) for c in [page, *page._traverse()])
    named = shell.page(name("Quận 1"), None, "en", "/unit/quan-1", "…", tab="District 1")
    assert getattr(named, "data-page-title") == "District 1 · CCHC Pulse"
    assert getattr(shell.page(name("x"), None, "en", "/", "…"), "data-page-title") == "CCHC Pulse"


def test_a_feedback_category_reads_in_english_when_known_and_as_written_in_vietnamese_when_not():
    from layouts.dossiers import feedback_table

    known, unknown = category("Trật tự đô thị", "en"), category("Cầu đường xuống cấp", "en")
    assert (known.children, known.lang, unknown.children, unknown.lang) == (
        "Urban order",
        "en",
        "Cầu đường xuống cấp",
        "vi",
    )
    assert (category("Trật tự đô thị", "vi").children, category("Trật tự đô thị", "vi").lang) == (
        "Trật tự đô thị",
        "vi",
    )
    row = {"native_id": "PA-1", "category": "Giao thông", "channel": "app", "received_at": None, "due_at": None}
    cell = feedback_table([{**row, "answered_at": None}], "en").children[1].children[0].children[1].children
    assert (cell.children, cell.lang) == ("Traffic", "en")
