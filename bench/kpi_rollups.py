"""KPI benchmark: every unit's KPIs for a 30-day period, from the rollups and from raw rows, in the same run.

    python bench/kpi_rollups.py --dossiers 10000000 [--store-url URL] [--keep] [--fresh] [--out DIR]

Builds a store of N dossiers from 53 sources (or reuses one that already holds them), rebuilds the rollups,
times `unit_kpis(..., "30d", as_of)` from rollups (median of ≥ 20 runs) and from raw rows (median of ≥ 3),
checks that both give the same KPIs, and prints the figures against the targets: under 50 ms, and over 100×
faster than raw. The figures also go to `<out>/kpi_rollups.json`. Exit status 1 when the two disagree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script (python bench/kpi_rollups.py): make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, make_url, select, text  # noqa: E402

from bench.loader import Loader  # noqa: E402
from bench.synthetic import (  # noqa: E402
    DOSSIER_COLUMNS,
    FEEDBACK_COLUMNS,
    Generator,
    Plan,
    as_of_default,
    benchmark_units,
)
from dashboard.core.clock import CITY_TZ  # noqa: E402
from dashboard.core.reference import load_procedures, load_units  # noqa: E402
from dashboard.core.workdays import WorkCalendar, default_calendar  # noqa: E402
from dashboard.metrics.kpis import UnitKpis  # noqa: E402
from dashboard.pages.kpis import unit_kpis  # noqa: E402
from dashboard.store import Store  # noqa: E402
from dashboard.store.schema import dossiers, feedback, metadata, roll_dossier_day  # noqa: E402

PERIOD = "30d"
TARGET_MS = 50.0
TARGET_RATIO = 100.0
DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=10_000_000, help="dossiers in the store (default 10M)")
    parser.add_argument("--store-url", help="SQLAlchemy URL (default: a SQLite file in --out)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the JSON figures go (default bench/out)")
    parser.add_argument("--keep", action="store_true", help="keep a store this run built, to rerun measurement only")
    parser.add_argument("--fresh", action="store_true", help="rebuild the store even if it already holds N dossiers")
    parser.add_argument("--runs", type=int, default=20, help="timed runs from the rollups (median; default 20)")
    parser.add_argument("--raw-runs", type=int, default=3, help="timed runs from raw rows (median; default 3)")
    parser.add_argument("--chunk", type=int, default=500_000, help="rows generated and inserted at a time")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(message, flush=True)


# --- the store -----------------------------------------------------------------------------------------
def _drop_store(url: str) -> None:
    """Remove a benchmark store: the SQLite file, or the app's tables in a PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    store = Store(url)
    metadata.drop_all(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.dispose()


def _counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        n_dossiers, n_feedback, n_rollups = (
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (dossiers, feedback, roll_dossier_day)
        )
        return n_dossiers, n_feedback, n_rollups


def open_store(url: str, plan: Plan, owned: bool, fresh: bool) -> tuple[Store, bool]:
    """The store, migrated and seeded, and whether it already holds the plan's rows and rollups."""
    if fresh:
        _drop_store(url)
    store = Store(url)
    store.migrate()
    store.seed_reference(load_units(), load_procedures())
    store.hold_lease("bench").acquire()  # the benchmark writes its store: it is the one writer
    n_dossiers, n_feedback, n_rolled = _counts(store)
    if n_dossiers == plan.dossiers and n_feedback == plan.feedback and n_rolled:
        return store, True
    if n_dossiers or n_feedback:
        if not owned:
            store.dispose()
            raise SystemExit(
                f"{url}: the store holds {n_dossiers:,} dossiers and {n_feedback:,} feedback items, not "
                f"{plan.dossiers:,} and {plan.feedback:,}: give an empty database, or --fresh to replace its tables"
            )
        store.dispose()
        _drop_store(url)
        return open_store(url, plan, owned, fresh=False)
    return store, False


def build(url: str, plan: Plan, calendar: WorkCalendar) -> float:
    """Generate and load the plan's dossiers and feedback; returns seconds taken."""
    started = time.perf_counter()
    generator = Generator(plan, load_units(), load_procedures(), calendar)
    loader = Loader(url)

    def progress(name: str, total: int) -> Callable[[int, float], None]:
        return lambda done, spent: say(f"  {name:<9} {done:>12,} / {total:,}  {done / max(spent, 1e-9):>10,.0f} rows/s")

    say(f"Generating and loading {plan.dossiers:,} dossiers in chunks of {plan.chunk:,} …")
    loader.load(dossiers, DOSSIER_COLUMNS, generator.dossier_chunks(), progress("dossiers", plan.dossiers))
    loader.load(feedback, FEEDBACK_COLUMNS, generator.feedback_chunks(), progress("feedback", plan.feedback))
    loader.dispose()
    spent = time.perf_counter() - started
    say(f"  built in {spent:,.1f} s ({(plan.dossiers + plan.feedback) / spent:,.0f} rows/s, indexes included)")
    return spent


def rebuild(store: Store, calendar: WorkCalendar, total: int) -> float:
    say("Rebuilding the rollups (store.rollups.rebuild) …")
    started, seen = time.perf_counter(), [0, 0]

    def progress(rows: int) -> None:
        seen[0] += rows
        if seen[0] - seen[1] >= 1_000_000 or seen[0] >= total:
            seen[1] = seen[0]
            say(f"  processing times checked for {seen[0]:>12,} dossiers  ({time.perf_counter() - started:,.1f} s)")

    store.rollups.rebuild(calendar, progress=progress)
    spent = time.perf_counter() - started
    say(f"  rollups rebuilt in {spent:,.1f} s")
    return spent


# --- measuring ----------------------------------------------------------------------------------------
def timed_runs(compute: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """One warm-up, then `runs` timed runs; returns the last result and each run's milliseconds."""
    result, times = compute(), []
    for _ in range(runs):
        started = time.perf_counter()
        result = compute()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def mismatches(rolled: dict[str, UnitKpis], raw: dict[str, UnitKpis]) -> list[str]:
    """Every unit and field where the two computations differ."""
    problems = [f"{unit}: only in {'rollups' if unit in rolled else 'raw'}" for unit in sorted(set(rolled) ^ set(raw))]
    for unit in sorted(set(rolled) & set(raw)):
        for f in fields(UnitKpis):
            a, b = getattr(rolled[unit], f.name), getattr(raw[unit], f.name)
            if a != b:
                problems.append(f"{unit}.{f.name}: rollups {a!r} ≠ raw {b!r}")
    return problems


def _raw_open(name: str, received_after: Any) -> str:
    return f"raw.{name}" + (" (received after as-of)" if received_after is not None else "")


@contextmanager
def breakdown(store: Store) -> Iterator[dict[str, float]]:
    """Milliseconds spent in each store read while the block runs (instance wrappers, removed on exit)."""
    spent: dict[str, float] = {}
    wrapped: list[tuple[Any, str]] = []

    def wrap(owner: Any, name: str, label: Callable[..., str]) -> None:
        if not hasattr(owner, name):
            return
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                spent[key] = spent.get(key, 0.0) + (time.perf_counter() - started) * 1000

        setattr(owner, name, timed)
        wrapped.append((owner, name))

    wrap(store.rollups, "day_totals", lambda table, *a, **k: f"rollups.day_totals({table.name})")
    wrap(store.rollups, "processing_histogram", lambda *a, **k: "rollups.processing_histogram")
    wrap(store.rollups, "open_backlog", lambda *a, **k: "rollups.open_backlog")
    wrap(store.rollups, "open_backlog_bucketed", lambda *a, **k: "rollups.open_backlog_bucketed")
    wrap(store.rollups, "open_feedback", lambda *a, **k: "rollups.open_feedback")
    wrap(store.raw, "_grouped", lambda stmt, unit, table: f"raw.{table.name} {stmt.selected_columns[1].name}")
    wrap(store.raw, "processing", lambda *a, **k: "raw.dossiers processing")
    wrap(store.raw, "open_backlog", lambda *a, received_after=None, **k: _raw_open("open_backlog", received_after))
    wrap(store.raw, "open_feedback", lambda *a, received_after=None, **k: _raw_open("open_feedback", received_after))
    try:
        yield spent
    finally:
        for owner, name in wrapped:
            delattr(owner, name)


def profile(compute: Callable[[], Any], store: Store) -> dict[str, float]:
    """One instrumented run: each store read's milliseconds, and the rest (Python) as `python`."""
    with breakdown(store) as spent:
        started = time.perf_counter()
        compute()
        total = (time.perf_counter() - started) * 1000
    spent["python (backlog ageing, assembly)"] = total - sum(spent.values())
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


# --- reporting ----------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(figures: dict[str, Any]) -> str:
    f = figures
    build = "reused (built by an earlier run)" if f["reused"] else f"{f['build_s']:,.1f} s"
    rebuild_s = "reused" if f["reused"] else f"{f['rebuild_s']:,.1f} s"
    lines = [
        "",
        f"KPI benchmark: every unit's KPIs for period {f['period']} ending {f['as_of']}",
        f"  {'dossiers':<26}{f['dossiers']:>14,}   (+ {f['feedback']:,} feedback items)",
        f"  {'sources':<26}{f['sources']:>14}",
        f"  {'store':<26}{f['store']:>14}   {f['store_url']}",
        f"  {'build (generate + load)':<26}{build:>14}",
        f"  {'rollup rebuild':<26}{rebuild_s:>14}",
        f"  {'units':<26}{f['units']:>14}",
        f"  {'from rollups':<26}{f['rollups_ms']:>11,.1f} ms   median of {len(f['rollups_runs_ms'])}",
        f"  {'from raw rows':<26}{f['raw_ms']:>11,.1f} ms   median of {len(f['raw_runs_ms'])}",
        f"  {'ratio (raw ÷ rollups)':<26}{f['ratio']:>13,.1f}×",
        f"  {'rollups and raw agree':<26}{'yes' if f['agree'] else 'NO':>14}",
        f"  target: rollups < {TARGET_MS:.0f} ms    {f['rollups_ms']:>10,.1f} ms   {verdict(f['pass_time'])}",
        f"  target: ratio > {TARGET_RATIO:.0f}×       {f['ratio']:>10,.1f}×    {verdict(f['pass_ratio'])}",
        "",
        "Where one run's time goes (ms), from rollups / from raw rows:",
    ]
    for name in dict.fromkeys([*f["rollups_breakdown_ms"], *f["raw_breakdown_ms"]]):
        rolled, raw = f["rollups_breakdown_ms"].get(name), f["raw_breakdown_ms"].get(name)
        cells = [f"{v:>10,.1f}" if v is not None else f"{'—':>10}" for v in (rolled, raw)]
        lines.append(f"  {name:<40}{cells[0]}  {cells[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    owned = args.store_url is None
    url = args.store_url or f"sqlite:///{args.out / f'kpi_rollups_{args.dossiers}.sqlite'}"
    plan = Plan(dossiers=args.dossiers, as_of=as_of_default(), chunk=args.chunk)
    calendar = default_calendar()
    store, reused = open_store(url, plan, owned, args.fresh)
    build_s = rebuild_s = None
    try:
        if reused:
            say(f"Reusing the store: it already holds {plan.dossiers:,} dossiers and their rollups.")
        else:
            store.dispose()
            build_s = build(url, plan, calendar)
            rebuild_s = rebuild(store, calendar, plan.dossiers)

        def from_rollups():
            return unit_kpis(store, calendar, PERIOD, plan.as_of)

        def from_raw():
            return unit_kpis(store, calendar, PERIOD, plan.as_of, source="raw")

        say(f"Timing unit_kpis from rollups ({args.runs} runs) and from raw rows ({args.raw_runs} runs) …")
        rolled, rolled_ms = timed_runs(from_rollups, max(args.runs, 1))
        raw, raw_ms = timed_runs(from_raw, max(args.raw_runs, 1))
        problems = mismatches(rolled, raw)
        rollups_median, raw_median = statistics.median(rolled_ms), statistics.median(raw_ms)
        ratio = raw_median / rollups_median
        figures = {
            "dossiers": plan.dossiers,
            "feedback": plan.feedback,
            "sources": len(benchmark_units(load_units(), plan.as_of.astimezone(CITY_TZ).date())),
            "units": len(rolled),
            "store": store.engine.dialect.name,
            "store_url": make_url(url).render_as_string(hide_password=True),
            "period": PERIOD,
            "as_of": plan.as_of.isoformat(),
            "reused": reused,
            "build_s": build_s,
            "rebuild_s": rebuild_s,
            "rollups_ms": rollups_median,
            "rollups_runs_ms": rolled_ms,
            "raw_ms": raw_median,
            "raw_runs_ms": raw_ms,
            "ratio": ratio,
            "target_ms": TARGET_MS,
            "target_ratio": TARGET_RATIO,
            "pass_time": rollups_median < TARGET_MS,
            "pass_ratio": ratio > TARGET_RATIO,
            "agree": not problems,
            "mismatches": problems[:100],
            "rollups_breakdown_ms": profile(from_rollups, store),
            "raw_breakdown_ms": profile(from_raw, store),
        }
        (args.out / "kpi_rollups.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        say(report(figures))
        if problems:
            say(f"\n!!! MISMATCH: rollups and raw rows disagree on {len(problems)} unit fields:")
            for problem in problems[:20]:
                say(f"!!!   {problem}")
            return 1
        return 0
    finally:
        store.dispose()
        if not reused and not args.keep:
            _drop_store(url)


if __name__ == "__main__":
    sys.exit(main())
