"""The catalogue is complete in both languages, and numbers and times format the Vietnamese way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.core.i18n import (
    CATALOGUE,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_lag,
    fmt_pct,
    fmt_time,
    lang_from_search,
    t,
)
from layouts.overview import STATUS_LOOK

ROOT = Path(__file__).resolve().parents[2]
KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z_.]+)["']""")
OVERVIEW_KEYS = {
    "overview.title",
    "kpi.in_progress",
    "kpi.overdue",
    "kpi.on_time",
    "kpi.online",
    "kpi.feedback",
    "sources.title",
    "shell.as_of",
}


def test_every_entry_has_vietnamese_and_english():
    for key, (vi, en) in CATALOGUE.items():
        assert vi.strip() and en.strip(), key


def test_the_overview_keys_exist_in_both_languages():
    used = set()
    modules = ("layouts/overview.py", "layouts/home_parts.py", "layouts/shell.py", "callbacks/overview.py")
    for module in (*modules, "callbacks/routing.py"):
        used |= set(KEY_CALL.findall((ROOT / module).read_text("utf-8")))
    from layouts.overview import RATE_NOTES, VALUE_IDS

    home = {f"home.fig.{name}" for name in VALUE_IDS} | set(RATE_NOTES.values())  # keys the home page builds by name
    home |= {f"home.vs.{word}" for word in ("better", "worse", "steady", "same", "up", "down", "none")}
    home |= {f"home.against.{against}" for against in ("yesterday", "previous")}
    used |= OVERVIEW_KEYS | home | {key for key, _color, _text in STATUS_LOOK.values()}
    missing = sorted(used - set(CATALOGUE))
    assert not missing
    assert t("kpi.in_progress", "vi") == "Hồ sơ đang giải quyết"
    assert t("kpi.in_progress", "en") == "Dossiers in progress"


def test_numbers_and_percent():
    assert fmt_int(1234, "vi") == "1.234"
    assert fmt_int(1234, "en") == "1,234"
    assert fmt_pct(0.2134, "vi") == "21,3%"
    assert fmt_pct(0.2134, "en") == "21.3%"
    assert fmt_pct(None, "vi") == "—"


def test_dates_and_times_are_in_the_city_zone():
    moment = datetime(2019, 11, 26, 20, 5, tzinfo=UTC)  # 03:05 on 27/11 in Ho Chi Minh City
    assert fmt_date(moment, "vi") == "27/11/2019"
    assert fmt_time(moment, "en") == "03:05"
    assert fmt_datetime(moment, "vi") == "03:05 27/11/2019"
    assert t("shell.as_of", "vi", time=fmt_datetime(moment, "vi")) == "Số liệu lúc 03:05 27/11/2019"


@pytest.mark.parametrize(
    ("lag", "vi", "en"),
    [
        (timedelta(seconds=30), "vừa xong", "just now"),
        (timedelta(minutes=7, seconds=59), "7 phút trước", "7 min ago"),
        (timedelta(hours=3, minutes=59), "3 giờ trước", "3 h ago"),
        (timedelta(days=2, hours=1), "2 ngày trước", "2 d ago"),
        (None, "—", "—"),
    ],
)
def test_lag(lag, vi, en):
    assert (fmt_lag(lag, "vi"), fmt_lag(lag, "en")) == (vi, en)


@pytest.mark.parametrize(
    ("search", "expected"), [("?lang=en", "en"), ("?lang=vi", "vi"), ("", "vi"), ("?lang=fr", "vi"), (None, "vi")]
)
def test_language_from_the_query_string(search, expected):
    assert lang_from_search(search, "vi") == expected
    assert lang_from_search("?x=1", "en") == "en"
