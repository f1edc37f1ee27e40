"""Schema profiles: declarative mappings from a vendor's tables onto canonical dossier and feedback rows.

A profile is a YAML file (see `profiles/motcua_v1.yaml`, and docs/profiles.md for the whole format): per stream
its table, key and cursor columns, per canonical field a column spec (name, type, optional length and date
format) and/or a `default` and `derive` rule (`data_sources/derive.py`), value maps that recode the vendor's codes
of any text field (status, channel, rating, its own unit codes …), and whether dossiers of procedures the
catalogue does not list are accepted. A new vendor that only renames and recodes is a new file.
The same declaration gives the source table (for reading, and for the demo simulator to create) and the
inverse mapping the simulator writes through.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from sqlalchemy import TIMESTAMP, Column, Date, DateTime, Float, Integer, MetaData, String, Table

from dashboard.core.errors import MappingError, ProfileError
from dashboard.core.vocabulary import Stream
from data_sources.derive import FieldRule, check_stream
from data_sources.fields import (
    CANONICAL_FIELDS,
    EARLIEST,
    END_OF_DAY,
    LATEST,
    STORE_TEXT_LIMITS,
    VOCABULARIES,
    text_limit,
)
from data_sources.values import SHOWN, as_count, as_number, as_text, not_a, show

if TYPE_CHECKING:
    from data_sources.stream_rows import StreamRows

__all__ = ["CANONICAL_FIELDS", "STORE_TEXT_LIMITS", "VOCABULARIES", "ColumnSpec", "Profile", "StreamMapping"]
PROFILE_DIR = Path(__file__).parent / "profiles"


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
    # The fields read from a column. A field with only a default or a derive rule has no entry here.
    columns: dict[str, ColumnSpec]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    # The `default` and `derive` of each field that has one, written under `columns.<field>` in the file
    # (split off as the file is read, folded back when the profile is dumped).
    rules: dict[str, FieldRule] = Field(default_factory=dict)
    # Dossiers whose procedure the catalogue does not list: rejected, or accepted and marked (RowMapper).
    unknown_procedures: Literal["reject", "accept"] = "reject"

    @property
    def cursor_column(self) -> str:
        """The cursor column of a stream read by cursor; KeyError(None), as indexing by `cursor` was, without one."""
        if self.cursor is None:
            raise KeyError(None)
        return self.cursor

    @model_validator(mode="before")
    @classmethod
    def _split_rules(cls, data: Any) -> Any:
        """`columns.<field>.default` and `.derive` to `rules`; a field with nothing else has no column spec."""
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            return data
        if "rules" in data:
            raise ValueError("rules: not a stream key (a field's default and derive go under columns.<field>)")
        columns, rules = {}, {}
        for name, entry in data["columns"].items():
            if isinstance(entry, dict) and {"default", "derive"} & set(entry):
                entry = dict(entry)
                rules[name] = {k: entry.pop(k) for k in ("default", "derive") if k in entry}
                if not entry:
                    continue
            columns[name] = entry
        return {**data, "columns": columns, "rules": rules}

    @model_serializer(mode="wrap")
    def _fold_rules(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """As the file writes it: each field's default and derive under `columns.<field>` (dumps load again)."""
        data = handler(self)
        columns = dict(data.get("columns") or {})
        for name, rule in (data.pop("rules", None) or {}).items():
            given = {k: v for k, v in rule.items() if v is not None}
            columns[name] = {**(columns.get(name) or {}), **given}
        return {**data, "columns": columns}

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        """Codes as text (NFC, as a column's code is read); a number as the target (a unit code 760) as text."""
        if isinstance(value, dict):
            return {
                f: {unicodedata.normalize("NFC", str(k)): _number_as_text(v) for k, v in m.items()}
                if isinstance(m, dict)
                else m or {}
                for f, m in value.items()
            }
        return value


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


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
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown zone {self.timezone!r}") from exc
        for stream, mapping in self.streams.items():
            check_stream(stream, mapping, zone)
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
        return self.rows(stream).cursor_instant(raw)

    def cursor_instant_or_none(self, stream: Stream, raw: dict[str, Any]) -> datetime | None:
        """`cursor_instant`, or None when the value is NULL or unreadable (or the stream has no cursor)."""
        return self.rows(stream).cursor_instant_or_none(raw)

    def rows(self, stream: Stream) -> StreamRows:
        """The stream's mapping worked out once, for mapping many rows (keep one per chunk)."""
        from data_sources.stream_rows import StreamRows  # noqa: PLC0415  (it reads this module's Profile)

        return StreamRows(self, stream)

    def source_value(self, spec: ColumnSpec, instant: datetime) -> Any:
        """An aware instant as the vendor stores it in a column of this spec (for WHERE clauses)."""
        if spec.type == "timestamp":
            return instant.astimezone(UTC)
        local = instant.astimezone(self.zone).replace(tzinfo=None)
        return local.strftime(spec.format) if spec.format else local

    def to_canonical(self, stream: Stream, raw: dict[str, Any]) -> dict[str, Any]:
        """Map one vendor row (column → value, as the driver returned it) to canonical fields: each field's column
        value (recoded by its values map), else — for a field with a derive rule, once every other field has its
        value — the first rule that holds, else its default (`data_sources/derive.py`).

        Raises MappingError naming the field, and in its reason the column and the raw value; no other error
        escapes, whatever the row holds (an integer in a date column, 31/02, a BLOB, NaN, a huge text …)."""
        return self.rows(stream).canonical(raw)

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
        limit = text_limit(name, spec.length)
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
    """Profiles are immutable once validated, so a cached one is safe to share; an edited file reloads.
    Every error is a ProfileError naming the file and the path in it: `<file>: streams.feedback.columns.…: why`."""
    try:
        return Profile.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    except ValidationError as exc:
        raise ProfileError(f"{path}: {'; '.join(_problem(e) for e in exc.errors())}") from None


def _problem(error: Any) -> str:
    """One validation error as `path: message` (a check of the whole profile carries the path in its message)."""
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(map(str, error["loc"]))
    return f"{where}: {message}" if where else message
