"""The command line: `python -m dashboard [--data-dir DIR] COMMAND`.


demo             simulated district databases → pulls → store → the live pages, in one process
serve            the web pages only (reads the store; run `ingest` beside it)
ingest           the one writer (a second one waits as its standby): pull every source on its interval
check            validate the configuration, reach every source and probe its columns, one line each
verify           after an incident: every rollup against a recount, each source reconciled by native id
backup           copy a SQLite store while the writer runs
rebuild-rollups  recompute every rollup from the raw rows
users, tokens    local accounts, and kiosk and API tokens (who may see what)
"""

from __future__ import annotations

import contextlib
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dashboard.auth.cli import tokens, users
from dashboard.core.clock import CITY_TZ, SystemClock
from dashboard.core.errors import StoreError
from dashboard.core.settings import Settings, SettingsError
from dashboard.core.writer import LeaseState
from dashboard.ingest.progress import terminal_line
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourcesError, load_sources
from dashboard.services import Services
from dashboard.store import Store
from dashboard.store.lease import WriterLease

if TYPE_CHECKING:
    from dashboard.demo import DemoSignIn
    from data_sources.demo import Era


class Context:
    def __init__(self, data_dir: Path | None, config: Path | None) -> None:
        self.data_dir = data_dir
        self.config = config

    def settings(self, **overrides) -> Settings:
        try:
            return Settings.load(self.config, **{"data_dir": self.data_dir, **overrides})
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(help=__doc__)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CCHC_DATA_DIR",
    help="Folder for the store, the demo databases and snapshots [env CCHC_DATA_DIR; default ./data].",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="CCHC_CONFIG",
    help="YAML settings file [env CCHC_CONFIG]; environment variables CCHC_* override it.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every pull.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, config: Path | None, verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not verbose:  # a skipped or late run is recorded in the pull log; the console stays for people
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
    ctx.obj = Context(data_dir, config)


def _services(settings: Settings, clock=None, migrate: bool = True) -> Services:
    try:
        return Services.build(settings, clock, migrate=migrate)
    except (SourcesError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def _pull_all(services: Services, label: str) -> tuple[int, list[str]]:
    """Pull every source once: (rows stored, a line per source that failed or had every row rejected), with progress."""
    line = terminal_line()
    ingestor = Ingestor(services.store, services.clock, services.settings, watcher=line)
    stored, problems = 0, []
    bar = click.progressbar(services.sources, label=label, item_show_func=lambda s: s.name if s else "")
    with contextlib.nullcontext(services.sources) if line else bar as sources:
        for source in sources:
            results = ingestor.pull(source)
            stored += sum(r.rows_stored for r in results)
            for result in results:
                if result.outcome == "error":
                    problems.append(f"{source.name}/{result.stream}: failed: {result.error}")
                elif result.rows_read and result.rows_rejected == result.rows_read:
                    problems.append(f"{source.name}/{result.stream}: all {result.rows_read:,} rows read were rejected")
    if line:
        line.close()
    return stored, problems


def _lease_text(state: LeaseState | None) -> str:
    if state is None or state.holder is None:
        return "nobody holds the writer lease"
    until = state.expires_at.astimezone(CITY_TZ).strftime("%d/%m/%Y %H:%M:%S") if state.expires_at else "?"
    return f"{state.holder} holds the writer lease (token {state.token}) until {until}"


def _become_writer(services: Services) -> WriterLease:
    """Take the writer lease for a one-off write, or refuse while another writer holds it."""
    lease = services.store.hold_lease(duration_s=services.settings.writer_lease_s, now=services.wall_clock.now)
    if not lease.acquire():
        raise click.ClickException(f"{_lease_text(lease.state())}: stop that `ingest` first (one writer)")
    return lease


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="CCHC_HOST", help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, envvar="CCHC_PORT", help="Port to listen on.")
@click.option(
    "--scale", default=0.1, show_default=True, help="Share of the city's real load (1 = 15,000 dossiers a working day)."
)
@click.option(
    "--seed", default=2019, show_default=True, help="Random seed: the same seed and clock give the same data."
)
@click.option(
    "--speed", default=1.0, show_default=True, help="How many times faster than real time the demo clock runs."
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%d"]),
    default=None,
    help="Demo clock start (Asia/Ho_Chi_Minh) [default: today's date and time, in 2019 for the era 2019].",
)
@click.option("--history-days", default=90, show_default=True, help="Days of history in each simulated database.")
@click.option(
    "--era",
    type=click.Choice(["2019", "2025"]),
    default="2019",
    show_default=True,
    help="2019: the 24 districts, clock in 2019. 2025: today's city (168 wards and communes, today's departments), "
    "on today's date and the real calendar.",
)
@click.option(
    "--mariadb-url",
    envvar="CCHC_DEMO_MARIADB_URL",
    default=None,
    help="Put the MariaDB-profile sources on this server (a database each), e.g. mysql+pymysql://root@127.0.0.1/",
)
@click.option(
    "--postgres-url",
    envvar="CCHC_DEMO_POSTGRES_URL",
    default=None,
    help="Put the PostgreSQL-profile sources on this server (a schema each), e.g. postgresql+psycopg://postgres@127.0.0.1/test",
)
@click.pass_obj
def demo(
    obj: Context,
    host: str,
    port: int,
    scale: float,
    seed: int,
    speed: float,
    start: datetime | None,
    history_days: int,
    era: Era,
    mariadb_url: str | None,
    postgres_url: str | None,
) -> None:
    """Run everything on the embedded default: simulated district databases, SQLite store, live pages."""
    from dashboard import demo as demo_run
    from data_sources.demo import demo_start_default

    base = obj.settings()
    start_at = start.replace(tzinfo=CITY_TZ) if start else demo_start_default(SystemClock().now(), era)
    click.echo(
        f"CCHC Pulse demo ({era}): clock starts {start_at:%d/%m/%Y %H:%M} ×{speed:g}, scale {scale:g}, seed {seed}"
    )
    simulated = demo_run.simulator(base, scale=scale, seed=seed, era=era, start=start_at)
    count = len(simulated.sources)
    with (
        click.progressbar(length=count, label="Building the units' databases") as built,
        click.progressbar(length=count, label="First pull of every source ") as pulled,
    ):
        prepared = demo_run.prepare(
            base,
            simulated,
            start_at,
            speed=speed,
            history_days=history_days,
            mariadb_url=mariadb_url,
            postgres_url=postgres_url,
            on_build=lambda done, _total: built.update(done - built.pos),
            on_pull=lambda _name: pulled.update(1),
        )
    store = prepared.services.store
    click.echo(
        f"{store.count('dossiers'):,} dossiers and {store.count('feedback'):,} feedback items from "
        f"{len(prepared.services.sources)} sources in {prepared.services.settings.resolved_store_url}"
    )
    demo_run.run(
        prepared,
        host,
        port,
        on_ready=_print_ready,
    )


def _print_ready(url: str, signed: DemoSignIn) -> None:
    leader, head = signed.leader, signed.unit_head
    click.secho(f"\n  CCHC Pulse is running: {url}", fg="green", bold=True)
    click.echo("  Đăng nhập / sign in:")
    click.echo(f"    lãnh đạo / leader:               {leader[0]} / {leader[1]}")
    click.echo(f"    trưởng đơn vị / head of {head[2]}: {head[0]} / {head[1]}")
    click.echo(f"  Màn hình điều hành / the wall (its kiosk token lasts to {signed.token_expires:%d/%m/%Y}):")
    click.echo(f"    {signed.wall_url}\n")


@main.command()
@click.option("--host", default=None, envvar="CCHC_HOST", help="Address to listen on [settings: 127.0.0.1].")
@click.option("--port", default=None, type=int, envvar="CCHC_PORT", help="Port to listen on [settings: 8050].")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the pages (read-only). For production: gunicorn dashboard.web.wsgi:server."""
    from waitress import serve as serve_app

    from dashboard.web.app import create_app
    from dashboard.web.sessions import NO_SECRET

    settings = obj.settings(host=host, port=port)
    if not settings.session_secret:  # refused before opening anything
        raise click.ClickException(NO_SECRET)
    app = create_app(_services(settings, migrate=False), warm=True)
    click.echo(f"CCHC Pulse: http://{settings.host}:{settings.port}/")
    serve_app(app.server, host=settings.host, port=settings.port, threads=8)


@main.command()
@click.option("--once", is_flag=True, help="Pull each source once and exit.")
@click.option("--source", "source_name", default=None, help="Only this source.")
@click.option("--replay-rejected", is_flag=True, help="Map the rejected rows again (after a mapping fix) and exit.")
@click.pass_obj
def ingest(obj: Context, once: bool, source_name: str | None, replay_rejected: bool) -> None:
    """The one writer: pull every source on its interval, or once; or replay rejected rows.

    A second `ingest` waits as a hot standby and takes over when the writer dies, hangs or stops."""
    services = _services(obj.settings())
    if source_name:
        services.sources = [s for s in services.sources if s.name == source_name]
        if not services.sources:
            raise click.ClickException(f"no source named {source_name!r} in {services.settings.resolved_sources_file}")
    if not services.sources:
        raise click.ClickException(f"no sources configured in {services.settings.resolved_sources_file}")
    if not (replay_rejected or once):
        _ingest_forever(services)
        return
    lease = _become_writer(services)
    try:
        if once:
            _ingest_once(services)
        else:
            _replay(services)
    finally:
        lease.release()


def _replay(services: Services) -> None:
    ingestor = Ingestor(services.store, services.clock, services.settings)
    for source in services.sources:
        stored, still = ingestor.replay_rejected(source)
        if stored or still:
            click.echo(f"{source.name}: {stored:,} rows stored, {still:,} still rejected")


def _ingest_once(services: Services) -> None:
    stored, problems = _pull_all(services, "Pulling")
    failed = len({line.split("/")[0] for line in problems})
    click.echo(f"{stored:,} rows stored; {failed} of {len(services.sources)} sources failed or rejected every row")
    for line in problems:
        click.echo(f"  {line}", err=True)
    sys.exit(1 if problems else 0)


def _ingest_forever(services: Services) -> None:
    import signal
    import threading

    from dashboard.ingest.writer import Role, WriterLoop

    lease = services.store.hold_lease(duration_s=services.settings.writer_lease_s, now=services.wall_clock.now)

    def report(role: Role, state: LeaseState | None) -> None:
        if role == "writer":
            click.echo(f"Writer ({lease.holder}, token {lease.token}): pulling {len(services.sources)} sources.")
        elif role == "standby":
            click.echo(f"Standby: {_lease_text(state)}; taking over when it runs out.")
        else:
            click.echo(f"Lost the writer lease ({_lease_text(state)}); back to standby.")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("Ctrl+C stops (the lease is released for the standby).")
    try:
        WriterLoop(services, lease, report=report, jobs=writer_jobs(services)).run(stop)
    except KeyboardInterrupt:
        stop.set()
        lease.release()


@main.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Validate the settings and the sources file, then reach each source and probe the columns its profile maps:
    OK, or a FAIL line per missing table or column (or the error that kept the source out of reach); then who
    holds the writer lease."""
    from dashboard import checks

    settings = obj.settings()
    path = settings.resolved_sources_file
    try:
        sources = load_sources(path)
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"settings OK; {len(sources)} sources in {path}")
    failures = 0
    for ok, lines in checks.source_lines(settings, sources):
        failures += not ok
        click.echo("\n".join(lines))
    click.echo(checks.writer_line(settings))
    for line in checks.calendar_lines(settings):
        click.echo(line)
    sys.exit(1 if failures else 0)


@main.command()
@click.option("--source", "source_name", default=None, help="Reconcile only this source.")
@click.option(
    "--hours", default=24.0, show_default=True, help="Reconcile the rows changed at each source in the last hours."
)
@click.option("--no-sources", is_flag=True, help="Only recount the rollups; do not read the sources.")
@click.pass_obj
def verify(obj: Context, source_name: str | None, hours: float, no_sources: bool) -> None:
    """After an incident: recount every rollup from the raw rows, and reconcile each source by native id.

    Reads only (it runs beside the writer); exits 1 when a rollup differs or a source row is missing."""
    from dashboard import checks

    services = _services(obj.settings(), migrate=False)
    if source_name:
        services.sources = [s for s in services.sources if s.name == source_name]
    healthy = True
    for ok, line in checks.rollup_lines(services.store):
        healthy &= ok
        click.echo(line)
    if not no_sources:
        since = services.clock.now() - timedelta(hours=hours)
        for ok, line in checks.reconciliation_lines(services, since):
            healthy &= ok
            click.echo(line)
    sys.exit(0 if healthy else 1)


@main.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(obj: Context, target: Path) -> None:
    """Copy a SQLite store, consistently, while the writer runs (SQLite's online backup); for a PostgreSQL store
    use pg_dump (docs/operations.md)."""
    settings = obj.settings()
    try:
        pages = Store(settings.resolved_store_url).backup_to(target)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Store copied to {target} ({pages:,} pages). Check it: CCHC_STORE_URL=sqlite:///{target} … verify")


@main.command("rebuild-rollups")
@click.pass_obj
def rebuild_rollups(obj: Context) -> None:
    """Recompute processing times and every rollup from the raw rows (after a calendar or rule change).

    Stop `ingest` first: this is a write, and there is one writer (it refuses while another holds the lease)."""
    services = _services(obj.settings())
    lease = _become_writer(services)
    try:
        with click.progressbar(length=services.store.count("dossiers"), label="Recomputing processing times") as bar:
            rows = services.store.rollups.rebuild(services.calendar, progress=bar.update)
    finally:
        lease.release()
    click.echo(f"Rollups rebuilt from {rows:,} rows.")


from dashboard.briefings.cli import snapshot, writer_jobs  # noqa: E402  (the briefings' commands need the above)

main.add_command(snapshot)
main.add_command(users)
main.add_command(tokens)
