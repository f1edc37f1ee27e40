"""The pseudo-locale: every catalogue string marked, numbers and dates as in Vietnamese, and only with its setting."""

from __future__ import annotations

from datetime import datetime

from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import CATALOGUE, PSEUDO, fmt_datetime, fmt_int, fmt_pct, lang_from_search, language, t
from dashboard.core.settings import Settings
from layouts.aggrid_locale import AG_GRID_LOCALE_VI, locale_text
from layouts.figures import plotly_locale


def test_every_catalogue_string_is_marked_with_its_fields_filled():
    assert t("shell.as_of", PSEUDO, time="09:00 27/11/2019") == "⟦Số liệu lúc 09:00 27/11/2019⟧"
    for key, (vi, _en) in CATALOGUE.items():
        if "{" not in vi:
            assert t(key, PSEUDO) == f"⟦{vi}⟧"


def test_numbers_and_dates_format_as_in_vietnamese():
    moment = datetime(2019, 11, 27, 9, 5, tzinfo=CITY_TZ)
    assert (fmt_int(1234, PSEUDO), fmt_pct(0.213, PSEUDO), fmt_datetime(moment, PSEUDO)) == (
        "1.234",
        "21,3%",
        "09:05 27/11/2019",
    )


def test_only_the_setting_makes_the_pseudo_locale_reachable():
    assert lang_from_search("?lang=qps", "vi") == "vi" and language("qps", "en") == "en"
    assert Settings().language == "vi"
    on = Settings(pseudo_locale=True, language="en")
    assert on.language == PSEUDO
    assert lang_from_search("?lang=qps", on.language) == PSEUDO and lang_from_search("?lang=en", on.language) == "en"
    assert lang_from_search("", on.language) == PSEUDO


def test_the_grid_and_plotly_speak_the_pseudo_locale_too():
    marked = locale_text(PSEUDO)
    assert marked is not None and marked["contains"] == "⟦Chứa⟧" and marked["decimalSeparator"] == ","
    assert locale_text("vi") == dict(AG_GRID_LOCALE_VI) and locale_text("en") is None
    assert locale_text("vi")["ariaPageSizeSelectorLabel"] == "Số dòng mỗi trang"
    vi, qps = plotly_locale("vi"), plotly_locale(PSEUDO)
    assert vi["format"]["months"][0] == "tháng 1" and vi["format"]["days"][0] == "Chủ Nhật"
    assert qps["format"]["shortMonths"][11] == "⟦thg 12⟧" and (
        qps["format"]["decimal"],
        qps["format"]["thousands"],
    ) == (",", ".")
    assert qps["dictionary"]["Double-click to zoom back out"] == "⟦Nhấp đúp để thu nhỏ lại⟧"
    assert plotly_locale("en")["format"]["months"][0] == "January"


def test_each_period_has_one_name_on_every_page():
    from dashboard.core.vocabulary import PERIODS

    for lang in ("vi", "en"):
        assert [t(f"unit.period.{p}", lang) for p in PERIODS] == [t(f"league.period.{p}", lang) for p in PERIODS]
    assert [t(f"league.period.{p}", "en") for p in PERIODS] == [
        "Today", "7 days", "30 days", "Quarter to date", "Year to date", "Last week", "Last month",
    ]  # fmt: skip
    assert t("sourcespage.summary", "vi", ok=2, total=3) == "Nguồn cập nhật đúng hạn: 2 / 3"
