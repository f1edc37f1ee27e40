"""Rollups maintained at ingest equal a recount from raw rows, on randomised stores (seeded generator)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import PERIODS
from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages.kpis import unit_kpis
from dashboard.store import Store
from dashboard.store.rollups import ROLLUP_TABLES, week_split
from dashboard.store.schema import roll_processing, roll_processing_week
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 14, 30, tzinfo=CITY_TZ)
UNITS = ("760", "770", "so-tu-phap")
STATUSES = (
    "processing",
    "awaiting_supplement",
    "paused",
    "completed",
    "completed",
    "refused",
    "withdrawn",
    "cancelled",
)


def random_dossier(rng: random.Random, code: str) -> dict:
    received = AS_OF - timedelta(days=rng.uniform(0, 120))
    status = rng.choice(STATUSES)
    completed = None
    if status in ("completed", "refused"):
        completed = min(received + timedelta(days=rng.uniform(0, 15)), AS_OF - timedelta(minutes=1))
    row = dossier(
        code,
        unit=rng.choice(UNITS),
        received=received,
        days=rng.choice((1, 3, 5, 10)),
        status=status,
        completed=completed,
        channel=rng.choice(("counter", "postal", "online_partial", "online_full")),
        supplements=rng.choice((0, 0, 0, 1, 2)),
        procedure=rng.choice(("HT-KH", "TP-LLTP", "CT-BS")),
        rating=rng.choice((None, None, "satisfied", "neutral", "dissatisfied")),
    )
    if rng.random() < 0.3:
        row["apology_at"] = row["due_original_at"] - timedelta(hours=1)
        row["apology_new_due_at"] = row["due_original_at"] + timedelta(days=3)
    row["source_updated_at"] = min(completed or received + timedelta(hours=1), AS_OF - timedelta(minutes=1))
    return row


def random_feedback(rng: random.Random, code: str) -> dict:
    received = AS_OF - timedelta(days=rng.uniform(0, 60))
    status = rng.choice(("open", "processing", "answered", "answered", "rejected"))
    answered = min(received + timedelta(days=rng.uniform(0, 20)), AS_OF) if status == "answered" else None
    return {
        "native_id": code,
        "unit": rng.choice(UNITS),
        "category": "Giao thông",
        "channel": "hotline",
        "received_at": received,
        "due_at": received + timedelta(days=10) if rng.random() < 0.9 else None,
        "answered_at": answered,
        "status": status,
        "rating": rng.choice((None, "satisfied", "neutral")),
        "lat": None,
        "lon": None,
        "source_updated_at": answered or received,
    }


def comparable(result: dict) -> dict:
    return {key: {k: v for k, v in vars(value).items()} for key, value in result.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_raw_recount_after_inserts_updates_and_lien_thong(store, clock, settings, tmp_path, seed):
    rng = random.Random(seed)
    settings = settings.model_copy(update={"chunk_size": 37})
    a, b = SourceDB(f"sqlite:///{tmp_path / 'a.sqlite'}"), SourceDB(f"sqlite:///{tmp_path / 'b.sqlite'}")
    rows_a = [random_dossier(rng, f"D-{i}") for i in range(150)]
    rows_b = [random_dossier(rng, f"D-{i}") if i < 20 else random_dossier(rng, f"B-{i}") for i in range(60)]
    a.insert("dossiers", *rows_a)
    a.insert("feedback", *[random_feedback(rng, f"F-{i}") for i in range(40)])
    b.insert("dossiers", *rows_b)  # D-0..D-19 are seen by both sources (liên thông)
    sources = [SourceConfig(name=n, unit="quan-1", url=db.url, profile="motcua_v1") for n, db in (("a", a), ("b", b))]
    clock.set(AS_OF - timedelta(hours=2))
    ingestor = Ingestor(store, clock, settings)
    for source in sources:
        ingestor.pull(source)
    for row in rng.sample(rows_a, 40):  # later changes: completions, withdrawals, new dues, re-opened ones
        changed = random_dossier(rng, row["native_code"])
        changed["source_updated_at"] = AS_OF - timedelta(minutes=30)
        a.update("dossiers", changed)
    clock.set(AS_OF)
    for source in sources:
        ingestor.pull(source)

    calendar = default_calendar()
    for as_of in (AS_OF, AS_OF - timedelta(days=3, hours=5), AS_OF.replace(hour=0, minute=0)):
        for period in PERIODS:
            rolled = unit_kpis(store, calendar, period, as_of)
            raw = unit_kpis(store, calendar, period, as_of, source="raw")
            assert comparable(rolled) == comparable(raw), (period, as_of)
    assert unit_kpis(store, calendar, "ytd", AS_OF)["quan-1"].received > 0

    def tables():
        with store.engine.connect() as conn:
            return {
                name: sorted(tuple(r) for r in conn.execute(select(t)) if any(r[len(t.primary_key.columns) :]))
                for name, t in ROLLUP_TABLES.items()
            }

    maintained = tables()
    assert store.rollups.rebuild(calendar) == 150 + 60 + 40  # every stored row
    assert tables() == maintained


@pytest.mark.parametrize(
    ("first", "last", "days", "weeks"),
    [
        # Wed 30/10/2019 .. Thu 28/11/2019 (a 30-day period): Wed–Sun, four whole weeks from Mon 4/11, Mon–Thu
        (
            date(2019, 10, 30),
            date(2019, 11, 28),
            [(date(2019, 10, 30), date(2019, 11, 3)), (date(2019, 11, 25), date(2019, 11, 28))],
            [(date(2019, 11, 4), date(2019, 11, 18))],
        ),
        # Mon 4/11 .. Sun 17/11: exactly two weeks, no leftover days
        (date(2019, 11, 4), date(2019, 11, 17), [], [(date(2019, 11, 4), date(2019, 11, 11))]),
        # Tue 5/11 .. Mon 11/11: seven days but no whole week
        (date(2019, 11, 5), date(2019, 11, 11), [(date(2019, 11, 5), date(2019, 11, 11))], []),
        # one day; an empty range
        (date(2019, 11, 27), date(2019, 11, 27), [(date(2019, 11, 27), date(2019, 11, 27))], []),
        (date(2019, 11, 28), date(2019, 11, 27), [], []),
    ],
)
def test_week_split_reads_whole_weeks_and_only_the_days_around_them(first, last, days, weeks):
    assert week_split(first, last) == (days, weeks)


def _processing_rows(conn, table, column):
    rows = conn.execute(select(table.c.unit_key, table.c[column], table.c.half_days, table.c.n)).all()
    return sorted(tuple(r) for r in rows)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0005_fills_the_weekly_histogram_from_the_daily_one(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if backend == "sqlite" else request.getfixturevalue("pg_schema_url")
    store = Store(url)
    store.migrate("0004")  # a store as the previous release left it
    with store.engine.begin() as conn:
        conn.execute(
            insert(roll_processing),
            [
                {"unit_key": "760", "day": date(2019, 11, 24), "half_days": 3, "n": 2},  # Sunday: week of 18/11
                {"unit_key": "760", "day": date(2019, 11, 25), "half_days": 3, "n": 5},  # Monday: week of 25/11
                {"unit_key": "760", "day": date(2019, 11, 27), "half_days": 3, "n": 1},
                {"unit_key": "760", "day": date(2019, 11, 27), "half_days": 8, "n": 4},
                {"unit_key": "770", "day": date(2019, 11, 18), "half_days": 3, "n": 7},
            ],
        )
    store.migrate()
    with store.engine.connect() as conn:
        assert _processing_rows(conn, roll_processing_week, "week") == [
            ("760", date(2019, 11, 18), 3, 2),
            ("760", date(2019, 11, 25), 3, 6),
            ("760", date(2019, 11, 25), 8, 4),
            ("770", date(2019, 11, 18), 3, 7),
        ]
    assert store.rollups.processing_histogram(date(2019, 11, 18), date(2019, 11, 27)) == [
        ("760", 3, 8),
        ("760", 8, 4),
        ("770", 3, 7),
    ]
    store.dispose()
