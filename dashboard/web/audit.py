"""`/audit.csv`: the audit log as CSV for admins, streamed oldest first (city time, every cell made inert), with an
optional window `?since=YYYY-MM-DD&until=YYYY-MM-DD` (city days, `until` included). The export is itself logged."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, jsonify, request

from dashboard.core.clock import CITY_TZ
from dashboard.services import Services
from layouts.audit import AUDIT_CSV_PATH


def _day(name: str, end: bool = False) -> datetime | None:
    text = request.args.get(name)
    if not text:
        return None
    day = datetime.strptime(text, "%Y-%m-%d").date()  # ValueError → 400 below
    return datetime.combine(day + timedelta(days=1 if end else 0), time(), CITY_TZ)


def blueprint(services: Services) -> Blueprint:
    bp = Blueprint("audit", __name__)

    @bp.get(AUDIT_CSV_PATH)
    def audit_csv() -> Response:
        try:
            since, until = _day("since"), _day("until", end=True)
        except ValueError:
            response = jsonify({"error": "since and until are days written YYYY-MM-DD", "parameter": "since/until"})
            response.status_code = 400
            return response
        stamp = services.accounts.clock.now().astimezone(CITY_TZ).strftime("%Y%m%d-%H%M")
        lines = services.accounts.audit.csv_lines(since, until)
        headers = {"Content-Disposition": f'attachment; filename="nhat-ky-truy-cap-{stamp}.csv"'}
        return Response(("\ufeff", *lines), mimetype="text/csv", headers=headers)

    return bp
