"""Thin glue: parse a request's inputs, ask `dashboard.pages` for the model, hand it to a `layouts` builder.

May import `dashboard.core`, `dashboard.pages`, `dashboard.services` and `layouts`; one `register(app, services)` a page.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash

from callbacks import briefings, league, overview, routing, sources, unit
from callbacks import wall as wall_page
from dashboard.services import Services


def register(app: Dash, services: Services, may_open: Callable[[str], bool] | None = None) -> None:
    """Register every page's callbacks on `app` (`may_open(path)`: whether the request's viewer may open a page)."""
    routing.register(app, services, may_open)
    overview.register(app, services, may_open)
    sources.register(app, services)
    unit.register(app, services)
    league.register(app, services)
    wall_page.register(app, services)
    briefings.register(app, services)
