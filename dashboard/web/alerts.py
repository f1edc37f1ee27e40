"""`POST /alerts/<id>/ack`: acknowledge an alert from the alerts page's form (the guard checked the Origin and that
the viewer sees the figures; `dashboard.pages.alerts.acknowledge` checks the alert's own unit), then back to the
page saying how it went."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from dashboard.auth.context import current_principal
from dashboard.core.i18n import language
from dashboard.pages.alerts import acknowledge
from dashboard.services import Services
from layouts.alerts import ALERTS_PATH


def blueprint(services: Services) -> Blueprint:
    bp = Blueprint("alerts", __name__)

    @bp.post(f"{ALERTS_PATH}/<int:ledger_id>/ack")
    def acknowledge_alert(ledger_id: int) -> Response:
        lang = language(request.form.get("lang"), services.settings.language)
        outcome = acknowledge(services, current_principal(), ledger_id, request.remote_addr)
        return redirect(f"{ALERTS_PATH}?lang={lang}&done={outcome}", 303)

    return bp
