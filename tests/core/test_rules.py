"""Each rule of `dashboard.core.rules`: its Python predicate and its SQL twin agree on the same hand-built edge
rows, on SQLite and PostgreSQL, and both give the exact values written out here by hand.

The rows go into a migrated store, are read back as stored (`store.rows`, aware UTC datetimes) for the Python
twin, and the SQL twin is evaluated by the database over the same rows: as a SELECT of the expression per
row and, for the boolean rules, as a WHERE of the expression and of its negation (the drill-through lists
filter with `~rule`, so a twin that gave NULL for some row would drop it from both sides).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Date, case, insert, select, type_coerce

from dashboard.core import rules
from dashboard.core.clock import CITY_TZ
from dashboard.core.vocabulary import AGEING_BUCKETS
from dashboard.store.schema import dossiers, feedback, procedures, roll_open, roll_processing

SOURCE = "rules"
UNIT = "quan-1"
AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)  # a Wednesday afternoon
DUE = datetime(2019, 11, 26, 17, 0, tzinfo=CITY_TZ)  # the original due of most hand-built dossiers
RECEIVED = DUE - timedelta(days=5)
US, S = timedelta(microseconds=1), timedelta(seconds=1)
PG_SESSION_ZONES = ("UTC", "America/New_York", "Pacific/Kiritimati")  # PostgreSQL's session zone must not matter


# --- building, storing and evaluating rows -------------------------------------------------------------
def drow(
    code: str,
    status: str,
    *,
    received: datetime = RECEIVED,
    due: datetime = DUE,
    completed: datetime | None = None,
    supplements: int = 0,
    updated: datetime | None = None,
    procedure: str = "HT-KH",
) -> dict[str, Any]:
    """A canonical dossier row as the store keeps it (`store.upsert`), without the mapper's checks."""
    return {
        "source": SOURCE,
        "native_code": code,
        "unit_key": UNIT,
        "procedure_code": procedure,
        "channel": "counter",
        "received_at": received,
        "due_original_at": due,
        "due_current_at": due,
        "completed_at": completed,
        "status": status,
        "supplement_requests": supplements,
        "apology_at": None,
        "apology_new_due_at": None,
        "rating": None,
        "source_updated_at": updated,
        "ingested_at": AS_OF,
        "counted": True,
        "processing_half_days": None,
    }


def frow(code: str, status: str, *, due: datetime | None, answered: datetime | None = None) -> dict[str, Any]:
    """A canonical feedback row as the store keeps it."""
    return {
        "source": SOURCE,
        "native_id": code,
        "unit_key": UNIT,
        "category": "Giao thông",
        "channel": "hotline",
        "received_at": RECEIVED,
        "due_at": due,
        "answered_at": answered,
        "status": status,
        "rating": None,
        "lat": None,
        "lon": None,
        "source_updated_at": answered or RECEIVED,
        "ingested_at": AS_OF,
    }


def stored(store, stream: str, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Store the rows, then read them back as stored, by native key."""
    with store.begin() as conn:
        store.upsert(conn, stream, rows)
    key = "native_code" if stream == "dossiers" else "native_id"
    back = {r[key]: r for r in store.rows(stream, SOURCE)}
    assert set(back) == {r[key] for r in rows}
    return back


def dialect(store) -> str:
    return store.engine.dialect.name


def session_zones(store) -> tuple[str | None, ...]:
    return PG_SESSION_ZONES if dialect(store) == "postgresql" else (None,)


def sql_values(store, key, expression, where=None, zone: str | None = None) -> dict[Any, Any]:
    """{key: value of `expression`} per row, computed by the database (in PostgreSQL session zone `zone`)."""
    statement = select(key, expression)
    if where is not None:
        statement = statement.where(where)
    with store.engine.connect() as conn:
        if zone is not None:
            conn.exec_driver_sql(f"SET LOCAL TIME ZONE '{zone}'")
        return dict(conn.execute(statement).all())


def sql_keys_where(store, key, condition) -> set[Any]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(key).where(condition)).scalars())


def check_boolean(store, table, key: str, rows: dict[str, dict[str, Any]], python, sql) -> set[str]:
    """The SQL twin `sql` and the Python twin `python` agree on every row, as a flag and as a filter both ways;
    returns the keys where the rule holds."""
    from_python = {code: int(bool(python(row))) for code, row in rows.items()}
    assert sql_values(store, table.c[key], case((sql, 1), else_=0)) == from_python
    holds = {code for code, flag in from_python.items() if flag}
    assert sql_keys_where(store, table.c[key], sql) == holds
    assert sql_keys_where(store, table.c[key], ~sql) == set(rows) - holds
    return holds


# --- dossiers ------------------------------------------------------------------------------------------
def status_rows() -> list[dict[str, Any]]:
    return [
        # completed or refused: done; on time iff at or before the original due with at most one request
        drow("C-AT-DUE", "completed", completed=DUE),
        drow("C-AT-DUE-1REQ", "completed", completed=DUE, supplements=1),
        drow("C-AT-DUE-2REQ", "completed", completed=DUE, supplements=2),
        drow("C-EARLY-2REQ", "completed", completed=DUE - timedelta(days=2), supplements=2),
        drow("C-1S-EARLY-1REQ", "completed", completed=DUE - S, supplements=1),
        drow("C-1US-LATE", "completed", completed=DUE + US),
        drow("C-1S-LATE", "completed", completed=DUE + S),
        drow("C-1D-LATE-2REQ", "completed", completed=DUE + timedelta(days=1), supplements=2),
        drow("R-EARLY", "refused", completed=DUE - timedelta(hours=1)),
        drow("R-AT-DUE-2REQ", "refused", completed=DUE, supplements=2),
        drow("R-1H-LATE", "refused", completed=DUE + timedelta(hours=1)),
        # completed with no completion time (the mapper rejects it; the rules must still say not done)
        drow("C-NO-TIME", "completed", updated=DUE - timedelta(days=1)),
        # closed without a result: not done, not open, even with an early completion time
        drow("W-WITHDRAWN", "withdrawn", updated=DUE - timedelta(days=2)),
        drow("W-WITHDRAWN-TIMED", "withdrawn", completed=DUE - timedelta(days=3), updated=DUE - timedelta(days=2)),
        drow("X-CANCELLED", "cancelled"),  # no completion, no update: closes at receipt
        # open
        drow("P-PAST", "processing"),  # due DUE, before AS_OF
        drow("P-DUE-AT-AS-OF", "processing", due=AS_OF),
        drow("P-DUE-1US-BEFORE", "processing", due=AS_OF - US),
        drow("P-DUE-1S-BEFORE", "awaiting_supplement", due=AS_OF - S),
        drow("P-FUTURE", "awaiting_supplement", due=AS_OF + timedelta(days=3)),
        drow("P-PAUSED-PAST", "paused", due=DUE - timedelta(days=2)),
        drow("P-RECEIVED-AFTER", "processing", received=AS_OF + S, due=AS_OF - timedelta(hours=1)),  # source skew
        drow("P-RECEIVED-AT-AS-OF", "processing", received=AS_OF, due=AS_OF - US),
    ]


DONE = {
    "C-AT-DUE",
    "C-AT-DUE-1REQ",
    "C-AT-DUE-2REQ",
    "C-EARLY-2REQ",
    "C-1S-EARLY-1REQ",
    "C-1US-LATE",
    "C-1S-LATE",
    "C-1D-LATE-2REQ",
    "R-EARLY",
    "R-AT-DUE-2REQ",
    "R-1H-LATE",
}
OPEN = {
    "P-PAST",
    "P-DUE-AT-AS-OF",
    "P-DUE-1US-BEFORE",
    "P-DUE-1S-BEFORE",
    "P-FUTURE",
    "P-PAUSED-PAST",
    "P-RECEIVED-AFTER",
    "P-RECEIVED-AT-AS-OF",
}


@pytest.fixture
def status_dossiers(store):
    return stored(store, "dossiers", status_rows())


def test_done(store, status_dossiers):
    assert check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_done, rules.done_sql(dossiers.c)
    ) == (DONE)


def test_on_time(store, status_dossiers):
    assert rules.MAX_SUPPLEMENT_REQUESTS == 1
    on_time = check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_on_time, rules.on_time_sql(dossiers.c)
    )
    assert on_time == {"C-AT-DUE", "C-AT-DUE-1REQ", "C-1S-EARLY-1REQ", "R-EARLY"}


def test_on_time_follows_the_supplement_limit(store, status_dossiers, monkeypatch):
    """Both twins read `MAX_SUPPLEMENT_REQUESTS` when they are applied (no copy of the limit anywhere)."""
    monkeypatch.setattr(rules, "MAX_SUPPLEMENT_REQUESTS", 2)
    on_time = check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_on_time, rules.on_time_sql(dossiers.c)
    )
    assert on_time == {
        "C-AT-DUE",
        "C-AT-DUE-1REQ",
        "C-AT-DUE-2REQ",
        "C-EARLY-2REQ",
        "C-1S-EARLY-1REQ",
        "R-EARLY",
        "R-AT-DUE-2REQ",
    }
    monkeypatch.setattr(rules, "MAX_SUPPLEMENT_REQUESTS", 0)
    on_time = check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_on_time, rules.on_time_sql(dossiers.c)
    )
    assert on_time == {"C-AT-DUE", "R-EARLY"}


def test_done_after_due(store, status_dossiers):
    after = check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_done_after_due, rules.done_after_due_sql(dossiers.c)
    )
    assert after == {"C-1US-LATE", "C-1S-LATE", "C-1D-LATE-2REQ", "R-1H-LATE"}


def test_open(store, status_dossiers):
    assert check_boolean(
        store, dossiers, "native_code", status_dossiers, rules.is_open, rules.open_sql(dossiers.c)
    ) == (OPEN)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (AS_OF, {"P-PAST", "P-DUE-1US-BEFORE", "P-DUE-1S-BEFORE", "P-PAUSED-PAST", "P-RECEIVED-AT-AS-OF"}),
        (
            AS_OF + US,
            {"P-PAST", "P-DUE-AT-AS-OF", "P-DUE-1US-BEFORE", "P-DUE-1S-BEFORE", "P-PAUSED-PAST", "P-RECEIVED-AT-AS-OF"},
        ),
        (AS_OF + 2 * S, OPEN - {"P-FUTURE"}),  # the late arrival is received by now
        (DUE, {"P-PAUSED-PAST"}),  # P-PAST is due at this very instant: not yet overdue
        (DUE + US, {"P-PAST", "P-PAUSED-PAST"}),
        (RECEIVED, set()),
    ],
    ids=["as_of", "as_of+1us", "as_of+2s", "due", "due+1us", "received"],
)
def test_overdue(store, status_dossiers, as_of, expected):
    overdue = check_boolean(
        store,
        dossiers,
        "native_code",
        status_dossiers,
        lambda row: rules.is_overdue(row, as_of),
        rules.overdue_sql(dossiers.c, as_of),
    )
    assert overdue == expected
    same_instant_elsewhere = as_of.astimezone(UTC)  # an as-of in another zone is the same instant
    assert sql_keys_where(store, dossiers.c.native_code, rules.overdue_sql(dossiers.c, same_instant_elsewhere)) == (
        expected
    )


def test_closed_at(store, status_dossiers):
    closed = {code: rules.closed_at(row) for code, row in status_dossiers.items()}
    assert {code for code, at in closed.items() if at is None} == OPEN
    from_sql = sql_values(store, dossiers.c.native_code, rules.closed_at_sql(dossiers.c), ~rules.open_sql(dossiers.c))
    assert from_sql == {code: at for code, at in closed.items() if at is not None}
    assert all(at.tzinfo is not None for at in from_sql.values())
    expected = {code: status_dossiers[code]["completed_at"] for code in DONE}
    expected |= {
        "C-NO-TIME": DUE - timedelta(days=1),  # its last update
        "W-WITHDRAWN": DUE - timedelta(days=2),  # its last update
        "W-WITHDRAWN-TIMED": DUE - timedelta(days=3),  # its completion time comes first
        "X-CANCELLED": RECEIVED,  # nothing else known
    }
    assert from_sql == expected
    assert from_sql["C-1US-LATE"] == DUE + US  # microseconds survive the round trip


# --- procedures ----------------------------------------------------------------------------------------
def test_statutory_days(store):
    extra = [
        ("T-H-3", 3.0, "hour"),
        ("T-H-12", 12.0, "hour"),
        ("T-H-1", 1.0, "hour"),
        ("T-D-2.5", 2.5, "day"),
        ("T-D-15", 15.0, "day"),
    ]
    with store.begin() as conn:
        conn.execute(
            insert(procedures),
            [
                {
                    "code": code,
                    "name_vi": code,
                    "name_en": code,
                    "field_vi": "Thử",
                    "field_en": "Test",
                    "level": "district",
                    "statutory_time": time,
                    "statutory_unit": unit,
                    "online_type": "none",
                }
                for code, time, unit in extra
            ],
        )
    p = procedures.c
    with store.engine.connect() as conn:
        catalogue = {
            code: (time, unit) for code, time, unit in conn.execute(select(p.code, p.statutory_time, p.statutory_unit))
        }
    assert {unit for _time, unit in catalogue.values()} == {"day", "hour"}
    from_sql = sql_values(store, p.code, rules.statutory_days_sql(p))
    assert from_sql == {code: rules.statutory_days(time, unit) for code, (time, unit) in catalogue.items()}
    assert {code: from_sql[code] for code in ("T-H-3", "T-H-12", "T-H-1", "T-D-2.5", "T-D-15", "HT-KH", "CT-BS")} == {
        "T-H-3": 0.375,
        "T-H-12": 1.5,
        "T-H-1": 0.125,
        "T-D-2.5": 2.5,
        "T-D-15": 15.0,
        "HT-KH": 3.0,  # 3 working days in the packaged catalogue
        "CT-BS": 0.5,  # 4 office hours
    }


# --- ageing buckets ------------------------------------------------------------------------------------
CUTOFFS = {  # as_of, due_soon_until, late_1_5_from, late_6_20_from
    "ASOF": AS_OF,
    "SOON": datetime(2019, 11, 29, 17, 0, tzinfo=CITY_TZ),
    "L15": datetime(2019, 11, 20, 0, 0, tzinfo=CITY_TZ),
    "L620": datetime(2019, 10, 29, 0, 0, tzinfo=CITY_TZ),
}
OFFSETS = {"-1s": -S, "-1us": -US, "": timedelta(0), "+1us": US, "+1s": S}
NOT_DUE, DUE_SOON, OVERDUE_1_5, OVERDUE_6_20, OVERDUE_OVER_20 = AGEING_BUCKETS
AGEING_EXPECTED = {
    "ASOF-1s": OVERDUE_1_5,
    "ASOF-1us": OVERDUE_1_5,
    "ASOF": DUE_SOON,
    "ASOF+1us": DUE_SOON,
    "ASOF+1s": DUE_SOON,
    "SOON-1s": DUE_SOON,
    "SOON-1us": DUE_SOON,
    "SOON": DUE_SOON,
    "SOON+1us": NOT_DUE,
    "SOON+1s": NOT_DUE,
    "L15-1s": OVERDUE_6_20,
    "L15-1us": OVERDUE_6_20,
    "L15": OVERDUE_1_5,
    "L15+1us": OVERDUE_1_5,
    "L15+1s": OVERDUE_1_5,
    "L620-1s": OVERDUE_OVER_20,
    "L620-1us": OVERDUE_OVER_20,
    "L620": OVERDUE_6_20,
    "L620+1us": OVERDUE_6_20,
    "L620+1s": OVERDUE_6_20,
    "FAR-PAST": OVERDUE_OVER_20,
    "FAR-FUTURE": NOT_DUE,
}


def test_ageing_bucket(store):
    dues = {f"{name}{label}": cutoff + offset for name, cutoff in CUTOFFS.items() for label, offset in OFFSETS.items()}
    dues |= {"FAR-PAST": datetime(2019, 1, 2, tzinfo=CITY_TZ), "FAR-FUTURE": datetime(2020, 6, 1, tzinfo=CITY_TZ)}
    rows = stored(
        store,
        "dossiers",
        [
            drow(code, "processing", received=datetime(2018, 12, 1, tzinfo=CITY_TZ), due=due)
            for code, due in dues.items()
        ],
    )
    cut = tuple(CUTOFFS.values())
    python = {code: rules.ageing_bucket(row["due_original_at"], *cut) for code, row in rows.items()}
    assert python == AGEING_EXPECTED
    d = dossiers.c
    assert sql_values(store, d.native_code, rules.ageing_bucket_sql(d.due_original_at, *cut)) == AGEING_EXPECTED
    # as the rollup read applies it: over roll_open's due instants (kept at ingest from these open dossiers)
    by_due = {row["due_original_at"]: AGEING_EXPECTED[code] for code, row in rows.items()}
    assert sql_values(store, roll_open.c.due_at, rules.ageing_bucket_sql(roll_open.c.due_at, *cut)) == by_due
    # the same instants given in UTC rather than in the city's zone
    utc = tuple(moment.astimezone(UTC) for moment in cut)
    assert sql_values(store, d.native_code, rules.ageing_bucket_sql(d.due_original_at, *utc)) == AGEING_EXPECTED


# --- feedback ------------------------------------------------------------------------------------------
FEEDBACK_DUE = datetime(2019, 11, 25, 17, 0, tzinfo=CITY_TZ)


def feedback_rows() -> list[dict[str, Any]]:
    due = FEEDBACK_DUE
    return [
        frow("A-NO-DUE", "answered", due=None, answered=due + timedelta(days=30)),
        frow("A-EARLY", "answered", due=due, answered=due - timedelta(days=1)),
        frow("A-AT-DUE", "answered", due=due, answered=due),
        frow("A-1US-LATE", "answered", due=due, answered=due + US),
        frow("A-1S-LATE", "answered", due=due, answered=due + S),
        frow("A-NO-TIME", "answered", due=due),  # answered without an answer time: not counted as answered
        frow("A-NO-TIME-NO-DUE", "answered", due=None),
        frow("O-OPEN", "open", due=due),
        frow("O-OPEN-NO-DUE", "open", due=None),
        frow("O-PROCESSING", "processing", due=due + timedelta(days=5)),
        frow("O-PROCESSING-TIMED", "processing", due=due, answered=due - timedelta(days=1)),  # not answered yet
        frow("X-REJECTED", "rejected", due=due, answered=due - timedelta(days=1)),
        frow("X-REJECTED-NO-DUE", "rejected", due=None),
    ]


@pytest.fixture
def feedback_items(store):
    return stored(store, "feedback", feedback_rows())


def test_answered(store, feedback_items):
    answered = check_boolean(
        store, feedback, "native_id", feedback_items, rules.is_answered, rules.answered_sql(feedback.c)
    )
    assert answered == {"A-NO-DUE", "A-EARLY", "A-AT-DUE", "A-1US-LATE", "A-1S-LATE"}


def test_answered_on_time(store, feedback_items):
    on_time = check_boolean(
        store,
        feedback,
        "native_id",
        feedback_items,
        rules.is_answered_on_time,
        rules.answered_on_time_sql(feedback.c),
    )
    assert on_time == {"A-NO-DUE", "A-EARLY", "A-AT-DUE"}


def test_open_feedback(store, feedback_items):
    open_now = check_boolean(
        store, feedback, "native_id", feedback_items, rules.is_open_feedback, rules.open_feedback_sql(feedback.c)
    )
    assert open_now == {"O-OPEN", "O-OPEN-NO-DUE", "O-PROCESSING", "O-PROCESSING-TIMED"}


# --- days ----------------------------------------------------------------------------------------------
def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


LOCAL_DAYS = {  # an instant in UTC → its calendar day in Asia/Ho_Chi_Minh (UTC+7: local midnight is 17:00 UTC)
    "1600": (utc(2019, 11, 26, 16, 0), date(2019, 11, 26)),
    "1630": (utc(2019, 11, 26, 16, 30), date(2019, 11, 26)),
    "165959": (utc(2019, 11, 26, 16, 59, 59), date(2019, 11, 26)),
    "165959.999": (utc(2019, 11, 26, 16, 59, 59, 999000), date(2019, 11, 26)),
    "1700": (utc(2019, 11, 26, 17, 0), date(2019, 11, 27)),
    "170001": (utc(2019, 11, 26, 17, 0, 1), date(2019, 11, 27)),
    "1800": (utc(2019, 11, 26, 18, 0), date(2019, 11, 27)),
    "235959": (utc(2019, 11, 26, 23, 59, 59), date(2019, 11, 27)),
    "0000": (utc(2019, 11, 27, 0, 0), date(2019, 11, 27)),
    "0030": (utc(2019, 11, 27, 0, 30), date(2019, 11, 27)),
    "0700": (utc(2019, 11, 27, 7, 0), date(2019, 11, 27)),
    "1659-next": (utc(2019, 11, 27, 16, 59, 59), date(2019, 11, 27)),
    "year-end-1659": (utc(2019, 12, 31, 16, 59, 59), date(2019, 12, 31)),
    "year-end-1700": (utc(2019, 12, 31, 17, 0), date(2020, 1, 1)),
    "leap-1700": (utc(2020, 2, 28, 17, 0), date(2020, 2, 29)),
    "leap-end-1700": (utc(2020, 2, 29, 17, 0), date(2020, 3, 1)),
    "given-in-city-zone": (datetime(2019, 11, 27, 0, 0, tzinfo=CITY_TZ), date(2019, 11, 27)),
}


def test_local_day(store):
    rows = stored(
        store,
        "dossiers",
        [
            drow(code, "processing", received=moment, due=moment + timedelta(days=5))
            for code, (moment, _) in LOCAL_DAYS.items()
        ],
    )
    expected = {code: day for code, (_moment, day) in LOCAL_DAYS.items()}
    assert {code: rules.local_day(row["received_at"]) for code, row in rows.items()} == expected
    d = dossiers.c
    day = type_coerce(rules.local_day_sql(d.received_at, dialect(store)), Date)
    for zone in session_zones(store):
        assert sql_values(store, d.native_code, day, zone=zone) == expected, zone


def test_local_day_in_the_last_half_millisecond_before_local_midnight(store):
    """16:59:59.9995 UTC and later is still the 26th in the city; SQLite's date() rounds its input to the nearest
    millisecond, so `local_day_sql` cuts the fraction off first (it gave the 27th, and a rebuild moved such a
    completion to the next day)."""
    instants = {
        "165959.9995": utc(2019, 11, 26, 16, 59, 59, 999500),
        "165959.999999": utc(2019, 11, 26, 16, 59, 59, 999999),
    }
    rows = stored(
        store,
        "dossiers",
        [drow(code, "processing", received=at, due=at + timedelta(days=5)) for code, at in instants.items()],
    )
    expected = dict.fromkeys(instants, date(2019, 11, 26))
    assert {code: rules.local_day(row["received_at"]) for code, row in rows.items()} == expected
    d = dossiers.c
    day = type_coerce(rules.local_day_sql(d.received_at, dialect(store)), Date)
    assert sql_values(store, d.native_code, day) == expected


WEEKS = {  # a day → the Monday of its Monday-to-Sunday week
    date(2019, 11, 17): date(2019, 11, 11),  # Sunday
    date(2019, 11, 18): date(2019, 11, 18),  # Monday
    date(2019, 11, 19): date(2019, 11, 18),
    date(2019, 11, 20): date(2019, 11, 18),
    date(2019, 11, 21): date(2019, 11, 18),
    date(2019, 11, 22): date(2019, 11, 18),
    date(2019, 11, 23): date(2019, 11, 18),  # Saturday
    date(2019, 11, 24): date(2019, 11, 18),  # Sunday
    date(2019, 11, 25): date(2019, 11, 25),  # Monday
    date(2019, 12, 29): date(2019, 12, 23),  # Sunday before a year's end
    date(2019, 12, 30): date(2019, 12, 30),  # Monday
    date(2020, 1, 1): date(2019, 12, 30),  # a week across the new year
    date(2020, 1, 5): date(2019, 12, 30),  # its Sunday
    date(2020, 1, 6): date(2020, 1, 6),
    date(2020, 2, 29): date(2020, 2, 24),  # leap Saturday
    date(2020, 3, 1): date(2020, 2, 24),  # Sunday
    date(2020, 3, 2): date(2020, 3, 2),  # Monday
}


def test_week_of(store):
    assert {day: rules.week_of(day) for day in WEEKS} == WEEKS
    assert {day.weekday() for day in WEEKS} == set(range(7))
    with store.begin() as conn:  # as the rebuild applies it: over roll_processing's day column
        conn.execute(insert(roll_processing), [{"unit_key": UNIT, "day": day, "half_days": 1, "n": 1} for day in WEEKS])
    r = roll_processing.c
    week = type_coerce(rules.week_of_sql(r.day, dialect(store)), Date)
    for zone in session_zones(store):
        assert sql_values(store, r.day, week, zone=zone) == WEEKS, zone


def test_local_day_then_week_as_the_processing_rollups_chain_them(store):
    """The week of a completion's local day, from the instant: both twins, across a Sunday/Monday midnight."""
    instants = {
        "SUN-2359-LOCAL": (utc(2019, 11, 24, 16, 59, 59), date(2019, 11, 18)),
        "MON-0000-LOCAL": (utc(2019, 11, 24, 17, 0), date(2019, 11, 25)),
        "SUN-UTC-BUT-MON-LOCAL": (utc(2019, 11, 24, 20, 0), date(2019, 11, 25)),
    }
    rows = stored(
        store,
        "dossiers",
        [
            drow(code, "processing", received=moment, due=moment + timedelta(days=5))
            for code, (moment, _) in instants.items()
        ],
    )
    expected = {code: week for code, (_moment, week) in instants.items()}
    assert {code: rules.week_of(rules.local_day(row["received_at"])) for code, row in rows.items()} == expected
    d, name = dossiers.c, dialect(store)
    week = type_coerce(rules.week_of_sql(type_coerce(rules.local_day_sql(d.received_at, name), Date), name), Date)
    for zone in session_zones(store):
        assert sql_values(store, d.native_code, week, zone=zone) == expected, zone


def test_a_dossiers_statutory_days_unlisted_procedures_included(store):
    """The catalogue's time for a listed procedure; the source's own for one it does not list; else 0."""
    rows = [
        drow("LISTED", "completed", completed=DUE, procedure="HT-KH"),
        {**drow("UNLISTED", "completed", completed=DUE, procedure="PX-1"), "procedure_listed": False,
         "statutory_days_source": 2.5},
        {**drow("UNLISTED-NO-DUE-DAYS", "completed", completed=DUE, procedure="PX-2"), "procedure_listed": False},
    ]  # fmt: skip
    back = stored(store, "dossiers", rows)
    d, p = dossiers, procedures
    with store.engine.connect() as conn:
        catalogue = {code: rules.statutory_days(t, u) for code, t, u in conn.execute(select(p.c.code, p.c.statutory_time, p.c.statutory_unit))}  # fmt: skip
    statement = select(d.c.native_code, rules.dossier_statutory_days_sql(p.c, d.c)).select_from(
        d.outerjoin(p, p.c.code == d.c.procedure_code)
    )
    with store.engine.connect() as conn:
        from_sql = dict(conn.execute(statement).all())
    expected = {
        code: rules.dossier_statutory_days(catalogue.get(row["procedure_code"]), row["statutory_days_source"])
        for code, row in back.items()
    }
    assert from_sql == expected == {"LISTED": catalogue["HT-KH"], "UNLISTED": 2.5, "UNLISTED-NO-DUE-DAYS": 0.0}


# --- in event time (a past as-of) ----------------------------------------------------------------------
STARTED = set(DONE | OPEN | {"C-NO-TIME", "W-WITHDRAWN", "W-WITHDRAWN-TIMED", "X-CANCELLED"})
OPEN_AT = {
    "before-receipt": (RECEIVED - S, set()),
    "at-receipt": (RECEIVED, STARTED - {"X-CANCELLED", "P-RECEIVED-AFTER", "P-RECEIVED-AT-AS-OF"}),
    "due": (
        DUE,
        {"C-1US-LATE", "C-1S-LATE", "C-1D-LATE-2REQ", "R-1H-LATE"}  # closed after the due: open at it
        | OPEN - {"P-RECEIVED-AFTER", "P-RECEIVED-AT-AS-OF"},
    ),
    "as_of": (AS_OF, {"C-1D-LATE-2REQ"} | OPEN - {"P-RECEIVED-AFTER"}),
}


@pytest.mark.parametrize(("moment", "expected"), OPEN_AT.values(), ids=OPEN_AT.keys())
def test_open_at_a_past_instant(store, status_dossiers, moment, expected):
    assert set(status_dossiers) == STARTED
    found = check_boolean(
        store,
        dossiers,
        "native_code",
        status_dossiers,
        lambda row: rules.is_open_at(row, moment),
        rules.open_at_sql(dossiers.c, moment),
    )
    assert found == expected


def test_apologised_by_a_past_instant(store):
    rows = []
    for code, at in (("A-BEFORE", DUE - timedelta(days=1)), ("A-AT", DUE), ("A-AFTER", DUE + S), ("A-NONE", None)):
        row = drow(code, "processing")
        row["apology_at"], row["apology_new_due_at"] = at, (DUE + timedelta(days=3)) if at else None
        rows.append(row)
    back = stored(store, "dossiers", rows)
    found = check_boolean(
        store,
        dossiers,
        "native_code",
        back,
        lambda row: rules.apologised_by(row, DUE),
        rules.apologised_by_sql(dossiers.c, DUE),
    )
    assert found == {"A-BEFORE", "A-AT"}


def test_open_feedback_at_a_past_instant(store, feedback_items):
    found = check_boolean(
        store,
        feedback,
        "native_id",
        feedback_items,
        lambda row: rules.is_open_feedback_at(row, FEEDBACK_DUE),
        rules.open_feedback_at_sql(feedback.c, FEEDBACK_DUE),
    )
    # answered after the due (or, with no due, a month later): still open at it; every open one; not those
    # answered or rejected by then, nor one marked answered with no answer time (closed at its last update)
    assert found == {"A-NO-DUE", "A-1US-LATE", "A-1S-LATE", "O-OPEN", "O-OPEN-NO-DUE", "O-PROCESSING",
                     "O-PROCESSING-TIMED"}  # fmt: skip
    assert (
        check_boolean(
            store,
            feedback,
            "native_id",
            feedback_items,
            lambda row: rules.is_open_feedback_at(row, RECEIVED - S),
            rules.open_feedback_at_sql(feedback.c, RECEIVED - S),
        )
        == set()
    )
