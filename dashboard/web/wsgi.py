"""The WSGI entry point for production: `gunicorn dashboard.web.wsgi:server`.

Settings come from `CCHC_CONFIG` and `CCHC_*` variables; the app is built when `server` is first used,
so importing this module opens no database.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from dashboard.core.settings import Settings
from dashboard.services import Services
from dashboard.web.app import create_app


def application() -> Flask:
    """Build the app from the environment's settings and return its Flask server."""
    settings = Settings.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the default SQLite store lives there
    return create_app(Services.build(settings), warm=True).server


def __getattr__(name: str) -> Any:
    """`server` is built on first access (PEP 562), once per importing process."""
    if name == "server":
        server = application()
        globals()["server"] = server
        return server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
