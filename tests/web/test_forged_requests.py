"""The forged and fuzzed requests of issue 14, and more, replayed against the real app under each role: every one is
refused or answered correctly — never a 500. Each callback of the app gets every bad value at every input; each API
endpoint every bad value at every parameter; every role the forged addresses."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import product

import pytest

from dashboard.auth.roles import ADMIN, BRIEFING_STAFF, KIOSK_ROLE, LEADER, UNIT_HEAD
from dashboard.web.access import owner_page
from dashboard.web.sessions import DEVICE_COOKIE
from layouts.ids import BriefingsIds, ShellIds
from tests.factories import dossier
from tests.signin import anonymous_client, signed_client

CALLBACK = "/_dash-update-component"
ANSWERS = {200, 204, 400, 401, 403, 404}
BAD_VALUES = [
    "²",
    "٣",
    "99999999999999999999999",
    -1,
    10**30,
    1.5,
    float("nan"),
    True,
    "",
    "x" * 100_000,
    [],
    [[[[]]]],
    {},
    {"a": {"b": [1, {"c": None}]}},
    ["x"] * 5_000,
    [{"name_vi": "A"}] * 3_000,
    "<script>alert(1)</script>",
    "\x00",
]
FORGED_ADDRESSES = [
    ("/unit/quan-1", "?list=overdue&page=²"),
    ("/unit/quan-1", "?list=overdue&page=99999999999999999999999"),
    ("/unit/quan-1", "?list=received&page=-3&period=<script>"),
    ("/unit/quan-1", "?as_of=9999-99-99T99:99&list=overdue"),
    ("/unit/quan-1", "?as_of=1900-01-01&period=custom&from=2019-13-01&to=x"),
    ("/unit/%00", ""),
    ("/unit/" + "x" * 3_000, ""),
    ("/unit/quan-1/../../etc/passwd", "?list=overdue"),
    ("/unit/quan-1?list=overdue", ""),
    ("/league", "?kind=nope&period=²&page=0"),
    ("/league", "?kind=ward&period=custom&from=2019-11-01&to=2019-10-01"),
    ("/wall", "?views=nope,league&dwell=-5&scale=1e308"),
    ("/wall", "?map=../../secret&lang=xx"),
    ("/sources", "?source=../../etc&page=²"),
    ("/briefings", "?a=999999999999&b=-1"),
    ("/briefings/abc/changes", ""),
    ("/briefings/99999999999999999999/changes", "?lang=en"),
    ("/no-such-page", "?q=" + "y" * 1_500),
    ("", None),
    (None, None),
]
ROLES = [(LEADER, []), (UNIT_HEAD, ["quan-3"]), (BRIEFING_STAFF, []), (ADMIN, [])]


@pytest.fixture
def data(services, source_db, pull):
    source_db.insert("dossiers", dossier("A"), dossier("B", channel="online_full"), dossier("C"))
    pull()


def outputs_of(output: str) -> list | dict:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        found.append([] if component.startswith("{") else {"id": component, "property": prop})
    return found if output.startswith("..") else found[0]


def good_value(component: str, prop: str, page: str):
    if prop == "pathname":
        return page
    if prop in ("n_clicks", "n_intervals"):
        return 1
    if prop == "data" and component.endswith("scale"):
        return 1.0
    return None


def payload(output: str, spec: dict, page: str, changed: dict | None = None) -> dict:
    def items(declared: list[dict]) -> list[dict]:
        made = []
        for item in declared:
            key = (str(item["id"]), item["property"])
            value = changed[key] if changed and key in changed else good_value(*key, page)
            made.append({"id": str(item["id"]), "property": item["property"], "value": value})
        return made

    return {
        "output": output,
        "outputs": outputs_of(output),
        "inputs": items(spec["inputs"]),
        "state": items(spec["state"]),
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }


def server_callbacks(app) -> list[tuple[str, dict, str]]:
    found = []
    for output, spec in app.callback_map.items():
        if "callback" in spec:
            found.append((output, spec, owner_page(output) or "/unit/quan-1"))
    return found


def post(client, body) -> int:
    data = json.dumps(body, allow_nan=True)
    return client.post(CALLBACK, data=data, content_type="application/json").status_code


def test_every_bad_value_at_every_callback_input_is_refused_or_answered(app, data):
    leader, staff = signed_client(app), signed_client(app, BRIEFING_STAFF)  # staff ask for snapshots
    statuses, replayed = {}, 0
    for output, spec, page in server_callbacks(app):
        client = staff if BriefingsIds.ASK_STATUS in output else leader
        assert post(client, payload(output, spec, page)) in (200, 204), output  # the honest request works
        for item, bad in product([*spec["inputs"], *spec["state"]], BAD_VALUES):
            key = (str(item["id"]), item["property"])
            status = post(client, payload(output, spec, page, {key: bad}))
            replayed += 1
            statuses.setdefault(status, []).append((output[:40], key, repr(bad)[:30]))
    assert replayed > 500
    assert set(statuses) <= ANSWERS, {s: v[:5] for s, v in statuses.items() if s not in ANSWERS}


@pytest.mark.parametrize(("role", "units"), [*ROLES, ("kiosk", []), ("nobody", [])])
def test_forged_addresses_under_every_role(app, data, services, role, units):
    if role == "kiosk":
        client = anonymous_client(app)
        _, token = services.accounts.issue_token(
            "kiosk", "Tầng 3", KIOSK_ROLE, set(), services.accounts.clock.now() + timedelta(days=1)
        )
        client.set_cookie(DEVICE_COOKIE, token)
    elif role == "nobody":
        client = anonymous_client(app)
    else:
        client = signed_client(app, role, units)
    statuses: dict[int, list] = {}
    for (output, spec, _page), (pathname, search) in product(server_callbacks(app), FORGED_ADDRESSES):
        changed = {(ShellIds.LOCATION, "pathname"): pathname, (ShellIds.LOCATION, "search"): search}
        status = post(client, payload(output, spec, pathname or "/", changed))
        statuses.setdefault(status, []).append((output[:40], pathname and pathname[:40], search and search[:40]))
        if pathname:
            page = client.get(f"{pathname}{search or ''}")
            statuses.setdefault(page.status_code, []).append(("GET", pathname[:40]))
    assert set(statuses) <= ANSWERS | {303}, {s: v[:5] for s, v in statuses.items() if s not in ANSWERS | {303}}
    if role == "nobody":
        assert set(statuses) <= {303, 401}


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {"output": 5},
        {"output": "shell-page.children"},
        {"output": "shell-page.children", "inputs": "nope", "outputs": {}},
        {"output": "shell-page.children", "inputs": [1, 2], "outputs": {"id": "a", "property": "b"}},
        {"output": "shell-page.children", "inputs": [{"id": 1}] * 100, "outputs": {"id": "a", "property": "b"}},
        {"output": "x" * 10_000, "inputs": []},
        {"output": "..shell-page.children...nope.data..", "inputs": [], "outputs": []},
    ],
)
def test_a_malformed_callback_request_is_a_400(app, body):
    client = signed_client(app)
    response = client.post(CALLBACK, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]


API_PARAMETERS = {
    "/api/v1/units": ["as_of", "page"],  # it takes none: each is a 400 naming it
    "/api/v1/kpis": ["period", "unit", "as_of", "compare"],
    "/api/v1/league": ["kind", "period", "as_of"],
    "/api/v1/dossiers?unit=quan-1": ["filter", "period", "page", "page_size", "as_of"],
}
API_BAD = ["²", "99999999999999999999999", "-1", "0", "", "x" * 5_000, "<script>", "%00", "1e308", "nan",
           "2019-02-30", "9999-12-31T23:59:59+14:00", "quan-1,quan-3", "custom", "../../etc/passwd"]  # fmt: skip


def test_fuzzed_api_requests_are_answered_or_a_400_naming_the_parameter(app, data):
    client, statuses, replayed = signed_client(app), {}, 0
    for (path, names), bad in product(API_PARAMETERS.items(), API_BAD):
        for name in names:
            joiner = "&" if "?" in path else "?"
            response = client.get(f"{path}{joiner}{name}={bad}")
            replayed += 1
            statuses.setdefault(response.status_code, []).append((path, name, bad[:20]))
            if response.status_code == 400:
                assert response.get_json()["parameter"] in (name, "unit", "period"), (path, name, bad)
            if path == "/api/v1/units":
                assert response.status_code == 400, (name, bad)
    assert replayed > 150
    assert set(statuses) <= {200, 400, 403, 404}, {s: v[:5] for s, v in statuses.items() if s >= 500}


def test_every_callback_input_has_a_declared_schema(app):
    from dashboard.web.inputs import SCHEMAS

    missing = [
        (output, str(item["id"]), item["property"])
        for output, spec, _page in server_callbacks(app)
        for item in [*spec["inputs"], *spec["state"]]
        if (str(item["id"]), item["property"]) not in SCHEMAS
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("value", "status"), [(1.0, 200), (2.5, 200), (4, 200), (0.1, 400), (1e308, 400), ("2", 400), ([2], 400)]
)
def test_a_walls_scale_is_bounded_so_no_one_fills_the_cache_with_figures_for_absurd_screens(app, value, status):
    from layouts.ids import WallIds

    client = signed_client(app)
    output, spec, page = next(c for c in server_callbacks(app) if WallIds.SEEN in c[0])
    response = client.post(CALLBACK, json=payload(output, spec, page, {(WallIds.SCALE, "data"): value}))
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["parameter"] == f"{WallIds.SCALE}.data"


@pytest.mark.parametrize(
    "path", ["/", "/league", "/sources", "/wall", "/briefings", "/unit/quan-1", "/unit/so-tu-phap"]
)
def test_what_our_own_pages_keep_meets_the_schemas(app, services, data, path):
    """Every value a page holds for its callbacks (stores, timers, the address) passes its declared schema."""
    from callbacks.routing import route
    from dashboard.core.cache import cache_of
    from dashboard.web.inputs import SCHEMAS
    from tests.signin import acting_as

    with acting_as(app):
        page = route(services, cache_of(app), path, "")
    checked = 0
    for component in page._traverse():
        for prop in ("data", "n_intervals", "n_clicks", "value", "virtualRowData"):
            schema = SCHEMAS.get((str(getattr(component, "id", "")), prop))
            if schema is not None and hasattr(component, prop):
                schema.validate_python(getattr(component, prop))
                checked += 1
    assert checked >= 1, path  # at least the key the page keeps


def test_only_who_makes_briefings_may_ask_for_a_snapshot(app):
    output = next(o for o in app.callback_map if BriefingsIds.ASK_STATUS in o)
    spec = app.callback_map[output]
    for role, status in ((LEADER, 403), (BRIEFING_STAFF, 200)):
        body = payload(output, spec, "/briefings", {(BriefingsIds.ASK_PERIOD, "value"): "lw"})
        assert post(signed_client(app, role), body) == status, role


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        (
            "/api/v1/kpis?perod=30d",
            "perod",
            "unknown parameter 'perod': this endpoint takes period, unit, as_of, compare",
        ),
        ("/api/v1/kpis?period=30d&period=7d", "period", "period is given 2 times: give it once"),
        ("/api/v1/kpis?unit=quan 1", "unit", "unit: String should match pattern '^[A-Za-z0-9._-]+$'"),
        ("/api/v1/league?kind=province", "kind", "kind: Input should be 'district', 'ward' or 'department'"),
        ("/api/v1/dossiers?unit=quan-1&page=" + "9" * 13, "page", "page: String should have at most 12 characters"),
        ("/api/v1/units?lang=en", "lang", "unknown parameter 'lang': this endpoint takes none"),
        ("/api/v1/openapi.json?x=1", "x", "unknown parameter 'x': this endpoint takes none"),
    ],
)
def test_the_api_takes_only_its_declared_parameters(app, query, parameter, message):
    response = signed_client(app).get(query)
    assert response.status_code == 400
    assert (response.get_json()["parameter"], response.get_json()["error"]) == (parameter, message)


def test_the_declared_parameters_are_the_documented_ones():
    from dashboard.web import openapi
    from dashboard.web.api_params import QUERIES

    documented = {
        path.removeprefix("/api/v1/"): {p["name"] for p in spec["get"].get("parameters", [])}
        for path, spec in openapi.document()["paths"].items()
    }
    declared = {("openapi.json" if e == "openapi_document" else e): set(m.model_fields) for e, m in QUERIES.items()}
    assert declared == documented
