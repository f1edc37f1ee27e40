"""The command line: `python -m dashboard [--data-dir DIR] COMMAND`.

demo      simulated district databases → pulls → store → the live pages, in one process
serve     the web pages only (reads the store; run `ingest` beside it)
ingest    the one writer: pull every source on its interval (or `--once`)
check     validate the configuration and reach every source, one line each
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from dashboard.core.clock import CITY_TZ, SystemClock
from dashboard.core.settings import Settings, SettingsError
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourcesError, load_sources
from dashboard.services import Services


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


def _pull_all(services: Services, label: str) -> tuple[int, int]:
    ingestor = Ingestor(services.store, services.clock, services.settings)
    stored = failed = 0
    with click.progressbar(services.sources, label=label, item_show_func=lambda s: s.name if s else "") as bar:
        for source in bar:
            results = ingestor.pull(source)
            stored += sum(r.rows_stored for r in results)
            failed += any(r.outcome == "error" for r in results)
    return stored, failed


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
    help="Demo clock start (Asia/Ho_Chi_Minh) [default: today's date and time, in 2019].",
)
@click.option("--history-days", default=90, show_default=True, help="Days of history in each simulated database.")
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
    mariadb_url: str | None,
    postgres_url: str | None,
) -> None:
    """Run everything on the embedded default: simulated district databases, SQLite store, live pages."""
    from dashboard import demo as demo_run
    from data_sources.demo import demo_start_default

    base = obj.settings()
    start_at = start.replace(tzinfo=CITY_TZ) if start else demo_start_default(SystemClock().now())
    click.echo(f"CCHC Pulse demo: clock starts {start_at:%d/%m/%Y %H:%M} ×{speed:g}, scale {scale:g}, seed {seed}")
    simulated = demo_run.simulator(base, scale=scale, seed=seed)
    count = len(simulated.sources)
    with (
        click.progressbar(length=count, label="Building district databases") as built,
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
        on_ready=lambda url: click.secho(f"\n  CCHC Pulse is running: {url}\n", fg="green", bold=True),
    )


@main.command()
@click.option("--host", default=None, envvar="CCHC_HOST", help="Address to listen on [settings: 127.0.0.1].")
@click.option("--port", default=None, type=int, envvar="CCHC_PORT", help="Port to listen on [settings: 8050].")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the pages (read-only). For production: gunicorn dashboard.web.wsgi:server."""
    from waitress import serve as serve_app

    from dashboard.web.app import create_app

    settings = obj.settings(host=host, port=port)
    app = create_app(_services(settings, migrate=False), warm=True)
    click.echo(f"CCHC Pulse: http://{settings.host}:{settings.port}/")
    serve_app(app.server, host=settings.host, port=settings.port, threads=8)


@main.command()
@click.option("--once", is_flag=True, help="Pull each source once and exit.")
@click.option("--source", "source_name", default=None, help="Only this source.")
@click.option("--replay-rejected", is_flag=True, help="Map the rejected rows again (after a mapping fix) and exit.")
@click.pass_obj
def ingest(obj: Context, once: bool, source_name: str | None, replay_rejected: bool) -> None:
    """The one writer: pull every source on its interval, or once; or replay rejected rows."""
    from dashboard.ingest.scheduler import PullScheduler

    services = _services(obj.settings())
    if source_name:
        services.sources = [s for s in services.sources if s.name == source_name]
        if not services.sources:
            raise click.ClickException(f"no source named {source_name!r} in {services.settings.resolved_sources_file}")
    if not services.sources:
        raise click.ClickException(f"no sources configured in {services.settings.resolved_sources_file}")
    if replay_rejected:
        ingestor = Ingestor(services.store, services.clock, services.settings)
        for source in services.sources:
            stored, still = ingestor.replay_rejected(source)
            if stored or still:
                click.echo(f"{source.name}: {stored:,} rows stored, {still:,} still rejected")
        return
    if once:
        stored, failed = _pull_all(services, "Pulling")
        click.echo(f"{stored:,} rows stored; {failed} of {len(services.sources)} sources failed")
        sys.exit(1 if failed else 0)
    click.echo(f"Pulling {len(services.sources)} sources on their intervals; Ctrl+C stops.")
    scheduler = PullScheduler(services, blocking=True, run_now=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown()


@main.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Validate the settings and the sources file, then reach each source: one line each."""
    from dashboard.ingest.pull import plain_error
    from data_sources.reader import SourceReader

    settings = obj.settings()
    path = settings.resolved_sources_file
    try:
        sources = load_sources(path)
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"settings OK; {len(sources)} sources in {path}")
    health = _stored_health(settings, sources)
    failures = 0
    for source in sources:
        reader = SourceReader(source.url, source.load_profile(), timeout_s=min(settings.pull_timeout_s, 10))
        try:
            reader.source_now()
            click.echo(f"OK    {source.name:<28} {source.profile:<14} {source.safe_url}")
        except Exception as exc:
            failures += 1
            click.echo(f"FAIL  {source.name:<28} {source.profile:<14} {plain_error(exc, source.password)}")
        finally:
            reader.dispose()
        if source.name in health:
            click.echo("\n".join(health[source.name]))
    sys.exit(1 if failures else 0)


def _stored_health(settings: Settings, sources) -> dict[str, list[str]]:
    """Per source, what the store knows of its pulls (nothing when the store has not been created yet)."""
    from dashboard.core.i18n import fmt_datetime, fmt_int, fmt_lag, t
    from dashboard.pages import freshness
    from dashboard.store import Store

    store = Store(settings.resolved_store_url)
    try:
        if not store.is_migrated():
            return {}
        now, lang = SystemClock().now(), settings.language
        lines: dict[str, list[str]] = {}
        for item in freshness.source_freshness(store, sources, now, settings.stale_factor):
            if item.last_good_pull_at is None and item.last_error is None:
                continue
            out = [
                t(
                    "check.state",
                    lang,
                    last=fmt_datetime(item.last_good_pull_at, lang),
                    lag=fmt_lag(item.lag, lang),
                    rows=fmt_int(item.rows_total, lang),
                    rejected=fmt_int(item.rejected_count, lang),
                )
                if item.last_good_pull_at
                else t("check.never", lang)
            ]
            if item.last_error:
                kind = t(f"error.{item.error_kind}", lang)
                out.append(t("check.error", lang, kind=kind, error=item.last_error))
            if item.next_retry_at:
                out.append(
                    t("check.retry", lang, time=fmt_datetime(item.next_retry_at, lang), n=item.consecutive_failures)
                )
            lines[item.name] = out
        return lines
    finally:
        store.dispose()


@main.command("rebuild-rollups")
@click.pass_obj
def rebuild_rollups(obj: Context) -> None:
    """Recompute processing times and every rollup from the raw rows (after a calendar or rule change).

    Stop `ingest` first: this is a write, and there is one writer."""
    services = _services(obj.settings())
    with click.progressbar(length=services.store.count("dossiers"), label="Recomputing processing times") as bar:
        rows = services.store.rollups.rebuild(services.calendar, progress=bar.update)
    click.echo(f"Rollups rebuilt from {rows:,} rows.")
