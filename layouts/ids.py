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


class NotFoundIds(StrEnum):
    """The page shown for an unknown path."""

    TEXT = "notfound-text"
