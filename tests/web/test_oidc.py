"""The single sign-on against a real local OpenID provider (PyPI `oidc-provider-mock`, in a thread): the claims it
signs map to a role and units, or to no access; the users it makes, their sessions, refusals and audit rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from dashboard.auth import audit
from dashboard.auth.errors import AccountError
from dashboard.auth.external import NO_PASSWORD, external_login, external_user
from dashboard.auth.roles import LEADER, UNIT_HEAD
from dashboard.core.errors import SettingsError
from dashboard.core.settings import Settings
from dashboard.web.app import create_app
from tests.conftest import reachable
from tests.signin import PASSWORD, anonymous_client

CLIENT_ID, CLIENT_SECRET = "cchc-pulse", "tests-only-client-secret"
ROLES = {"cchc-lanh-dao": LEADER, "cchc-don-vi": UNIT_HEAD}
NO_ROLE = "chưa được cấp vai trò"
pytestmark = pytest.mark.filterwarnings(  # the provider's own use of Authlib's deprecated parts
    "ignore:authlib.jose module is deprecated",
    "ignore:The httpx module is deprecated",
    "ignore:get_jwt_config",
)


@pytest.fixture
def provider() -> Iterator[str]:
    """The provider's issuer URL, on a free port of this machine."""
    try:
        import oidc_provider_mock

        running = oidc_provider_mock.run_server_in_thread()
        server = running.__enter__()
    except (ImportError, OSError) as exc:
        pytest.skip(f"the local OpenID provider (oidc-provider-mock) cannot start: {exc}")
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        running.__exit__(None, None, None)


def sso_settings(settings: Settings, issuer: str | None, **more) -> Settings:
    values = {"oidc_issuer": issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET}
    return settings.model_copy(update={**values, "oidc_roles": ROLES, **more})


@pytest.fixture
def sso_app(services, provider):
    services.settings = sso_settings(services.settings, provider)
    return create_app(services)


def claims_of(provider: str, sub: str, **claims) -> None:
    """What the provider will sign for `sub` at its next authorization."""
    answer = requests.put(f"{provider}/users/{quote(sub, safe='')}", json=claims, timeout=10)
    assert answer.status_code == 204, answer.text


def to_provider(client, next_path: str = "/league") -> str:
    """Start signing in; the address of the provider's authorization form it sends the browser to."""
    start = client.get(f"/signin/oidc?next={quote(next_path)}&lang=vi")
    assert start.status_code == 302, start.text
    return start.headers["Location"]


def back_from_provider(client, authorize_url: str, sub: str, action: str | None = None):
    """Post the provider's form as `sub` (or deny), and follow its redirect back to our callback."""
    form = {"action": action} if action else {"sub": sub}
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "localhost", "/signin/oidc/callback")
    return client.get(f"{back.path}?{back.query}")


def sign_in(app, provider: str, sub: str, next_path: str = "/league", client=None, **claims):
    client = client or anonymous_client(app)
    claims_of(provider, sub, **claims)
    return client, back_from_provider(client, to_provider(client, next_path), sub)


def sso_user(app, provider: str, sub: str):
    return app.server.extensions["cchc_pulse.accounts"].user(external_login(provider, sub))


# --- signing in --------------------------------------------------------------------------------------------
def test_a_leader_signs_in_through_the_provider_and_reads_the_league(sso_app, services, provider):
    client = anonymous_client(sso_app)
    page = client.get("/signin?next=/league")
    assert page.status_code == 200 and 'href="/signin/oidc?next=%2Fleague&amp;lang=vi"' in page.text
    authorize = urlsplit(to_provider(client))
    asked = {name: values[0] for name, values in parse_qs(authorize.query).items()}
    assert asked["client_id"] == CLIENT_ID and asked["scope"] == "openid profile email"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43  # PKCE
    assert asked["redirect_uri"] == "http://localhost/signin/oidc/callback" and asked["nonce"] and asked["state"]
    claims_of(provider, "an@hcm.gov.vn", name="Nguyễn Văn An", email="an@hcm.gov.vn", groups=["khach", "cchc-lanh-dao"])
    back = back_from_provider(client, authorize.geturl(), "an@hcm.gov.vn")
    assert (back.status_code, back.headers["Location"]) == (303, "/league")
    assert client.get("/league").status_code == 200
    user = sso_user(sso_app, provider, "an@hcm.gov.vn")
    assert (user.name, user.role, user.units, user.session_version) == ("Nguyễn Văn An", LEADER, frozenset(), 1)
    assert user.login.startswith("sso.") and len(user.login) <= 64
    with client.session_transaction() as session:
        assert session["uid"] == user.id and not any(key.startswith("_state_") for key in session)
    entries = services.accounts.audit.entries()
    assert [(e.action, e.actor_kind, e.actor, e.outcome, e.detail) for e in entries[:2]] == [
        (audit.SIGN_IN, "user", user.login, audit.OK, "sso"),
        (
            audit.USER_CHANGED,
            "system",
            "sso",
            audit.OK,
            "added from the single sign-on as leader (subject an@hcm.gov.vn)",
        ),
    ]


def test_a_unit_head_reads_the_lists_of_their_own_unit_only(sso_app, provider):
    client, back = sign_in(sso_app, provider, "binh", "/unit/quan-1", groups="cchc-don-vi", cchc_units=["quan-1"])
    assert (back.status_code, back.headers["Location"]) == (303, "/unit/quan-1")
    assert client.get("/unit/quan-1?list=overdue").status_code == 200
    refused = client.get("/unit/quan-3?list=overdue")
    assert refused.status_code == 403 and "không được cấp quyền xem trang này" in refused.text
    user = sso_user(sso_app, provider, "binh")
    assert (user.role, user.units, user.name) == (UNIT_HEAD, frozenset({"quan-1"}), "binh")  # no name: its sub


@pytest.mark.parametrize(
    ("claims", "who", "why"),
    [
        ({"name": "Trần Thị Chi", "groups": ["khach"]}, "Trần Thị Chi", "no value of claim 'groups' maps to a role"),
        ({"email": "chi@hcm.gov.vn"}, "chi@hcm.gov.vn", "no value of claim 'groups' maps to a role (got none)"),
        ({"groups": "cchc-don-vi"}, "chi", "role 'unit_head' needs units"),
        ({"groups": "cchc-don-vi", "cchc_units": "quan-99"}, "chi", "unknown unit key 'quan-99'"),
        ({"groups": ["cchc-lanh-dao", 5]}, "chi", "claim 'groups' is not a string or a list"),
    ],
)
def test_claims_that_map_to_no_role_are_refused_without_a_session(sso_app, services, provider, claims, who, why):
    client, back = sign_in(sso_app, provider, "chi", **claims)
    assert back.status_code == 403 and NO_ROLE in back.text and who in back.text
    with client.session_transaction() as session:
        assert "uid" not in session
    home = client.get("/")
    assert home.status_code == 303 and home.headers["Location"].startswith("/signin")
    assert sso_user(sso_app, provider, "chi") is None  # no account is made for them
    refused = services.accounts.audit.entries(action=audit.REFUSED)[0]
    assert (refused.actor, refused.outcome, refused.target) == (
        external_login(provider, "chi"),
        audit.REFUSED_OUTCOME,
        "/signin/oidc/callback",
    )
    assert refused.detail.startswith(f"sso: {why}") and refused.detail.endswith(f"({who})")


def test_a_new_role_at_the_next_sign_in_ends_the_older_session(sso_app, services, provider):
    first, _ = sign_in(sso_app, provider, "dung", groups="cchc-lanh-dao")
    assert first.get("/unit/quan-3?list=overdue").status_code == 200
    again, back = sign_in(sso_app, provider, "dung", "/", name="Lê Dũng", groups="cchc-lanh-dao")
    assert back.status_code == 303 and first.get("/league").status_code == 200  # the same role: both stay
    assert sso_user(sso_app, provider, "dung").session_version == 1
    second, back = sign_in(sso_app, provider, "dung", "/", groups=["cchc-don-vi"], cchc_units="quan-1")
    assert back.status_code == 303
    assert first.get("/league").status_code == 303 and again.get("/league").status_code == 303  # signed out
    assert second.get("/unit/quan-1?list=overdue").status_code == 200
    assert second.get("/unit/quan-3?list=overdue").status_code == 403
    user = sso_user(sso_app, provider, "dung")
    assert (user.role, user.units, user.session_version, user.name) == (UNIT_HEAD, frozenset({"quan-1"}), 2, "dung")
    assert len(services.accounts.list_users()) == 1  # one row for the one (issuer, subject)
    changes = [e.detail for e in services.accounts.audit.entries(action=audit.USER_CHANGED)]
    assert changes[:2] == [
        "single sign-on: role leader → unit_head for quan-1; name changed (subject dung)",
        "single sign-on: name changed (subject dung)",
    ]


def test_a_user_the_administrators_disabled_stays_refused(sso_app, services, provider):
    client, _ = sign_in(sso_app, provider, "em", name="Phạm Em", groups="cchc-lanh-dao")
    login = sso_user(sso_app, provider, "em").login
    services.accounts.disable_user(login)
    assert client.get("/league").status_code == 303
    _, back = sign_in(sso_app, provider, "em", name="Phạm Em", groups="cchc-lanh-dao")
    assert back.status_code == 403 and NO_ROLE in back.text and "Phạm Em" in back.text
    user = sso_user(sso_app, provider, "em")
    assert user.disabled and user.session_version == 2
    refused = services.accounts.audit.entries(action=audit.REFUSED)[0]
    assert (refused.actor, refused.detail) == (login, "sso: the account is disabled (Phạm Em)")
    services.accounts.enable_user(login)
    assert sign_in(sso_app, provider, "em", groups="cchc-lanh-dao")[1].status_code == 303


def test_a_single_sign_on_user_has_no_password(sso_app, services, provider):
    sign_in(sso_app, provider, "giang", groups="cchc-lanh-dao")
    login = sso_user(sso_app, provider, "giang").login
    client = anonymous_client(sso_app)
    for password, status in ((NO_PASSWORD, 401), (PASSWORD, 401), ("!", 401), ("", 400)):
        answer = client.post("/signin", data={"login": login, "password": password})
        assert answer.status_code == status, password
    with client.session_transaction() as session:
        assert "uid" not in session
    assert client.get("/").status_code == 303
    failed = services.accounts.audit.entries(action=audit.SIGN_IN_FAILED)
    assert [(e.actor, e.outcome) for e in failed] == [(login, audit.FAILED)] * 3
    assert services.accounts.verify_password(login, NO_PASSWORD) is None


def test_next_never_leaves_this_server(sso_app, provider):
    _, back = sign_in(sso_app, provider, "hoa", "//evil.example/x", groups="cchc-lanh-dao")
    assert (back.status_code, back.headers["Location"]) == (303, "/")


def test_no_code_verifier_or_token_is_logged(sso_app, provider, caplog):
    caplog.set_level(logging.DEBUG)
    claims_of(provider, "minh", groups="cchc-lanh-dao")
    client = anonymous_client(sso_app)
    authorize = to_provider(client)
    with client.session_transaction() as session:
        (state,) = [value["data"] for key, value in session.items() if key.startswith("_state_")]
    answer = requests.post(authorize, data={"sub": "minh"}, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    assert client.get(answer.headers["Location"].removeprefix("http://localhost")).status_code == 303
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert state["code_verifier"] not in logged and code not in logged and "eyJ" not in logged  # no JWT either


# --- failures ----------------------------------------------------------------------------------------------
def test_a_denial_at_the_provider_is_said_on_the_sign_in_page(sso_app, services, provider):
    client = anonymous_client(sso_app)
    back = back_from_provider(client, to_provider(client), "", action="deny")
    assert back.status_code == 400
    assert (
        "Không đăng nhập được qua tài khoản dùng chung: access_denied" in back.text and 'id="sign-in-sso"' in back.text
    )
    failed = services.accounts.audit.entries(action=audit.SIGN_IN_FAILED)[0]
    assert (failed.outcome, failed.detail, failed.target) == (
        audit.FAILED,
        "sso: access_denied",
        "/signin/oidc/callback",
    )


def test_a_state_this_browser_did_not_start_is_refused(sso_app, provider):
    claims_of(provider, "khanh", groups="cchc-lanh-dao")
    started = anonymous_client(sso_app)
    authorize = to_provider(started)
    other = anonymous_client(sso_app)  # another browser brings back the first one's code and state
    stolen = back_from_provider(other, authorize, "khanh")
    assert stolen.status_code == 400 and "mismatching_state" in stolen.text
    forged = started.get("/signin/oidc/callback?code=made-up&state=made-up")
    assert forged.status_code == 400 and "mismatching_state" in forged.text
    with other.session_transaction() as session:
        assert "uid" not in session


def test_a_code_is_used_once(sso_app, provider):
    claims_of(provider, "lan", groups="cchc-lanh-dao")
    client = anonymous_client(sso_app)
    answer = requests.post(to_provider(client), data={"sub": "lan"}, allow_redirects=False, timeout=10)
    callback = urlsplit(answer.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 303
    replayed = anonymous_client(sso_app).get(f"{callback.path}?{callback.query}")
    assert replayed.status_code == 400


def test_a_provider_that_cannot_be_reached_is_a_502(services):
    port = next(p for p in range(49_152, 49_252) if not reachable("127.0.0.1", p))
    services.settings = sso_settings(services.settings, f"http://127.0.0.1:{port}")
    client = anonymous_client(create_app(services))
    answer = client.get("/signin/oidc?next=/league")
    assert answer.status_code == 502 and "provider_unreachable" in answer.text
    failed = services.accounts.audit.entries(action=audit.SIGN_IN_FAILED)[0]
    assert (failed.outcome, failed.detail) == (audit.FAILED, "sso: provider_unreachable")


def test_without_an_issuer_there_is_no_single_sign_on(app):
    client = anonymous_client(app)
    assert client.get("/signin/oidc?next=/league").status_code == 404
    assert client.get("/signin/oidc/callback?code=x&state=y").status_code == 404
    assert 'id="sign-in-sso"' not in client.get("/signin").text


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"oidc_client_id": None}, "oidc_client_id: the single sign-on needs this app's client id"),
        ({"oidc_scopes": "profile email"}, "oidc_scopes: 'profile email' must include 'openid'"),
    ],
)
def test_an_issuer_without_a_client_refuses_to_start(services, update, message):
    services.settings = sso_settings(services.settings, "https://sso.example.gov.vn/realms/hcm", **update)
    with pytest.raises(SettingsError, match=message):
        create_app(services)


# --- the users it makes --------------------------------------------------------------------------------------
def test_one_login_per_issuer_and_subject_and_never_a_local_accounts(services):
    accounts = services.accounts
    a, b = external_login("https://sso.a", "x"), external_login("https://sso.b", "x")
    assert a != b and a == external_login("https://sso.a", "x") and external_login("https://sso.a", "x\n") != a
    long = external_login("https://sso.a", "ü" * 500)
    assert len(long) == 44 and all(c in "0123456789abcdef" for c in long.removeprefix("sso."))
    user = external_user(accounts, "https://sso.a", "x", "", LEADER, ())
    assert (user.login, user.name) == (a, a)  # no name: the login
    with pytest.raises(AccountError, match="unknown unit key 'quan-99'"):
        external_user(accounts, "https://sso.a", "y", "Y", UNIT_HEAD, {"quan-99"})
    with pytest.raises(AccountError, match="belong to the single sign-on's users"):
        accounts.add_user(b, "A local account", LEADER, set(), PASSWORD)  # nobody takes such a name locally
    with pytest.raises(AccountError, match="needs its issuer and subject"):
        external_user(accounts, "https://sso.a", "", "X", LEADER, ())
