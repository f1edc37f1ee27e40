"""The alerts page's model — the wall's own alerts (one model: `dashboard.pages.wall`), with acknowledgements read
afresh — and acknowledging one: checked against the alert's own unit (`ACK_ALERT`), once, logged."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from dashboard.auth import audit
from dashboard.auth.roles import ACK_ALERT, Principal, allowed
from dashboard.core.cache import Cache
from dashboard.metrics.alerts import Alert
from dashboard.pages.wall import WallData, current_key, wall_data
from dashboard.pages.wall_alerts import observed
from dashboard.services import Services

Outcome = Literal["acknowledged", "already", "not_open", "not_allowed"]
OUTCOMES: tuple[Outcome, ...] = ("acknowledged", "already", "not_open", "not_allowed")


@dataclass(frozen=True)
class AlertsView:
    data: WallData  # the wall's figures (unit names, as-of), with `alerts` carrying the acknowledgements of now
    as_of: datetime


def alerts_view(services: Services, cache: Cache) -> AlertsView:
    """The wall's alerts of this minute, with the ledger's history and the acknowledgements as of now (the wall
    itself shows them from its next minute)."""
    _key, data = wall_data(services, cache, current_key(services, 1.0))
    return AlertsView(replace(data, alerts=tuple(observed(services, data.alerts))), services.clock.now())


def may_acknowledge(principal: Principal, alert: Alert) -> bool:
    """A leader any alert, the city's too; a unit's own staff their unit's (the rule of `ACK_ALERT`)."""
    return alert.ledger_id is not None and allowed(principal, ACK_ALERT, alert.unit_key)


def acknowledge(services: Services, principal: Principal, ledger_id: int, client: str | None) -> Outcome:
    """Acknowledge the open alert `ledger_id` as `principal`, if its unit is theirs to act on; logged either way."""
    row = services.store.alerts.open_alert(ledger_id)
    target = f"alert:{ledger_id}" + (f" {row['kind']} {row['unit_key']} {row['source']}".rstrip() if row else "")
    outcome: Outcome
    if row is None:
        outcome = "not_open"
    elif not allowed(principal, ACK_ALERT, row["unit_key"]):
        outcome = "not_allowed"
    else:
        outcome = "acknowledged" if services.accounts.acks.acknowledge(ledger_id, principal) else "already"
    result = audit.OK if outcome in ("acknowledged", "already") else audit.REFUSED_OUTCOME
    services.accounts.audit.record(
        audit.ALERT_ACKED, principal, outcome=result, target=target, client=client, detail=outcome
    )
    return outcome
