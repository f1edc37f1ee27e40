"""Reading one raw value as a driver hands it over — text, numbers, counts — with our own rules, never the
driver's: anything unreadable raises ValueError, which the profile turns into a rejection naming the column."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

SHOWN = 200  # characters of a raw value (or of an error) a rejection's reason shows
COUNT_MAX = 2**31 - 1  # the store's INTEGER columns
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")


class UndecodableText(bytes):
    """A text value whose bytes are not UTF-8 (SQLite keeps whatever it is given): rejected, never guessed at."""


def show(value: Any, limit: int = SHOWN) -> str:
    """A raw value as a reason names it: its repr, cut to about `limit` characters."""
    value = value.tobytes() if isinstance(value, memoryview) else value
    try:
        if isinstance(value, str | bytes) and len(value) > limit:
            return f"{value[:limit]!r}…(+{len(value) - limit:,} {'characters' if isinstance(value, str) else 'bytes'})"
        text = repr(value)
    except Exception:  # an int too long to print, a broken __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit:,} characters)"


def present(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def not_a(what: str, value: Any) -> str:
    if isinstance(value, UndecodableText):
        return "bytes that are not UTF-8 text"
    blob, number = isinstance(value, bytes | bytearray | memoryview), isinstance(value, int | float | Decimal)
    kind = "a BLOB" if blob else "a true/false value" if isinstance(value, bool) else "a number" if number else None
    return f"{kind or 'a ' + type(value).__name__} is not {what}"


def as_number(value: Any) -> int | float | Decimal:
    """A finite number from the forms drivers give: int, float, Decimal or numeric text."""
    if isinstance(value, str):
        if not NUMBER_TEXT.fullmatch(value.strip()):
            raise ValueError("not a number")
        value = Decimal(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(not_a("a number", value))
    if not (value.is_finite() if isinstance(value, Decimal) else not isinstance(value, float) or math.isfinite(value)):
        raise ValueError("not a finite number")
    if isinstance(value, Decimal) and value.adjusted() > 999:  # beyond any float; int() of it would take minutes
        raise ValueError("too large a number")
    return value


def as_count(value: Any) -> int:
    number = as_number(value)
    if number != int(number):
        raise ValueError("not a whole number")
    if not 0 <= number <= COUNT_MAX:
        raise ValueError("a count cannot be negative" if number < 0 else f"larger than {COUNT_MAX:,}")
    return int(number)


def as_text(value: Any, code: bool = False) -> str:
    """Text as given; a number as its digits (a code: 3, 3.0 and Decimal('3') are all '3', NFC-normalized)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = as_number(value)
        value = str(int(number) if code and number == int(number) else number)
    if not isinstance(value, str):
        raise ValueError(not_a("text", value))
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    value.encode("utf-8")  # a lone surrogate (no driver gives one, a replayed row might) cannot be stored either
    return unicodedata.normalize("NFC", value) if code else value
