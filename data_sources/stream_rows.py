"""One stream's mapping worked out once per chunk (`Profile.rows`): per field its column, rule, codes and a reader
that answers the common value at once and leaves the rest to `Profile._convert`, to the same value or rejection."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dashboard.core.errors import MappingError
from dashboard.core.vocabulary import Stream
from data_sources.derive import FieldRule, derived
from data_sources.fields import CANONICAL_FIELDS, EARLIEST, LATEST, text_limit
from data_sources.profiles import ColumnSpec, Profile
from data_sources.values import COUNT_MAX, present


class StreamRows:
    """One stream's mapping worked out once — per field its column, rule, codes and reader; the cursor's column,
    spec and field — so mapping a chunk looks nothing up per row. Each reader gives exactly `Profile._convert`'s
    value or rejection: a fast path for the common value (an aware datetime, ASCII text, a small int, a code
    already seen in this chunk), else `_convert` itself."""

    def __init__(self, profile: Profile, stream: Stream) -> None:
        mapping = profile.streams[stream]
        self.profile, self.stream, self.mapping = profile, stream, mapping
        self.fields: list[tuple[str, bool, str | None, Callable[[Any], Any] | None, FieldRule | None]] = []
        for name, (required, kind) in CANONICAL_FIELDS[stream].items():
            spec = mapping.columns.get(name)
            reader = _reader(profile, name, kind, spec, mapping.values.get(name)) if spec else None
            self.fields.append((name, required, spec.column if spec else None, reader, mapping.rules.get(name)))
        self.cursor_column, self.cursor_mapped = mapping.cursor, False
        if mapping.cursor is not None:
            self.cursor_spec, self.cursor_field = profile.cursor_spec(stream), profile.cursor_field(stream)
            kind = CANONICAL_FIELDS[stream].get(self.cursor_field, (False, ""))[1]
            # the cursor field read by `canonical` with the cursor's own spec: a mapped row's cursor is readable
            self.cursor_mapped = (
                kind == "instant"
                and self.cursor_field not in mapping.values
                and mapping.columns.get(self.cursor_field) is self.cursor_spec
            )
            self._cursor = _reader(profile, self.cursor_field, "instant", self.cursor_spec, None)

    def canonical(self, raw: dict[str, Any]) -> dict[str, Any]:
        """`Profile.to_canonical` of one row."""
        row: dict[str, Any] = {}
        later: list[tuple[str, bool, FieldRule]] = []
        for name, required, column, reader, rule in self.fields:
            value = raw.get(column) if column is not None else None
            if isinstance(value, str):  # `present`, inline: NULL and blank text are no value
                value = value.strip() or None
            if value is not None:
                row[name] = reader(value)  # type: ignore[misc]
                continue
            row[name] = rule.default if rule else None
            if rule and rule.derive:
                later.append((name, required, rule))
            elif required and row[name] is None:
                raise MappingError(name, f"missing value in column {column or '?'}")
        for name, required, rule in later:  # a rule reads no derived field: these see every value they test
            row[name] = derived(rule.derive or [], row)
            row[name] = rule.default if row[name] is None else row[name]
            if required and row[name] is None:
                columns = self.mapping.columns
                empty = f"column {columns[name].column} is empty and " if name in columns else ""
                raise MappingError(name, f"missing value: {empty}no derive rule holds")
        return row

    def cursor_instant(self, raw: dict[str, Any]) -> datetime:
        """`Profile.cursor_instant` of one row."""
        if self.cursor_column is None:
            raise KeyError(None)
        value = present(raw.get(self.cursor_column))  # NULL and blank text are no value
        if value is None:
            raise MappingError(self.cursor_field, f"missing value in column {self.cursor_column}")
        return self._cursor(value)

    def cursor_instant_or_none(self, raw: dict[str, Any]) -> datetime | None:
        """`Profile.cursor_instant_or_none` of one row."""
        if self.cursor_column is None:
            return None
        try:
            return self.cursor_instant(raw)
        except MappingError:
            return None


def _reader(profile: Profile, name: str, kind: str, spec: ColumnSpec, codes: dict[str, str] | None):
    """A field's value reader: `profile._convert` with the common case answered first, to the same result."""

    def slow(value: Any) -> Any:
        return profile._convert(name, kind, spec, value, codes)

    if codes is not None:
        seen: dict[tuple[type, Any], Any] = {}  # a code's word, by the value's type and value (int and str only)

        def code(value: Any) -> Any:
            if value.__class__ not in (int, str):  # anything else may be unhashable, or equal across forms
                return slow(value)
            key = (value.__class__, value)
            if key not in seen:
                seen[key] = slow(value)
            return seen[key]

        return code
    if kind == "instant" and spec.type != "date":
        naive_zone = UTC if spec.type == "timestamp" else profile.zone

        def instant(value: Any) -> Any:
            if value.__class__ is datetime:
                try:
                    moment = (value if value.tzinfo is not None else value.replace(tzinfo=naive_zone)).astimezone(UTC)
                except Exception:  # out of range, a broken zone: `_convert` says why
                    return slow(value)
                if EARLIEST <= moment < LATEST:
                    return moment
            return slow(value)

        return instant
    if kind == "integer":

        def count(value: Any) -> Any:
            return value if value.__class__ is int and 0 <= value <= COUNT_MAX else slow(value)

        return count
    if kind == "float":

        def number(value: Any) -> Any:
            return value if value.__class__ is float and math.isfinite(value) else slow(value)

        return number
    if kind == "text":
        limit = text_limit(name, spec.length)

        def text(value: Any) -> Any:
            if value.__class__ is str and len(value) <= limit and value.isascii() and "\x00" not in value:
                return value
            return slow(value)

        return text
    return slow
