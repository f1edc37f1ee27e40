"""One page of a longer list (the dossiers or feedback behind a number, rejected rows): plain data, 1-based."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
