"""Who the current request is from: the web guard puts the principal on Flask's request context, pages and
callbacks read it here. Outside a request (a test calling a page function, a background job) it is nobody."""

from __future__ import annotations

from flask import g, has_app_context

from dashboard.auth.roles import NOBODY, Principal

PRINCIPAL_KEY = "pulse_principal"


def current_principal() -> Principal:
    """The request's principal; `NOBODY` outside a request or before the guard has run."""
    if not has_app_context():
        return NOBODY
    found = g.get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else NOBODY


def act_as(principal: Principal) -> None:
    """Set the request's principal (the guard does, once per request)."""
    setattr(g, PRINCIPAL_KEY, principal)
