"""Schema profiles: declarative mappings from a vendor's tables onto canonical dossier and feedback rows.

A profile is a YAML file (see `profiles/motcua_v1.yaml`): per stream its table, key and cursor columns,
a column spec per canonical field (name, type, optional date format), and value maps that recode the
vendor's status, channel and rating codes. A new vendor that only renames and recodes is a new file.
The same declaration gives the source table (for reading, and for the demo simulator to create) and the
inverse mapping the simulator writes through.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import TIMESTAMP, Column, Date, DateTime, Float, Integer, MetaData, String, Table

from dashboard.core.errors import MappingError, ProfileError
from dashboard.core.vocabulary import (
    DOSSIER_CHANNELS,
    DOSSIER_STATUSES,
    FEEDBACK_CHANNELS,
    FEEDBACK_STATUSES,
    RATINGS,
    Stream,
)
from data_sources.values import SHOWN, as_count, as_number, as_text, not_a, present, show

PROFILE_DIR = Path(__file__).parent / "profiles"
END_OF_DAY = time(23, 59, 59)
EARLIEST, LATEST = datetime(1800, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)  # outside: not a real date
# The store's widths of the canonical text fields: a profile's `length` can only narrow them.
STORE_TEXT_LIMITS = {"native_code": 100, "native_id": 100, "unit": 64, "procedure_code": 64, "category": 120}

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


class ColumnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str
    # datetime: naive values are local time in the profile's zone; timestamp: naive values are UTC (MariaDB
    # TIMESTAMP read with the session zone at +00:00; PostgreSQL timestamptz comes back aware);
    # date: a DATE meaning the end of that day.
    type: Literal["text", "integer", "float", "datetime", "timestamp", "date"]
    length: int | None = None
    format: str | None = None  # strptime format when a date is stored as text, e.g. "%d/%m/%Y %H:%M"


class StreamMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    table: str
    key: str
    cursor: str | None = None  # None: read new rows by increasing key (no updated-at column)
    columns: dict[str, ColumnSpec]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @property
    def cursor_column(self) -> str:
        """The cursor column of a stream read by cursor; KeyError(None), as indexing by `cursor` was, without one."""
        if self.cursor is None:
            raise KeyError(None)
        return self.cursor

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                f: {unicodedata.normalize("NFC", str(k)): v for k, v in (m or {}).items()} for f, m in value.items()
            }
        return value


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    # How far the watermark stays behind the source's clock for this vendor (its transactions' longest life);
    # None: the settings' safety_lag_s. A source's own safety_lag_s wins over both.
    safety_lag_s: float | None = Field(None, ge=0)
    streams: dict[Stream, StreamMapping]

    @model_validator(mode="after")
    def _check(self) -> Profile:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown zone {self.timezone!r}") from exc
        for stream, mapping in self.streams.items():
            fields = CANONICAL_FIELDS[stream]
            for name in mapping.columns:
                if name not in fields:
                    raise ValueError(f"streams.{stream}.columns.{name}: not a canonical field ({', '.join(fields)})")
            for name, (required, _) in fields.items():
                if required and name not in mapping.columns:
                    raise ValueError(f"streams.{stream}.columns: required field {name!r} is not mapped")
            for name, table in mapping.values.items():
                allowed = VOCABULARIES[stream].get(name, ())
                for code, canonical in table.items():
                    if canonical not in allowed:
                        raise ValueError(
                            f"streams.{stream}.values.{name}.{code}: {canonical!r} is not one of {', '.join(allowed)}"
                        )
        return self

    @cached_property
    def _inverses(self) -> dict[str, dict[str, dict[str, str]]]:
        """Per stream and field: canonical word → the vendor's first code for it."""
        return {s: {f: _inverse(m) for f, m in mapping.values.items()} for s, mapping in self.streams.items()}

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cursor_definition(self) -> dict[str, str]:
        """Per stream, a text that changes whenever how the stream is read incrementally changes."""
        return {s: f"{self.name}:{m.table}:{m.cursor or '-'}:{m.key}" for s, m in self.streams.items()}

    def table(self, stream: Stream, metadata: MetaData | None = None) -> Table:
        """The vendor's table for a stream, as SQLAlchemy Core sees it."""
        mapping = self.streams[stream]
        columns: dict[str, Column] = {}
        for spec in mapping.columns.values():
            if spec.column not in columns:
                columns[spec.column] = Column(spec.column, _sql_type(spec), primary_key=spec.column == mapping.key)
        if mapping.cursor and mapping.cursor not in columns:
            columns[mapping.cursor] = Column(mapping.cursor, DateTime)
        if mapping.key not in columns:
            columns[mapping.key] = Column(mapping.key, Integer, primary_key=True, autoincrement=True)
        return Table(mapping.table, metadata or MetaData(), *columns.values())

    def column_spec(self, stream: Stream, column: str) -> ColumnSpec | None:
        """The spec of a vendor column, if a canonical field maps it."""
        return next((s for s in self.streams[stream].columns.values() if s.column == column), None)

    def cursor_spec(self, stream: Stream) -> ColumnSpec:
        cursor = self.streams[stream].cursor or ""
        return self.column_spec(stream, cursor) or ColumnSpec(column=cursor, type="datetime")

    def cursor_field(self, stream: Stream) -> str:
        """The canonical field that maps the cursor column (the field a bad cursor is rejected on), else "cursor"."""
        mapping = self.streams[stream]
        return next((n for n, s in mapping.columns.items() if s.column == mapping.cursor), "cursor")

    def cursor_instant(self, stream: Stream, raw: dict[str, Any]) -> datetime:
        """A row's cursor value as an aware UTC instant. Raises MappingError (on `cursor_field`, naming the column
        and the raw value) when the value is missing or cannot be read; KeyError(None) for a stream without one."""
        column, spec = self.streams[stream].cursor_column, self.cursor_spec(stream)
        value = present(raw.get(column))  # NULL and blank text are no value
        if value is None:
            raise MappingError(self.cursor_field(stream), f"missing value in column {column}")
        return self._convert(self.cursor_field(stream), "instant", spec, value)

    def cursor_instant_or_none(self, stream: Stream, raw: dict[str, Any]) -> datetime | None:
        """`cursor_instant`, or None when the value is NULL or unreadable (or the stream has no cursor)."""
        if self.streams[stream].cursor is None:
            return None
        try:
            return self.cursor_instant(stream, raw)
        except MappingError:
            return None

    def source_value(self, spec: ColumnSpec, instant: datetime) -> Any:
        """An aware instant as the vendor stores it in a column of this spec (for WHERE clauses)."""
        if spec.type == "timestamp":
            return instant.astimezone(UTC)
        local = instant.astimezone(self.zone).replace(tzinfo=None)
        return local.strftime(spec.format) if spec.format else local

    def to_canonical(self, stream: Stream, raw: dict[str, Any]) -> dict[str, Any]:
        """Map one vendor row (column → value, as the driver returned it) to canonical fields.

        Raises MappingError naming the field, and in its reason the column and the raw value; no other error
        escapes, whatever the row holds (an integer in a date column, 31/02, a BLOB, NaN, a huge text …)."""
        mapping = self.streams[stream]
        row: dict[str, Any] = {}
        for name, (required, kind) in CANONICAL_FIELDS[stream].items():
            spec = mapping.columns.get(name)
            value = present(raw.get(spec.column)) if spec else None  # NULL and blank text are no value
            if spec is None or value is None:  # no spec, no value
                if required:
                    raise MappingError(name, f"missing value in column {spec.column if spec else '?'}")
                row[name] = None
            else:
                row[name] = self._convert(name, kind, spec, value, mapping.values.get(name))
        return row

    def _convert(self, name: str, kind: str, spec: ColumnSpec, value: Any, codes: dict[str, str] | None = None) -> Any:
        try:
            if codes is not None:
                text = as_text(value, code=True)
            elif kind == "instant":
                return self._instant(spec, value)
            elif kind == "integer":
                return as_count(value)
            elif kind == "float":
                return as_number(float(as_number(value)))  # Decimal('1e999') is finite, its float is not
            else:
                text = as_text(value)
        except Exception as exc:  # whatever fails reading a value is this row's fault, never the stream's
            why = str(exc) or type(exc).__name__
            why = why if len(why) <= SHOWN else f"{why[:SHOWN]}…"
            raise MappingError(
                name, f"cannot read {show(value)} in column {spec.column} as {spec.type}: {why}"
            ) from None
        if codes is not None:
            if text not in codes:
                raise MappingError(name, f"unknown code {show(text)} in column {spec.column}")
            return codes[text]  # a canonical word, checked when the profile loaded
        limit = min(spec.length or STORE_TEXT_LIMITS.get(name, 200), STORE_TEXT_LIMITS.get(name, 200))
        if len(text) > limit:
            raise MappingError(
                name, f"value of {len(text)} characters in column {spec.column} exceeds {limit}: {show(text)}"
            )
        return text

    def _instant(self, spec: ColumnSpec, value: Any) -> datetime:
        """An aware UTC instant from what a driver gives for a date column: a datetime, a date, or text in the
        spec's format (ISO 8601 without one). A number is not a date; neither is an instant outside 1800–2199."""
        if isinstance(value, str):
            text = value.strip()
            value = datetime.strptime(text, spec.format) if spec.format else datetime.fromisoformat(text)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, END_OF_DAY)  # a due DATE means the end of that day
        elif not isinstance(value, datetime):
            raise ValueError(not_a("a date or time", value))
        if spec.type == "date":
            value = datetime.combine(value.date(), END_OF_DAY)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC if spec.type == "timestamp" else self.zone)
        instant = value.astimezone(UTC)
        if not EARLIEST <= instant < LATEST:
            raise ValueError(f"{instant:%Y-%m-%d} UTC is outside the years {EARLIEST.year}–{LATEST.year - 1}")
        return instant

    def from_canonical(self, stream: Stream, row: dict[str, Any]) -> dict[str, Any]:
        """The inverse mapping: a canonical row as this vendor would store it (used by the demo simulator)."""
        mapping = self.streams[stream]
        out: dict[str, Any] = {}
        for name, spec in mapping.columns.items():
            value = row.get(name)
            if value is not None and name in mapping.values:
                value = self._inverses[stream][name][value]
                value = int(value) if spec.type == "integer" else value
            elif isinstance(value, datetime) and spec.type == "timestamp":
                value = value.astimezone(UTC)
            elif isinstance(value, datetime):
                local = value.astimezone(self.zone).replace(tzinfo=None)
                value = local.date() if spec.type == "date" else local
                if spec.format:
                    value = local.strftime(spec.format)
            out[spec.column] = value
        return out


def _inverse(table: dict[str, str]) -> dict[str, str]:
    inverse: dict[str, str] = {}
    for code, canonical in table.items():
        inverse.setdefault(canonical, code)
    return inverse


def _sql_type(spec: ColumnSpec):
    if spec.format or spec.type == "text":
        return String(spec.length or 200)
    if spec.type == "timestamp":
        return TIMESTAMP(timezone=True)
    return {"integer": Integer, "float": Float, "datetime": DateTime, "date": Date}[spec.type]()


def load_profile(name_or_path: str | Path) -> Profile:
    """A profile by name (from `data_sources/profiles/`) or by file path; parsed once per file version."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = PROFILE_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILE_DIR.glob("*.yaml")))
        raise ProfileError(f"profile {name_or_path!r}: no file {path} (known profiles: {known})")
    stat = path.stat()
    return _parse_profile(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parse_profile(path: Path, _mtime_ns: int, _size: int) -> Profile:
    """Profiles are immutable once validated, so a cached one is safe to share; an edited file reloads."""
    try:
        return Profile.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ProfileError(f"{path}: {problems}") from None
