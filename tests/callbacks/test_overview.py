"""The overview's callbacks, called directly: routing, and the refresh that skips when nothing changed."""

from __future__ import annotations

from datetime import timedelta

from dash import no_update

from callbacks.routing import route
from dashboard.core.cache import cache_of
from dashboard.pages import overview as overview_pages
from dashboard.pages.common import current_key, view_key
from layouts.ids import NotFoundIds, OverviewIds, ShellIds
from tests.conftest import START
from tests.factories import dossier
from tests.signin import acting_as


def registered(app, output_id: str):
    """The function registered for the callback whose outputs include `output_id`, run as a leader's request."""
    [entry] = [entry for key, entry in app.callback_map.items() if f"{output_id}." in key]
    function = entry["callback"].__wrapped__

    def as_a_leader(*args):
        with acting_as(app):
            return function(*args)

    return as_a_leader


def test_the_root_path_renders_the_overview_with_current_numbers(app, services, source_db, pull):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    page = route(services, cache_of(app), "/", "")
    assert page[OverviewIds.IN_PROGRESS].children == "2"
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 09:00 27/11/2019"
    assert page[OverviewIds.SEEN].data == [services.store.data_version()[0], "2019-11-27T09:00"]
    assert page[OverviewIds.INTERVAL].interval == services.settings.refresh_ms


def test_language_from_the_query_and_not_found(app, services):
    page = registered(app, ShellIds.PAGE)("/", "?lang=en")
    assert page[ShellIds.AS_OF].children == "Data as of 09:00 27/11/2019"
    missing = registered(app, ShellIds.PAGE)("/khong-co", None)
    assert missing[NotFoundIds.TEXT].children == "Không có trang nào ở địa chỉ /khong-co."


def test_refresh_returns_no_update_until_the_data_version_changes(app, services, source_db, pull):
    refresh = registered(app, OverviewIds.KPIS)
    as_of_text, kpis, sources, seen = refresh(1, None, "")
    assert kpis[OverviewIds.IN_PROGRESS].children == "0"
    assert as_of_text == "Số liệu lúc 09:00 27/11/2019"
    assert "Chưa kéo" in str(sources)

    assert refresh(2, seen, "") == (no_update,) * 4

    source_db.insert("dossiers", dossier("NEW"))
    pull()
    _as_of_text, kpis, sources, new_seen = refresh(3, seen, "?lang=en")
    assert new_seen != seen
    assert kpis[OverviewIds.IN_PROGRESS].children == "1"
    assert "OK" in str(sources) and "just now" in str(sources)


def test_refresh_when_the_minute_changes_for_the_lag_texts(app, services, pull):
    pull()
    refresh = registered(app, OverviewIds.KPIS)
    *_, seen = refresh(1, None, "")
    services.clock.advance(timedelta(seconds=59))
    assert refresh(2, seen, "") == (no_update,) * 4
    services.clock.advance(timedelta(seconds=1))
    as_of_text, _kpis, sources, new_seen = refresh(3, seen, "")
    assert as_of_text == "Số liệu lúc 09:01 27/11/2019"
    assert "1 phút trước" in str(sources)
    assert new_seen == [seen[0], "2019-11-27T09:01"]


def test_the_cache_serves_a_second_viewer_without_recomputing(app, services, monkeypatch):
    key = current_key(services)
    first = overview_pages.overview_data(services, cache_of(app), key)
    monkeypatch.setattr(overview_pages, "current_city_overview", lambda *a, **k: 1 / 0)
    assert overview_pages.overview_data(services, cache_of(app), key) == first


def test_view_key_is_the_version_and_the_city_minute():
    assert view_key(7, START + timedelta(seconds=42)) == [7, "2019-11-27T09:00"]
