"""The JSON API with the Flask test client on a hand-built city (tests/league_scenario.py): exact numbers, ISO
times, as-of and data version on every response, 400s that name the parameter, and an OpenAPI document that
describes every path and every response."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.web.app import create_app
from dashboard.web.openapi import document
from tests import league_scenario
from tests.factories import counting_every_dossier
from tests.league_scenario import AS_OF
from tests.signin import signed_client

STAMP = {"as_of": "2019-11-27T15:00:00+07:00"}


@pytest.fixture
def real_city(tmp_path, settings, clock):
    """The hand-built city under the index as configured: its handful of dossiers is below every minimum count."""
    services, databases = league_scenario.build(tmp_path, settings, clock)
    yield services
    services.store.dispose()
    for database in databases:
        database.dispose()


@pytest.fixture
def city(tmp_path, settings, clock):
    services, databases = league_scenario.build(tmp_path, settings, clock)
    services.index_config = counting_every_dossier(services.index_config)  # its handful of dossiers, ranked
    yield services
    services.store.dispose()
    for database in databases:
        database.dispose()


@pytest.fixture
def client(city):
    return signed_client(create_app(city))


def get(client, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_units_lists_every_unit_with_its_validity(client, city):
    body = get(client, "/api/v1/units")
    assert body["as_of"] == STAMP["as_of"] and body["data_version"] == city.store.data_version()[0] == 4
    units = {unit["key"]: unit for unit in body["units"]}
    assert len(units) == 511  # the city, 25 districts, 44 bodies, and the wards of 2025-06-30 and since
    assert units["quan-1"] == {
        "key": "quan-1",
        "code": "760",
        "kind": "district",
        "name_vi": "Quận 1",
        "name_en": "District 1",
        "short_name_vi": "1",
        "parent_key": "hcmc",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "ranked": True,
        "former_province": None,
        "predecessors": [],
        "origin": [],
        "aliases": [],
    }
    assert units["tp-thu-duc"]["valid_from"] == "2021-01-01" and units["hcmc"]["ranked"] is False
    assert units["tp-thu-duc"]["predecessors"] == [
        {"unit": "quan-2", "partial": False},
        {"unit": "quan-9", "partial": False},
        {"unit": "quan-thu-duc", "partial": False},
    ]
    saigon = units["phuong-sai-gon"]
    assert (saigon["code"], saigon["kind"], saigon["valid_from"], saigon["former_province"]) == (
        "26740",
        "ward",
        "2025-07-01",
        "79",
    )
    assert saigon["predecessors"] == [
        {"unit": "26737", "partial": True},
        {"unit": "26740", "partial": False},
        {"unit": "26746", "partial": True},
    ]
    assert saigon["origin"] == ["79:760"]


def test_kpis_of_one_unit_every_ratio_with_its_numbers(client):
    body = get(client, "/api/v1/kpis?unit=quan-1&period=30d")
    assert body["as_of"] == STAMP["as_of"] and body["period"] == "30d"
    assert body["window"] == {"start": "2019-10-29T00:00:00+07:00", "end": "2019-11-27T15:00:00+07:00"}
    (unit,) = body["units"]
    kpis = unit["kpis"]
    assert unit["unit"]["key"] == "quan-1"
    assert (kpis["received"], kpis["completed"], kpis["late"]) == (4, 2, 1)
    assert kpis["on_time"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert kpis["online"] == {"numerator": 2, "denominator": 4, "value": 0.5}
    assert kpis["dossier_satisfaction"] == {"numerator": 0, "denominator": 0, "value": None}
    assert kpis["backlog"] == {
        "in_progress": 2,
        "overdue": 1,
        "overdue_with_apology": 0,
        "ageing": {"not_due": 1, "due_soon": 0, "overdue_1_5": 1, "overdue_6_20": 0, "overdue_over_20": 0},
    }
    index = unit["index"]
    assert index["score"] == pytest.approx(32 / 42 * 100) and index["grade"] == "fair"
    assert index["state"] == "scored"
    on_time = index["subscores"][0]
    assert on_time["points"] == 10.0 and on_time["formula"] == "20 × min((1 / 2) ÷ 1, 1) = 10.00"
    assert (on_time["min_count"], on_time["state"]) == (1, "scored")
    satisfaction = index["subscores"][4]
    assert (satisfaction["key"], satisfaction["points"], satisfaction["state"]) == (
        "dossier_satisfaction",
        None,
        "no_data",
    )
    commitments = {c["criterion"]: c for c in unit["commitments"]}
    assert commitments["online"] == {"criterion": "online", "target": 0.4, "value": 0.5, "progress": 1.25}
    assert commitments["on_time"]["progress"] == pytest.approx(0.5 / 0.98)


def test_below_the_minimum_count_the_index_says_not_enough_data_and_the_unit_is_not_ranked(real_city):
    """service_index.yaml's minimum counts (20 dossiers, 5 feedback items): Quận 1's 2 completed and 4 received
    dossiers score nothing; a district without dossiers has no data."""
    client = signed_client(create_app(real_city))
    (unit,) = get(client, "/api/v1/kpis?unit=quan-1&period=30d")["units"]
    index = unit["index"]
    assert (index["score"], index["grade"], index["state"]) == (None, None, "too_few")
    subscores = [(s["key"], s["min_count"], s["state"], s["points"], s["formula"]) for s in index["subscores"]]
    assert subscores == [
        ("on_time", 20, "too_few", None, "on_time: not enough data (2 < 20)"),
        ("online", 20, "too_few", None, "online: not enough data (4 < 20)"),
        ("feedback_on_time", 5, "no_data", None, "feedback_on_time: n/a (0 / 0)"),
        ("feedback_satisfaction", 5, "no_data", None, "feedback_satisfaction: n/a (0 / 0)"),
        ("dossier_satisfaction", 20, "no_data", None, "dossier_satisfaction: n/a (0 / 0)"),
    ]
    rows = {r["unit_key"]: r for r in get(client, "/api/v1/league?kind=district&period=30d")["rows"]}
    assert (rows["quan-1"]["rank"], rows["quan-1"]["index"]["state"]) == (None, "too_few")
    assert (rows["quan-5"]["rank"], rows["quan-5"]["index"]["state"]) == (None, "no_data")
    assert all(r["rank"] is None for r in rows.values())


def test_kpis_of_every_unit_existing_now(client):
    body = get(client, "/api/v1/kpis?period=7d")
    keys = [unit["unit"]["key"] for unit in body["units"]]
    assert len(keys) == 66 and "tp-thu-duc" not in keys  # Thủ Đức city exists from 2021
    quan_4 = next(unit for unit in body["units"] if unit["unit"]["key"] == "quan-4")
    assert quan_4["kpis"]["on_time"] == {"numerator": 2, "denominator": 2, "value": 1.0}
    hcmc = next(unit for unit in body["units"] if unit["unit"]["key"] == "hcmc")
    assert hcmc["commitments"] == [] and hcmc["index"]["score"] is None


def test_league_rows_as_the_page_shows_them(client):
    body = get(client, "/api/v1/league?kind=district&period=30d")
    assert body["as_of"] == STAMP["as_of"] and body["data_version"] == 4
    assert (body["kind"], body["period"]) == ("district", "30d")
    # 30 whole days before the window (it was 30 days less the hours of today, to 09:00, before issue 13)
    assert body["previous_window"] == {"start": "2019-09-29T00:00:00+07:00", "end": "2019-10-29T00:00:00+07:00"}
    assert (body["previous_covered"], body["history_start"]) == (True, "2019-07-30")  # Q1-history: covered
    rows = body["rows"]
    assert len(rows) == 24
    top = [(r["unit_key"], r["rank"], r["previous_rank"], r["movement"], r["stale"]) for r in rows[:3]]
    assert top == [
        ("quan-3", 1, 2, 1, True),
        ("quan-4", 1, None, None, False),
        ("quan-1", 3, 1, -2, False),
    ]
    assert rows[0]["data_as_of"] == "2019-11-27T14:00:00+07:00" and rows[1]["data_as_of"] is None
    assert rows[2]["index"]["score"] == pytest.approx(76.19047619)
    assert rows[2]["kpis"]["on_time"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert len(rows[0]["trend"]) == 8 and rows[0]["trend"][-1] == 100.0
    assert all(r["rank"] is None and r["index"]["score"] is None for r in rows[3:])


def test_league_of_departments_and_the_default_parameters(client):
    assert get(client, "/api/v1/league")["kind"] == "district"
    body = get(client, "/api/v1/league?kind=department&period=today")
    assert body["period"] == "today" and all(row["rank"] is None for row in body["rows"])
    assert "so-tu-phap" in {row["unit_key"] for row in body["rows"]}


def test_dossiers_page_through_a_filter(client):
    body = get(client, "/api/v1/dossiers?unit=quan-1&filter=in_progress&page_size=1&page=2")
    assert (body["total"], body["pages"], body["page"], body["page_size"]) == (2, 2, 2, 1)
    (row,) = body["dossiers"]
    assert row["native_code"] == "Q1-new" and row["due_original_at"] == "2019-12-06T15:00:00+07:00"
    completed = get(client, "/api/v1/dossiers?unit=quan-1&filter=late&period=7d")["dossiers"]
    assert [(d["native_code"], d["completed_at"], d["processing_days"]) for d in completed] == [
        ("Q1-b", "2019-11-24T15:00:00+07:00", 4.0)  # received Mon 18/11, done Sun 24/11: Tue–Fri, 4 working days
    ]
    assert get(client, "/api/v1/dossiers?unit=quan-1&filter=on_time&period=today")["total"] == 0


BAD_PARAMETERS = (
    ("/api/v1/league?kind=province", "kind"),
    ("/api/v1/league?period=90d", "period"),
    ("/api/v1/kpis?period=week", "period"),
    ("/api/v1/kpis?unit=quan-99", "unit"),
    ("/api/v1/dossiers?filter=overdue", "unit"),
    ("/api/v1/dossiers?unit=quan-99", "unit"),
    ("/api/v1/dossiers?unit=quan-1&filter=stuck", "filter"),
    ("/api/v1/dossiers?unit=quan-1&period=month", "period"),
    ("/api/v1/dossiers?unit=quan-1&page=0", "page"),
    ("/api/v1/dossiers?unit=quan-1&page_size=201", "page_size"),
    ("/api/v1/dossiers?unit=quan-1&page_size=ten", "page_size"),
    ("/api/v1/kpis?compare=origin", "compare"),
    ("/api/v1/kpis?unit=quan-1&compare=history", "compare"),
)


def test_a_bad_parameter_is_a_400_that_names_it(client):
    for url, parameter in BAD_PARAMETERS:
        body = get(client, url, 400)
        assert body["parameter"] == parameter and parameter in body["error"], url


def test_the_as_of_and_version_follow_the_clock_and_the_store(client, city, clock):
    from datetime import timedelta

    clock.set(AS_OF + timedelta(minutes=5))
    body = get(client, "/api/v1/league")
    assert body["as_of"] == "2019-11-27T15:05:00+07:00" and body["data_version"] == 4


# --- the OpenAPI document ----------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def conforms(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> list[str]:
    """The places where `value` breaks `schema` (type, enum, required, additionalProperties, items): a small check
    of the JSON Schema subset our document uses."""
    schema = _resolve(schema, spec)
    problems: list[str] = []
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if not conforms(value, option, spec, where)]
        if len(matching) != 1:
            return [f"{where}: {value!r} matches {len(matching)} of the oneOf schemas, not 1"]
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        matched = any(
            isinstance(value, TYPES[k]) and not (k in ("integer", "number") and isinstance(value, bool)) for k in kinds
        )
        if not matched:
            return [f"{where}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: unexpected {name}" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                problems += conforms(item, properties[name], spec, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += conforms(item, schema["items"], spec, f"{where}[{index}]")
    return problems


def test_the_openapi_document_describes_every_route(client, city):
    spec = get(client, "/api/v1/openapi.json")
    assert spec == document() and spec["openapi"].startswith("3.1")
    app = create_app(city)
    routes = {rule.rule for rule in app.server.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert (
        routes
        == set(spec["paths"])
        == {
            "/api/v1/units",
            "/api/v1/kpis",
            "/api/v1/league",
            "/api/v1/dossiers",
            "/api/v1/openapi.json",
        }
    )
    for path, item in spec["paths"].items():
        assert item["get"]["responses"]["200"]["content"]["application/json"], path
    league_parameters = {p["name"]: p for p in spec["paths"]["/api/v1/league"]["get"]["parameters"]}
    named, custom = league_parameters["period"]["schema"]["oneOf"]
    assert named["enum"] == ["today", "7d", "30d", "qtd", "ytd", "lw", "lm"]
    assert custom["pattern"] == r"^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$"
    assert "as_of" in league_parameters
    schemas = spec["components"]["schemas"]
    index, subscore = schemas["IndexScore"], schemas["SubScore"]
    assert index["required"] == ["score", "grade", "state", "subscores"]
    assert index["properties"]["state"]["enum"] == ["scored", "too_few", "no_data"]
    assert subscore["properties"]["state"]["enum"] == ["scored", "too_few", "no_data"]
    assert subscore["properties"]["min_count"]["type"] == "integer" and "min_count" in subscore["required"]
    assert "on_time: not enough data (12 < 20)" in subscore["properties"]["formula"]["description"]


SAMPLES = (
    "/api/v1/units",
    "/api/v1/kpis?unit=quan-1",
    "/api/v1/kpis?period=today",
    "/api/v1/league",
    "/api/v1/dossiers?unit=quan-1&filter=completed",
    "/api/v1/dossiers?unit=quan-1&filter=overdue",
    "/api/v1/league?kind=ward",
    "/api/v1/kpis?unit=quan-1&compare=origin",
)


def test_every_response_matches_its_schema(client):
    spec = document()
    for url in SAMPLES:
        response = client.get(url)
        responses = spec["paths"][url.split("?")[0]]["get"]["responses"]
        schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
        assert conforms(response.get_json(), schema, spec) == [], url
    assert conforms({"as_of": 1}, spec["components"]["schemas"]["UnitsResponse"], spec) == [
        "$: missing data_version",
        "$: missing units",
        "$.as_of: 1 is not ['string']",
    ]
