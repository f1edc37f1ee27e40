"""From a vendor row to a canonical store row: the profile's mapping plus the checks that need our data
(the unit valid on the day, the procedure catalogue, dates in order).

A dossier whose procedure the catalogue does not list is rejected, unless its stream says
`unknown_procedures: accept`: then every dossier row of that stream carries two more keys, `procedure_listed`
(False for a code the catalogue does not list) and `statutory_days_source` (for such a code, the statutory time
the source's own original due implies — `source_statutory_days` — else None). Rows of a rejecting stream carry
neither key, exactly as before.

A row that cannot be mapped is one rejected row — its field, a reason naming the column and the raw value, and
the raw values as JSON (each cut to 2,048 characters; bytes as a marker) — and the rest of the chunk goes on."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import MappingError
from dashboard.core.reference import codes_of, successors, unit_valid_on
from dashboard.core.rules import HOURS_PER_WORKING_DAY
from dashboard.core.vocabulary import DONE_STATUSES, Stream
from dashboard.core.workdays import OFFICE_BLOCKS, WorkCalendar
from data_sources.profiles import Profile
from data_sources.stream_rows import StreamRows
from data_sources.values import UndecodableText

log = logging.getLogger(__name__)
RAW_TEXT_MAX = 2048  # characters of one raw value kept in a rejected row's JSON
NATIVE_FIELDS: dict[str, str] = {"dossiers": "native_code", "feedback": "native_id"}
NATIVE_KEY_MAX = 200  # rejected_rows.native_key is String(200)
VALID_REMEMBERED = 100_000  # (code, day) answers a resolver keeps


class SourceRef(Protocol):
    """What mapping needs to know of a source: its name and the unit its rows belong to by default."""

    @property
    def name(self) -> str: ...

    @property
    def unit(self) -> str: ...


class UnitResolver:
    """Finds the unit a row belongs to from a unit key or code (or an alias of a code): the unit valid on the
    row's receipt day; else, for a row the source files under a unit created after its receipt (a dossier a
    successor carried on), that unit, valid on the row's latest day. Otherwise the row is rejected with a reason
    that says why — no such unit, not yet in existence, or no longer, naming its successors."""

    def __init__(self, unit_rows: list[dict[str, Any]]) -> None:
        self.rows = unit_rows
        self.by_key = {u["key"]: u for u in unit_rows}
        self.by_code: dict[str, list[dict[str, Any]]] = {}
        self._valid: dict[tuple[str, date], dict[str, Any] | None] = {}
        for unit in unit_rows:
            for code in codes_of(unit):
                self.by_code.setdefault(code, []).append(unit)

    def named(self, code: str) -> list[dict[str, Any]]:
        return [self.by_key[code]] if code in self.by_key else self.by_code.get(code, [])

    def valid(self, code: str, day: date) -> dict[str, Any] | None:
        """The unit a code names on a day; remembered, as a chunk asks the same few (code, day) pairs again."""
        key = (code, day)
        if key not in self._valid:
            if len(self._valid) >= VALID_REMEMBERED:
                self._valid.clear()
            self._valid[key] = next((unit for unit in self.named(code) if unit_valid_on(unit, day)), None)
        return self._valid[key]

    def resolve(self, code: str, when: datetime, latest: datetime | None = None) -> str:
        day = when.astimezone(CITY_TZ).date()
        unit = self.valid(code, day)
        if unit is not None:
            return str(unit["key"])
        if latest is not None:
            carried = self.valid(code, latest.astimezone(CITY_TZ).date())
            if carried is not None and carried["valid_from"] is not None and carried["valid_from"] > day:
                return str(carried["key"])
        raise MappingError("unit", self.why(code, day))

    def why(self, code: str, day: date) -> str:
        known = self.named(code)
        if not known:
            return f"unknown unit {code!r} on {day:%d/%m/%Y}"
        ended = [u for u in known if u["valid_to"] is not None and u["valid_to"] < day]
        if not ended:
            first = min(known, key=lambda u: u["valid_from"] or date.min)
            return f"unit {code!r} ({first['name_vi']}) did not exist yet on {day:%d/%m/%Y} (from {first['valid_from']:%d/%m/%Y})"
        unit = max(ended, key=lambda u: u["valid_to"])
        later = successors(unit, self.rows, day)
        names = ", ".join(f"{u['name_vi']} ({u['code']})" for u in later[:SUCCESSORS_NAMED])
        more = f" and {len(later) - SUCCESSORS_NAMED} more" if len(later) > SUCCESSORS_NAMED else ""
        heirs = f"its successors: {names}{more}" if later else "it has no successor in the registry"
        return (
            f"unit {code!r} ({unit['name_vi']}) no longer exists on {day:%d/%m/%Y} (ended {unit['valid_to']:%d/%m/%Y});"
            f" {heirs} — map the code in the profile (units:) or write the successor's code"
        )


SUCCESSORS_NAMED = 12  # a reason names at most this many successors, then counts the rest


class RowMapper:
    def __init__(self, unit_rows: list[dict[str, Any]], procedure_codes: set[str], calendar: WorkCalendar) -> None:
        self.units = UnitResolver(unit_rows)
        self.procedures = procedure_codes
        self.calendar = calendar
        self._chunk: tuple[Profile, Stream, StreamRows] | None = None  # set while `map_rows` maps a chunk

    def map_rows(
        self,
        source: SourceRef,
        profile: Profile,
        stream: Stream,
        raws: list[dict[str, Any]],
        now: datetime,
        seen: dict[str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(canonical rows, rejected rows with field, reason and the raw values as JSON) of `source`'s rows.

        A native id the source sends more than once in one pull rejects every such row (all are kept, with the
        keys of the others): `seen` holds the native ids of the pull's earlier chunks, and is updated."""
        mapping, rows = profile.streams[stream], profile.rows(stream)  # the stream's specs, looked up once a chunk
        # a cursor present but unreadable rejects the row, naming it: already so when `canonical` read it
        cursor_column = None if rows.cursor_mapped else mapping.cursor
        mapped: list[tuple[dict[str, Any], dict[str, Any]]] = []
        bad: list[tuple[dict[str, Any], str, str]] = []
        self._chunk = (profile, stream, rows)  # what `canonical` maps this chunk's rows with
        try:
            for raw in raws:
                try:
                    row = self.canonical(source, profile, stream, raw, now)
                    cursor = raw.get(cursor_column) if cursor_column else None
                    if (cursor.strip() if isinstance(cursor, str) else cursor) not in (None, ""):
                        rows.cursor_instant(raw)
                    mapped.append((raw, row))
                except MappingError as exc:
                    bad.append((raw, exc.field, exc.reason))
                except Exception as exc:  # a bug of ours, but still this row's: logged once a chunk, it goes on
                    if all(f != "row" for _, f, _ in bad):
                        log.exception("mapping a row of %s/%s failed (a bug: the row is rejected)", source.name, stream)
                    bad.append((raw, "row", f"unexpected {type(exc).__name__}: {exc}"[:500]))
        finally:
            self._chunk = None
        good = self._unique(mapped, bad, NATIVE_FIELDS[stream], mapping.key, {} if seen is None else seen)
        rejected = [
            {
                "source": source.name,
                "stream": stream,
                "native_key": native_key(raw.get(mapping.key)),
                "field": field,
                "reason": _storable(reason),
                "rejected_at": now,
                "raw": raw_json(raw),
            }
            for raw, field, reason in bad
        ]
        return good, rejected

    @staticmethod
    def _unique(
        mapped: list[tuple[dict[str, Any], dict[str, Any]]],
        bad: list[tuple[dict[str, Any], str, str]],
        field: str,
        key: str,
        seen: dict[str, str],
    ) -> list[dict[str, Any]]:
        """The mapped rows whose native id comes once in the pull; the others join `bad`, naming each other."""
        keys: dict[str, list[str]] = {}
        for raw, row in mapped:
            keys.setdefault(row[field], []).append(native_key(raw.get(key)))
        good = []
        for raw, row in mapped:
            native, others = row[field], keys[row[field]]
            if len(others) > 1:
                bad.append((raw, field, f"{field} {native!r} comes {len(others)} times (keys {', '.join(others)})"))
            elif native in seen:
                bad.append((raw, field, f"{field} {native!r} came already in this pull (key {seen[native]})"))
            else:
                good.append(row)
        seen.update({native: found[0] for native, found in keys.items()})
        return good

    def canonical(
        self, source: SourceRef, profile: Profile, stream: Stream, raw: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        chunk = self._chunk
        rows = chunk[2] if chunk and chunk[0] is profile and chunk[1] == stream else profile.rows(stream)
        row = rows.canonical(raw)
        unit_code = row.pop("unit") or source.unit
        latest = row.get("completed_at") or row.get("answered_at") or now
        row["unit_key"] = self.units.resolve(unit_code, row["received_at"], latest)
        row["source"] = source.name
        row["ingested_at"] = now
        if stream == "dossiers":
            accept = profile.streams[stream].unknown_procedures == "accept"
            listed = row["procedure_code"] in self.procedures
            if not listed and not accept:
                raise MappingError("procedure_code", f"unknown procedure {row['procedure_code']!r}")
            if row["due_original_at"] < row["received_at"]:
                raise MappingError("due_original_at", "due before received")
            if accept:
                row["procedure_listed"] = listed
                row["statutory_days_source"] = (
                    None if listed else source_statutory_days(self.calendar, row["received_at"], row["due_original_at"])
                )
            row["due_current_at"] = row["due_current_at"] or row["due_original_at"]
            row["supplement_requests"] = row["supplement_requests"] or 0
            if row["status"] in DONE_STATUSES and row["completed_at"] is None:
                raise MappingError("completed_at", f"status {row['status']} without a completion time")
            if row["completed_at"] is not None and row["completed_at"] < row["received_at"]:
                raise MappingError("completed_at", "completed before received")
            row["processing_half_days"] = (
                self.calendar.processing_half_days(row["received_at"], row["completed_at"])
                if row["status"] in DONE_STATUSES
                else None
            )
        elif row["due_at"] is not None and row["due_at"] < row["received_at"]:
            raise MappingError("due_at", "due before received")
        return row


def source_statutory_days(calendar: WorkCalendar, received: datetime, due: datetime) -> float:
    """The statutory time, in working days, that a source's own original due implies (for a procedure the
    catalogue does not list): the working days d with r < d <= the due's local day, r being the effective receipt
    day (`calendar.effective_receipt_day`: after 17:00 or on a day off, the next working day) — the inverse of
    `calendar.due_after_working_days`, so a due N working days after receipt gives N. A due on the receipt's own
    working day gives the office hours (07:30–11:30, 13:00–17:00) from receipt to due over 8, to 3 decimals."""
    receipt_day = calendar.effective_receipt_day(received)
    due_day = due.astimezone(CITY_TZ).date()
    days = calendar.working_days_in(receipt_day + timedelta(days=1), due_day + timedelta(days=1))
    if days:
        return float(days)
    start, end = received.astimezone(CITY_TZ), due.astimezone(CITY_TZ)
    day = start.date()
    if end.date() != day or not calendar.is_working_day(day):
        return 0.0
    blocks = [(datetime.combine(day, a, CITY_TZ), datetime.combine(day, b, CITY_TZ)) for a, b in OFFICE_BLOCKS]
    seconds = sum(max((min(end, b) - max(start, a)).total_seconds(), 0.0) for a, b in blocks)
    return round(seconds / 3600 / HOURS_PER_WORKING_DAY, 3)


def native_key(value: Any) -> str:
    """A source key as the store keeps it: its text (bytes decoded, NUL escaped), at most 200 characters — a
    longer one keeps its start and a digest of the whole, so two long keys stay apart. str(value) for any
    ordinary key: callers that list a chunk's keys (to replace their rejections) must use this too."""
    if isinstance(value, bytes | bytearray | memoryview):
        text = bytes(value).decode("utf-8", "backslashreplace")
    else:
        try:
            text = str(value)
        except Exception:
            text = f"<{type(value).__name__}>"
    text = _storable(text)
    if len(text) <= NATIVE_KEY_MAX:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{text[: NATIVE_KEY_MAX - 18]}…~{digest}"


def raw_json(raw: dict[str, Any]) -> str:
    """A row's raw values as JSON that always encodes: text cut to 2,048 characters, bytes as a marker object
    (so a replay rejects them again rather than reading the marker as text), dates and decimals as text, NaN
    and infinities as text."""
    try:
        values = {str(k): _raw_value(v) for k, v in raw.items()}
        text = json.dumps(values, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate: escaped by JSON itself, so a replay reads the same text back
        return json.dumps(values, allow_nan=False)
    except Exception as exc:  # nothing above should fail; if it does, the row is still rejected
        return json.dumps({"unencodable": f"{type(exc).__name__}: {exc}"[:RAW_TEXT_MAX]})


def _raw_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, int):
        return value if abs(value) < 2**63 else f"<integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, UndecodableText):
        return {"bytes": len(value), "not_utf8": _cut(value.decode("utf-8", "backslashreplace"))}
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"bytes": len(data), "hex": data[:64].hex() + ("…" if len(data) > 64 else "")}
    if isinstance(value, datetime | date | time | Decimal):
        return str(value)
    try:
        return _cut(str(value))
    except Exception:
        return f"<{type(value).__name__}>"


def _cut(text: str) -> str:
    """At most RAW_TEXT_MAX characters, the marker of what was cut included."""
    if len(text) <= RAW_TEXT_MAX:
        return text
    keep = RAW_TEXT_MAX - len(f"…(+{len(text):,} characters)")
    return f"{text[:keep]}…(+{len(text) - keep:,} characters)"


def _storable(text: str) -> str:
    """Text a store's text column can hold: NUL escaped (PostgreSQL's cannot), lone surrogates escaped."""
    text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
