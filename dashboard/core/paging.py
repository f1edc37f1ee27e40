"""One page of a longer list (the dossiers or feedback behind a number, rejected rows): plain data, 1-based."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_PAGE = 100_000  # no list is longer: a bigger page number is refused (API) or brought back (pages)
_DIGITS = frozenset("0123456789")


def whole_number(text: str | None) -> int | None:
    """The number written in `text` with ASCII digits only (not '²', '٣' or '1e3'), at most 9 of them; None for
    anything else."""
    if not text or len(text) > 9 or not set(text) <= _DIGITS:
        return None
    return int(text)


def page_asked(text: str | None) -> int:
    """A page number from an address: the one asked for, brought into 1..MAX_PAGE; 1 when it is not a number."""
    number = whole_number(text)
    return 1 if number is None else min(max(number, 1), MAX_PAGE)


def page_count(total: int, page_size: int) -> int:
    """ceil(total / page_size), at least 1."""
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class DossierPage:
    """Rows `page` of `pages` (`page_size` a page) of a list of `total` rows."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)
