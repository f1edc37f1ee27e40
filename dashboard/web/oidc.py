"""The city's single sign-on (OpenID Connect through Authlib's Flask client, with PKCE): `/signin/oidc` sends the
viewer to the provider, `/signin/oidc/callback` maps the ID token's claims to a role and units and signs them in."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from dashboard.auth.audit import FAILED, REFUSED, REFUSED_OUTCOME, SIGN_IN, SIGN_IN_FAILED
from dashboard.auth.claims import NoAccess, role_and_units
from dashboard.auth.errors import AccountError
from dashboard.auth.external import external_login, external_user
from dashboard.auth.roles import USER
from dashboard.core.errors import SettingsError
from dashboard.core.i18n import language, t
from dashboard.core.settings import Settings
from dashboard.services import Services
from dashboard.web import sessions
from dashboard.web.signin import SSO_PATH, landing, lang_of, refused_page, safe_next, sign_in_page

CALLBACK_PATH = f"{SSO_PATH}/callback"
CLIENT_NAME = "cchc_sso"
NEXT_KEY, LANG_KEY = "sso_next", "sso_lang"  # kept in the session from the way out to the way back
TIMEOUT_S = 10.0  # each request to the provider (discovery, keys, token)
UNREACHABLE = "provider_unreachable"
log = logging.getLogger(__name__)


class Failed(Exception):
    """The sign-in could not be completed: `reason` is a short code shown to the viewer, never a token."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def _code(text: object, fallback: str) -> str:
    """A provider's error as a short code of letters, digits and `_.-` (nothing it sent is shown as such)."""
    return re.sub(r"[^a-z0-9_.-]", "", str(text or "").lower())[:64] or fallback


def _text(claims: Mapping[str, Any], name: str, strip: bool = True) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


def _checked(settings: Settings) -> str:
    """The issuer without its trailing slash, once the settings around it make a client; '' when SSO is off."""
    issuer = (settings.oidc_issuer or "").strip().rstrip("/")
    if issuer and not settings.oidc_client_id:
        raise SettingsError("oidc_client_id: the single sign-on needs this app's client id (CCHC_OIDC_CLIENT_ID)")
    if issuer and "openid" not in settings.oidc_scopes.split():
        raise SettingsError(f"oidc_scopes: {settings.oidc_scopes!r} must include 'openid' (the ID token)")
    return issuer


def _claims(client: Any) -> Mapping[str, Any]:
    """The claims of the ID token the provider gives for the code the viewer brought back, checked by Authlib
    (state, signature, issuer, audience, expiry, nonce); raises `Failed`."""
    try:
        token = client.authorize_access_token()
    except requests.RequestException as exc:
        raise Failed(UNREACHABLE, 502) from exc
    except AuthlibBaseError as exc:  # the provider's error, a state not ours, a bad ID token
        raise Failed(_code(getattr(exc, "error", ""), "oauth_error")) from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise Failed("invalid_id_token") from exc
    claims = token.get("userinfo") if isinstance(token, Mapping) else None
    if not isinstance(claims, Mapping) or not _text(claims, "sub", False) or not _text(claims, "iss", False):
        raise Failed("no_id_token")
    return claims


def _redirect(client: Any, callback_url: str) -> Response:
    """To the provider's authorization endpoint (read from its discovery document); raises `Failed`."""
    try:
        return client.authorize_redirect(callback_url)
    except requests.RequestException as exc:
        raise Failed(UNREACHABLE, 502) from exc
    except (AuthlibBaseError, RuntimeError, ValueError, KeyError, TypeError) as exc:  # a discovery without endpoints
        raise Failed("provider_metadata", 502) from exc


def blueprint(services: Services) -> Blueprint:
    """`/signin/oidc` and its callback; both answer 404 while `oidc_issuer` is not set."""
    bp = Blueprint("oidc", __name__)
    settings = services.settings
    default, issuer = settings.language, _checked(settings)
    oauth = OAuth()
    if issuer:
        oauth.register(
            CLIENT_NAME,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_S,
            },
        )
        quiet = logging.getLogger("authlib")
        if quiet.level < logging.INFO:  # its debug lines print the PKCE verifier
            quiet.setLevel(logging.INFO)

        @bp.record_once
        def attach(state: BlueprintSetupState) -> None:
            oauth.init_app(state.app)

    def failed(lang: str, next_path: str, failure: Failed) -> Response:
        cause = type(failure.__cause__).__name__ if failure.__cause__ else "-"
        log.warning("single sign-on failed: %s (%s)", failure.reason, cause)  # never the error's text: no token
        services.accounts.audit.record(
            SIGN_IN_FAILED,
            (USER, ""),
            outcome=FAILED,
            target=request.path,
            client=request.remote_addr,
            detail=f"sso: {failure.reason}",
        )
        message = t("auth.sso_failed", lang, reason=failure.reason)
        return sign_in_page(lang, next_path, message, failure.status, sso=True)

    def refused(lang: str, login: str, who: str, why: str) -> Response:
        session.clear()  # whoever was signed in in this browser before, it is not this person
        services.accounts.audit.record(
            REFUSED,
            (USER, login),
            outcome=REFUSED_OUTCOME,
            target=request.path,
            client=request.remote_addr,
            detail=f"sso: {why} ({who})",
        )
        return refused_page(lang, "auth.denied_title", "auth.sso_no_role", 403, who=who)

    @bp.get(SSO_PATH)
    def start() -> Response:
        if not issuer:
            abort(404)
        lang, next_path = lang_of(request, default), safe_next(request.args.get("next"))
        session[NEXT_KEY], session[LANG_KEY] = next_path, lang
        try:
            return _redirect(oauth.create_client(CLIENT_NAME), url_for(".callback", _external=True))
        except Failed as failure:
            return failed(lang, next_path, failure)

    @bp.get(CALLBACK_PATH)
    def callback() -> Response:
        if not issuer:
            abort(404)
        lang = language(session.pop(LANG_KEY, None) or request.args.get("lang"), default)
        next_path = safe_next(session.pop(NEXT_KEY, None))
        try:
            claims = _claims(oauth.create_client(CLIENT_NAME))
        except Failed as failure:
            return failed(lang, next_path, failure)
        subject, token_issuer = _text(claims, "sub", False), _text(claims, "iss", False)  # as they are: identity
        name = _text(claims, "name") or _text(claims, "preferred_username")
        who = name or _text(claims, "email") or subject
        login, accounts = external_login(token_issuer, subject), services.accounts
        try:
            role, units = role_and_units(
                claims, settings.oidc_role_claim, settings.oidc_roles, settings.oidc_units_claim, accounts.known_units
            )
            user = external_user(accounts, token_issuer, subject, name or who, role, units)
        except (NoAccess, AccountError) as no_access:
            return refused(lang, login, who, str(no_access))
        if user.disabled:
            return refused(lang, login, who, "the account is disabled")
        sessions.start_session(user, accounts)
        accounts.audit.record(SIGN_IN, user.principal(), client=request.remote_addr, detail="sso")
        return sessions.signed_in(redirect(landing(user.principal(), next_path), 303))

    return bp
