"""The wall's alerts, once: the three rules over the figures the wall computes (`rules`), their history from the
writer's ledger and their acknowledgements (`observed`), and the writer's minute job that keeps the ledger
(`observe`: when each alert began, so the wall shows since when rather than the current minute)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from dashboard.core.vocabulary import CITY_KEY, DEFAULT_PERIOD
from dashboard.metrics import alerts
from dashboard.metrics.alerts import Alert
from dashboard.metrics.freshness import SourceFreshness
from dashboard.metrics.kpis import Backlog, CityOverview, UnitKpis, city_overview
from dashboard.pages.freshness import source_freshness
from dashboard.services import Services

if TYPE_CHECKING:
    from dashboard.pages.wall import Limits

OBSERVE_EVERY_S = 60.0  # the writer looks at the alerts once a minute


def rules(
    services: Services,
    as_of: datetime,
    kpis: Mapping[str, UnitKpis],
    overview: CityOverview,
    fresh: Sequence[SourceFreshness],
    limits: Limits,
) -> tuple[list[Alert], dict[str, tuple[int, datetime]]]:
    """The alerts at `as_of` (overdue share, new late dossiers, stale sources) and the new late dossiers per unit."""
    store = services.store
    late = alerts.new_late(store.rollups.open_backlog(due_from=as_of - alerts.NEW_LATE_WINDOW, due_before=as_of), as_of)
    backlogs = {key: k.backlog for key, k in kpis.items()}
    backlogs[CITY_KEY] = Backlog(overview.in_progress, overview.overdue_in_progress)
    found = [
        *alerts.overdue_share_alerts(backlogs, as_of, limits.overdue_warn, limits.overdue_alarm),
        *alerts.new_late_alerts(late, limits.new_late_warn, limits.new_late_alarm),
        *alerts.stale_source_alerts(fresh, services.settings.stale_factor),
    ]
    return found, late


def observed(services: Services, found: Sequence[Alert]) -> list[Alert]:
    """`found` with since when each has been open (the writer's ledger), who acknowledged it, in the order a leader
    acts in (`alerts.by_severity`)."""
    ledger = services.store.alerts.open_alerts()
    acks = services.accounts.acks.of(row["id"] for row in ledger.values())
    return alerts.by_severity(alerts.with_history(found, ledger, acks))


def observe(services: Services) -> int:
    """The writer's job: the alerts now, recorded in the ledger (new ones open, gone ones close); how many."""
    from dashboard.pages.league import standings
    from dashboard.pages.wall import limits_of

    as_of = services.clock.now()
    ranked = standings(services.store, services.calendar, services.index_config, DEFAULT_PERIOD, as_of, previous=False)
    overview = city_overview(ranked.kpis, as_of, services.store.data_version()[0])
    fresh = source_freshness(services.store, services.sources, as_of, services.settings.stale_factor)
    found, _late = rules(services, as_of, ranked.kpis, overview, fresh, limits_of(services))
    services.store.alerts.observe([(alert.key, alert.severity) for alert in found], as_of)
    return len(found)
