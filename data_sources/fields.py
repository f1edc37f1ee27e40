"""The canonical fields a profile maps a vendor's rows onto: per stream their kinds, which are required, the
vocabularies of the coded ones, and the check of a constant a profile writes for a field (a default, the value
or the test of a derive rule, the target of a value map) — so a bad constant fails when the profile loads."""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.core.vocabulary import (
    DOSSIER_CHANNELS,
    DOSSIER_STATUSES,
    FEEDBACK_CHANNELS,
    FEEDBACK_STATUSES,
    RATINGS,
)
from data_sources.values import COUNT_MAX

END_OF_DAY = time(23, 59, 59)
EARLIEST, LATEST = datetime(1800, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)  # outside: not a real date
# The store's widths of the canonical text fields: a profile's `length` can only narrow them.
STORE_TEXT_LIMITS = {"native_code": 100, "native_id": 100, "unit": 64, "procedure_code": 64, "category": 120}
TEXT_LIMIT = 200  # any other text field
NATIVE_FIELDS: dict[str, str] = {"dossiers": "native_code", "feedback": "native_id"}  # a row's identity

# Canonical fields per stream: (required, kind). `unit` is optional: without it rows belong to the source's unit.
CANONICAL_FIELDS: dict[str, dict[str, tuple[bool, str]]] = {
    "dossiers": {
        "native_code": (True, "text"),
        "unit": (False, "text"),
        "procedure_code": (True, "text"),
        "channel": (True, "text"),
        "received_at": (True, "instant"),
        "due_original_at": (True, "instant"),
        "due_current_at": (False, "instant"),
        "completed_at": (False, "instant"),
        "status": (True, "text"),
        "supplement_requests": (False, "integer"),
        "apology_at": (False, "instant"),
        "apology_new_due_at": (False, "instant"),
        "rating": (False, "text"),
        "source_updated_at": (False, "instant"),
    },
    "feedback": {
        "native_id": (True, "text"),
        "unit": (False, "text"),
        "category": (True, "text"),
        "channel": (True, "text"),
        "received_at": (True, "instant"),
        "due_at": (False, "instant"),
        "answered_at": (False, "instant"),
        "status": (True, "text"),
        "rating": (False, "text"),
        "lat": (False, "float"),
        "lon": (False, "float"),
        "source_updated_at": (False, "instant"),
    },
}
VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "dossiers": {"status": DOSSIER_STATUSES, "channel": DOSSIER_CHANNELS, "rating": RATINGS},
    "feedback": {"status": FEEDBACK_STATUSES, "channel": FEEDBACK_CHANNELS, "rating": RATINGS},
}


def text_limit(name: str, length: int | None = None) -> int:
    """The most characters a text field may hold: the store's width, narrowed by a column's `length`."""
    store = STORE_TEXT_LIMITS.get(name, TEXT_LIMIT)
    return min(length or store, store)


def kind_of(stream: str, name: str) -> str:
    return CANONICAL_FIELDS[stream][name][1]


def canonical_constant(stream: str, name: str, value: Any, zone: ZoneInfo) -> Any:
    """A constant a profile gives for canonical field `name`, as the field holds it: a word of the field's
    vocabulary (status, channel, rating), other text (a unit key or code, a procedure code, a category — a number
    is its digits) within the store's width, a count, a finite number, or an instant (a YAML timestamp or ISO 8601
    text; without a zone, local time in the profile's zone). ValueError saying why when it is none of these."""
    kind = kind_of(stream, name)
    if value is None:
        raise ValueError("no value (null)")
    if isinstance(value, bool | dict | list):
        raise ValueError(f"{value!r} is not a {kind}")
    if kind == "text":
        if not isinstance(value, str | int):
            raise ValueError(f"{value!r} is not text")
        text = unicodedata.normalize("NFC", str(value)).strip()
        allowed = VOCABULARIES[stream].get(name)
        if allowed is not None and text not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        if not text:
            raise ValueError("empty text")
        if len(text) > text_limit(name):
            raise ValueError(f"{len(text)} characters exceed the store's {text_limit(name)}")
        return text
    if kind == "integer":
        if not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
            raise ValueError(f"{value!r} is not a count (a whole number from 0 to {COUNT_MAX:,})")
        return value
    if kind == "float":
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return float(value)
    return _instant(value, zone)


def _instant(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 date or time") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, END_OF_DAY)  # a date means the end of that day, as a DATE column does
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a date or time")
    instant = (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    if not EARLIEST <= instant < LATEST:
        raise ValueError(f"{value!r} is outside the years {EARLIEST.year}–{LATEST.year - 1}")
    return instant
