"""Ageing: how many working days a dossier is late, as the ageing buckets count them."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.workdays import default_calendar
from dashboard.metrics.ageing import working_days_late


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CITY_TZ)


AS_OF = at(2019, 11, 27, 15, 0)


@pytest.mark.parametrize(
    ("due_at", "end", "expected"),
    [
        (at(2019, 11, 13, 23, 59, 59), AS_OF, 10),  # 14/11 … 27/11, weekends skipped
        (at(2019, 11, 26, 23, 59, 59), AS_OF, 1),
        (at(2019, 11, 27, 14, 0), AS_OF, 1),  # later the same day: a partial day counts as one
        (at(2019, 11, 22, 23, 59, 59), at(2019, 11, 24, 10), 1),  # a weekend only: still one
        (AS_OF, AS_OF, None),  # exactly at the due: on time
        (AS_OF, None, None),
    ],
)
def test_working_days_late(due_at, end, expected):
    assert working_days_late(due_at, end, default_calendar()) == expected
