"""The words every layer shares: statuses, channels, unit kinds, league kinds, periods, lists, the city's key.

Each value is written here once; other modules import the names (a test fails on a period, kind or unit key
written as a literal anywhere else). Source profiles map a vendor's own codes onto these canonical values.
"""

from __future__ import annotations

from typing import Final, Literal

# --- dossiers (hồ sơ TTHC) -----------------------------------------------------------------------------
DOSSIER_STATUSES = (
    "processing",  # received / being processed (đang xử lý)
    "awaiting_supplement",  # chờ bổ sung
    "paused",  # tạm dừng
    "completed",  # có kết quả / đã trả
    "refused",  # từ chối
    "withdrawn",  # rút hồ sơ
    "cancelled",  # hủy
)
CLOSED_STATUSES = ("completed", "refused", "withdrawn", "cancelled")
DONE_STATUSES = ("completed", "refused")  # closed with a result: they count as completed, on time or late
DOSSIER_CHANNELS = ("counter", "postal", "online_partial", "online_full")
ONLINE_CHANNELS = ("online_partial", "online_full")
ONLINE_FULL = "online_full"
RATINGS = ("satisfied", "neutral", "dissatisfied")
SATISFIED = "satisfied"
SCORE_DECIMALS = 2  # a service-index score (and its points) is ranked, graded and shown rounded to this many

# --- feedback (phản ánh, kiến nghị) --------------------------------------------------------------------
FEEDBACK_CHANNELS = ("app", "hotline", "web")
FEEDBACK_STATUSES = ("open", "processing", "answered", "rejected")
OPEN_FEEDBACK = ("open", "processing")
CLOSED_FEEDBACK = ("answered", "rejected")
ANSWERED = "answered"

Stream = Literal["dossiers", "feedback"]
STREAMS: tuple[Stream, ...] = ("dossiers", "feedback")

# --- units ---------------------------------------------------------------------------------------------
CITY: Final = "city"
DISTRICT: Final = "district"
DEPARTMENT: Final = "department"
CENTRAL_AGENCY: Final = "central_agency"
WARD: Final = "ward"  # phường
COMMUNE: Final = "commune"  # xã
TOWNSHIP: Final = "township"  # thị trấn (before 2025)
SPECIAL_ZONE: Final = "special_zone"  # đặc khu (Côn Đảo, from 2025)
UNIT_KINDS = (CITY, DISTRICT, DEPARTMENT, CENTRAL_AGENCY, WARD, COMMUNE, TOWNSHIP, SPECIAL_ZONE)
CITY_KEY: Final = "hcmc"  # the city's own row in the units table: the whole city's figures carry this key

# Leagues: units compete with their peers — districts (until 30/06/2025), departments, and the commune-level
# units (phường, xã, đặc khu: the 168 units since 01/07/2025). Which exist is the registry's, on each date.
LeagueKind = Literal["district", "department", "ward"]
LEAGUE_KINDS: tuple[LeagueKind, ...] = (DISTRICT, WARD, DEPARTMENT)  # the territorial league first
LEAGUE_MEMBERS: dict[LeagueKind, tuple[str, ...]] = {
    DISTRICT: (DISTRICT,),
    DEPARTMENT: (DEPARTMENT,),
    WARD: (WARD, COMMUNE, TOWNSHIP, SPECIAL_ZONE),
}
DEFAULT_KIND: LeagueKind = DISTRICT  # on a date with no district (since 01/07/2025): the first league with units


def league_of(unit_kind: str) -> LeagueKind | None:
    """The league a unit of this kind competes in (None: the city, central agencies)."""
    return next((league for league, kinds in LEAGUE_MEMBERS.items() if unit_kind in kinds), None)


BoundaryLevel = Literal["district", "ward"]  # the levels a boundary file can draw

# --- periods (see dashboard.core.periods for their windows) --------------------------------------------
TODAY, LAST_7_DAYS, LAST_30_DAYS, QUARTER_TO_DATE, YEAR_TO_DATE = "today", "7d", "30d", "qtd", "ytd"
LAST_WEEK, LAST_MONTH = "lw", "lm"  # the last full week (Monday to Sunday) and the last full calendar month
PERIODS = (TODAY, LAST_7_DAYS, LAST_30_DAYS, QUARTER_TO_DATE, YEAR_TO_DATE, LAST_WEEK, LAST_MONTH)
DEFAULT_PERIOD = LAST_30_DAYS
WEEK_PERIOD = LAST_7_DAYS  # the league's weekly trend scores whole 7-day weeks

# --- the open backlog's ageing buckets (see dashboard.metrics.ageing) ----------------------------------
AGEING_BUCKETS = ("not_due", "due_soon", "overdue_1_5", "overdue_6_20", "overdue_over_20")

# --- the lists behind a number (drill-through), as the store filters them ------------------------------
DOSSIER_FILTERS = (
    "in_progress",  # open now
    "overdue",  # open now, original due passed
    "overdue_no_apology",  # … and no apology recorded
    "received",  # received in the window
    "online",  # received online in the window
    "completed",  # completed or refused in the window
    "on_time",  # … at or before the original due with at most one supplement request
    "late",  # … otherwise
    "late_no_apology",  # completed after the due in the window, or overdue now — with no apology
    "late_total",  # completed after the due in the window, or overdue now (the apology rate's denominator)
    "late_with_apology",  # … with an apology (its numerator)
    "online_full",  # received fully online in the window
    "rated",  # completed in the window with a citizen rating
    "satisfied",  # … rated satisfied
)
BACKLOG_FILTERS = ("in_progress", "overdue", "overdue_no_apology")  # listed oldest due first
FEEDBACK_FILTERS = ("open", "overdue", "answered", "answered_on_time", "received")
OPEN_FEEDBACK_FILTERS = ("open", "overdue")  # listed oldest due first
FEEDBACK_LIST_PREFIX = "feedback_"
FEEDBACK_LISTS = tuple(f"{FEEDBACK_LIST_PREFIX}{name}" for name in FEEDBACK_FILTERS)  # as the pages name them
