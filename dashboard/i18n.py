"""Every user-facing string, Vietnamese first and English second, and the number, percent and time formats.

`t(key, lang)` picks a string from `CATALOGUE` (``str.format`` fields filled from keyword arguments);
`fmt_int`, `fmt_pct`, `fmt_date`, `fmt_time` and `fmt_datetime` format with babel in vi_VN or en_GB,
times always in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import parse_qs

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

from dashboard.clock import CITY_TZ

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
LOCALES: MappingProxyType[str, str] = MappingProxyType({"vi": "vi_VN", "en": "en_GB"})
PERCENT_PATTERN = "#,##0.0%"
MISSING = "—"

CATALOGUE: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        # shell
        "app.name": ("CCHC Pulse", "CCHC Pulse"),
        "shell.as_of": ("Số liệu lúc {time}", "Data as of {time}"),
        "shell.language": ("Ngôn ngữ", "Language"),
        "shell.lang_vi": ("VI", "VI"),
        "shell.lang_en": ("EN", "EN"),
        "shell.lang_vi_name": ("Tiếng Việt", "Vietnamese"),
        "shell.lang_en_name": ("Tiếng Anh", "English"),
        "notfound.title": ("Không tìm thấy trang", "Page not found"),
        "notfound.text": ("Không có trang nào ở địa chỉ {path}.", "There is no page at {path}."),
        "notfound.home": ("Về trang tổng quan", "Back to the overview"),
        # command line: `check`
        "check.state": (
            "      lần kéo tốt cuối {last} ({lag}), {rows} dòng, {rejected} dòng bị từ chối",
            "      last good pull {last} ({lag}), {rows} rows, {rejected} rejected rows",
        ),
        "check.never": ("      chưa kéo thành công lần nào", "      never pulled successfully"),
        "check.error": ("      lỗi: {kind} — {error}", "      error: {kind} — {error}"),
        "check.retry": (
            "      thử lại lúc {time} (lỗi {n} lần liên tiếp)",
            "      next retry {time} ({n} failures in a row)",
        ),
        # overview: KPI cards
        "overview.title": ("Tổng quan thành phố", "City overview"),
        "overview.kpis": ("Chỉ số chính", "Key figures"),
        "kpi.in_progress": ("Hồ sơ đang giải quyết", "Dossiers in progress"),
        "kpi.in_progress.note": ("đã tiếp nhận, chưa có kết quả", "received, not yet resolved"),
        "kpi.overdue": ("Quá hạn đang giải quyết", "Overdue in progress"),
        "kpi.overdue.note": ("{pct} số hồ sơ đang giải quyết", "{pct} of dossiers in progress"),
        "kpi.on_time": ("Đúng hạn 30 ngày", "On time, 30 days"),
        "kpi.on_time.note": ("{num} / {den} hồ sơ đã giải quyết", "{num} / {den} dossiers resolved"),
        "kpi.online": ("Tỷ lệ trực tuyến 30 ngày", "Online share, 30 days"),
        "kpi.online.note": ("{num} / {den} hồ sơ tiếp nhận", "{num} / {den} dossiers received"),
        "kpi.feedback": ("Phản ánh đang mở", "Open feedback"),
        "kpi.feedback.note": ("chưa trả lời", "not yet answered"),
        "kpi.no_data": ("chưa có hồ sơ", "no dossiers yet"),
        # overview: sources table
        "sources.title": ("Nguồn dữ liệu", "Data sources"),
        "sources.empty": ("Chưa cấu hình nguồn dữ liệu nào.", "No data sources are configured."),
        "sources.col.source": ("Nguồn", "Source"),
        "sources.col.unit": ("Đơn vị", "Unit"),
        "sources.col.last_good": ("Lần kéo thành công cuối", "Last good pull"),
        "sources.col.lag": ("Độ trễ", "Lag"),
        "sources.col.status": ("Trạng thái", "Status"),
        "sources.never": ("chưa có", "never"),
        "status.ok": ("OK", "OK"),
        "status.error": ("Lỗi", "Error"),
        "status.never": ("Chưa kéo", "Not pulled yet"),
        "status.stale": ("Dữ liệu cũ", "Stale data"),
        "lag.just_now": ("vừa xong", "just now"),
        "lag.minutes": ("{n} phút trước", "{n} min ago"),
        "lag.hours": ("{n} giờ trước", "{n} h ago"),
        "lag.days": ("{n} ngày trước", "{n} d ago"),
        # navigation between pages
        "nav.label": ("Các trang", "Pages"),
        "nav.overview": ("Tổng quan", "Overview"),
        "nav.sources": ("Nguồn dữ liệu", "Data sources"),
        # sources page
        "sourcespage.title": ("Nguồn dữ liệu", "Data sources"),
        "sourcespage.summary": ("Nguồn đúng hạn: {ok} / {total}", "Sources up to date: {ok} / {total}"),
        "sourcespage.summary.label": ("Tóm tắt", "Summary"),
        "sourcespage.rejected_total": ("Dòng bị từ chối: {n}", "Rejected rows: {n}"),
        "sourcespage.table": ("Tình trạng từng nguồn", "Each source"),
        "sources.col.profile": ("Lược đồ", "Profile"),
        "sources.col.rows": ("Số dòng đã kéo", "Rows pulled"),
        "sources.col.error": ("Lỗi gần nhất", "Last error"),
        "sources.col.retry": ("Thử lại lúc", "Next retry"),
        "sources.col.rejected": ("Dòng bị từ chối", "Rejected rows"),
        "sources.failures": ("{n} lần lỗi liên tiếp", "{n} failures in a row"),
        "sources.rejected_link": (
            "Xem {n} dòng bị từ chối của nguồn {source}",
            "See the {n} rejected rows of {source}",
        ),
        "error.auth": ("Sai tài khoản hoặc mật khẩu đọc dữ liệu", "Wrong user name or password"),
        "error.host": ("Không tìm thấy máy chủ nguồn", "The source server was not found"),
        "error.timeout": ("Nguồn không trả lời kịp", "The source did not answer in time"),
        "error.refused": ("Máy chủ nguồn không nhận kết nối", "The source server refused the connection"),
        "error.missing": ("Không tìm thấy cơ sở dữ liệu hoặc bảng", "Database or table not found"),
        "error.other": ("Lỗi khi kéo dữ liệu", "The pull failed"),
        # sources page: rejected rows browser
        "rejected.title": ("Dòng bị từ chối", "Rejected rows"),
        "rejected.filter": ("Lọc theo nguồn", "Filter by source"),
        "rejected.all": ("Tất cả", "All"),
        "rejected.range": ("Dòng {first}–{last} trong {total}", "Rows {first}–{last} of {total}"),
        "rejected.empty": ("Không có dòng nào bị từ chối.", "No rows were rejected."),
        "rejected.empty_source": (
            "Nguồn {source} không có dòng nào bị từ chối.",
            "Source {source} has no rejected rows.",
        ),
        "rejected.col.time": ("Thời điểm", "When"),
        "rejected.col.stream": ("Loại dữ liệu", "Stream"),
        "rejected.col.key": ("Mã trên nguồn", "Source key"),
        "rejected.col.field": ("Trường", "Field"),
        "rejected.col.reason": ("Lý do", "Reason"),
        "rejected.raw": ("Giá trị gốc", "Raw values"),
        "rejected.null": ("(trống)", "(empty)"),
        "rejected.pages": ("Phân trang", "Pages"),
        "rejected.prev": ("‹ Trang trước", "‹ Previous"),
        "rejected.next": ("Trang sau ›", "Next ›"),
        "rejected.page": ("Trang {page} / {pages}", "Page {page} of {pages}"),
        "stream.dossiers": ("Hồ sơ", "Dossiers"),
        "stream.feedback": ("Phản ánh", "Feedback"),
    }
)


def t(key: str, lang: str, **values: Any) -> str:
    """The string for `key` in `lang` (Vietnamese for an unknown language), with fields filled in."""
    vi, en = CATALOGUE[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


def language(lang: str | None, default: str = "vi") -> Lang:
    """A supported language code, or `default` when `lang` is not one."""
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    return "en" if default == "en" else "vi"


def lang_from_search(search: str | None, default: str = "vi") -> Lang:
    """The language of a URL query string such as ``?lang=en``; `default` when absent or unknown."""
    values = parse_qs((search or "").lstrip("?")).get("lang", [])
    return language(values[0] if values else None, default)


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["vi"])


def fmt_int(value: int | None, lang: str) -> str:
    """A whole number with the locale's grouping: 1.234 (vi), 1,234 (en)."""
    return MISSING if value is None else format_decimal(value, format="#,##0", locale=_locale(lang))


def fmt_pct(value: float | None, lang: str) -> str:
    """A fraction as a percent with one decimal: 21,3% (vi), 21.3% (en); a dash when unknown."""
    return MISSING if value is None else format_percent(value, PERCENT_PATTERN, locale=_locale(lang))


def fmt_date(moment: datetime | None, lang: str) -> str:
    """dd/mm/yyyy in the city's time zone."""
    return MISSING if moment is None else format_datetime(moment, "dd/MM/yyyy", tzinfo=CITY_TZ, locale=_locale(lang))


def fmt_time(moment: datetime | None, lang: str) -> str:
    """HH:MM (24 h) in the city's time zone."""
    return MISSING if moment is None else format_datetime(moment, "HH:mm", tzinfo=CITY_TZ, locale=_locale(lang))


def fmt_datetime(moment: datetime | None, lang: str) -> str:
    """HH:MM dd/mm/yyyy in the city's time zone."""
    return MISSING if moment is None else f"{fmt_time(moment, lang)} {fmt_date(moment, lang)}"


def fmt_lag(lag: timedelta | None, lang: str) -> str:
    """How long ago, in whole minutes below an hour, whole hours below a day, else whole days."""
    if lag is None:
        return MISSING
    minutes = max(int(lag.total_seconds() // 60), 0)
    if minutes < 1:
        return t("lag.just_now", lang)
    if minutes < 60:
        return t("lag.minutes", lang, n=fmt_int(minutes, lang))
    if minutes < 24 * 60:
        return t("lag.hours", lang, n=fmt_int(minutes // 60, lang))
    return t("lag.days", lang, n=fmt_int(minutes // (24 * 60), lang))
