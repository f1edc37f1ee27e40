"""Signing tests in as a role: a user in the app's own accounts store and a session cookie signed with the app's
own secret (the same cookie `/signin` makes), for a Flask test client or a browser. Nothing here turns the checks
off: a test that signs in as nobody meets the same refusals as an outsider."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from dash import Dash
from flask.testing import FlaskClient

from dashboard.auth.context import act_as
from dashboard.auth.roles import LEADER, USER, Principal
from dashboard.auth.store import AccountStore, User
from dashboard.web.guard import ACCOUNTS_EXTENSION
from dashboard.web.sessions import SESSION_COOKIE, SIGNED_IN_AT, USER_ID, VERSION

LEADER_PRINCIPAL = Principal(USER, "leader", "Lãnh đạo thử nghiệm", LEADER)
PASSWORD = "mật khẩu thử nghiệm 2019"
ORIGIN = "http://localhost"  # the Flask test client's host


def accounts_of(app: Dash) -> AccountStore:
    return app.server.extensions[ACCOUNTS_EXTENSION]


def account(app: Dash, role: str = LEADER, units: Iterable[str] = (), login: str | None = None) -> User:
    """The user of `login` (default: named after the role and units), made on first use."""
    accounts, keys = accounts_of(app), frozenset(units)
    name = login or "-".join([role.replace("_", "-"), *sorted(keys)])
    return accounts.user(name) or accounts.add_user(name, f"Thử nghiệm {name}", role, keys, PASSWORD)


def session_values(app: Dash, user: User) -> dict:
    now = accounts_of(app).clock.now().timestamp()
    return {USER_ID: user.id, VERSION: user.session_version, SIGNED_IN_AT: now, "n": "test"}


def signed_client(app: Dash, role: str = LEADER, units: Iterable[str] = (), login: str | None = None) -> FlaskClient:
    """A test client signed in as a user of `role` (for `units`), sending this server's Origin on its posts."""
    client = anonymous_client(app)
    values = session_values(app, account(app, role, units, login))
    with client.session_transaction() as session:
        session.update(values)
    return client


def anonymous_client(app: Dash) -> FlaskClient:
    client = app.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = ORIGIN
    return client


def session_cookie(app: Dash, user: User) -> str:
    serializer = app.server.session_interface.get_signing_serializer(app.server)  # type: ignore[attr-defined]
    return serializer.dumps(session_values(app, user))


def start_signed_in(
    dash_duo, app: Dash, role: str = LEADER, units: Iterable[str] = (), path: str = "/", **server_options
) -> None:
    """Start `app` for `dash_duo`'s browser, signed in as `role`, and open `path` (the home page)."""
    dash_duo.start_server(app, navigate=False, **server_options)
    url = dash_duo.server.url.rstrip("/")
    dash_duo.driver.get(f"{url}/signin")
    dash_duo.driver.add_cookie({"name": SESSION_COOKIE, "value": session_cookie(app, account(app, role, units))})
    dash_duo._url = url  # what dash_duo.server_url answers (its setter would open the home page)
    dash_duo.wait_for_page(f"{url}{path}")


@contextmanager
def acting_as(app: Dash, principal: Principal = LEADER_PRINCIPAL) -> Iterator[None]:
    """Run page and callback functions called directly (not through a request) as `principal`, as the guard would."""
    with app.server.test_request_context():
        act_as(principal)
        yield
