"""The alerts page: the wall's alerts from `dashboard.pages.alerts`, laid out by `layouts.alerts`, with an
acknowledge button where the request's viewer may use it (`?done=` says how the last one went)."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash.development.base_component import Component

from dashboard.auth.context import current_principal
from dashboard.core.cache import Cache
from dashboard.core.i18n import t
from dashboard.pages.alerts import OUTCOMES, alerts_view, may_acknowledge
from dashboard.services import Services
from layouts import alerts as alerts_layout

DONE_PARAM = "done"


def page(services: Services, cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    viewer = current_principal()
    done = (parse_qs((search or "").lstrip("?")).get(DONE_PARAM) or [""])[0]
    notice = t(f"alerts.outcome.{done}", lang) if done in OUTCOMES else ""
    view = alerts_view(services, cache)
    return alerts_layout.layout(view, lambda alert: may_acknowledge(viewer, alert), lang, pathname, notice)
