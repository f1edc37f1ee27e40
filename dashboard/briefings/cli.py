"""The `snapshot` command, and the writer's job that carries out snapshot requests (from the web or the CLI)."""

from __future__ import annotations

import getpass
import time
from typing import TYPE_CHECKING

import click

from dashboard.core.clock import city_time
from dashboard.core.errors import ParameterError, PeriodError
from dashboard.core.periods import check_period
from dashboard.core.vocabulary import LAST_WEEK
from dashboard.ingest.writer import Job
from dashboard.pages.common import parse_as_of
from dashboard.services import Services

if TYPE_CHECKING:
    from dashboard.cli import Context

REQUESTS_EVERY_S = 5.0  # how often the writer looks for snapshot requests


AUDIT_PURGE_EVERY_S = 86_400.0


def writer_jobs(services: Services) -> tuple[Job, ...]:
    """What the writer runs besides the pulls: snapshot requests, the weekly pack with its mail (at its own hour,
    never at a restart), the wall's alert ledger (once a minute: since when each alert is open — also at the
    writer's start, else that is unknown for its first minute) and the audit log's retention (once a day: the only
    process that removes entries)."""
    from dashboard.briefings.schedule import LOOK_EVERY_S, look
    from dashboard.briefings.snapshot import carry_out_requests
    from dashboard.pages import wall_alerts

    return (
        Job(lambda: carry_out_requests(services), REQUESTS_EVERY_S, "briefings:requests"),
        Job(lambda: look(services), LOOK_EVERY_S, "briefings:schedule"),
        Job(lambda: wall_alerts.observe(services), wall_alerts.OBSERVE_EVERY_S, "alerts:ledger", at_start=True),
        Job(
            lambda: services.accounts.audit.purge(services.settings.audit_retention_days),
            AUDIT_PURGE_EVERY_S,
            "audit:retention",
        ),
    )


@click.command()
@click.option("--period", default=LAST_WEEK, show_default=True, help="lw, lm, 7d, 30d, … or YYYY-MM-DD..YYYY-MM-DD.")
@click.option("--as-of", "as_of", default=None, help="A past instant or day (ISO 8601) [default: now].")
@click.option("--by", "requested_by", default=None, help="Who asks (kept with the snapshot) [default: cli:<user>].")
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for a running writer to make it.")
@click.pass_obj
def snapshot(obj: Context, period: str, as_of: str | None, requested_by: str | None, wait: float) -> None:
    """Freeze the city's figures for a briefing (the one writer makes it: this process when no `ingest` runs,
    else the running writer, by request)."""
    from dashboard.briefings.snapshot import take
    from dashboard.cli import _services

    services = _services(obj.settings())
    try:
        check_period(period)
        moment = parse_as_of(as_of, services.clock.now())
    except (PeriodError, ParameterError) as exc:
        raise click.ClickException(str(exc)) from None
    who = requested_by or f"cli:{getpass.getuser()}"
    lease = services.store.hold_lease(duration_s=services.settings.writer_lease_s, now=services.wall_clock.now)
    if lease.acquire():
        try:
            made = take(services, period, moment or services.clock.now(), who)
        finally:
            lease.release()
    else:
        request = services.store.snapshots.request(period, who, services.clock.now(), moment)
        click.echo(f"A writer is running: request {request} filed, waiting up to {wait:g} s for it.")
        deadline = time.monotonic() + wait
        while (state := services.store.snapshots.request_state(request)) and state["done_at"] is None:
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"request {request} not carried out within {wait:g} s (is `ingest` healthy?)"
                )
            time.sleep(0.5)
        if state is None or state["error"]:
            raise click.ClickException(f"request {request} failed: {state['error'] if state else 'gone'}")
        made = int(state["snapshot_id"])
    row = services.store.snapshots.meta(made)
    assert row is not None  # just made (or found) under this id
    click.echo(
        f"Snapshot {made}: period {row['period']}, as of {city_time(row['as_of']):%d/%m/%Y %H:%M}, "
        f"data version {row['data_version']}, sha256 {row['content_hash']}"
    )
