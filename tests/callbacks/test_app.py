"""The app factory: offline assets, no global state, a cache for callbacks."""

from __future__ import annotations

from flask_caching import Cache

from dashboard.core.cache import cache_of, cached
from dashboard.web.app import ASSETS_DIR, create_app
from layouts.ids import OverviewIds, ShellIds
from tests.signin import signed_client


def test_create_app_serves_local_assets_only(app):
    assert app.title == "CCHC Pulse"
    assert app.config.assets_folder == str(ASSETS_DIR)
    assert app.config.serve_locally is True
    assert app.config.external_stylesheets == []
    html = signed_client(app).get("/").get_data(as_text=True)
    assert "/assets/pulse.css" in html and "cdn" not in html.lower() and '<html lang="vi">' in html


def test_two_apps_in_one_process_do_not_share_callbacks_or_caches(services):
    first, second = create_app(services), create_app(services)
    assert first is not second and cache_of(first) is not cache_of(second)
    for app in (first, second):
        keys = " ".join(app.callback_map)
        assert f"{ShellIds.PAGE}.children" in keys and f"{OverviewIds.KPIS}.children" in keys


def test_redis_is_used_when_a_cache_url_is_set(services):
    services.settings = services.settings.model_copy(update={"cache_url": "redis://127.0.0.1:6399/0"})
    app = create_app(services)
    assert type(cache_of(app).cache).__name__ == "RedisCache"


class BrokenCache(Cache):
    def get(self, *args, **kwargs):
        raise ConnectionError("redis is down")


def test_a_broken_cache_is_bypassed():
    assert cached(BrokenCache(), "k", lambda: 42) == 42


def test_the_router_answers_through_the_dash_endpoint(app):
    payload = {
        "output": f"{ShellIds.PAGE}.children",
        "outputs": {"id": ShellIds.PAGE, "property": "children"},
        "inputs": [
            {"id": ShellIds.LOCATION, "property": "pathname", "value": "/"},
            {"id": ShellIds.LOCATION, "property": "search", "value": "?lang=en"},
        ],
        "changedPropIds": [f"{ShellIds.LOCATION}.pathname"],
        "state": [],
    }
    response = signed_client(app).post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "City overview" in body and OverviewIds.IN_PROGRESS in body
