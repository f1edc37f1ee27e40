"""Security headers on every response, and the pages still work under their Content-Security-Policy (no
violation in the browser's console, every chart drawn)."""

from __future__ import annotations

import pytest

from dashboard.auth.roles import ADMIN, LEADER
from dashboard.web.app import create_app
from dashboard.web.headers import HEADERS
from layouts.ids import AuditIds, BriefingsIds, ShellIds, SourcesIds, UnitIds
from tests.signin import signed_client, start_signed_in

PATHS = ("/", "/league", "/wall", "/api/v1/units", "/api/v1/kpis?period=week", "/healthz", "/no-such-page")


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_headers(services, path):
    response = signed_client(create_app(services)).get(path)
    for name, value in HEADERS.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "http" not in policy
    scripts = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in scripts and scripts.count("'sha256-") >= 2  # the renderer and clientside code


def test_every_inline_script_of_a_page_is_one_the_policy_names(services):
    import base64
    import hashlib
    import re

    client = signed_client(create_app(services))
    response = client.get("/wall")
    allowed = set(re.findall(r"'sha256-([^']+)'", response.headers["Content-Security-Policy"]))
    page = re.sub(r"<!--.*?-->", "", response.text, flags=re.S)  # (Dash's old-IE warning sits in a comment)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S)
    assert inline, "the page has inline scripts (Dash's renderer start, the clientside callbacks)"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert digest in allowed, script[:80]


EVERY_PAGE = {
    LEADER: (
        ("/", f"#{ShellIds.NAV_OVERVIEW}"),
        ("/league", ".ag-root"),
        ("/wall", ".js-plotly-plot .main-svg"),
        ("/sources", f"#{SourcesIds.TABLE}"),
        ("/briefings", f"#{BriefingsIds.ARCHIVE}"),
        ("/unit/quan-1", f"#{UnitIds.TREND} .main-svg"),
        ("/unit/quan-1?list=overdue", f"#{UnitIds.DRILL}"),
        ("/no-such-page", f"#{ShellIds.NAV_OVERVIEW}"),
    ),
    ADMIN: (("/audit", f"#{AuditIds.TABLE}"), ("/sources", f"#{SourcesIds.TABLE}")),
}


@pytest.mark.browser
@pytest.mark.parametrize("role", [LEADER, ADMIN])
def test_the_pages_draw_under_the_policy_with_no_violation(chromium, dash_duo, services, role):
    start_signed_in(dash_duo, create_app(services), role, path=EVERY_PAGE[role][0][0])
    for path, ready in EVERY_PAGE[role]:
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element(ready, timeout=15)
        logs = dash_duo.driver.get_log("browser")
        violations = [entry["message"] for entry in logs if "Content Security Policy" in entry["message"]]
        assert violations == [], path
