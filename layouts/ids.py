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


class NotFoundIds(StrEnum):
    """The page shown for an unknown path."""

    TEXT = "notfound-text"
