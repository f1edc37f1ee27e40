"""No token in any log: a wall's first address carries its kiosk token (`?token=…`) until the guard exchanges it,
so the request lines the servers log (werkzeug, gunicorn's access log) have it replaced by `token=[hidden]`."""

from __future__ import annotations

import logging
import re

TOKEN_IN_TEXT = re.compile(r"(?i)(\btoken=)[^&\s\"']+")
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "waitress")


def hidden(text: str) -> str:
    return TOKEN_IN_TEXT.sub(r"\1[hidden]", text)


class HideTokens(logging.Filter):
    """Rewrite a record whose message holds `token=…` (its arguments formatted in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_IN_TEXT.search(message):
            record.msg, record.args = hidden(message), None
        return True


def install() -> None:
    """Put the filter on the access loggers of this process (once, however many apps it builds)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideTokens) for f in logger.filters):
            logger.addFilter(HideTokens())
