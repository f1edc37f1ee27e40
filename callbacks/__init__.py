"""Thin glue: parse a request's inputs, ask `dashboard.pages` for the model, hand it to a `layouts` builder.

May import `dashboard.core`, `dashboard.pages`, `dashboard.services` and `layouts`; one `register(app, services)` a page.
"""

from __future__ import annotations

from dash import Dash

from callbacks import briefings, league, overview, routing, sources, unit
from callbacks import wall as wall_page
from dashboard.services import Services


def register(app: Dash, services: Services) -> None:
    """Register every page's callbacks on `app`."""
    routing.register(app, services)
    overview.register(app, services)
    sources.register(app, services)
    unit.register(app, services)
    league.register(app, services)
    wall_page.register(app, services)
    briefings.register(app, services)
