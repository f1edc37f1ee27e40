"""Sign-in and sign-out (`/signin`, `/signout`), and the plain pages that say why a request was refused: not
signed in, not allowed, a screen's token gone. Plain HTML from this server (no Dash), Vietnamese first."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Request, redirect, request, session
from markupsafe import escape
from werkzeug.wrappers import Response

from dashboard.auth.audit import FAILED, REFUSED_OUTCOME, SIGN_IN, SIGN_IN_FAILED, SIGN_IN_LIMITED, SIGN_OUT
from dashboard.auth.context import current_principal
from dashboard.auth.errors import SignInLimited
from dashboard.auth.roles import ANONYMOUS, USER, Principal
from dashboard.auth.store import normal_login
from dashboard.core.i18n import fmt_datetime, language, t
from dashboard.services import Services
from dashboard.web import sessions
from dashboard.web.access import may_open
from layouts import shell

SIGN_IN_PATH, SIGN_OUT_PATH = "/signin", shell.SIGN_OUT_PATH
SSO_PATH = f"{SIGN_IN_PATH}/oidc"  # dashboard.web.oidc
MAX_FIELD = 256  # a login or password longer than this is refused unread
STYLESHEETS = ("/assets/vendor/bootstrap.min.css", "/assets/pulse.css")


def lang_of(req: Request, default: str) -> str:
    return language(req.args.get("lang") or req.form.get("lang"), default)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (never `//host` or `https://…`), else home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def landing(principal: Principal, next_path: str) -> str:
    """Where a sign-in goes: the page asked for, or — when that is just home and home is not the viewer's (an admin
    sees no figures) — the first page of the header the viewer may open."""
    if next_path != "/" or may_open(principal, "/"):
        return next_path
    return next((path for path, _id, _label in shell.NAV_LINKS if may_open(principal, path)), next_path)


def sign_in_url(next_path: str, lang: str) -> str:
    return f"{SIGN_IN_PATH}?{urlencode({'next': next_path, 'lang': lang})}"


def plain_page(title: str, body: str, lang: str, status: int) -> Response:
    """A small page of our own (title and already-escaped body) with the app's styles."""
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in STYLESHEETS)
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{links}'
        f"<title>{escape(shell.tab_title(title, lang))}</title></head>"
        f'<body><main class="pulse-auth container"><p class="pulse-auth-brand">{escape(t("app.name", lang))}</p>'
        f"<h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(html, status=status, mimetype="text/html")


def sign_in_page(lang: str, next_path: str, message: str = "", status: int = 200, sso: bool = False) -> Response:
    alert = f'<p class="alert alert-danger" role="alert">{escape(message)}</p>' if message else ""
    if sso:  # the city's single sign-on first, the local accounts below it
        target = f"{SSO_PATH}?{urlencode({'next': next_path, 'lang': lang})}"
        alert += f'<p><a class="btn btn-primary" id="sign-in-sso" href="{escape(target)}">{escape(t("auth.sso", lang))}</a></p>'
    other = "vi" if lang == "en" else "en"
    form = (
        f'{alert}<form method="post" action="{SIGN_IN_PATH}" class="pulse-auth-form">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<label class="form-label" for="login">{escape(t("auth.login", lang))}</label>'
        f'<input class="form-control" id="login" name="login" autocomplete="username" required maxlength="{MAX_FIELD}">'
        f'<label class="form-label" for="password">{escape(t("auth.password", lang))}</label>'
        f'<input class="form-control" id="password" name="password" type="password" autocomplete="current-password"'
        f' required maxlength="{MAX_FIELD}">'
        f'<button class="btn btn-primary" id="sign-in" type="submit">{escape(t("auth.submit", lang))}</button></form>'
        f'<p><a href="{escape(sign_in_url(next_path, other))}">{escape(t(f"shell.lang_{other}_name", lang))}</a></p>'
    )
    return plain_page(t("auth.title", lang), form, lang, status)


def refused_page(lang: str, title_key: str, text_key: str, status: int, **values: str) -> Response:
    again = f'<p><a href="{escape(sign_in_url("/", lang))}">{escape(t("auth.sign_in_again", lang))}</a></p>'
    body = f"<p>{escape(t(text_key, lang, **values))}</p>{again}"
    return plain_page(t(title_key, lang), body, lang, status)


def blueprint(services: Services) -> Blueprint:
    """`/signin` (the form, and its post) and `/signout`."""
    bp = Blueprint("signin", __name__)
    default, sso = services.settings.language, bool(services.settings.oidc_issuer)

    @bp.get(SIGN_IN_PATH)
    def form() -> Response:
        return sign_in_page(lang_of(request, default), safe_next(request.args.get("next")), sso=sso)

    @bp.post(SIGN_IN_PATH)
    def sign_in() -> Response:
        lang, next_path = lang_of(request, default), safe_next(request.form.get("next"))
        login, password = request.form.get("login", ""), request.form.get("password", "")
        if not login or not password or len(login) > MAX_FIELD or len(password) > MAX_FIELD:
            return sign_in_page(lang, next_path, t("auth.failed", lang), 400)
        client, accounts = request.remote_addr, services.accounts
        tried = normal_login(login)
        try:
            user = accounts.verify_password(login, password, client=client)
        except SignInLimited as limited:
            accounts.audit.record(
                SIGN_IN_LIMITED, (USER, tried), outcome=REFUSED_OUTCOME, client=client, detail=str(limited)
            )
            retry = fmt_datetime(limited.retry_at, lang)
            return sign_in_page(lang, next_path, t("auth.limited", lang, time=retry), 429)
        if user is None:
            accounts.audit.record(SIGN_IN_FAILED, (USER, tried), outcome=FAILED, client=client)
            return sign_in_page(lang, next_path, t("auth.failed", lang), 401)
        sessions.start_session(user, accounts)
        accounts.audit.record(SIGN_IN, user.principal(), client=client, detail="password")
        return sessions.signed_in(redirect(landing(user.principal(), next_path), 303))

    @bp.post(SIGN_OUT_PATH)
    def sign_out() -> Response:
        who = current_principal()
        if who.kind != ANONYMOUS:
            services.accounts.audit.record(SIGN_OUT, who, client=request.remote_addr)
        session.clear()
        response = redirect(sign_in_url("/", lang_of(request, default)), 303)
        sessions.forget_device(response)
        return response

    return bp
