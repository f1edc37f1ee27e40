"""Who may see what, through the real app: sign-in and sessions, the Origin check, unit scope on every page,
callback, API call and export, kiosk and API tokens. Each refusal is the exact status a client can act on."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.auth.roles import ADMIN, API_READER, BRIEFING_STAFF, KIOSK_ROLE, LEADER, UNIT_HEAD
from dashboard.core.clock import FixedClock
from dashboard.web.access import location_of
from dashboard.web.app import create_app
from dashboard.web.logs import HideTokens, hidden
from dashboard.web.sessions import DEVICE_COOKIE, SESSION_COOKIE
from layouts.ids import ShellIds, UnitIds, WallIds
from tests.signin import PASSWORD, account, accounts_of, anonymous_client, signed_client

CALLBACK = "/_dash-update-component"


@pytest.fixture
def real_time(services):
    """The accounts' own clock (real time in production), set by hand: sessions and tokens age with it."""
    clock = FixedClock(services.clock.now())
    services.accounts.clock = clock
    return clock


def router(pathname: str, search: str = "") -> dict:
    return {
        "output": f"{ShellIds.PAGE}.children",
        "outputs": {"id": ShellIds.PAGE, "property": "children"},
        "inputs": [
            {"id": ShellIds.LOCATION, "property": "pathname", "value": pathname},
            {"id": ShellIds.LOCATION, "property": "search", "value": search},
        ],
        "changedPropIds": [f"{ShellIds.LOCATION}.pathname"],
        "state": [],
    }


def download(output: str, inputs: int, pathname: str, search: str) -> dict:
    return {
        "output": f"{output}.data",
        "outputs": {"id": output, "property": "data"},
        "inputs": [{"id": f"button-{n}", "property": "n_clicks", "value": 1} for n in range(inputs)],
        "changedPropIds": ["button-0.n_clicks"],
        "state": [
            {"id": ShellIds.LOCATION, "property": "pathname", "value": pathname},
            {"id": ShellIds.LOCATION, "property": "search", "value": search},
        ],
    }


# --- nobody signed in -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 303),
        ("/unit/quan-1?list=overdue", 303),
        ("/wall?kiosk=1", 303),  # ?kiosk=1 is a display mode, not a way in
        ("/api/v1/units", 401),
        ("/api/v1/dossiers?unit=quan-1", 401),
        ("/api/v1/no-such-path", 401),
        ("/briefings/1.pdf", 401),
        ("/metrics", 401),
        ("/_dash-layout", 401),
        ("/_dash-dependencies", 401),
        ("/static/x.js", 401),
        ("/healthz", 200),
        ("/signin", 200),
        ("/assets/pulse.css", 200),
    ],
)
def test_nobody_reads_anything_but_the_sign_in(app, path, status):
    response = anonymous_client(app).get(path)
    assert response.status_code == status, path
    if status == 303:
        target = urlsplit(response.headers["Location"])
        assert target.path == "/signin" and parse_qs(target.query)["next"] == [path]
    if status == 401:
        assert response.get_json()["error"].startswith("sign in first")


def test_nobody_calls_a_callback(app):
    response = anonymous_client(app).post(CALLBACK, json=router("/"))
    assert response.status_code == 401 and "sign in first" in response.get_json()["error"]
    assert response.headers["X-Pulse-Reload"] == "1"  # the page loads again: to the sign-in


def test_a_page_not_allowed_is_said_by_the_servers_own_page(app):
    head = signed_client(app, *HEAD)
    refused = head.post(CALLBACK, json=router("/unit/quan-1", "?list=overdue"))
    assert refused.status_code == 403 and refused.headers["X-Pulse-Reload"] == "1"
    export = head.post(CALLBACK, json=download(UnitIds.DRILL_DOWNLOAD, 2, "/unit/quan-1", "?list=overdue"))
    assert export.status_code == 403 and "X-Pulse-Reload" not in export.headers  # not a page: nothing to load


# --- signing in and out -----------------------------------------------------------------------------------
def test_sign_in_starts_a_fresh_session_and_goes_where_it_was_asked(app):
    account(app, LEADER, login="lanh-dao")
    client = anonymous_client(app)
    form = client.get("/signin?next=/league")
    assert form.status_code == 200 and 'lang="vi"' in form.get_data(as_text=True) and "Mật khẩu" in form.text
    with client.session_transaction() as planted:
        planted["uid"], planted["ver"], planted["at"] = 999, 1, 0.0  # a cookie planted before sign-in
    response = client.post("/signin", data={"login": "Lanh-Dao ", "password": PASSWORD, "next": "/league"})
    assert (response.status_code, response.headers["Location"]) == (303, "/league")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert session["uid"] == accounts_of(app).user("lanh-dao").id and session["ver"] == 1
    assert client.get("/league").status_code == 200
    out = client.post("/signout")
    assert out.status_code == 303 and out.headers["Location"].startswith("/signin")
    assert client.get("/league").status_code == 303  # signed out


def test_the_session_cookie_is_sent_at_sign_in_only_and_lasts_the_sessions_hours(app, services):
    account(app, LEADER, login="lanh-dao")
    client = anonymous_client(app)
    lasts = timedelta(hours=services.settings.session_hours)
    before = datetime.now(UTC) + lasts
    signed = client.post("/signin", data={"login": "lanh-dao", "password": PASSWORD, "next": "/league"})
    after = datetime.now(UTC) + lasts
    cookie = signed.headers["Set-Cookie"]
    expiry = re.search(r"Expires=([^;]+)", cookie)
    assert expiry is not None and before.replace(microsecond=0) <= parsedate_to_datetime(expiry[1]) <= after
    pages = [client.get("/league") for _ in range(3)]
    assert [p.status_code for p in pages] == [200] * 3
    assert [p.headers.get("Set-Cookie") for p in pages] == [None] * 3  # not signed and sent again each request


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:1"])
def test_sign_in_never_sends_anyone_to_another_site(app, target):
    account(app, LEADER, login="lanh-dao")
    client = anonymous_client(app)
    response = client.post("/signin", data={"login": "lanh-dao", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/"


def test_a_wrong_password_is_refused_and_the_sixth_try_waits(app, services):
    account(app, LEADER, login="lanh-dao")
    client = anonymous_client(app)
    for _ in range(services.settings.sign_in_attempts):
        wrong = client.post("/signin", data={"login": "lanh-dao", "password": "not the password"})
        assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    limited = client.post("/signin", data={"login": "lanh-dao", "password": PASSWORD})
    assert limited.status_code == 429 and "Đăng nhập sai quá nhiều lần" in limited.text
    assert client.post("/signin", data={"login": "x" * 300, "password": "y"}).status_code == 400


def test_a_post_from_another_site_is_refused(app):
    client = signed_client(app)
    assert client.post(CALLBACK, json=router("/")).status_code == 200
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": ""}):
        response = client.post(CALLBACK, json=router("/"), headers=headers)
        assert response.status_code == 403 and "cross-site" in response.get_json()["error"], headers
    client.environ_base.pop("HTTP_ORIGIN")
    assert client.post(CALLBACK, json=router("/")).status_code == 403  # neither Origin nor Referer
    referred = client.post(CALLBACK, json=router("/"), headers={"Referer": "http://localhost/league"})
    assert referred.status_code == 200
    signed_out = client.post("/signout", headers={"Origin": "http://evil.example"})
    assert signed_out.status_code == 403  # nobody signs a viewer out from another site either


def test_disabling_a_user_or_changing_the_role_ends_their_sessions(app, services):
    client = signed_client(app, UNIT_HEAD, ["quan-1"])
    assert client.get("/unit/quan-1?list=overdue").status_code == 200
    services.accounts.set_role("unit-head-quan-1", UNIT_HEAD, {"quan-3"})
    assert client.get("/unit/quan-1?list=overdue").status_code == 303  # signed out at the next request
    assert client.post(CALLBACK, json=router("/")).status_code == 401
    second = signed_client(app, LEADER)
    services.accounts.disable_user("leader")
    assert second.get("/").status_code == 303


def test_a_session_ends_after_its_hours_on_the_accounts_own_clock(app, services, real_time):
    client = signed_client(app)
    real_time.advance(timedelta(hours=services.settings.session_hours) - timedelta(seconds=1))
    assert client.get("/").status_code == 200
    services.clock.advance(timedelta(days=30))  # the data's clock (the demo's runs fast) does not age sessions
    assert client.get("/").status_code == 200
    real_time.advance(timedelta(seconds=1))
    assert client.get("/").status_code == 303


def test_a_forged_session_cookie_is_nobody(app):
    client = anonymous_client(app)
    client.set_cookie(SESSION_COOKIE, "eyJ1aWQiOjF9.forged.signature")
    assert client.get("/").status_code == 303
    assert client.post(CALLBACK, json=router("/")).status_code == 401


# --- roles and unit scope ---------------------------------------------------------------------------------
HEAD = (UNIT_HEAD, ["quan-3"])  # the head of Quận 3 looking at Quận 1


@pytest.mark.parametrize(
    ("path", "leader", "head", "briefing", "admin"),
    [
        ("/", 200, 200, 200, 403),
        ("/league", 200, 200, 200, 403),
        ("/wall", 200, 200, 403, 403),
        ("/sources", 200, 200, 200, 200),
        ("/briefings", 200, 403, 200, 403),
        ("/unit/quan-1", 200, 200, 200, 403),
        ("/unit/quan-1?list=overdue", 200, 403, 403, 403),
        ("/unit/quan-3?list=overdue", 200, 200, 403, 403),
        ("/unit/quan-1?lang=en&list=received&page=2", 200, 403, 403, 403),
        ("/api/v1/kpis?period=30d", 200, 200, 403, 403),
        ("/api/v1/dossiers?unit=quan-1", 200, 403, 403, 403),
        ("/api/v1/dossiers?unit=quan-3", 200, 200, 403, 403),
        ("/api/v1/dossiers", 400, 403, 403, 403),
        ("/metrics", 200, 200, 403, 403),
    ],
)
def test_each_role_reads_what_its_row_allows(app, path, leader, head, briefing, admin):
    for (role, units), status in (
        ((LEADER, []), leader),
        (HEAD, head),
        ((BRIEFING_STAFF, []), briefing),
        ((ADMIN, []), admin),
    ):
        response = signed_client(app, role, units).get(path)
        assert response.status_code == status, (role, path, response.status_code)
        if status == 403 and not path.startswith(("/api", "/metrics")):
            assert (
                "Not allowed to see this page" if "lang=en" in path else "Không có quyền xem trang này"
            ) in response.text


@pytest.mark.parametrize(
    "payload",
    [
        router("/unit/quan-1", "?list=overdue"),
        router("/unit/quan-1", "?page=2&list=feedback_overdue"),
        router("/unit/%71uan-1", "?list=overdue"),  # the key written with an escape: still Quận 1's
        download(UnitIds.DRILL_DOWNLOAD, 2, "/unit/quan-1", "?list=overdue"),
        download(UnitIds.DOWNLOAD, 1, "/unit/quan-1", ""),
        download(UnitIds.DOWNLOAD, 1, "/unit/quan-1/", ""),
    ],
)
def test_a_unit_head_reads_no_other_units_dossiers_through_a_callback(app, payload):
    response = signed_client(app, *HEAD).post(CALLBACK, json=payload)
    assert response.status_code == 403, response.get_data(as_text=True)
    own = {**payload, "inputs": payload["inputs"], "state": payload["state"]}
    own = _with_unit(own, "quan-3")
    assert signed_client(app, *HEAD).post(CALLBACK, json=own).status_code in (200, 204)


def _with_unit(payload: dict, key: str) -> dict:
    def swap(item):
        if item["property"] == "pathname":
            return {**item, "value": f"/unit/{key}"}
        return item

    return {**payload, "inputs": [swap(i) for i in payload["inputs"]], "state": [swap(s) for s in payload["state"]]}


def test_ids_written_into_a_callback_request_do_not_move_its_address(app):
    """Dash passes a callback's values by position; a decoy that names the address elsewhere changes nothing."""
    forged = download(UnitIds.DRILL_DOWNLOAD, 2, "/unit/quan-1", "?list=overdue")
    forged["inputs"][0] = {"id": ShellIds.LOCATION, "property": "pathname", "value": 1}  # the decoy
    assert signed_client(app, *HEAD).post(CALLBACK, json=forged).status_code == 403  # still Quận 1's list
    forged["inputs"].append({"id": ShellIds.LOCATION, "property": "pathname", "value": "/unit/quan-3"})
    extra = signed_client(app, *HEAD).post(CALLBACK, json=forged)
    assert extra.status_code == 400 and extra.get_json()["error"] == "this callback takes 4 values, not 5"


def test_every_callback_of_the_app_carries_its_page_address(app):
    """A callback without an address would have no rule and be refused: each one declares the page's location."""
    for output, spec in app.callback_map.items():
        if "callback" not in spec:
            continue  # a clientside callback: it runs in the browser and never reaches the server
        declared = [*spec["inputs"], *spec["state"]]
        body = {"inputs": [{"value": "/x"}] * len(spec["inputs"]), "state": [{"value": "/x"}] * len(spec["state"])}
        assert location_of(spec, body, output) is not None, (output, declared)


def test_an_unknown_callback_or_api_path_is_refused_plainly(app):
    client = signed_client(app)
    assert client.post(CALLBACK, json={"output": "nothing.children"}).status_code == 400
    assert client.post(CALLBACK, data="not json", content_type="application/json").status_code == 400
    missing = client.get("/api/v1/no-such-path")
    assert missing.status_code == 404 and missing.get_json()["error"] == "no such API path: /api/v1/no-such-path"


# --- a wall's kiosk token ---------------------------------------------------------------------------------
def wall_poll() -> dict:
    return {
        "output": f"..{WallIds.SEEN}.data..",
        "inputs": [{"id": WallIds.INTERVAL, "property": "n_intervals", "value": 1}],
        "state": [],
    }


def test_a_kiosk_token_becomes_a_device_cookie_and_leaves_the_address(app, services, real_time, caplog):
    expires = real_time.now() + timedelta(days=60)
    token_id, token = services.accounts.issue_token("kiosk", "Phòng điều hành tầng 3", KIOSK_ROLE, set(), expires)
    client = anonymous_client(app)
    with caplog.at_level(logging.INFO):
        first = client.get(f"/wall?views=league,backlog&token={token}")
    assert first.status_code == 303 and first.headers["Location"] == "/wall?views=league%2Cbacklog"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}={token}") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie and expires.strftime("%d %b %Y") in cookie
    assert client.get("/wall?views=league,backlog").status_code == 200
    for path in ("/", "/league", "/unit/quan-1", "/briefings"):
        assert client.get(path).status_code == 403, path  # the wall only
    assert client.get("/api/v1/kpis").status_code == 403
    assert client.post(CALLBACK, json=router("/wall", "?views=league")).status_code == 200
    assert client.post(CALLBACK, json=router("/unit/quan-1")).status_code == 403
    real_time.advance(timedelta(days=59))  # weeks later: still no sign-in, no expiry of a session
    assert client.post(CALLBACK, json=router("/wall")).status_code == 200
    services.accounts.revoke_token(token_id)
    stopped = client.post(CALLBACK, json=router("/wall"))  # the very next poll
    assert stopped.status_code == 401 and "Set-Cookie" not in stopped.headers  # kept for the page to say why
    gone = client.get("/wall")  # the page, reloaded
    assert (
        gone.status_code == 401 and "đã bị thu hồi" in gone.text and f"{DEVICE_COOKIE}=;" in gone.headers["Set-Cookie"]
    )
    assert client.get("/wall").status_code == 303  # forgotten: now it is a browser like any other


def test_signing_in_on_a_walls_browser_drops_its_device_cookie(app, services, real_time):
    account(app, UNIT_HEAD, ["quan-1"], login="truong-don-vi")
    expires = real_time.now() + timedelta(days=60)
    _token_id, token = services.accounts.issue_token("kiosk", "Phòng điều hành", KIOSK_ROLE, set(), expires)
    client = anonymous_client(app)
    assert client.get(f"/wall?token={token}").status_code == 303  # the browser is now a wall
    assert client.get("/unit/quan-1").status_code == 403
    response = client.post("/signin", data={"login": "truong-don-vi", "password": PASSWORD, "next": "/unit/quan-1"})
    assert (response.status_code, response.headers["Location"]) == (303, "/unit/quan-1")
    assert any(c.startswith(f"{DEVICE_COOKIE}=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/unit/quan-1?list=overdue").status_code == 200  # the unit head's own list, as the unit head
    assert client.get("/unit/quan-3?list=overdue").status_code == 403  # another unit's: not the wall's refusal
    plain = anonymous_client(app)  # a browser that never was a wall: no cookie to drop
    signed = plain.post("/signin", data={"login": "truong-don-vi", "password": PASSWORD, "next": "/unit/quan-1"})
    assert signed.status_code == 303 and not any(DEVICE_COOKIE in c for c in signed.headers.getlist("Set-Cookie"))


def test_a_bad_or_api_token_in_the_address_opens_nothing(app, services, real_time):
    expires = real_time.now() + timedelta(days=1)
    _, api = services.accounts.issue_token("api", "Cổng dữ liệu", API_READER, set(), expires)
    for token in (api, "x" * 43, ""):
        response = anonymous_client(app).get(f"/wall?token={token}")
        assert response.status_code == 401 and DEVICE_COOKIE not in response.headers.get("Set-Cookie", "")


def test_no_log_line_carries_a_token():
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '"%s" %s', ("GET /wall?token=abc-DEF_1&x=1", 303), None)
    assert HideTokens().filter(record) and record.getMessage() == '"GET /wall?token=[hidden]&x=1" 303'
    assert hidden("/wall?views=a&TOKEN=s3cr3t") == "/wall?views=a&TOKEN=[hidden]"


# --- API tokens -------------------------------------------------------------------------------------------
def test_an_api_token_reads_the_api_as_its_scope_allows(app, services, real_time):
    expires = real_time.now() + timedelta(days=1)
    _, city = services.accounts.issue_token("api", "Cổng dữ liệu", API_READER, set(), expires)
    _, quan_3 = services.accounts.issue_token("api", "Quận 3", API_READER, {"quan-3"}, expires)
    client = anonymous_client(app)

    def get(path: str, token: str):
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    assert get("/api/v1/kpis?period=30d", city).status_code == 200
    assert get("/api/v1/dossiers?unit=quan-1", city).status_code == 403
    assert get("/api/v1/dossiers?unit=quan-3", quan_3).status_code == 200
    assert get("/", city).status_code == 403  # a token reads the API, not the pages
    bad = get("/api/v1/kpis", "not-a-token")
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")
    real_time.advance(timedelta(days=1))
    assert get("/api/v1/kpis", city).status_code == 401  # expired


def test_the_app_refuses_to_run_without_a_session_secret(services, monkeypatch):
    from dashboard.core.errors import SettingsError

    services.settings = services.settings.model_copy(update={"session_secret": None})
    with pytest.raises(SettingsError, match="session_secret is not set: set CCHC_SESSION_SECRET"):
        create_app(services)


@pytest.mark.parametrize(
    ("role", "units", "links"),
    [
        (LEADER, [], ["/", "/sources", "/league", "/briefings"]),
        (UNIT_HEAD, ["quan-3"], ["/", "/sources", "/league"]),
        (BRIEFING_STAFF, [], ["/", "/sources", "/league", "/briefings"]),
        (ADMIN, [], ["/sources", "/audit"]),
    ],
)
def test_the_header_links_only_to_the_pages_the_viewer_may_open(app, role, units, links):
    page = json.dumps(signed_client(app, role, units).post(CALLBACK, json=router("/sources")).get_json())
    shown = [p for p in ("/", "/sources", "/league", "/briefings", "/audit") if f'"href": "{p}?lang=vi"' in page]
    assert shown == links


@pytest.mark.parametrize(("role", "landing"), [(LEADER, "/"), (ADMIN, "/sources"), (UNIT_HEAD, "/")])
def test_a_sign_in_lands_on_a_page_the_viewer_may_open(app, role, landing):
    account(app, role, ["quan-1"] if role == UNIT_HEAD else [], login="someone")
    response = anonymous_client(app).post("/signin", data={"login": "someone", "password": PASSWORD, "next": "/"})
    assert response.headers["Location"] == landing
    asked = anonymous_client(app).post("/signin", data={"login": "someone", "password": PASSWORD, "next": "/league"})
    assert asked.headers["Location"] == "/league"  # what was asked for, even if it is then refused
