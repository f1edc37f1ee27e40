"""The app factory: `create_app(services)` builds one Dash app; nothing here is global.

The pages work offline: Bootstrap and our CSS are served from `assets/`, never from a CDN. Routing is
ours (`dcc.Location` → `callbacks.routing`), so any number of apps can live in one process (tests).
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash
from flask import Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
from callbacks import unit as unit_callbacks
from callbacks import wall as wall_callbacks
from callbacks.polls import POLLS
from dashboard.auth.context import current_principal
from dashboard.core.i18n import language, t
from dashboard.pages import wall
from dashboard.services import Services
from dashboard.web import (
    access,
    alerts,
    api,
    audit,
    briefings,
    guard,
    headers,
    health,
    logs,
    oidc,
    ready,
    sessions,
    signin,
)
from dashboard.web.cache import attach_cache
from dashboard.web.ready import ReadyAnswer
from layouts import shell

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def create_app(services: Services, warm: bool = False) -> Dash:
    """A Dash app over `services`: layout shell, shared cache and every page's callbacks.

    Run it with `create_app(services).run(host, port, debug=False)` or serve `.server` with gunicorn. With
    `warm`, the wall's figures start computing in the background at once, so its first viewer finds them.
    """
    lang = services.settings.language
    app = Dash(
        __name__,
        title=t("app.name", lang),
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (keep the tab title) but annotates str
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        external_stylesheets=[],
        external_scripts=[],
        suppress_callback_exceptions=True,
    )
    app.index_string = app.index_string.replace("<html>", f'<html lang="{lang}">', 1)
    _page_language(app, lang)
    sessions.install(app.server, services.settings)  # refuses to run without the settings' session secret
    if services.settings.trusted_proxies:  # the real client, scheme and host, from the proxies' own headers
        n = services.settings.trusted_proxies
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.layout = shell.root
    cache = attach_cache(app.server, services.settings)
    callbacks.register(app, services, lambda path: access.may_open(current_principal(), path))
    shared = [  # one encoding a key: the wall's, and the tile's for each role and units
        ReadyAnswer(
            wall_callbacks.ready_matches,
            wall_callbacks.ready_identity(services, cache),
            wall_callbacks.ready_stamp,
            wall_callbacks.READY_WAITING,
        ),
        ReadyAnswer(
            unit_callbacks.ready_matches,
            unit_callbacks.ready_identity(services, cache),
            unit_callbacks.ready_stamp,
            ready.NOTHING,
        ),
    ]
    unchanged = [  # only their unchanged polls
        ReadyAnswer(poll.matches, poll.identity(services), lambda _i, _a: None, ready.NOTHING) for poll in POLLS
    ]
    ready.install(app, cache, [*shared, *unchanged], lambda: int(services.clock.now().timestamp() * 1000))
    app.server.register_blueprint(api.blueprint(services))  # the JSON API under /api/v1
    app.server.register_blueprint(health.blueprint(services))  # /healthz and /metrics for the operators
    app.server.register_blueprint(briefings.blueprint(services))  # /briefings/<id>.<pdf|docx|xlsx|html|csv>
    app.server.register_blueprint(signin.blueprint(services))  # /signin, /signout
    app.server.register_blueprint(oidc.blueprint(services))  # /signin/oidc and its callback (single sign-on)
    app.server.register_blueprint(audit.blueprint(services))  # /audit.csv
    app.server.register_blueprint(alerts.blueprint(services))  # POST /alerts/<id>/ack
    guard.install(app, services)  # who may see what: every page, callback, API call and download
    headers.install(app.server, tuple(app.csp_hashes()))  # CSP (inline scripts by hash), no framing, no sniffing …
    logs.install()  # no kiosk token in an access log
    if warm:
        wall.warm(services, cache)
    return app


def _page_language(app: Dash, default: str) -> None:
    """The page's `<html lang>` from its `?lang=` as it is first served (the router's clientside part keeps it
    right when the language changes without a reload)."""
    served = f'<html lang="{default}">'

    @app.server.after_request
    def page_language(response: Response) -> Response:
        lang = language(request.args.get("lang"), default)
        if lang == default or response.mimetype != "text/html" or response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        if body.startswith("<!DOCTYPE html>") and served in body[:200]:
            response.set_data(body.replace(served, f'<html lang="{lang}">', 1))
        return response
