"""Security headers on every response, and the pages still work under their Content-Security-Policy (no
violation in the browser's console, every chart drawn)."""

from __future__ import annotations

import pytest

from dashboard.web.app import create_app
from dashboard.web.headers import HEADERS
from layouts.ids import ShellIds
from tests.signin import signed_client, start_signed_in

PATHS = ("/", "/league", "/wall", "/api/v1/units", "/api/v1/kpis?period=week", "/healthz", "/no-such-page")


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_headers(services, path):
    response = signed_client(create_app(services)).get(path)
    for name, value in HEADERS.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "http" not in policy


@pytest.mark.browser
def test_the_pages_draw_under_the_policy_with_no_violation(chromium, dash_duo, services):
    start_signed_in(dash_duo, create_app(services))
    for path, ready in (
        ("/", f"#{ShellIds.NAV_OVERVIEW}"),
        ("/league", ".ag-root"),
        ("/wall", ".js-plotly-plot .main-svg"),
    ):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element(ready, timeout=15)
        logs = dash_duo.driver.get_log("browser")
        violations = [entry["message"] for entry in logs if "Content Security Policy" in entry["message"]]
        assert violations == [], path
