"""Backfill benchmark: a PostgreSQL source of N dossiers (profile egov_pg) pulled into an empty store, against a raw
psycopg `SELECT *` of the same table in the same run; and the reader's keyset page mid-table, row-value form against
the OR form it replaced.

    python bench/backfill.py [--rows 200000] [--chunk 5000] [--store sqlite|postgresql] [--cprofile FILE]

Prints rows/s of the backfill and of the raw read, and their ratio (issue 16's target: ≥ 50 %); and the floor of any
backfill into that store: the same rows written again, as stored, into an empty table like `dossiers`. The source is a
fresh schema of the local PostgreSQL (`--pg-url`), with an index on (modified_at, application_no), dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import MetaData, create_engine, select, text  # noqa: E402

from dashboard.core.clock import SystemClock  # noqa: E402
from dashboard.core.reference import load_procedures, load_units  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.ingest.pull import Ingestor  # noqa: E402
from dashboard.ingest.sources_file import SourceConfig  # noqa: E402
from dashboard.store import Store, schema  # noqa: E402
from dashboard.store.rollups import upsert_many  # noqa: E402
from data_sources.profiles import load_profile  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PROCEDURES = ["HT-KS", "HT-KH", "HT-KT", "DD-CGCN", "XD-GPXD"]
COLUMNS = [
    "application_no",
    "agency_code",
    "service_code",
    "channel_id",
    "submitted_at",
    "due_at",
    "revised_due_at",
    "completed_at",
    "status_id",
    "supplement_count",
    "apology_issued_at",
    "apology_due_at",
    "satisfaction",
    "modified_at",
]


def source_rows(n: int, seed: int = 2019) -> list[tuple]:
    """n dossiers of District 1 (code 760) received over 2019, a third still open; about 4 share each modified_at."""
    rng = random.Random(seed)
    first = datetime(2019, 1, 2, 1, 0, tzinfo=UTC)
    rows = []
    for i in range(n):
        received = first + timedelta(seconds=i * 30 + rng.randrange(30))
        due = received + timedelta(days=rng.choice((1, 3, 5, 10)))
        done = rng.random() < 0.67
        completed = received + timedelta(hours=rng.randrange(1, 300)) if done else None
        modified = first + timedelta(seconds=(i // 4) * 120)  # ties of four on the cursor
        status = rng.choice((5, 6)) if done else rng.choice((1, 2, 3))
        rating = rng.choice((None, 1, 3, 4, 5)) if done else None
        channel = rng.randrange(1, 5)
        rows.append(
            (f"A{i:09}", "760", rng.choice(PROCEDURES), channel, received, due, None, completed, status, 0)
            + (None, None, rating, modified)
        )
    return rows


def build_source(admin_url: str, schema: str, rows: list[tuple]) -> str:
    """The source schema with its table, rows, (cursor, key) index and statistics; returns its URL."""
    url = f"{admin_url}?options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    profile, metadata = load_profile("egov_pg"), MetaData()
    for stream in profile.streams:  # the feedback table stays empty
        profile.table(stream, metadata)
    metadata.create_all(engine)
    engine.dispose()
    with psycopg.connect(_dsn(admin_url), options=f"-csearch_path={schema}") as conn:
        with conn.cursor().copy(f"COPY application ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute("CREATE INDEX application_cursor ON application (modified_at, application_no)")
        conn.execute("ANALYZE application")
    return url


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def raw_read(admin_url: str, schema: str) -> tuple[int, float]:
    """(rows, seconds) of a plain `SELECT *` of the table through psycopg."""
    with psycopg.connect(_dsn(admin_url), options=f"-csearch_path={schema}") as conn:
        began = time.perf_counter()
        rows = conn.execute("SELECT * FROM application").fetchall()
        return len(rows), time.perf_counter() - began


def page_ms(admin_url: str, schema: str, chunk: int) -> dict[str, tuple[float, int]]:
    """The page after the middle row, in the row-value form and in the OR form: (server execution ms, best of
    three, from EXPLAIN ANALYZE; rows read and thrown away by a filter)."""
    with psycopg.connect(_dsn(admin_url), options=f"-csearch_path={schema}") as conn:
        count = conn.execute("SELECT count(*) FROM application").fetchone()[0]  # type: ignore[index]
        x, y = conn.execute(
            "SELECT modified_at, application_no FROM application ORDER BY 1, 2 OFFSET %s LIMIT 1", (count // 2,)
        ).fetchone()  # type: ignore[misc]
        head = "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM application WHERE modified_at IS NOT NULL AND "
        tail = " ORDER BY modified_at, application_no LIMIT %s"
        forms = {
            "row_value": (head + "(modified_at, application_no) > (%s, %s)" + tail, (x, y, chunk)),
            "or_form": (
                head + "(modified_at > %s OR (modified_at = %s AND application_no > %s))" + tail,
                (x, x, y, chunk),
            ),
        }
        timings = {}
        for name, (sql, params) in forms.items():
            runs = [conn.execute(sql, params).fetchone()[0][0] for _ in range(3)]  # type: ignore[index]
            removed = sum(node.get("Rows Removed by Filter", 0) for node in _nodes(runs[0]["Plan"]))
            timings[name] = (min(run["Execution Time"] for run in runs), removed)
        return timings


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def backfill(source_url: str, store_urls: tuple[str, str], data_dir: Path, chunk: int, profile_to: Path | None):
    """(the pull's result, rows held, seconds, the write floor's seconds) of the first pull of the source into a new
    store at the first URL; the floor (`write_floor`) into one at the second."""
    store = Store(store_urls[0])
    store.migrate()
    store.seed_reference(load_units(), load_procedures())
    assert store.hold_lease("bench-backfill", duration_s=60).acquire()
    settings = Settings(data_dir=data_dir, chunk_size=chunk, pull_timeout_s=600, safety_lag_s=0)
    ingestor = Ingestor(store, SystemClock(), settings)
    source = SourceConfig(name="quan-1", unit="quan-1", url=source_url, profile="egov_pg")
    profiler = cProfile.Profile() if profile_to else None
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    dossiers, _feedback = ingestor.pull(source)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - began
    held = store.count("dossiers")
    if profiler and profile_to:
        profiler.dump_stats(profile_to)
    floor_s = write_floor(store, store_urls[1])
    store.lease.release()  # type: ignore[union-attr]
    store.dispose()
    return dossiers, held, seconds, floor_s


def write_floor(store: Store, floor_url: str) -> float:
    """Seconds to write the stored dossier rows again, as they are, into the empty `dossiers` table (its indexes
    included) of a new store at `floor_url`, by the store's fastest path (`upsert_many` of fresh rows): no read,
    no mapping, no rollups — the floor of any backfill that writes the store."""
    with store.engine.connect() as conn:
        rows = [{k: v for k, v in r.items() if k != "id"} for r in conn.execute(select(schema.dossiers)).mappings()]
    floor = Store(floor_url)
    floor.migrate()
    try:
        began = time.perf_counter()
        with floor.engine.begin() as conn:
            upsert_many(conn, floor._insert, schema.dossiers, ["source", "native_code"], rows, fresh=True)
        seconds = time.perf_counter() - began
        if floor.count("dossiers") != len(rows):
            raise RuntimeError(f"the floor's table holds {floor.count('dossiers'):,} rows, not {len(rows):,}")
        return seconds
    finally:
        floor.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL server for the source (and a PG store)")
    parser.add_argument("--cprofile", type=Path, default=None, help="write the backfill's cProfile stats here")
    parser.add_argument("--out", type=Path, default=None, help="write backfill.json here")
    args = parser.parse_args(argv)

    tag = uuid.uuid4().hex[:10]
    source_schema, store_schemas = f"bench_src_{tag}", (f"bench_store_{tag}", f"bench_floor_{tag}")
    admin = create_engine(args.pg_url)
    status = 1
    with tempfile.TemporaryDirectory() as folder:
        try:
            rows = source_rows(args.rows)
            source_url = build_source(args.pg_url, source_schema, rows)
            raw_rows, raw_s = raw_read(args.pg_url, source_schema)
            pages = page_ms(args.pg_url, source_schema, args.chunk)
            if args.store == "sqlite":
                urls = (f"sqlite:///{Path(folder) / 'store.sqlite'}", f"sqlite:///{Path(folder) / 'floor.sqlite'}")
            else:
                with admin.begin() as conn:
                    for schema_name in store_schemas:
                        conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
                store, floor = (f"{args.pg_url}?options=-csearch_path%3D{name}" for name in store_schemas)
                urls = (store, floor)
            result, held, backfill_s, floor_s = backfill(source_url, urls, Path(folder), args.chunk, args.cprofile)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{source_schema}" CASCADE'))
                for schema_name in store_schemas:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
            admin.dispose()
    raw_rate, backfill_rate, floor_rate = raw_rows / raw_s, result.rows_read / backfill_s, held / floor_s
    figures = {
        "rows": args.rows,
        "chunk": args.chunk,
        "store": args.store,
        "raw_rows_per_s": round(raw_rate),
        "backfill_rows_per_s": round(backfill_rate),
        "ratio": round(backfill_rate / raw_rate, 4),
        "write_floor_rows_per_s": round(floor_rate),
        "write_floor_ratio": round(floor_rate / raw_rate, 4),
        "page_ms_row_value": round(pages["row_value"][0], 2),
        "page_ms_or_form": round(pages["or_form"][0], 2),
        "page_rows_thrown_away_row_value": pages["row_value"][1],
        "page_rows_thrown_away_or_form": pages["or_form"][1],
        "outcome": result.outcome,
        "rows_read": result.rows_read,
        "rows_stored": result.rows_stored,
        "rows_rejected": result.rows_rejected,
        "rows_held": held,
    }
    out = io.StringIO()
    print(f"backfill of a {args.rows:,}-row PostgreSQL source into an empty {args.store} store", file=out)
    print(f"  raw psycopg SELECT *     {raw_rate:>12,.0f} rows/s  ({raw_s:.2f} s)", file=out)
    print(f"  backfill (pull)          {backfill_rate:>12,.0f} rows/s  ({backfill_s:.2f} s)", file=out)
    print(f"  ratio (backfill ÷ raw)   {backfill_rate / raw_rate:>12.1%}   target: ≥ 50 %", file=out)
    print(
        f"  floor: the rows written  {floor_rate:>12,.0f} rows/s  ({floor_s:.2f} s, {floor_rate / raw_rate:.1%} of raw;",
        file=out,
    )
    print("         again into an empty dossiers table with its indexes — no read, mapping or rollups)", file=out)
    for name, label in (("row_value", "(c, k) > (x, y)       "), ("or_form", "c > x OR (c = x AND …)")):
        ms, removed = pages[name]
        print(f"  page mid-table, {label}  {ms:>8.1f} ms on the server, {removed:,} rows thrown away", file=out)
    print(
        f"  outcome {result.outcome}: {result.rows_read:,} read, {result.rows_stored:,} stored, "
        f"{result.rows_rejected:,} rejected, {held:,} held",
        file=out,
    )
    print(out.getvalue(), end="")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "backfill.json").write_text(json.dumps(figures, indent=2), "utf-8")
    status = 0 if result.outcome == "ok" and held + result.rows_rejected == args.rows else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
