"""The OpenAPI 3.1 document of the JSON API (`dashboard/web/api.py`), served at /api/v1/openapi.json.

Built from the same constants the API checks against (periods, kinds, dossier filters), so the enums cannot drift.
"""

from __future__ import annotations

from typing import Any, get_args

from dashboard.core.vocabulary import (
    AGEING_BUCKETS,
    DEFAULT_KIND,
    DEFAULT_PERIOD,
    DOSSIER_FILTERS,
    LEAGUE_KINDS,
    PERIODS,
)
from dashboard.metrics.service_index import CriterionKey, GradeKey, IndexState, SubScoreState
from dashboard.pages.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

CRITERIA = get_args(CriterionKey)
GRADES = get_args(GradeKey)
INDEX_STATES = get_args(IndexState)
SUBSCORE_STATES = get_args(SubScoreState)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object whose every listed property is required and no other is allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return {"description": description, **schema} if description else schema


def _optional(schema: dict[str, Any], *names: str) -> dict[str, Any]:
    """`schema` with `names` no longer required."""
    return {**schema, "required": [name for name in schema["required"] if name not in names]}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


INT, NUM, STR, BOOL = {"type": "integer"}, {"type": "number"}, {"type": "string"}, {"type": "boolean"}
COVERED = "history_start on or before previous_window's first day; false: no previous_rank nor movement (null)."
TIME = {"type": "string", "format": "date-time"}
NULL_TIME, NULL_DAY = _nullable("string", format="date-time"), _nullable("string", format="date")
STAMP = {
    "as_of": {**TIME, "description": "The instant the figures were computed at (ISO 8601, +07:00)."},
    "data_version": {**INT, "description": "The store's data version: it changes whenever new data lands."},
}


def _schemas() -> dict[str, Any]:
    return {
        "Ratio": _object(
            {"numerator": INT, "denominator": INT, "value": _nullable("number")},
            "numerator ÷ denominator; value is null when the denominator is 0 (n/a, never 0).",
        ),
        "Window": _object({"start": TIME, "end": TIME}, "A half-open window [start, end)."),
        "Backlog": _object(
            {
                "in_progress": INT,
                "overdue": INT,
                "overdue_with_apology": INT,
                "ageing": _object({bucket: INT for bucket in AGEING_BUCKETS}),
            },
            "Dossiers in progress at the as-of time, by ageing bucket in working days.",
        ),
        "Kpis": _object(
            {
                "received": INT,
                "completed": INT,
                "late": INT,
                "online": _ref("Ratio"),
                "online_full": _ref("Ratio"),
                "on_time": _ref("Ratio"),
                "apology": _ref("Ratio"),
                "dossier_satisfaction": _ref("Ratio"),
                "median_processing_days": _nullable("number"),
                "mean_statutory_days": _nullable("number"),
                "feedback_received": INT,
                "open_feedback": INT,
                "overdue_feedback": INT,
                "feedback_on_time": _ref("Ratio"),
                "feedback_satisfaction": _ref("Ratio"),
                "backlog": _ref("Backlog"),
            },
            "A unit's figures over the period; formulas in docs/metrics.md.",
        ),
        "SubScore": _object(
            {
                "key": {"type": "string", "enum": list(CRITERIA)},
                "group": STR,
                "ratio": _ref("Ratio"),
                "threshold": NUM,
                "max_points": NUM,
                "points": _nullable("number", description="null when the state is not scored."),
                "min_count": {
                    **INT,
                    "description": "The fewest dossiers (or feedback items) in the denominator for the criterion to "
                    "count (service_index.yaml).",
                },
                "state": {
                    "type": "string",
                    "enum": list(SUBSCORE_STATES),
                    "description": "scored; too_few: denominator below min_count, not enough data, left out of the "
                    "score; no_data: denominator 0, left out.",
                },
                "formula": {
                    **STR,
                    "description": "How the points were computed, e.g. 20 × min((9 / 10) ÷ 1, 1); "
                    "on_time: not enough data (12 < 20); on_time: n/a (0 / 0).",
                },
            }
        ),
        "IndexScore": _object(
            {
                "score": _nullable("number", description="0–100; null when no criterion has enough data."),
                "grade": {"type": ["string", "null"], "enum": [*GRADES, None]},
                "state": {
                    "type": "string",
                    "enum": list(INDEX_STATES),
                    "description": "scored (ranked); too_few: some data but no criterion at its min_count, not "
                    "ranked — not enough data; no_data: nothing in the period, not ranked.",
                },
                "subscores": {"type": "array", "items": _ref("SubScore")},
            },
            "The service index: Σ points of the criteria with enough data (denominator ≥ min_count) ÷ Σ their "
            "maximum points × 100; null, with no grade and no rank, when no criterion has enough data.",
        ),
        "Commitment": _object(
            {
                "criterion": {"type": "string", "enum": list(CRITERIA)},
                "target": NUM,
                "value": _nullable("number"),
                "progress": _nullable("number", description="value ÷ target; 1 means met."),
            }
        ),
        "Unit": _object(
            {
                "key": STR,
                "code": STR,
                "kind": STR,
                "name_vi": STR,
                "name_en": STR,
                "short_name_vi": STR,
                "parent_key": _nullable("string"),
                "valid_from": _nullable("string", format="date"),
                "valid_to": _nullable("string", format="date"),
                "ranked": BOOL,
                "former_province": _nullable("string", description="79 HCMC, 74 Bình Dương, 77 Bà Rịa–Vũng Tàu"),
                "predecessors": {
                    "type": "array",
                    "items": _object({"unit": STR, "partial": BOOL}),
                    "description": "What the unit was formed from: unit keys, or the GSO codes of old wards.",
                },
                "origin": {"type": "array", "items": STR, "description": "Old districts, as province:district codes."},
                "aliases": {"type": "array", "items": STR, "description": "Other codes the unit is written under."},
            }
        ),
        "UnitFigures": _object(
            {
                "unit": _ref("Unit"),
                "kpis": _ref("Kpis"),
                "index": _ref("IndexScore"),
                "commitments": {"type": "array", "items": _ref("Commitment")},
                "closed_unit": {**BOOL, "description": "An ended unit still holding dossiers in progress."},
            }
        ),
        "LeagueRow": _object(
            {
                "unit_key": STR,
                "name_vi": STR,
                "name_en": STR,
                "rank": _nullable(
                    "integer", description="Standard competition rank on the score rounded to 2 decimals."
                ),
                "previous_rank": _nullable("integer", description="Null: unranked then, new, or not previous_covered."),
                "movement": _nullable("integer", description="Places up since the previous period (negative: down)."),
                "index": _ref("IndexScore"),
                "kpis": _ref("Kpis"),
                "commitments": {"type": "array", "items": _ref("Commitment")},
                "trend": {"type": "array", "items": _nullable("number"), "description": "Weekly scores, oldest first."},
                "stale": {**BOOL, "description": "A source of the unit is stale: ranked, but marked."},
                "data_as_of": {**NULL_TIME, "description": "The oldest last good pull of the unit's sources."},
                "joined": _nullable(
                    "string", format="date", description="Created inside the period: ranked on its part of it."
                ),
                "new_unit_since": _nullable(
                    "string", format="date", description="A new unit: it has no previous period (previous_rank null)."
                ),
            }
        ),
        "ClosedUnit": _object(
            {"unit": _ref("Unit"), "backlog": _ref("Backlog")},
            "An ended unit still holding dossiers in progress (a district after 30/06/2025): never ranked.",
        ),
        "Dossier": _object(
            {
                "native_code": STR,
                "source": STR,
                "unit_key": STR,
                "procedure_code": STR,
                "procedure_name_vi": _nullable("string"),
                "procedure_name_en": _nullable("string"),
                "channel": STR,
                "status": STR,
                "received_at": TIME,
                "due_original_at": TIME,
                "due_current_at": TIME,
                "completed_at": NULL_TIME,
                "supplement_requests": INT,
                "apology_at": NULL_TIME,
                "apology_new_due_at": NULL_TIME,
                "rating": _nullable("string"),
                "processing_days": _nullable("number"),
            }
        ),
        "Error": _object(
            {**STAMP, "error": STR, "parameter": STR}, "A bad request; `parameter` names the query parameter."
        ),
        "UnitsResponse": _object({**STAMP, "units": {"type": "array", "items": _ref("Unit")}}),
        "KpisResponse": _optional(
            _object(
                {
                    **STAMP,
                    "period": STR,
                    "window": _ref("Window"),
                    "recounted_in_event_time": RECOUNTED,
                    "units": {"type": "array", "items": _ref("UnitFigures")},
                    "origin": {
                        "oneOf": [_ref("Origin"), {"type": "null"}],
                        "description": "Only with compare=origin: null unless the unit is new.",
                    },
                }
            ),
            "origin",
        ),
        "Origin": _object(
            {
                "crosswalk": {**STR, "description": "The official conversion table the districts of origin come from."},
                "units": {"type": "array", "items": _ref("Unit")},
                "partial": {**BOOL, "description": "A district of origin went also to other units, or in part."},
                "window": _ref("Window"),
                "kpis": _ref("Kpis"),
            },
            "A new unit's districts of origin combined over the previous period (not the unit's own past).",
        ),
        "LeagueResponse": _object(
            {
                **STAMP,
                "kind": STR,
                "period": STR,
                "window": _ref("Window"),
                "previous_window": _ref("Window"),
                "previous_covered": {**BOOL, "description": COVERED},
                "history_start": {**NULL_DAY, "description": "The first day a dossier was received."},
                "recounted_in_event_time": RECOUNTED,
                "rows": {"type": "array", "items": _ref("LeagueRow")},
                "closed_units": {"type": "array", "items": _ref("ClosedUnit")},
            }
        ),
        "DossiersResponse": _object(
            {
                **STAMP,
                "unit": STR,
                "filter": STR,
                "period": STR,
                "window": _ref("Window"),
                "page": INT,
                "page_size": INT,
                "pages": INT,
                "total": INT,
                "dossiers": {"type": "array", "items": _ref("Dossier")},
            }
        ),
    }


def _parameter(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


PERIOD = _parameter(
    "period",
    "today, 7d, 30d (from 00:00 six / twenty-nine days ago), qtd, ytd (windows end at the as-of time); lw, lm (the "
    "last full week Monday–Sunday, the last full month); or a range YYYY-MM-DD..YYYY-MM-DD (days inclusive). The "
    "previous period has as many whole days, just before.",
    {
        "oneOf": [
            {"type": "string", "enum": list(PERIODS)},
            {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$"},
        ],
        "default": DEFAULT_PERIOD,
    },
)
AS_OF = _parameter(
    "as_of",
    "The instant the figures are at (ISO 8601; without an offset, Asia/Ho_Chi_Minh), or a day YYYY-MM-DD for its "
    "end; default now. The store holds each dossier's current state: a past as-of is recounted in event time "
    "(recounted_in_event_time), a dossier completed since counting as open then; only a snapshot records what was "
    "known at the time.",
    {"type": "string"},
)
RECOUNTED = {
    **BOOL,
    "description": "The as-of is before the store last changed: backlog and open feedback recounted in event time.",
}


def _operation(summary: str, schema: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}},
    }
    if parameters:
        responses["400"] = {
            "description": "A parameter has a value we do not know; the body names it.",
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    unit = _parameter("unit", "A unit key (see /api/v1/units).", STR)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CCHC Pulse API",
            "version": "1.0.0",
            "description": (
                "Read-only figures of Ho Chi Minh City's administrative reform dashboard: the same numbers the "
                "pages show. Every response carries `as_of` and `data_version`; every rate is a Ratio."
            ),
        },
        "paths": {
            "/api/v1/units": _operation("Every unit, past ones included, with its validity.", "UnitsResponse", []),
            "/api/v1/kpis": _operation(
                "KPIs, service index and commitments of every unit existing now, or of one unit.",
                "KpisResponse",
                [
                    unit,
                    PERIOD,
                    AS_OF,
                    _parameter(
                        "compare",
                        "origin: for a new unit (no previous period), its districts of origin combined over the "
                        "previous period, naming the crosswalk. Needs unit.",
                        {"type": "string", "enum": ["origin"]},
                    ),
                ],
            ),
            "/api/v1/league": _operation(
                "A league table: districts, or wards and communes since 01/07/2025 (kind=ward), or departments.",
                "LeagueResponse",
                [
                    _parameter(
                        "kind", "Which league.", {"type": "string", "enum": list(LEAGUE_KINDS), "default": DEFAULT_KIND}
                    ),
                    PERIOD,
                    AS_OF,
                ],
            ),
            "/api/v1/dossiers": _operation(
                "One page of a unit's dossiers behind a number.",
                "DossiersResponse",
                [
                    {**unit, "required": True},
                    _parameter(
                        "filter",
                        "Which dossiers; period filters count within the period's window.",
                        {"type": "string", "enum": list(DOSSIER_FILTERS), "default": "in_progress"},
                    ),
                    PERIOD,
                    AS_OF,
                    _parameter("page", "1-based page.", {"type": "integer", "minimum": 1, "default": 1}),
                    _parameter(
                        "page_size",
                        "Rows per page.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                    ),
                ],
            ),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document.",
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {}}}}},
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
