"""Every user-facing string, Vietnamese first and English second, and the number, percent and time formats.

`t(key, lang)` picks a string from `CATALOGUE` (``str.format`` fields filled from keyword arguments);
`fmt_int`, `fmt_pct`, `fmt_date`, `fmt_time` and `fmt_datetime` format with babel in vi_VN or en_GB,
times always in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import parse_qs

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import NumberPattern, parse_pattern

from dashboard.core.clock import CITY_TZ

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
        "nav.league": ("Xếp hạng", "League tables"),
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
        # the wall (/wall, kiosk)
        "wall.title": ("Cải cách hành chính TP. Hồ Chí Minh", "Ho Chi Minh City administrative reform"),
        "wall.updated.seconds": ("cập nhật {n} giây trước", "updated {n} s ago"),
        "wall.updated.minutes": ("cập nhật {n} phút trước", "updated {n} min ago"),
        "wall.updated.hours": ("cập nhật {n} giờ trước", "updated {n} h ago"),
        "wall.updated.never": ("chưa có dữ liệu", "no data yet"),
        "wall.sources": ("nguồn đúng hạn: {ok} / {total}", "sources on time: {ok} / {total}"),
        "wall.sources.stale": ("Có nguồn dữ liệu cũ", "Some sources are stale"),
        "wall.view.summary": ("Toàn thành phố", "Whole city"),
        "wall.view.backlog": ("Hồ sơ quá hạn theo quận, huyện", "Overdue backlog by district"),
        "wall.view.map": ("Bản đồ quận, huyện", "District map"),
        "wall.view.districts": ("Xếp hạng quận, huyện", "District league"),
        "wall.view.departments": ("Xếp hạng sở, ban, ngành", "Department league"),
        "wall.view.alerts": ("Cảnh báo", "Alerts"),
        "wall.period": ("30 ngày qua · số liệu lúc {time}", "Last 30 days · data as of {time}"),
        "wall.kpi.satisfaction": ("Hài lòng, 30 ngày", "Satisfied, 30 days"),
        "wall.kpi.satisfaction.note": ("{num} / {den} lượt đánh giá", "{num} / {den} ratings"),
        "wall.kpi.online.target": ("mục tiêu {pct}: {verdict}", "target {pct}: {verdict}"),
        "wall.target.met": ("✓ đạt", "✓ met"),
        "wall.target.missed": ("✗ chưa đạt", "✗ not met"),
        "wall.gauge.title": ("Tỷ lệ quá hạn trong hồ sơ đang giải quyết", "Overdue share of the backlog"),
        "wall.gauge.limits": (
            "cảnh báo trên {warn} · báo động trên {alarm}",
            "warning above {warn} · alarm above {alarm}",
        ),
        "wall.gauge.count": ("{overdue} / {total} hồ sơ", "{overdue} / {total} dossiers"),
        "wall.level.ok": ("Bình thường", "Normal"),
        "wall.level.warn": ("Cảnh báo", "Warning"),
        "wall.level.alarm": ("Báo động", "Alarm"),
        "wall.level.stale": ("Dữ liệu cũ", "Stale data"),
        "wall.level.none": ("Không có hồ sơ", "No dossiers"),
        "wall.stale_since": ("dữ liệu cũ từ {time}", "stale data since {time}"),
        "wall.stale_never": ("chưa có dữ liệu", "no data yet"),
        "wall.new_late": ("{n} mới quá hạn (24 giờ)", "{n} newly overdue (24 h)"),
        "wall.league.top": ("5 đơn vị dẫn đầu", "Top 5"),
        "wall.league.bottom": ("5 đơn vị cuối bảng", "Bottom 5"),
        "wall.league.empty": (
            "Chưa có đơn vị nào đủ số liệu để xếp hạng.",
            "No unit has enough data to be ranked yet.",
        ),
        "wall.league.ranked": (
            "{ranked} / {total} đơn vị được xếp hạng theo chỉ số phục vụ",
            "{ranked} of {total} units ranked by the service index",
        ),
        "wall.col.rank": ("Hạng", "Rank"),
        "wall.col.unit": ("Đơn vị", "Unit"),
        "wall.col.score": ("Điểm", "Score"),
        "wall.col.on_time": ("Đúng hạn", "On time"),
        "wall.col.overdue": ("Quá hạn", "Overdue"),
        "wall.alerts.none": ("Không có cảnh báo nào.", "No alerts."),
        "wall.alerts.more": ("… và {n} cảnh báo khác", "… and {n} more alerts"),
        "wall.alert.overdue_share": (
            "{unit}: {pct} hồ sơ đang giải quyết đã quá hạn (ngưỡng {limit})",
            "{unit}: {pct} of the backlog is overdue (limit {limit})",
        ),
        "wall.alert.new_late": (
            "{unit}: {n} hồ sơ mới quá hạn trong 24 giờ (ngưỡng {limit})",
            "{unit}: {n} dossiers fell overdue in 24 h (limit {limit})",
        ),
        "wall.alert.stale_source": (
            "Nguồn {source} ({unit}): dữ liệu cũ từ {time}",
            "Source {source} ({unit}): stale since {time}",
        ),
        "wall.alert.source_never": (
            "Nguồn {source} ({unit}): chưa kéo được dữ liệu",
            "Source {source} ({unit}): never pulled",
        ),
        "wall.map.metric.overdue_share": ("Tỷ lệ quá hạn trong hồ sơ đang giải quyết", "Overdue share of the backlog"),
        "wall.map.metric.on_time": ("Tỷ lệ giải quyết đúng hạn, 30 ngày", "Resolved on time, 30 days"),
        "wall.map.metric.online": ("Tỷ lệ nộp trực tuyến, 30 ngày", "Received online, 30 days"),
        "wall.map.no_data": ("Chưa có số liệu", "No data"),
        "wall.map.feedback": ("Phản ánh 24 giờ qua: {n} điểm", "Feedback in the last 24 h: {n} points"),
        "wall.map.feedback.none": (
            "Chưa có vị trí phản ánh trong 24 giờ qua",
            "No feedback locations in the last 24 h",
        ),
        "wall.map.wards": ("{n} phường, xã tô màu theo quận, huyện", "{n} wards coloured by their district"),
        "wall.map.boundary_error": (
            "Không đọc được tệp ranh giới, đang dùng bản đồ ô: {error}",
            "Cannot read the boundary file, showing the tile map: {error}",
        ),
        "wall.map.click": ("Bấm vào một quận, huyện để xem chi tiết", "Click a district to open its page"),
        "wall.map.attention": ("Cần chú ý nhất", "Needs most attention"),
        "wall.ticker": ("Cảnh báo", "Alerts"),
        "wall.city": ("Toàn thành phố", "Whole city"),
        # unit tile (/unit/<key>)
        "unit.notfound.title": ("Không tìm thấy đơn vị", "Unit not found"),
        "unit.notfound.text": ("Không có đơn vị nào có mã “{unit}”.", "There is no unit with the key “{unit}”."),
        "unit.kind.city": ("Thành phố", "City"),
        "unit.kind.district": ("Quận, huyện", "District"),
        "unit.kind.department": ("Sở, ban, ngành", "Department"),
        "unit.kind.central_agency": ("Cơ quan ngành dọc", "Central agency"),
        "unit.kind.ward": ("Phường, xã, thị trấn", "Ward or commune"),
        "unit.rank": ("Hạng {rank}/{size}", "Rank {rank}/{size}"),
        "unit.rank.none": ("Chưa xếp hạng", "Not ranked"),
        "unit.rank.not_ranked": ("Đơn vị này không tham gia xếp hạng", "This unit is not in a league table"),
        "unit.league.district": ("Xếp hạng trong {size} quận, huyện", "Rank among {size} districts"),
        "unit.league.department": ("Xếp hạng trong {size} sở, ban, ngành", "Rank among {size} departments"),
        "unit.moved.same": ("giữ nguyên hạng so với kỳ trước", "same rank as in the previous period"),
        "unit.moved.up": ("tăng {n} bậc so với kỳ trước", "up {n} since the previous period"),
        "unit.moved.down": ("giảm {n} bậc so với kỳ trước", "down {n} since the previous period"),
        "unit.score": ("Điểm {score} · {grade}", "Score {score} · {grade}"),
        "unit.score.none": ("Điểm: chưa có dữ liệu", "Score: no data"),
        "unit.grade.excellent": ("Xuất sắc", "Excellent"),
        "unit.grade.good": ("Tốt", "Good"),
        "unit.grade.fair": ("Khá", "Fair"),
        "unit.grade.average": ("Trung bình", "Average"),
        "unit.grade.weak": ("Yếu", "Weak"),
        "unit.data_as_of": ("Dữ liệu nguồn đến {time}", "Source data up to {time}"),
        "unit.period": ("Kỳ báo cáo", "Period"),
        "unit.period.today": ("Hôm nay", "Today"),
        "unit.period.7d": ("7 ngày", "7 days"),
        "unit.period.30d": ("30 ngày", "30 days"),
        "unit.period.qtd": ("Quý này", "This quarter"),
        "unit.period.ytd": ("Năm nay", "This year"),
        "unit.kpis": ("Chỉ số: {period} · {start} – {end}", "Key figures: {period} · {start} – {end}"),
        "unit.city": ("Toàn thành phố: {value}", "Whole city: {value}"),
        "unit.target": ("Cam kết {pct}", "Commitment {pct}"),
        "unit.target.no_data": ("chưa có số liệu để so", "no data to compare yet"),
        "unit.target.progress": ("đạt {pct} mức cam kết", "{pct} of the commitment"),
        "unit.target.met": ("✓ đạt", "✓ met"),
        "unit.target.not_met": ("chưa đạt", "not met"),
        "unit.kpi.on_time": ("Giải quyết đúng hạn", "Resolved on time"),
        "unit.kpi.on_time.note": ("hồ sơ đã giải quyết", "dossiers resolved"),
        "unit.kpi.on_time.none": ("chưa giải quyết hồ sơ nào trong kỳ", "none resolved in the period"),
        "unit.kpi.apology": ("Xin lỗi khi trễ hạn", "Apologised when late"),
        "unit.kpi.apology.note": ("hồ sơ trễ hạn có phiếu xin lỗi", "late dossiers with an apology"),
        "unit.kpi.apology.none": ("không có hồ sơ trễ hạn", "no late dossiers"),
        "unit.kpi.apology.missing": ("Chưa xin lỗi:", "Without an apology:"),
        "unit.kpi.online": ("Nộp trực tuyến", "Submitted online"),
        "unit.kpi.online.note": ("hồ sơ tiếp nhận", "dossiers received"),
        "unit.kpi.online.none": ("chưa tiếp nhận hồ sơ nào trong kỳ", "none received in the period"),
        "unit.kpi.online_full": ("Trực tuyến toàn trình", "Fully online"),
        "unit.kpi.online_full.note": ("hồ sơ tiếp nhận", "dossiers received"),
        "unit.kpi.online_full.none": ("chưa tiếp nhận hồ sơ nào trong kỳ", "none received in the period"),
        "unit.kpi.dossier_satisfaction": ("Hài lòng về giải quyết hồ sơ", "Satisfied with the service"),
        "unit.kpi.dossier_satisfaction.note": ("lượt đánh giá", "ratings"),
        "unit.kpi.dossier_satisfaction.none": ("chưa có lượt đánh giá nào", "no ratings yet"),
        "unit.kpi.feedback_on_time": ("Phản ánh trả lời đúng hạn", "Feedback answered on time"),
        "unit.kpi.feedback_on_time.note": ("phản ánh đã trả lời", "feedback answered"),
        "unit.kpi.feedback_on_time.none": ("chưa trả lời phản ánh nào trong kỳ", "none answered in the period"),
        "unit.kpi.processing": ("Thời gian giải quyết (trung vị)", "Processing time (median)"),
        "unit.kpi.processing.note": ("thời hạn quy định trung bình: {days}", "mean statutory time: {days}"),
        "unit.kpi.processing.city": ("{median} (quy định {statutory})", "{median} (statutory {statutory})"),
        "unit.days": ("{n} ngày", "{n} days"),
        "unit.trend": ("Xu hướng {n} ngày", "The last {n} days"),
        "unit.ageing": ("Tuổi hồ sơ đang giải quyết", "Age of the dossiers in progress"),
        "unit.late_procedures": ("Thủ tục làm đơn vị trễ hạn", "Procedures that make the unit late"),
        "unit.late_procedures.empty": ("Không có hồ sơ trễ hạn trong kỳ.", "No late dossiers in the period."),
        "unit.late_procedures.count": ("{n} hồ sơ trễ", "{n} late"),
        "unit.feedback": ("Phản ánh, kiến nghị", "Feedback"),
        "unit.feedback.open": ("Đang mở", "Open"),
        "unit.feedback.overdue": ("Trong đó quá hạn", "Of which overdue"),
        "unit.feedback.received": ("Tiếp nhận trong kỳ", "Received in the period"),
        "unit.list.in_progress": ("Hồ sơ đang giải quyết", "Dossiers in progress"),
        "unit.list.overdue": ("Hồ sơ quá hạn đang giải quyết", "Overdue dossiers in progress"),
        "unit.list.overdue_no_apology": ("Quá hạn chưa có phiếu xin lỗi", "Overdue without an apology"),
        "unit.list.received": ("Hồ sơ tiếp nhận trong kỳ", "Dossiers received in the period"),
        "unit.list.online": ("Hồ sơ nộp trực tuyến trong kỳ", "Dossiers submitted online in the period"),
        "unit.list.completed": ("Hồ sơ đã giải quyết trong kỳ", "Dossiers resolved in the period"),
        "unit.list.on_time": ("Hồ sơ giải quyết đúng hạn", "Dossiers resolved on time"),
        "unit.list.late": ("Hồ sơ giải quyết trễ hạn", "Dossiers resolved late"),
        "unit.list.late_no_apology": ("Trễ hạn chưa có phiếu xin lỗi", "Late without an apology"),
        "unit.list.late_total": (
            "Hồ sơ trễ hạn (đã giải quyết trễ hoặc đang quá hạn)",
            "Late dossiers (resolved late or overdue now)",
        ),
        "unit.list.late_with_apology": ("Trễ hạn đã có phiếu xin lỗi", "Late with an apology"),
        "unit.list.online_full": ("Hồ sơ trực tuyến toàn trình trong kỳ", "Fully online dossiers in the period"),
        "unit.list.rated": ("Hồ sơ được người dân đánh giá", "Dossiers rated by citizens"),
        "unit.list.satisfied": ("Hồ sơ được đánh giá hài lòng", "Dossiers rated satisfied"),
        "unit.list.overdue.empty": ("Không có hồ sơ quá hạn.", "No dossier is overdue."),
        "unit.list.late_no_apology.empty": (
            "Mọi hồ sơ trễ hạn đều có phiếu xin lỗi.",
            "Every late dossier has an apology.",
        ),
        "unit.list.more": ("Xem tất cả {n} hồ sơ", "See all {n} dossiers"),
        "unit.drill.open": ("Xem các hồ sơ: {name}", "See the dossiers: {name}"),
        "unit.drill.title": ("{name}: {n} hồ sơ", "{name}: {n} dossiers"),
        "unit.drill.title_feedback": ("{name}: {n} phản ánh", "{name}: {n} items"),
        "unit.drill.close": ("✕ Đóng danh sách", "✕ Close the list"),
        "unit.drill.empty": ("Không có hồ sơ nào.", "No dossiers."),
        "unit.drill.range": ("Hồ sơ {first}–{last} trong {total}", "Dossiers {first}–{last} of {total}"),
        "unit.drill.range_feedback": ("Phản ánh {first}–{last} trong {total}", "Items {first}–{last} of {total}"),
        "unit.list.feedback_open": ("Phản ánh đang mở", "Open feedback"),
        "unit.list.feedback_overdue": ("Phản ánh quá hạn trả lời", "Feedback past its due"),
        "unit.list.feedback_received": ("Phản ánh tiếp nhận trong kỳ", "Feedback received in the period"),
        "unit.list.feedback_answered": ("Phản ánh đã trả lời trong kỳ", "Feedback answered in the period"),
        "unit.list.feedback_answered_on_time": ("Phản ánh trả lời đúng hạn", "Feedback answered on time"),
        "unit.col.feedback_id": ("Mã phản ánh", "Feedback id"),
        "unit.col.feedback_category": ("Lĩnh vực", "Category"),
        "unit.col.feedback_channel": ("Kênh", "Channel"),
        "unit.col.feedback_answered": ("Trả lời", "Answered"),
        "unit.feedback.channel.app": ("Ứng dụng", "App"),
        "unit.feedback.channel.hotline": ("Đường dây nóng", "Hotline"),
        "unit.feedback.channel.web": ("Cổng thông tin", "Web"),
        "unit.feedback.unanswered": ("chưa trả lời", "not answered"),
        "unit.col.code": ("Mã hồ sơ", "Dossier code"),
        "unit.col.procedure": ("Thủ tục", "Procedure"),
        "unit.col.received": ("Tiếp nhận", "Received"),
        "unit.col.due": ("Hẹn trả", "Due"),
        "unit.col.completed": ("Hoàn thành", "Completed"),
        "unit.col.late_days": ("Ngày làm việc quá hạn", "Working days overdue"),
        "unit.col.apology": ("Phiếu xin lỗi", "Apology"),
        "unit.apology.none": ("Chưa gửi", "Not sent"),
        "unit.apology.sent": ("Đã gửi", "Sent"),
        "unit.apology.new_due": ("Đã gửi · hẹn lại {date}", "Sent · new date {date}"),
        "unit.status.processing": ("Đang giải quyết", "In progress"),
        "unit.status.awaiting_supplement": ("Chờ bổ sung", "Awaiting supplement"),
        "unit.status.paused": ("Tạm dừng", "Paused"),
        "unit.status.completed": ("Đã có kết quả", "Completed"),
        "unit.status.refused": ("Từ chối", "Refused"),
        "unit.status.withdrawn": ("Công dân rút hồ sơ", "Withdrawn"),
        "unit.status.cancelled": ("Hủy", "Cancelled"),
        # figures (layouts/figures.py)
        "fig.trend.received": ("Tiếp nhận", "Received"),
        "fig.trend.completed": ("Đã giải quyết", "Completed"),
        "fig.trend.in_progress": ("Đang giải quyết (cuối ngày)", "In progress (end of day)"),
        "fig.trend.per_day": ("Hồ sơ mỗi ngày", "Dossiers a day"),
        "fig.trend.backlog": ("Đang giải quyết", "In progress"),
        "fig.trend.empty": ("Chưa có hồ sơ trong 90 ngày qua", "No dossiers in the last 90 days"),
        "fig.ageing.not_due": ("Còn hạn", "Not yet due"),
        "fig.ageing.due_soon": ("Sắp đến hạn (≤ 2 ngày)", "Due within 2 days"),
        "fig.ageing.overdue_1_5": ("Quá hạn 1–5 ngày", "1–5 days overdue"),
        "fig.ageing.overdue_6_20": ("Quá hạn 6–20 ngày", "6–20 days overdue"),
        "fig.ageing.overdue_over_20": ("Quá hạn trên 20 ngày", "Over 20 days overdue"),
        "fig.ageing.count": ("Số hồ sơ", "Dossiers"),
        "fig.ageing.empty": ("Không có hồ sơ đang giải quyết", "No dossiers in progress"),
        # league tables (page, grid and exports)
        "league.title": ("Bảng xếp hạng thi đua", "League tables"),
        "league.kinds": ("Loại đơn vị", "Kind of unit"),
        "league.kind.district": ("Quận, huyện", "Districts"),
        "league.kind.department": ("Sở, ban, ngành", "Departments"),
        "league.periods": ("Kỳ xếp hạng", "Period"),
        "league.period.today": ("Hôm nay", "Today"),
        "league.period.7d": ("7 ngày", "7 days"),
        "league.period.30d": ("30 ngày", "30 days"),
        "league.period.qtd": ("Quý này", "Quarter to date"),
        "league.period.ytd": ("Năm nay", "Year to date"),
        "league.summary": (
            "{ranked} / {total} đơn vị được xếp hạng theo chỉ số phục vụ, {start} – {end}; so với kỳ trước {previous}.",
            "{ranked} of {total} units ranked by the service index, {start} – {end}; compared with {previous}.",
        ),
        "league.ties": (
            "Đồng điểm (làm tròn 2 chữ số thập phân) thì đồng hạng.",
            "Equal scores (rounded to 2 decimals) share a rank.",
        ),
        "league.legend": (
            "▲ tăng hạng · ▼ giảm hạng · – giữ nguyên · mới: kỳ trước chưa xếp hạng · hàng xám: dữ liệu cũ",
            "▲ up · ▼ down · – unchanged · new: not ranked in the previous period · grey row: stale data",
        ),
        "league.search": ("Tìm đơn vị", "Find a unit"),
        "league.csv": ("Tải CSV", "Download CSV"),
        "league.xlsx": ("Tải Excel", "Download Excel"),
        "league.exports": ("Tải bảng đang hiển thị", "Download the table as shown"),
        "league.empty": ("Không có đơn vị nào để xếp hạng.", "No units to rank."),
        "league.col.rank": ("Hạng", "Rank"),
        "league.col.rank.tip": (
            "Xếp hạng theo điểm; đồng điểm thì đồng hạng (1, 1, 3)",
            "Ranked by score; equal scores share a rank (1, 1, 3)",
        ),
        "league.col.movement": ("So kỳ trước", "Change"),
        "league.col.movement.tip": (
            "Số bậc tăng (▲) hoặc giảm (▼) so với kỳ trước",
            "Places up (▲) or down (▼) since the previous period",
        ),
        "league.col.unit": ("Đơn vị", "Unit"),
        "league.col.score": ("Điểm", "Score"),
        "league.col.score.tip": ("Chỉ số phục vụ (0–100) và xếp loại", "Service index (0–100) and grade"),
        "league.col.subscores": ("Điểm thành phần", "Points per criterion"),
        "league.col.points.tip": ("{name}: tối đa {points} điểm", "{name}: at most {points} points"),
        "league.col.kpis": ("Chỉ số trong kỳ", "Figures for the period"),
        "league.col.on_time": ("Đúng hạn", "On time"),
        "league.col.online": ("Trực tuyến", "Online"),
        "league.col.satisfaction": ("Hài lòng", "Satisfied"),
        "league.col.commitments": ("Cam kết", "Commitments"),
        "league.col.commitments.tip": (
            "Số cam kết đạt; mỗi vạch là một cam kết: giá trị ÷ mục tiêu",
            "Commitments met; each bar is one commitment: value ÷ target",
        ),
        "league.col.trend": ("8 tuần", "8 weeks"),
        "league.col.trend.tip": (
            "Điểm của từng tuần trong 8 tuần qua, tuần gần nhất bên phải",
            "The score of each of the last 8 weeks, the latest on the right",
        ),
        "league.criterion.on_time": ("Đúng hạn", "On time"),
        "league.criterion.online": ("Trực tuyến", "Online"),
        "league.criterion.feedback_on_time": ("PAKN đúng hạn", "Feedback on time"),
        "league.criterion.feedback_satisfaction": ("Hài lòng PAKN", "Feedback satisfied"),
        "league.criterion.dossier_satisfaction": ("Hài lòng hồ sơ", "Dossiers satisfied"),
        "league.grade.excellent": ("xuất sắc", "excellent"),
        "league.grade.good": ("tốt", "good"),
        "league.grade.fair": ("khá", "fair"),
        "league.grade.average": ("trung bình", "average"),
        "league.grade.weak": ("yếu", "weak"),
        "league.tied": ("Đồng hạng {rank}", "Tied at {rank}"),
        "league.unranked": ("Chưa xếp hạng: không có dữ liệu trong kỳ", "Not ranked: no data in the period"),
        "league.move.up": ("Tăng {n} bậc so với kỳ trước", "Up {n} since the previous period"),
        "league.move.down": ("Giảm {n} bậc so với kỳ trước", "Down {n} since the previous period"),
        "league.move.same": ("Giữ nguyên hạng", "Same rank as the previous period"),
        "league.move.new": ("mới", "new"),
        "league.move.new.tip": ("Kỳ trước chưa được xếp hạng", "Not ranked in the previous period"),
        "league.move.na": ("Chưa xếp hạng", "Not ranked"),
        "league.on_time.tip": ("{num} / {den} hồ sơ giải quyết đúng hạn", "{num} / {den} dossiers resolved on time"),
        "league.online.tip": ("{num} / {den} hồ sơ nộp trực tuyến", "{num} / {den} dossiers filed online"),
        "league.satisfaction.tip": (
            "{num} / {den} hồ sơ được đánh giá hài lòng",
            "{num} / {den} rated dossiers rated satisfied",
        ),
        "league.commit.met": ("đạt {met}/{total}", "{met}/{total} met"),
        "league.commit.line": (
            "{name}: {value} / mục tiêu {target} = {progress} mục tiêu",
            "{name}: {value} / target {target} = {progress} of target",
        ),
        "league.commit.none": ("Không có cam kết", "No commitments"),
        "league.trend.tip": ("Điểm 8 tuần: {first} → {last}", "Score over 8 weeks: {first} → {last}"),
        "league.stale": ("dữ liệu cũ từ {time}", "stale since {time}"),
        "league.stale.never": ("chưa nhận được dữ liệu", "no data received yet"),
        "league.xlsx.title": ("Bảng xếp hạng {kind} — {period}", "League of {kind} — {period}"),
        "league.xlsx.window": ("Kỳ: {start} – {end}", "Period: {start} – {end}"),
        "league.xlsx.version": ("Phiên bản dữ liệu {version}", "Data version {version}"),
        "league.xlsx.previous_rank": ("Hạng kỳ trước", "Previous rank"),
        "league.xlsx.key": ("Mã đơn vị", "Unit key"),
        "league.xlsx.grade": ("Xếp loại", "Grade"),
        "league.xlsx.on_time_n": ("Giải quyết đúng hạn", "Resolved on time"),
        "league.xlsx.completed": ("Đã giải quyết", "Resolved"),
        "league.xlsx.online_n": ("Nộp trực tuyến", "Filed online"),
        "league.xlsx.received": ("Tiếp nhận", "Received"),
        "league.xlsx.satisfied": ("Hồ sơ hài lòng", "Satisfied"),
        "league.xlsx.rated": ("Hồ sơ được đánh giá", "Rated"),
        "league.xlsx.stale": ("Dữ liệu cũ", "Stale data"),
        "league.xlsx.data_as_of": ("Dữ liệu nguồn lúc", "Source data as of"),
        "league.xlsx.yes": ("có", "yes"),
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


@cache
def _pattern(pattern: str) -> NumberPattern:
    """A babel number pattern, parsed once (`format_decimal` and `format_percent` parse theirs on every call)."""
    return parse_pattern(pattern)


@cache
def _locale(lang: str) -> Locale:
    """The babel Locale of `lang`, parsed once (babel parses a locale string on every call it is given one)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["vi"]))


def fmt_int(value: int | None, lang: str) -> str:
    """A whole number with the locale's grouping: 1.234 (vi), 1,234 (en)."""
    return MISSING if value is None else _pattern("#,##0").apply(value, _locale(lang))


def fmt_pct(value: float | None, lang: str) -> str:
    """A fraction as a percent with one decimal: 21,3% (vi), 21.3% (en); a dash when unknown."""
    return MISSING if value is None else _pattern(PERCENT_PATTERN).apply(value, _locale(lang))


def fmt_decimal(value: float | None, lang: str, digits: int = 1) -> str:
    """A number with `digits` decimals: 2,5 (vi), 2.5 (en); a dash when unknown."""
    if value is None:
        return MISSING
    return _pattern("#,##0." + "0" * digits if digits else "#,##0").apply(value, _locale(lang))


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
