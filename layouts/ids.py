"""Every component id, one `StrEnum` per page; the only place an id string is written."""

from __future__ import annotations

from enum import StrEnum


class ShellIds(StrEnum):
    """The frame around every page: the URL, the page container and the header bar."""

    LOCATION = "shell-location"
    PAGE = "shell-page"
    AS_OF = "shell-as-of"
    LANG_VI = "shell-lang-vi"
    LANG_EN = "shell-lang-en"
    NAV_OVERVIEW = "shell-nav-overview"
    NAV_SOURCES = "shell-nav-sources"
    NAV_LEAGUE = "shell-nav-league"
    NAV_BRIEFINGS = "shell-nav-briefings"
    NAV_AUDIT = "shell-nav-audit"
    NAV_ALERTS = "shell-nav-alerts"
    ACCOUNT = "shell-account"
    SIGN_OUT = "shell-sign-out"


class OverviewIds(StrEnum):
    """The city overview at "/"."""

    INTERVAL = "overview-interval"
    SEEN = "overview-seen"
    KPIS = "overview-kpis"
    SOURCES = "overview-sources"
    IN_PROGRESS = "overview-in-progress"
    OVERDUE = "overview-overdue"
    ON_TIME = "overview-on-time"
    ONLINE = "overview-online"
    FEEDBACK = "overview-feedback"


class SourcesIds(StrEnum):
    """The sources page at "/sources": per-source health and the rejected-rows browser."""

    INTERVAL = "sources-interval"
    SEEN = "sources-seen"
    SUMMARY = "sources-summary"
    TABLE = "sources-table"
    REJECTED_SECTION = "sources-rejected-section"
    REJECTED = "sources-rejected"
    REJECTED_PREV = "sources-rejected-prev"
    REJECTED_NEXT = "sources-rejected-next"
    FOCUS = "sources-focus"
    FOCUSED = "sources-focused"


class UnitIds(StrEnum):
    """The unit tile at "/unit/<key>": KPIs, rank, trend, ageing, late procedures, the drill-through lists and the
    downloads of the tile and of a list."""

    INTERVAL = "unit-interval"
    SEEN = "unit-seen"
    SUMMARY = "unit-summary"
    RANK = "unit-rank"
    SCORE = "unit-score"
    STALE = "unit-stale"
    PERIODS = "unit-periods"
    KPIS = "unit-kpis"
    KPI_ON_TIME = "unit-kpi-on-time"
    KPI_ONLINE = "unit-kpi-online"
    KPI_ONLINE_FULL = "unit-kpi-online-full"
    KPI_DOSSIER_SATISFACTION = "unit-kpi-dossier-satisfaction"
    KPI_FEEDBACK_ON_TIME = "unit-kpi-feedback-on-time"
    KPI_IN_PROGRESS = "unit-kpi-in-progress"
    KPI_OVERDUE = "unit-kpi-overdue"
    KPI_APOLOGY = "unit-kpi-apology"
    KPI_PROCESSING = "unit-kpi-processing"
    TREND = "unit-trend"
    AGEING = "unit-ageing"
    LATE_PROCEDURES = "unit-late-procedures"
    FEEDBACK = "unit-feedback"
    OVERDUE = "unit-overdue"
    NO_APOLOGY = "unit-no-apology"
    DRILL = "unit-drill"
    DRILL_PREV = "unit-drill-prev"
    DRILL_NEXT = "unit-drill-next"
    DRILL_CLOSE = "unit-drill-close"
    FOCUS = "unit-focus"
    FOCUSED = "unit-focused"
    NOT_FOUND = "unit-not-found"
    XLSX = "unit-xlsx"
    DOWNLOAD = "unit-download"
    DRILL_CSV = "unit-drill-csv"
    DRILL_XLSX = "unit-drill-xlsx"
    DRILL_DOWNLOAD = "unit-drill-download"


class LeagueIds(StrEnum):
    """The league tables at "/league": kind switch, period picker, the grid and its exports."""

    INTERVAL = "league-interval"
    SEEN = "league-seen"
    KINDS = "league-kinds"
    PERIODS = "league-periods"
    SUMMARY = "league-summary"
    SEARCH = "league-search"
    GRID = "league-grid"
    CSV = "league-csv"
    XLSX = "league-xlsx"
    DOWNLOAD = "league-download"
    CLOSED = "league-closed"


class WallIds(StrEnum):
    """The kiosk wall at "/wall"; VIEW, VIEW_BODY and GRAPH are the `type` of pattern-matching ids."""

    ROOT = "wall-root"
    HEADER = "wall-header"
    CLOCK = "wall-clock"
    DATE = "wall-date"
    UPDATED = "wall-updated"
    SOURCES = "wall-sources"
    STALE_NOTE = "wall-stale-note"
    VIEWS = "wall-views"
    VIEW = "wall-view"
    VIEW_BODY = "wall-view-body"
    GRAPH = "wall-graph"
    TICKER = "wall-ticker"
    POLL = "wall-poll"
    TICK = "wall-tick"
    ROTATE = "wall-rotate"
    SEEN = "wall-seen"
    TIMES = "wall-times"
    TEXTS = "wall-texts"
    SCALE = "wall-scale"
    GO = "wall-go"


class BriefingsIds(StrEnum):
    """The briefing snapshots at "/briefings": the archive, the request form, two side by side, what changed."""

    INTERVAL = "briefings-interval"
    SEEN = "briefings-seen"
    ARCHIVE = "briefings-archive"
    REQUESTS = "briefings-requests"
    ASK_PERIOD = "briefings-ask-period"
    ASK = "briefings-ask"
    ASK_STATUS = "briefings-ask-status"
    PICK_A = "briefings-pick-a"
    PICK_B = "briefings-pick-b"
    COMPARE = "briefings-compare"
    COLUMN_A = "briefings-column-a"
    COLUMN_B = "briefings-column-b"
    CHANGES = "briefings-changes"
    NOT_FOUND = "briefings-not-found"


class AlertsIds(StrEnum):
    """The alerts page at "/alerts": every open alert, acknowledged ones with who and when."""

    TABLE = "alerts-table"
    ACK = "alerts-ack"
    NOTICE = "alerts-notice"


class AuditIds(StrEnum):
    """The audit log's page at "/audit" (admins)."""

    TABLE = "audit-table"
    CSV = "audit-csv"


class NotFoundIds(StrEnum):
    """The page shown for an unknown path."""

    TEXT = "notfound-text"


class HomeIds(StrEnum):
    """The home page at "/": verdict, period picker, search, map, units to act on, alerts, trend, satisfaction."""

    VERDICT = "home-verdict"
    PERIODS = "home-periods"
    PERIOD_LINE = "home-period-line"
    SEARCH = "home-search"
    MAP = "home-map"
    MAP_NOTES = "home-map-notes"
    UNITS = "home-units"
    ALERTS = "home-alerts"
    TREND = "home-trend"
    TREND_TITLE = "home-trend-title"
    SATISFACTION = "home-satisfaction"
    SATISFACTION_VALUE = "home-satisfaction-value"
    FRESHNESS = "home-freshness"


class TodoIds(StrEnum):
    """The tile's to-do (beside `layouts.ids.UnitIds`, whose OVERDUE and NO_APOLOGY lists it holds)."""

    TODO = "unit-todo"
    VERDICT = "unit-verdict"
    DUE_SOON = "unit-due-soon"
