"""The demo in one process: simulated district databases → pulls → the SQLite store → the live pages.

`prepare` builds (or reuses) the simulated databases, writes their sources file, opens the store and pulls
every source once; `run` starts the pulls and the simulator on a scheduler and serves the app.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dashboard.auth.roles import KIOSK_ROLE, LEADER, UNIT_HEAD
from dashboard.core.clock import ScaledClock
from dashboard.core.errors import StoreError
from dashboard.core.reference import load_units
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import write_sources
from dashboard.services import Services
from data_sources.demo import DEFAULT_ERA, Era, Simulator, units_on
from data_sources.demo.mirror import Mirror

PULL_INTERVAL_S = 10.0  # real seconds between pulls of each simulated database
# The city's offices ran software from different vendors: the demo spreads its sources over every profile.
PROFILES = ("motcua_v1", "hscv_mariadb", "egov_pg", "legacy_sqlite")
SIMULATE_EVERY_S = 1.0  # real seconds between the simulator's ticks
KIOSK_DAYS = 30  # the demo wall's token lasts this long


@dataclass
class Demo:
    services: Services
    simulator: Simulator
    clock: ScaledClock
    speed: float
    mirror: Mirror | None = None

    def tick(self) -> None:
        """Advance the simulated offices to now, and copy what changed to the server mirrors."""
        self.simulator.advance(self.clock.now())
        if self.mirror:
            self.mirror.sync()


def demo_dir(base: Settings, era: Era = DEFAULT_ERA) -> Path:
    """Where an era's demo keeps its databases and store: `<data_dir>/demo` (2019), `<data_dir>/demo-2025`."""
    return base.data_dir / ("demo" if era == DEFAULT_ERA else f"demo-{era}")


def simulator(
    base: Settings, *, scale: float = 0.1, seed: int = 2019, era: Era = DEFAULT_ERA, start: datetime | None = None
) -> Simulator:
    """The simulated databases of the demo, under `<demo_dir>/sources`: for the era 2025, the units valid on the
    day of `start` (required)."""
    units = load_units(base.units_file, base.unit_points_file)
    keys = [u["key"] for u in units]
    return Simulator(
        demo_dir(base, era) / "sources",
        seed=seed,
        scale=scale,
        units=units,
        profile_for=lambda key: PROFILES[keys.index(key) % len(PROFILES)],
        valid_on=units_on(era, start),
    )


def prepare(
    base: Settings,
    simulated: Simulator,
    start: datetime,
    *,
    speed: float = 1.0,
    history_days: int = 90,
    mariadb_url: str | None = None,
    postgres_url: str | None = None,
    mirror_prefix: str = "cchc_demo_",
    store_url: str | None = None,
    on_build: Callable[[int, int], None] | None = None,
    on_pull: Callable[[str], None] | None = None,
) -> Demo:
    """Build the simulated databases and the store under `<data_dir>/demo` (or at `store_url`, an empty store the
    caller made for it: never the store of the settings, so a demo cannot write into a real one), and pull every
    source once."""
    folder = simulated.directory.parent  # the era's demo folder (see demo_dir)
    simulated.build(start, history_days=history_days, progress=on_build)
    mirror = None
    if mariadb_url or postgres_url:  # the server profiles' sources are read from real servers
        mirror = Mirror(simulated.sources, mariadb_url=mariadb_url, postgres_url=postgres_url, prefix=mirror_prefix)
        mirror.create()
        mirror.sync()
    sources_file = folder / "sources.yaml"
    write_sources(
        sources_file,
        [
            {
                "name": s.name,
                "unit": s.unit_key,
                "url": mirror.url_for(s) if mirror else s.url,
                "profile": s.profile,
                "interval": PULL_INTERVAL_S * speed,
            }
            for s in simulated.sources
        ],
    )
    settings = base.model_copy(
        update={
            "data_dir": folder,
            "sources_file": sources_file,
            "store_url": store_url,
            # rows carry their event time, up to one simulator tick (1 s × speed) old when they are written
            "safety_lag_s": max(60.0, 5 * SIMULATE_EVERY_S * speed),
            "session_secret": base.session_secret or demo_secret(folder),
        }
    )
    clock = ScaledClock(start, speed)
    services = Services.build(settings, clock)
    lease = services.store.hold_lease("demo", duration_s=settings.writer_lease_s, now=services.wall_clock.now)
    if not lease.acquire():
        raise StoreError(f"another process writes {settings.resolved_store_url}: {lease.state()}")
    ingestor = Ingestor(services.store, clock, settings, services.calendar)
    for source in services.sources:
        ingestor.pull(source)
        if on_pull:
            on_pull(source.name)
    return Demo(services, simulated, clock, speed, mirror)


def demo_secret(folder: Path) -> str:
    """The demo's session key: made once, kept in its folder (readable by its owner only), so signing in survives
    a restart of the demo. A real deployment sets `session_secret` itself (`serve` refuses to run without it)."""
    path = folder / "session_secret"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class DemoSignIn:
    """What the demo prints: two people's sign-ins and the wall's address with its kiosk token."""

    leader: tuple[str, str]  # login, password
    unit_head: tuple[str, str, str]  # login, password, unit key
    wall_url: str
    token_expires: datetime


def demo_accounts(services: Services, base_url: str) -> DemoSignIn:
    """A leader, the head of the first source's unit (new passwords at every start) and a fresh kiosk token."""
    accounts, unit = services.accounts, services.sources[0].unit
    people = (
        ("lanh-dao", "Lãnh đạo (demo)", LEADER, frozenset[str]()),
        ("truong-don-vi", f"Trưởng đơn vị {unit}", UNIT_HEAD, frozenset({unit})),
    )
    passwords = []
    for login, name, role, units in people:
        password = secrets.token_urlsafe(9)
        if accounts.user(login) is None:
            accounts.add_user(login, name, role, units, password)
        else:
            accounts.set_role(login, role, units)
            accounts.reset_password(login, password)
            accounts.enable_user(login)
        passwords.append(password)
    expires = accounts.clock.now() + timedelta(days=KIOSK_DAYS)
    _, token = accounts.issue_token("kiosk", "Phòng điều hành (demo)", KIOSK_ROLE, set(), expires)
    return DemoSignIn(
        ("lanh-dao", passwords[0]), ("truong-don-vi", passwords[1], unit), f"{base_url}wall?token={token}", expires
    )


def run(demo: Demo, host: str, port: int, on_ready: Callable[[str, DemoSignIn], None] | None = None) -> None:
    """Pull on the sources' intervals, advance the simulator every second, and serve until interrupted."""
    from waitress import serve

    from dashboard.briefings.cli import writer_jobs
    from dashboard.ingest.scheduler import PullScheduler
    from dashboard.web.app import create_app

    scheduler = PullScheduler(demo.services, time_scale=demo.speed)
    scheduler.add_job(demo.tick, SIMULATE_EVERY_S, "demo:simulate")
    for job in writer_jobs(demo.services):  # snapshot requests from the web, the weekly pack, the alert ledger
        scheduler.add_job(job.func, job.every_s, job.id, run_now=job.at_start)
    lease = demo.services.store.lease
    if lease is not None:  # the demo is its own one writer: it keeps its lease renewed
        scheduler.add_job(lease.renew, lease.duration.total_seconds() / 3, "demo:lease")
    scheduler.start()
    app = create_app(demo.services, warm=True)
    if on_ready:
        url = f"http://{host}:{port}/"
        on_ready(url, demo_accounts(demo.services, url))
    try:
        serve(app.server, host=host, port=port, threads=8)
    finally:
        scheduler.shutdown()
        if lease is not None:
            lease.release()
        demo.simulator.close()
        if demo.mirror:
            demo.mirror.close()
