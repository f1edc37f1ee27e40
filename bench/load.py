"""Load benchmark: N viewers — walls and unit tiles — polling a production server while the data changes.

    python bench/load.py [--viewers 8,50,200] [--seconds 30] [--change-every 2] [--store sqlite|postgresql]
                         [--tile-share 0.5] [--tile-units 4] [--workers 2] [--threads 16] [--speed 1200]

What it runs: the demo's simulated district databases and a store of its own (`dashboard.demo.prepare`, a small
scale) — SQLite in the run's folder, or a fresh schema of the local PostgreSQL (`--pg-url`, dropped at the end) —
served by gunicorn as the README documents it (`-k gthread`), with the shared Redis cache at 127.0.0.1:6379 (a key
prefix of its own, removed at the end); a writer in this process advancing the simulated offices and pulling a few
sources every --change-every seconds (a new data version each time); and N viewers — in processes of their own, at
most 100 a process, so that neither the writer nor too many other viewers hold up a viewer's timing. Of the N, a
`--tile-share` are unit heads on their tile (signed in, spread over the first `--tile-units` units: /unit/<key>), the
rest walls (the kiosk address); each opens its page once and then polls as the browser does, with the page's real
refresh payload (every part and graph it refreshes, the key it shows) every `refresh_ms`, keeping the key each answer
says it shows.

Prints per N: walls and tiles, polls, errors, p50/p95/p99 of a poll (and the p95 of walls and of tiles; and of the
polls' time inside gunicorn's workers, from its access log — the viewers' own figure adds the wait for a free thread
and their own processes on the same cores), data changes seen, the web workers' store statements per data change
(from /metrics, `cchc_web_store_statements_total` of each worker) and their CPU time per poll (from /proc: what a
poll costs, steadier than its latency on a shared machine), against the figures at N = the first --viewers value
(the baseline of the same run; the default's 8 viewers already show every distinct page of the larger runs: the
wall and the tiles of 4 units). Targets (issue 16): p95 ≤ 250 ms, 0 errors, data every 2 s, and statements per
change that do not grow with N.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from callbacks import wall as wall_callbacks  # noqa: E402
from dashboard import demo  # noqa: E402
from dashboard.auth.roles import API_READER  # noqa: E402
from dashboard.core.cache import cache_of  # noqa: E402
from dashboard.core.clock import CITY_TZ, city_time  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.core.workdays import OFFICE_BLOCKS, WorkCalendar  # noqa: E402
from dashboard.ingest.pull import Ingestor  # noqa: E402
from dashboard.web.app import create_app  # noqa: E402
from layouts.ids import ShellIds, UnitIds, WallIds  # noqa: E402
from layouts.unit import UNIT_PATH  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/0"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REFRESH_MS = 2000  # data every 2 s (the issue's harder case)
SPEED = 1200.0  # simulated seconds a real second: the small demo city's offices receive dossiers every change
# (--speed: at 1 / --scale the demo city receives dossiers at the real city's rate, about one every 2 s)


def office_morning(now: datetime, calendar: WorkCalendar) -> datetime:
    """When the simulated offices start: the opening of the latest working day that has opened by `now`. Started at
    now, a run in the evening or on a weekend saw its offices closed at once and the data hardly change; from the
    opening, the offices' clock (`OfficeClock`) runs over office hours only."""
    opening = OFFICE_BLOCKS[0][0]
    day = city_time(now).date()
    while not calendar.is_working_day(day) or datetime.combine(day, opening, CITY_TZ) > now:
        day -= timedelta(days=1)
    return datetime.combine(day, opening, CITY_TZ)


class OfficeClock:
    """The simulated offices' time: `speed` office seconds a real second from `start`, over office hours only — at
    closing it goes on at the next working day's opening, so every round of a long run (8, 50 and 200 viewers: some
    40 simulated office hours at the default speed) sees dossiers arrive and change, not an evening or a weekend."""

    def __init__(self, start: datetime, speed: float, calendar: WorkCalendar) -> None:
        self.start, self.speed, self.calendar = start, speed, calendar
        self.began = time.monotonic()

    def now(self) -> datetime:
        office_hours = (time.monotonic() - self.began) * self.speed / 3600
        return self.calendar.due_after_working_hours(self.start, office_hours).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wall_outputs(services) -> tuple[str, list[str], list[str]]:
    """The refresh callback's name (how Dash finds it) and the wall's parts and graphs as its page has them (the
    ids the browser's refresh payload lists)."""
    app = create_app(services)
    [output] = [key for key in app.callback_map if f"{WallIds.SEEN}.data" in key and "..." in key]
    page = wall_callbacks.page(services, cache_of(app), "vi", "/wall", "")
    parts, graphs = [], []
    for component in page._traverse():  # noqa: SLF001  (Dash's own walk over a layout)
        ident = getattr(component, "id", None)
        if isinstance(ident, dict) and ident.get("type") == WallIds.VIEW_BODY:
            parts.append(ident["part"])
        elif isinstance(ident, dict) and ident.get("type") == WallIds.GRAPH:
            graphs.append(ident["name"])
    return output, parts, graphs


def payload(
    output: str, parts: list[str], graphs: list[str], seen: list | None, scale: float, search: str = ""
) -> dict:
    """The refresh callback's request as the browser sends it (tests/web/test_ready.py sends it too)."""
    return {
        "output": output,
        "outputs": [
            {"id": WallIds.HEADER, "property": "className"},
            {"id": WallIds.SOURCES, "property": "children"},
            {"id": WallIds.TIMES, "property": "data"},
            [{"id": {"part": p, "type": WallIds.VIEW_BODY}, "property": "children"} for p in parts],
            [{"id": {"name": g, "type": WallIds.GRAPH}, "property": "figure"} for g in graphs],
            {"id": WallIds.TICKER, "property": "children"},
            {"id": WallIds.POLL, "property": "interval"},
            {"id": WallIds.SEEN, "property": "data"},
        ],
        "inputs": [
            {"id": WallIds.POLL, "property": "n_intervals", "value": 1},
            {"id": WallIds.SCALE, "property": "data", "value": scale},
        ],
        "state": [
            {"id": WallIds.SEEN, "property": "data", "value": seen},
            {"id": ShellIds.LOCATION, "property": "search", "value": search},
        ],
        "changedPropIds": [f"{WallIds.POLL}.n_intervals"],
    }


def tile_outputs(app) -> tuple[str, list[dict[str, str]]]:
    """The tile's refresh callback's name (how Dash finds it) and its outputs as the browser's payload lists them."""
    [output] = [key for key in app.callback_map if f"{UnitIds.SEEN}.data" in key]
    outputs = []
    for part in output[2:-2].split("..."):  # "..a.children...b.figure..": each output's id and property
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop})
    return output, outputs


def tile_payload(output: str, outputs: list[dict[str, str]], seen: list | None, pathname: str) -> dict:
    """The tile's refresh request as the browser sends it: its interval ticked, the key it shows, its address."""
    return {
        "output": output,
        "outputs": outputs,
        "inputs": [{"id": UnitIds.INTERVAL, "property": "n_intervals", "value": 1}],
        "state": [
            {"id": UnitIds.SEEN, "property": "data", "value": seen},
            {"id": ShellIds.LOCATION, "property": "pathname", "value": pathname},
            {"id": ShellIds.LOCATION, "property": "search", "value": "?lang=vi"},
        ],
        "changedPropIds": [f"{UnitIds.INTERVAL}.n_intervals"],
    }


@dataclass(frozen=True)
class Page:
    """What one viewer opens and polls: its kind (wall, tile), the address it opens once, its refresh payload (the
    shown key is the first state's value) and the output whose data is the key an answer shows."""

    kind: str
    url: str
    body: dict
    seen: str


class Viewer(threading.Thread):
    """One viewer: opens its page (with the process's signed-in session, for a tile), then polls every `REFRESH_MS`
    until `stop` is set."""

    def __init__(self, base: str, page: Page, stop: threading.Event, cookies=None) -> None:
        super().__init__(daemon=True)
        self.base, self.page, self.stop, self.cookies = base, page, stop, cookies
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.keys: set[int] = set()
        self.sizes: list[int] = []  # of the answers that carried a new key

    def run(self) -> None:
        session = requests.Session()
        session.headers["Origin"] = self.base.rstrip("/")  # as the browser's own page sends it
        if self.cookies is not None:
            session.cookies.update(self.cookies)
        opened = session.get(self.page.url, timeout=30)  # a wall's token for the device cookie; a tile's page
        if opened.status_code != 200 or not session.cookies or "/signin" in opened.url:
            self.errors.append(f"opening {self.page.kind}: {opened.status_code} {opened.url} {opened.text[:80]}")
        seen = None
        time.sleep(REFRESH_MS / 1000 * (hash(self.name) % 100) / 100)  # viewers do not poll in step
        while not self.stop.is_set():
            began = time.perf_counter()
            body = dict(self.page.body)
            body["state"] = [{**body["state"][0], "value": seen}, *body["state"][1:]]
            try:
                answer = session.post(f"{self.base}_dash-update-component", json=body, timeout=30)
                self.latencies.append(time.perf_counter() - began)
                if answer.status_code != 200:
                    self.errors.append(f"{answer.status_code} {answer.text[:80]}")
                elif answer.content:  # 204: nothing new
                    shown = answer.json().get("response", {}).get(self.page.seen)
                    if shown:
                        self.sizes.append(len(answer.content))
                        seen = shown["data"]
                        self.keys.add(seen[0])
            except (requests.RequestException, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:120])
            self.stop.wait(max(0.0, REFRESH_MS / 1000 - (time.perf_counter() - began)))


def signed_in(base: str, login: str, password: str) -> requests.cookies.RequestsCookieJar:
    """The cookies of a session signed in with the sign-in form (a tile viewer's, shared by a process's tiles as
    tabs of one browser share theirs)."""
    session = requests.Session()
    session.headers["Origin"] = base.rstrip("/")
    answer = session.post(f"{base}signin", data={"login": login, "password": password}, timeout=30)
    if answer.status_code != 200 or "/signin" in answer.url:
        raise RuntimeError(f"signing in as {login}: {answer.status_code} {answer.url}")
    return session.cookies


def pages_for(n: int, share: float, wall: Page, tiles: list[Page]) -> list[Page]:
    """N viewers: int(N × share) tiles, spread over `tiles` in turn, and walls for the rest."""
    count = int(n * share)
    return [tiles[i % len(tiles)] for i in range(count)] + [wall] * (n - count)


def statements(base: str, token: str, workers: int) -> dict[str, float]:
    """Each web worker's store statements so far (asked until every worker has answered once)."""
    found: dict[str, float] = {}
    for _ in range(50 * workers):
        text = requests.get(f"{base}metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30).text
        for pid, value in re.findall(r'cchc_web_store_statements_total\{pid="(\d+)"\} ([0-9.e+]+)', text):
            found[pid] = float(value)
        if len(found) >= workers:
            break
    return found


def workers_cpu_s(server_pid: int) -> float:
    """The CPU seconds (user and system) gunicorn's workers — the server's children — have used so far (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    used = 0.0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of proc(5))
    return used


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", default="8,50,200")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--change-every", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--scale", type=float, default=0.02, help="the demo's size (its share of the real city)")
    parser.add_argument("--speed", type=float, default=SPEED, help="office seconds a real second (1/scale: real)")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL server for a --store postgresql")
    parser.add_argument("--tile-share", type=float, default=0.5, help="the share of the viewers on a unit tile")
    parser.add_argument("--tile-units", type=int, default=4, help="how many units' tiles they watch")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.viewers.split(",")]
    prefix = f"bench-load-{uuid.uuid4().hex[:8]}"
    store_url, admin = None, None
    if args.store == "postgresql":
        admin, schema_name = create_engine(args.pg_url), prefix.replace("-", "_")
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        store_url = f"{args.pg_url}?options=-csearch_path%3D{schema_name}"
    try:
        return measure(args, counts, prefix, store_url)
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
            admin.dispose()


def measure(args, counts: list[int], prefix: str, store_url: str | None) -> int:
    """Every N of `counts` in turn against one server, on the store at `store_url` (None: SQLite in the run's
    folder); prints the table."""
    with tempfile.TemporaryDirectory() as folder:
        base_settings = Settings(data_dir=Path(folder), session_secret="b" * 40, refresh_ms=REFRESH_MS)
        start = office_morning(datetime.now(UTC), WorkCalendar.from_yaml(base_settings.holidays_file))
        simulated = demo.simulator(base_settings, scale=args.scale, start=start)
        print(f"building the demo (scale {args.scale}) …", flush=True)
        built = demo.prepare(base_settings, simulated, start, speed=args.speed, history_days=14, store_url=store_url)
        services = built.services
        output, parts, graphs = wall_outputs(services)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        signin = demo.demo_accounts(services, base)
        _, api_token = services.accounts.issue_token(
            "api", "bench", API_READER, set(), services.accounts.clock.now() + timedelta(days=1)
        )
        env = {
            **os.environ,
            "CCHC_DATA_DIR": str(services.settings.data_dir),
            "CCHC_SOURCES_FILE": str(services.settings.resolved_sources_file),
            "CCHC_SESSION_SECRET": services.settings.session_secret or "",
            "CCHC_CACHE_URL": REDIS_URL,
            "CCHC_CACHE_PREFIX": prefix,
            "CCHC_REFRESH_MS": str(REFRESH_MS),
            **({"CCHC_STORE_URL": store_url} if store_url else {}),
            "CCHC_SAFETY_LAG_S": str(services.settings.safety_lag_s),
        }
        command = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread"]
        command += ["--threads", str(args.threads), "--keep-alive", "10", "--timeout", "90", "-b", f"127.0.0.1:{port}"]
        access = Path(folder) / "access.log"  # each request's time inside gunicorn's worker (`server_p95`)
        command += ["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT]
        server = subprocess.Popen([*command, "dashboard.web.wsgi:server"], cwd=ROOT, env=env)
        try:
            for _ in range(120):
                try:
                    if requests.get(f"{base}healthz", timeout=2).status_code in (200, 503):
                        break
                except requests.RequestException:
                    time.sleep(0.5)
            eager = services.settings.model_copy(update={"safety_lag_s": 0.0})  # each tick's rows, pulled at once
            clock = OfficeClock(built.clock.now(), args.speed, services.calendar)
            ingestor = Ingestor(services.store, clock, eager, services.calendar)
            wall = Page("wall", signin.wall_url, payload(output, parts, graphs, None, 1.0), WallIds.SEEN)
            tile_output, tile_parts = tile_outputs(create_app(services))
            units = list(dict.fromkeys(source.unit for source in services.sources))[: args.tile_units]
            paths = [f"{UNIT_PATH}{key}" for key in units]
            tiles = [
                Page(
                    "tile", f"{base.rstrip('/')}{path}", tile_payload(tile_output, tile_parts, None, path), UnitIds.SEEN
                )
                for path in paths
            ]
            signin_as = signin.leader
            rows = [
                run_one(
                    args,
                    pages_for(n, args.tile_share, wall, tiles),
                    (base, server.pid, access),
                    signin_as,
                    api_token,
                    built,
                    ingestor,
                )
                for n in counts
            ]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
            services.store.dispose()
    first = rows[0]
    print(
        f"\n{'viewers':>7} {'walls':>5} {'tiles':>5} {'polls':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'wall p95':>8} {'tile p95':>8} {'srv p95':>7} {'changes':>7} {'stmts/change':>12} {'× N=' + str(first['n']):>8} {'cpu ms/poll':>11}"
    )
    for row in rows:
        ratio = row["per_change"] / first["per_change"] if first["per_change"] else float("nan")
        print(
            f"{row['n']:>7} {row['walls']:>5} {row['tiles']:>5} {row['polls']:>7} {row['errors']:>6} "
            f"{row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} {row['wall_p95']:>8.1f} {row['tile_p95']:>8.1f} "
            f"{row['server_p95']:>7.1f} {row['changes']:>7} {row['per_change']:>12.1f} {ratio:>8.2f} {row['cpu_ms_per_poll']:>11.2f}"
        )
    print(f"store: {args.store}; targets: p95 ≤ 250 ms, 0 errors, statements per change not growing with N")
    return 0


VIEWERS_PER_PROCESS = 100  # the viewers run in processes of their own: no writer nor too many viewers share a GIL


def watch(base: str, pages: list[Page], signin_as: tuple[str, str], ready, stop, results) -> None:
    """In a process of its own: a viewer per page opens and draws once (the tiles signed in, once for the process),
    then (after `ready` is told) polls until `stop`; their (kind, latency)s, errors and answer sizes go to
    `results`."""
    halt = threading.Event()
    cookies = signed_in(base, *signin_as) if any(page.kind == "tile" for page in pages) else None
    viewers = [Viewer(base, page, halt, cookies if page.kind == "tile" else None) for page in pages]
    for viewer in viewers:
        viewer.start()
    time.sleep(REFRESH_MS / 1000 * 2)  # every viewer has opened and drawn once
    for viewer in viewers:
        viewer.latencies.clear()
    ready.put(len(pages))
    stop.wait()
    halt.set()
    for viewer in viewers:
        viewer.join(30)
    results.put(
        (
            [(v.page.kind, s) for v in viewers for s in v.latencies],
            [e for v in viewers for e in v.errors],
            [b for v in viewers for b in v.sizes],
        )
    )


ACCESS_FORMAT = "%(M)s %(U)s"  # gunicorn's access log: the request's time in ms, its path


def server_times_ms(access: Path, offset: int) -> list[float]:
    """The polls' times inside the server (from gunicorn's access log past `offset`): without the viewers' own
    processes and the wait for a free thread, which the viewers' timings include — on 2 shared cores, a large part."""
    if not access.exists():
        return []
    with access.open("rb") as log:
        log.seek(offset)
        lines = log.read().decode("utf-8", "replace").splitlines()
    return [float(line.split()[0]) for line in lines if "_dash-update-component" in line and line[:1].isdigit()]


def run_one(args, pages: list[Page], server, signin_as: tuple[str, str], token: str, built, ingestor) -> dict:
    """A viewer per page for --seconds while the sources are pulled every --change-every seconds (by this process:
    the viewers poll from processes of their own, so the writer's work does not hold up their timing); `server`:
    (its address, gunicorn's pid, its access log)."""
    base, server_pid, access = server
    logged_before = access.stat().st_size if access.exists() else 0
    context = multiprocessing.get_context("spawn")
    ready, results, stop = context.Queue(), context.Queue(), context.Event()
    shares = [pages[i : i + VIEWERS_PER_PROCESS] for i in range(0, len(pages), VIEWERS_PER_PROCESS)]
    processes = [context.Process(target=watch, args=(base, k, signin_as, ready, stop, results)) for k in shares]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    services = built.services
    before, version = statements(base, token, args.workers), services.store.data_version()[0]
    cpu_before = workers_cpu_s(server_pid)
    ended = time.monotonic() + args.seconds
    clock = ingestor.clock  # the offices' time (`OfficeClock`), the writer's too
    turn, simulated_from = 0, city_time(clock.now())
    while time.monotonic() < ended:
        began = time.monotonic()
        built.simulator.advance(clock.now())
        version_now = services.store.data_version()[0]
        for _ in services.sources:  # offices in turn, as their pull intervals come round, until one has news
            ingestor.pull(services.sources[turn % len(services.sources)])
            turn += 1
            if services.store.data_version()[0] != version_now:
                break
        time.sleep(max(0.0, args.change_every - (time.monotonic() - began)))
    stop.set()
    cpu_used = workers_cpu_s(server_pid) - cpu_before
    gathered = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
    timed = [(kind, s * 1000) for found, _, _ in gathered for kind, s in found]
    served = server_times_ms(access, logged_before)
    latencies = [ms for _, ms in timed]
    errors = [e for _, found, _ in gathered for e in found]
    sizes = [b for _, _, found in gathered for b in found]
    after, changes = statements(base, token, args.workers), services.store.data_version()[0] - version
    sent = sum(after.values()) - sum(before.get(pid, 0.0) for pid in after)
    row = {
        "n": len(pages),
        "walls": sum(page.kind == "wall" for page in pages),
        "tiles": sum(page.kind == "tile" for page in pages),
        "seconds": args.seconds,
        "store": args.store,
        "polls": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "wall_p95": percentile([ms for kind, ms in timed if kind == "wall"], 0.95),
        "tile_p95": percentile([ms for kind, ms in timed if kind == "tile"], 0.95),
        "server_p50": statistics.median(served) if served else float("nan"),
        "server_p95": percentile(served, 0.95),
        "changes": changes,
        "per_change": sent / changes if changes else float("nan"),
        "kib_per_new_key": statistics.mean(sizes) / 1024 if sizes else 0.0,
        "cpu_ms_per_poll": 1000 * cpu_used / len(latencies) if latencies else float("nan"),
        "simulated": f"{simulated_from:%a %H:%M}–{city_time(clock.now()):%a %H:%M}",
        "pulls": turn,
    }
    print(json.dumps(row), flush=True)
    if errors:
        print(f"  first errors: {sorted(set(errors))[:3]}", flush=True)
    return row


if __name__ == "__main__":
    sys.exit(main())
