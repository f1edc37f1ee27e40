"""The audit log's page (admins): read the filters and the page from the address, ask `dashboard.pages.audit` for
the entries, hand them to `layouts.audit`. No refresh: it is read when opened."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash.development.base_component import Component

from dashboard.auth.audit import ACTIONS
from dashboard.core.cache import Cache
from dashboard.core.paging import page_asked
from dashboard.pages.audit import audit_view
from dashboard.services import Services
from layouts import audit as audit_layout

MAX_ACTOR = 128


def audit_query(search: str | None) -> tuple[int, str | None, str | None]:
    """The page, the actor (a login or token:<id>, else none) and a known action (else none) the address asks for."""
    values = parse_qs((search or "").lstrip("?"))

    def first(name: str) -> str:
        return (values.get(name) or [""])[0]

    actor, action = first(audit_layout.ACTOR_PARAM), first(audit_layout.ACTION_PARAM)
    actor_ok = 0 < len(actor) <= MAX_ACTOR and actor.isprintable()
    return (
        page_asked(first(audit_layout.PAGE_PARAM)),
        actor if actor_ok else None,
        action if action in ACTIONS else None,
    )


def page(services: Services, _cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    return audit_layout.layout(audit_view(services, *audit_query(search)), lang, pathname)
