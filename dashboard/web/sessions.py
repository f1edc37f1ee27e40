"""Who a request is from: an API token in `Authorization: Bearer`, a wall's kiosk token in its device cookie, or a
signed-in user's session (signed with `session_secret`, checked against the account's server-side version and its
age on the accounts' real-time clock). A credential that no longer holds is dropped and reported as `gone`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from dashboard.auth.roles import API_TOKEN, KIOSK, NOBODY, Principal
from dashboard.auth.store import AccountStore, User
from dashboard.core.errors import SettingsError
from dashboard.core.settings import Settings

SESSION_COOKIE = "cchc_session"
DEVICE_COOKIE = "cchc_device"  # a wall's kiosk token, exchanged for this httpOnly cookie on its first visit
TOKEN_PARAM = "token"
USER_ID, VERSION, SIGNED_IN_AT = "uid", "ver", "at"
NO_SECRET = (
    "session_secret is not set: set CCHC_SESSION_SECRET to a random value of 32 characters or more, the same in every"
    " web worker (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
)
Gone = Literal["session", "kiosk", "bearer"] | None


@dataclass(frozen=True)
class Caller:
    """The request's principal, and which credential it brought that no longer holds (to say so, and drop it)."""

    principal: Principal
    gone: Gone = None
    bearer: bool = False  # authenticated by an Authorization header: no ambient cookie, no cross-site risk


class PulseSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions with `Secure` as the settings say (or as the request came)."""

    def __init__(self, secure: bool | None) -> None:
        self.secure = secure

    def get_cookie_secure(self, app: Flask) -> bool:
        from flask import request

        return request.is_secure if self.secure is None else self.secure


def install(server: Flask, settings: Settings) -> None:
    """Sign sessions with the settings' secret; refuse to run without one (a random key per worker would log
    people out at random, and one written into the code would let anyone forge a session)."""
    if not settings.session_secret:
        raise SettingsError(NO_SECRET)
    server.secret_key = settings.session_secret
    server.session_interface = PulseSessions(settings.cookie_secure)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        # a session lasts its hours from sign-in (checked at every request): its cookie, set then with that
        # expiry, is not signed and sent again with every poll's answer
        SESSION_REFRESH_EACH_REQUEST=False,
    )


def caller(request: Request, accounts: AccountStore, session_hours: float) -> Caller:
    """The principal of `request`: its bearer token, else its kiosk device cookie, else its session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        found = accounts.verify_token(token.strip()) if scheme.lower() == "bearer" else None
        if found is None or found.kind != API_TOKEN:
            return Caller(NOBODY, "bearer", bearer=True)
        return Caller(found, bearer=True)
    device = request.cookies.get(DEVICE_COOKIE)
    if device:
        kiosk = accounts.verify_token(device)
        return Caller(kiosk) if kiosk is not None and kiosk.kind == KIOSK else Caller(NOBODY, "kiosk")
    if USER_ID not in session:
        return Caller(NOBODY)
    user = _session_user(accounts, session_hours)
    if user is None:
        session.clear()
        return Caller(NOBODY, "session")
    return Caller(user.principal())


def _session_user(accounts: AccountStore, session_hours: float) -> User | None:
    user_id, version, at = session.get(USER_ID), session.get(VERSION), session.get(SIGNED_IN_AT)
    if not (isinstance(user_id, int) and isinstance(version, int) and isinstance(at, (int, float))):
        return None
    signed_in = datetime.fromtimestamp(at, UTC)
    if not signed_in <= accounts.clock.now() < signed_in + timedelta(hours=session_hours):
        return None
    return accounts.session_user(user_id, version)


def start_session(user: User, accounts: AccountStore) -> None:
    """A fresh session for `user` (nothing of the one before it is kept, so a planted cookie cannot be reused)."""
    session.clear()
    session.permanent = True
    session.update(
        {
            USER_ID: user.id,
            VERSION: user.session_version,
            SIGNED_IN_AT: accounts.clock.now().timestamp(),
            "n": secrets.token_urlsafe(8),  # every sign-in's cookie differs
        }
    )


def keep_device(response: Response, token: str, expires_at: datetime, secure: bool) -> None:
    """Hold a kiosk token in an httpOnly cookie until the token's own expiry (the wall never signs in again)."""
    response.set_cookie(
        DEVICE_COOKIE, token, expires=expires_at, httponly=True, secure=secure, samesite="Lax", path="/"
    )


def forget_device(response: Response) -> None:
    response.delete_cookie(DEVICE_COOKIE, path="/")


def signed_in(response: Response) -> Response:
    """The answer to a sign-in: a wall's device cookie dropped with it, else the browser would stay the wall (the
    device cookie is read before the session) and its user would be refused every page but the wall."""
    if DEVICE_COOKIE in request.cookies:
        forget_device(response)
    return response
