"""The read-only JSON API under /api/v1: the numbers the pages show, each response with `as_of` and `data_version`.

GET units · kpis?unit=&period= · league?kind=&period= · dossiers?unit=&filter=&period=&page=&page_size= ·
openapi.json. Times are ISO 8601 in Asia/Ho_Chi_Minh; every rate is {numerator, denominator, value} (value null
when the denominator is 0). A bad parameter answers 400 with {"error": …, "parameter": …}. The league comes from
the same cached computation as the /league page (`dashboard.pages.league.league_data`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, request

from dashboard.core.cache import EXTENSION
from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import ParameterError
from dashboard.core.periods import Window
from dashboard.core.reference import codes_of, predecessors
from dashboard.core.vocabulary import DEFAULT_PERIOD, LEAGUE_KINDS
from dashboard.metrics.kpis import Backlog, Ratio, UnitKpis
from dashboard.metrics.service_index import IndexScore, SubScore, criterion_ratio
from dashboard.pages import api as views
from dashboard.pages.common import check_choice, checked_period, current_key, parse_as_of
from dashboard.pages.league import LeagueRow, LeagueView, default_kind, league_data
from dashboard.pages.origin import OriginFigures
from dashboard.services import Services
from dashboard.web import openapi
from dashboard.web.api_params import check_query

PREFIX = "/api/v1"
DOSSIER_FIELDS = (
    "native_code",
    "source",
    "unit_key",
    "procedure_code",
    "procedure_name_vi",
    "procedure_name_en",
    "channel",
    "status",
    "received_at",
    "due_original_at",
    "due_current_at",
    "completed_at",
    "supplement_requests",
    "apology_at",
    "apology_new_due_at",
    "rating",
)
UNIT_FIELDS = ("key", "code", "kind", "name_vi", "name_en", "short_name_vi", "parent_key", "valid_from", "valid_to")


def iso(moment: datetime | date | None) -> str | None:
    """ISO 8601: instants in the city's time zone (+07:00), days as YYYY-MM-DD."""
    if moment is None:
        return None
    return moment.astimezone(CITY_TZ).isoformat() if isinstance(moment, datetime) else moment.isoformat()


def ratio_json(ratio: Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "value": ratio.value}


def window_json(span: Window) -> dict[str, Any]:
    return {"start": iso(span.start), "end": iso(span.end)}


def backlog_json(backlog: Backlog) -> dict[str, Any]:
    return {
        "in_progress": backlog.in_progress,
        "overdue": backlog.overdue,
        "overdue_with_apology": backlog.overdue_with_apology,
        "ageing": dict(backlog.ageing),
    }


def kpis_json(kpis: UnitKpis) -> dict[str, Any]:
    """A unit's figures over the period (see docs/metrics.md); the backlog is the one at the as-of time."""
    ratios = ("online", "online_full", "on_time", "apology", "dossier_satisfaction")
    feedback_ratios = ("feedback_on_time", "feedback_satisfaction")
    return {
        "received": kpis.received,
        "completed": kpis.completed,
        "late": kpis.late,
        **{name: ratio_json(getattr(kpis, name)) for name in ratios},
        "median_processing_days": kpis.median_processing_days,
        "mean_statutory_days": kpis.mean_statutory_days,
        "feedback_received": kpis.feedback_received,
        "open_feedback": kpis.open_feedback,
        "overdue_feedback": kpis.overdue_feedback,
        **{name: ratio_json(getattr(kpis, name)) for name in feedback_ratios},
        "backlog": backlog_json(kpis.backlog),
    }


def subscore_json(sub: SubScore) -> dict[str, Any]:
    return {
        "key": sub.key,
        "group": sub.group,
        "ratio": ratio_json(sub.ratio),
        "threshold": sub.threshold,
        "max_points": sub.max_points,
        "points": sub.points,
        "min_count": sub.min_count,
        "state": sub.state,
        "formula": sub.formula,
    }


def index_json(index: IndexScore) -> dict[str, Any]:
    """The score, its grade and state (scored; too_few: not ranked, not enough data; no_data) and each criterion."""
    return {
        "score": index.score,
        "grade": index.grade,
        "state": index.state,
        "subscores": [subscore_json(s) for s in index.subscores],
    }


def commitments_json(targets: dict[str, float], progress: dict[str, float | None], kpis: UnitKpis) -> list[dict]:
    return [
        {"criterion": key, "target": target, "value": criterion_ratio(kpis, key).value, "progress": progress.get(key)}
        for key, target in targets.items()
    ]


def league_row_json(row: LeagueRow) -> dict[str, Any]:
    """One league row as the page shows it: rank, movement, score, points, KPIs, commitments, trend, freshness."""
    return {
        "unit_key": row.unit_key,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "rank": row.rank,
        "previous_rank": row.previous_rank,
        "movement": row.movement,
        "index": index_json(row.index),
        "kpis": kpis_json(row.kpis),
        "commitments": commitments_json(row.targets, row.progress, row.kpis),
        "trend": list(row.trend),
        "stale": row.stale,
        "data_as_of": iso(row.data_as_of),
        "joined": iso(row.joined),
        "new_unit_since": iso(row.new_since),
    }


def unit_json(unit: dict[str, Any]) -> dict[str, Any]:
    return {name: iso(unit[name]) if name.startswith("valid_") else unit[name] for name in UNIT_FIELDS} | {
        "ranked": bool(unit["ranked"]),
        "former_province": unit.get("former_province"),
        "predecessors": [{"unit": item, "partial": part} for item, part in predecessors(unit)],
        "origin": [item for item in (unit.get("origin") or "").split(";") if item],
        "aliases": codes_of(unit)[1:],
    }


def origin_json(origin: OriginFigures | None) -> dict[str, Any] | None:
    """A new unit's districts of origin combined over the previous period, naming the crosswalk; None (null) for
    a unit that is not new or has no districts of origin."""
    if origin is None:
        return None
    return {
        "crosswalk": origin.crosswalk,
        "units": [unit_json(unit) for unit in origin.origins],
        "partial": origin.partial,
        "window": window_json(origin.window),
        "kpis": kpis_json(origin.kpis),
    }


def dossier_json(row: dict[str, Any]) -> dict[str, Any]:
    found = {name: row.get(name) for name in DOSSIER_FIELDS}
    found |= {name: iso(value) for name, value in found.items() if isinstance(value, datetime)}
    half_days = row.get("processing_half_days")
    return found | {"processing_days": None if half_days is None else half_days / 2}


def _respond(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")


def unit_figures_json(figures: views.UnitFigures) -> dict[str, Any]:
    return {
        "unit": unit_json(figures.unit),
        "kpis": kpis_json(figures.kpis),
        "index": index_json(figures.index),
        "commitments": commitments_json(figures.targets, figures.progress, figures.kpis),
        "closed_unit": figures.closed,
    }


def kpis_body(view: views.KpisView, recounted: bool) -> dict[str, Any]:
    """The /kpis body (without its stamp), shared by the API and the briefing snapshots."""
    return {
        "period": view.period,
        "window": window_json(view.window),
        "recounted_in_event_time": recounted,
        "units": [unit_figures_json(figures) for figures in view.units],
    }


def league_body(view: LeagueView) -> dict[str, Any]:
    """The /league body (without its stamp), shared by the API and the briefing snapshots."""
    return {
        "kind": view.kind,
        "period": view.period,
        "window": window_json(view.window),
        "previous_window": window_json(view.previous_window),
        "previous_covered": view.previous_covered,  # false: the store's data begins after previous_window's start
        "history_start": iso(view.history_start),
        "recounted_in_event_time": view.recounted,
        "rows": [league_row_json(row) for row in view.rows],
        "closed_units": [
            {"unit": unit_json(closed.unit), "backlog": backlog_json(closed.backlog)} for closed in view.closed
        ],
    }


def _stamp(as_of: datetime, version: int, body: dict[str, Any]) -> Response:
    return _respond({"as_of": iso(as_of), "data_version": version, **body})


def blueprint(services: Services) -> Blueprint:
    """The API's routes over `services`; the app factory registers it on the Dash app's Flask server."""
    api = Blueprint("api_v1", __name__, url_prefix=PREFIX)

    @api.before_request
    def declared_parameters() -> None:
        """Every parameter against the endpoint's declared query (`api_params`): a 400 naming it, never a 500."""
        check_query((request.endpoint or "").removeprefix(f"{api.name}."), request.args)

    @api.errorhandler(ParameterError)
    def bad_parameter(error: ParameterError) -> Response:
        body = {"as_of": iso(services.clock.now()), "data_version": services.store.data_version()[0]}
        return _respond(body | {"error": str(error), "parameter": error.parameter}, 400)

    @api.get("/units")
    def units() -> Response:
        view = views.units_view(services)
        return _stamp(view.as_of, view.data_version, {"units": [unit_json(u) for u in view.units]})

    def as_of() -> datetime | None:
        return parse_as_of(request.args.get("as_of"), services.clock.now())

    @api.get("/kpis")
    def kpis() -> Response:
        period, unit = request.args.get("period", DEFAULT_PERIOD), request.args.get("unit") or None
        cache, compare = current_app.extensions[EXTENSION], request.args.get("compare") or None
        view = views.kpis_data(services, cache, current_key(services), period, unit, as_of=as_of(), compare=compare)
        body = kpis_body(view, view.recounted)  # of the figures shown (a stale view's own, not now's)
        if "compare" in request.args:
            body["origin"] = origin_json(view.origin)
        return _stamp(view.as_of, view.data_version, body)

    @api.get("/league")
    def league() -> Response:
        today = default_kind(services.store, services.clock.now())  # no districts since 01/07/2025
        kind = check_choice("kind", request.args.get("kind", today), LEAGUE_KINDS)
        period = checked_period(request.args.get("period", DEFAULT_PERIOD))
        cache = current_app.extensions[EXTENSION]
        view = league_data(services, cache, current_key(services), kind, period, as_of())
        return _stamp(view.as_of, view.data_version, league_body(view))

    @api.get("/dossiers")
    def dossiers() -> Response:
        unit = request.args.get("unit")
        if not unit:
            raise ParameterError("unit", "unit is required: a unit key from /api/v1/units")
        page, page_size = views.check_page(request.args.get("page"), request.args.get("page_size"))
        name = request.args.get("filter", "in_progress")
        period = request.args.get("period", DEFAULT_PERIOD)
        view = views.dossiers_view(services, unit, name, period, page, page_size, as_of=as_of())
        found = view.page
        body = {
            "unit": view.unit,
            "filter": view.filter,
            "period": view.period,
            "window": window_json(view.window),
            "page": found.page,
            "page_size": found.page_size,
            "pages": found.pages,
            "total": found.total,
            "dossiers": [dossier_json(row) for row in found.rows],
        }
        return _stamp(view.as_of, view.data_version, body)

    @api.get("/openapi.json")
    def openapi_document() -> Response:
        return _respond(openapi.document())

    return api
