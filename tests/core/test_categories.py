"""Feedback categories: free Vietnamese text looked up, marks, case and spaces aside, in the packaged table."""

from __future__ import annotations

from bench.synthetic import FEEDBACK_CATEGORIES
from dashboard.core.categories import category_en, category_for, category_key
from data_sources.demo.feedback import CATEGORIES


def test_the_key_drops_marks_case_punctuation_and_extra_spaces():
    assert category_key("  VĂN HOÁ – xã   hội ") == "van hoa xa hoi"
    assert category_key("Đất đai") == "dat dai"
    assert category_en("  trật tự ĐÔ THỊ ") == "Urban order"
    assert category_en("Van hoa / Xa hoi") == "Culture and society"


def test_every_category_the_demo_and_the_benchmark_write_has_an_english_name():
    assert {c: category_en(c) for c in CATEGORIES} == {
        "Trật tự đô thị": "Urban order",
        "Môi trường": "Environment",
        "Giao thông": "Traffic",
        "Điện nước": "Electricity and water",
        "An ninh trật tự": "Security and public order",
        "Thủ tục hành chính": "Administrative procedures",
        "Xây dựng": "Construction",
        "Đất đai": "Land",
    }
    assert [category_en(c) for c in FEEDBACK_CATEGORIES] == [
        "Administration", "Land", "Construction", "Environment", "Traffic", "Urban order", "Health", "Education",
        "Other",
    ]  # fmt: skip


def test_an_unknown_category_stays_as_written_and_vietnamese_pages_keep_the_source_text():
    assert category_en("Cầu đường xuống cấp") is None
    assert category_for("Cầu đường xuống cấp", "en") == ("Cầu đường xuống cấp", "vi")
    assert category_for("giao thông", "en") == ("Traffic", "en")
    assert category_for("giao thông", "vi") == ("giao thông", "vi")
