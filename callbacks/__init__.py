"""Thin glue between the store/metrics and the layout builders; one `register(app, services)` per page."""

from __future__ import annotations

from dash import Dash

from callbacks import league, overview, routing, sources, unit
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


def warm(app: Dash, services: Services) -> None:
    """Start computing, in the background, what the slowest pages show first (the wall's figures)."""
    wall_page.warm(app, services)
