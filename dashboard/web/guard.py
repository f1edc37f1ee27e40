"""The one check, before every request: who is asking (`sessions.caller`), is a state-changing request from our
own pages (Origin), and does `access` allow what it asks — a page, a Dash callback (by the address it carries),
the API, a briefing's file. A request no rule allows is refused: 401/403 JSON for the API and callbacks, a page
in the viewer's language otherwise. A wall's kiosk token in the address is exchanged for its device cookie."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from dash import Dash
from flask import jsonify, redirect, request
from werkzeug.wrappers import Response

from dashboard.auth import audit
from dashboard.auth.context import act_as
from dashboard.auth.roles import ANONYMOUS, KIOSK, NOBODY, Principal
from dashboard.services import Services
from dashboard.web import access, inputs, sessions
from dashboard.web.signin import SIGN_IN_PATH, SIGN_OUT_PATH, SSO_PATH, lang_of, refused_page, sign_in_url
from layouts.ids import ShellIds

ACCOUNTS_EXTENSION = "cchc_pulse.accounts"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
SSO_PATHS = (SSO_PATH, f"{SSO_PATH}/callback")  # the single sign-on's way in and back (web/oidc.py)
# (/favicon.ico: browsers ask for it by themselves; it is answered with the app's empty shell, no data)
PUBLIC_PATHS = frozenset({"/healthz", "/_favicon.ico", "/favicon.ico", SIGN_IN_PATH, SIGN_OUT_PATH, *SSO_PATHS})
CALLBACK_PATH = "/_dash-update-component"
DASH_SHELL = frozenset({"/_dash-layout", "/_dash-dependencies", "/_reload-hash"})
PAGE_ENDPOINTS = frozenset({"/", "/<path:path>"})  # Dash's index and catch-all: every page's first load
API_PREFIX = "/api/"
ROUTER_OUTPUT = f"{ShellIds.PAGE}.children"
RELOAD_HEADER = "X-Pulse-Reload"  # assets/auth.js loads the page again when a callback's answer carries it
JSON_ENDPOINTS = {"health.metrics": access.METRICS_NEEDS, "alerts.acknowledge_alert": access.ACK_NEEDS}
FILE_ENDPOINTS = {"briefings.briefing_file": access.DOWNLOAD_NEEDS, "audit.audit_csv": access.AUDIT_CSV_NEEDS}
FILE_ACTIONS = {"briefings.briefing_file": audit.BRIEFING_DOWNLOAD, "audit.audit_csv": audit.EXPORT}


def refusal(status: int, message: str, **more: Any) -> Response:
    response = jsonify({"error": message, **more})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cchc-pulse"'
    return response


def same_origin() -> bool:
    """A state-changing request must come from this server's own pages: its Origin (else Referer) names this host."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(origin) and origin != "null" and urlsplit(origin).netloc == request.host


def met(principal: Principal, needs: tuple[access.Need, ...]) -> bool:
    return all(need.met_by(principal) for need in needs)


def without_token(path: str) -> str:
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != sessions.TOKEN_PARAM]
    return f"{path}?{urlencode(kept)}" if kept else path


def install(dash_app: Dash, services: Services) -> None:
    """Check every request of `dash_app`'s server before its view runs."""
    server, settings = dash_app.server, services.settings
    accounts = services.accounts  # opened now: the first request does not wait on it
    server.extensions[ACCOUNTS_EXTENSION] = accounts
    default = settings.language

    def note(action: str, principal: Principal, target: str, outcome: str = audit.OK, detail: str = "") -> None:
        accounts.audit.record(
            action, principal, outcome=outcome, target=target, client=request.remote_addr, detail=detail
        )

    def refused(principal: Principal, target: str, response: Response) -> Response:
        if principal.kind != ANONYMOUS:  # (nobody's requests are answered 401; failed sign-ins are logged apart)
            note(audit.REFUSED, principal, target, audit.REFUSED_OUTCOME, f"{request.method} {response.status_code}")
        return response

    def secure() -> bool:
        return request.is_secure if settings.cookie_secure is None else settings.cookie_secure

    def exchange(path: str) -> Response:
        """A kiosk token in the address → its device cookie, and the same address without it."""
        lang = lang_of(request, default)
        found = accounts.verify_token(request.args.get(sessions.TOKEN_PARAM, ""))
        if found is None or found.kind != KIOSK or found.expires_at is None:
            note(audit.KIOSK_PAIRED, NOBODY, path, audit.REFUSED_OUTCOME, "a token not valid for a screen")
            return refused_page(lang, "auth.kiosk_title", "auth.kiosk_gone", 401)
        note(audit.KIOSK_PAIRED, found, path, detail=found.label)
        response = redirect(without_token(path), 303)
        sessions.keep_device(response, request.args[sessions.TOKEN_PARAM], found.expires_at, secure())
        return response

    def callback(principal: Principal) -> Response | None:
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        spec = dash_app.callback_map.get(output) if isinstance(output, str) else None
        if spec is None or not isinstance(body, dict) or not isinstance(output, str):
            return refusal(400, "not a callback of this app: 'output' names none")
        try:
            inputs.checked(spec, body)  # the envelope and every value against its declared schema
        except inputs.BadInput as bad:
            return refusal(400, str(bad), parameter=bad.parameter)
        location = access.location_of(spec, body, output)
        if location is None:  # a callback without an address has no rule: refused
            return refused(principal, output, refusal(403, "this callback is not open to requests"))
        target = f"{location[0] or ''}{location[1] or ''}"
        needs = access.callback_needs(output, *location)
        if not met(principal, needs):
            response = refusal(403, "not allowed for this account", path=location[0])
            if output == ROUTER_OUTPUT:  # the page itself: the browser loads it, and the server's page says so
                response.headers[RELOAD_HEADER] = "1"
            return refused(principal, f"{target} ({output[:80]})", response)
        action = access.audited(output, needs)
        if action:  # (the page itself needs no detail; an export names what it wrote)
            note(action, principal, target, detail="" if output == ROUTER_OUTPUT else output[:200])
        return None

    def page(principal: Principal, caller: sessions.Caller, path: str) -> Response | None:
        lang = lang_of(request, default)
        if caller.gone == "kiosk":
            response = refused_page(lang, "auth.kiosk_title", "auth.kiosk_gone", 401)
            sessions.forget_device(response)
            return response
        if principal.kind == ANONYMOUS:
            return redirect(sign_in_url(request.full_path.rstrip("?"), lang), 303)
        search = request.query_string.decode("latin-1")
        needs = access.page_needs(path, f"?{search}" if search else None)
        target = request.full_path.rstrip("?")
        if not met(principal, needs):
            denied = refused_page(lang, "auth.denied_title", "auth.denied", 403, who=principal.label or principal.id)
            return refused(principal, target, denied)
        if access.drills(needs):
            note(audit.DRILL_READ, principal, target)
        return None

    @server.before_request
    def guard() -> Response | None:
        path = request.path
        if path.startswith(STATIC_PREFIXES) and request.method in SAFE_METHODS:
            return None  # the app's code and styles: the same for everyone
        caller = sessions.caller(request, accounts, settings.session_hours)
        if request.method not in SAFE_METHODS and not caller.bearer and not same_origin():
            return refusal(403, "cross-site request refused: it must come from this server's own pages")
        principal = caller.principal
        act_as(principal)
        if path in PUBLIC_PATHS:
            return None
        if request.method == "GET" and sessions.TOKEN_PARAM in request.args and not path.startswith(API_PREFIX):
            return exchange(path)
        endpoint = request.endpoint or ""
        if endpoint in PAGE_ENDPOINTS and not path.startswith(API_PREFIX):
            if caller.bearer:
                return refusal(403, "an API token reads the API (/api/v1) and /metrics, not the pages")
            return page(principal, caller, path)
        if principal.kind == ANONYMOUS:
            # (a screen's gone token is kept until its page, reloaded, says so and forgets it)
            response = refusal(401, "sign in first, or send an API token (Authorization: Bearer …)")
            if path == CALLBACK_PATH:
                response.headers[RELOAD_HEADER] = "1"
            return response
        if caller.bearer and (path == CALLBACK_PATH or path in DASH_SHELL):
            return refusal(403, "an API token reads the API (/api/v1) and /metrics, not the pages")
        if path == CALLBACK_PATH:
            return callback(principal)
        if path in DASH_SHELL:
            return None  # the app's shell, without data, for anyone signed in
        if path.startswith(API_PREFIX):
            if not endpoint.startswith("api_v1."):
                return refusal(404, f"no such API path: {path}")
            needs = access.api_needs(endpoint.removeprefix("api_v1."), request.args)
            if not met(principal, needs):
                return refused(principal, request.full_path, refusal(403, "not allowed for this token or account"))
            if access.drills(needs):
                note(audit.DRILL_READ, principal, request.full_path.rstrip("?"))
            return None
        other = JSON_ENDPOINTS.get(endpoint) or FILE_ENDPOINTS.get(endpoint)
        if other is None or not met(principal, other):
            return refused(principal, path, refusal(403, "not allowed for this token or account", path=path))
        if endpoint in FILE_ACTIONS:
            note(FILE_ACTIONS[endpoint], principal, request.full_path.rstrip("?"))
        return None
