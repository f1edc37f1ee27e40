"""Thin glue between the store/metrics and the layout builders; one `register(app, services)` per page."""

from __future__ import annotations

from dash import Dash

from callbacks import overview, routing, sources
from dashboard.services import Services


def register(app: Dash, services: Services) -> None:
    """Register every page's callbacks on `app`."""
    routing.register(app, services)
    overview.register(app, services)
    sources.register(app, services)
