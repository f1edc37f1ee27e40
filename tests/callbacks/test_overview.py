"""The home page's callbacks, called directly: routing, and the refresh that skips when nothing changed and
recounts when the period does."""

from __future__ import annotations

from datetime import timedelta

from dash import html, no_update

from callbacks import overview as overview_callbacks
from callbacks.routing import route
from dashboard.core.cache import background_for, cache_of
from dashboard.pages import overview as overview_pages
from dashboard.pages.common import current_key, view_key
from layouts import overview as overview_layout
from layouts.ids import HomeIds, NotFoundIds, OverviewIds, ShellIds
from tests.conftest import START
from tests.factories import dossier
from tests.layouts.test_overview import texts
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
    assert page[OverviewIds.SEEN].data == [services.store.data_version()[0], "2019-11-27T09:00", "30d"]
    assert page[OverviewIds.INTERVAL].interval == services.settings.refresh_ms
    assert page[HomeIds.PERIODS].value == "30d" and page[HomeIds.MAP].figure["data"]


def test_the_period_in_the_address_and_a_typo_falls_back_to_30_days(app, services):
    cache = cache_of(app)
    assert overview_callbacks.page(services, cache, "vi", "/", "?period=7d")[HomeIds.PERIODS].value == "7d"
    assert overview_callbacks.page(services, cache, "vi", "/", "?period=7ngay")[HomeIds.PERIODS].value == "30d"


def test_the_router_hands_the_home_page_its_period_and_what_the_viewer_may_open(app, services, source_db, pull):
    source_db.insert("dossiers", dossier("A"), dossier("B"))
    pull()
    cache = cache_of(app)
    assert route(services, cache, "/", "?period=7d")[HomeIds.PERIODS].value == "7d"

    def links(page) -> list[str]:
        return [c.href for c in page._traverse() if getattr(c, "className", None) == "home-unit-name"]  # noqa: SLF001

    everyone = links(route(services, cache, "/", "", lambda path: True))
    assert everyone and all(href.startswith("/unit/") for href in everyone)
    assert links(route(services, cache, "/", "", lambda path: not path.startswith("/unit/"))) == []

    # and so does its refresh, which redraws the list
    def units_refreshed(*may_open) -> html.Div:
        redrawn = overview_callbacks.refresh(services, cache, None, "30d", "vi", *may_open)
        return html.Div(redrawn[1 + overview_layout.PART_IDS.index(HomeIds.UNITS)])

    assert links(units_refreshed()) == everyone
    assert links(units_refreshed(lambda path: not path.startswith("/unit/"))) == []


def test_language_from_the_query_and_not_found(app, services):
    page = registered(app, ShellIds.PAGE)("/", "?lang=en")
    assert page[ShellIds.AS_OF].children == "Data as of 09:00 27/11/2019"
    missing = registered(app, ShellIds.PAGE)("/khong-co", None)
    assert missing[NotFoundIds.TEXT].children == "Không có trang nào ở địa chỉ /khong-co."


def shown(result) -> dict:
    """The refresh's outputs by name: as-of text, each part of `PART_IDS`, map, notes, trend, key."""
    names = ["as_of", *overview_layout.PART_IDS, "map", "notes", "trend", "seen"]
    return dict(zip(names, result, strict=True))


def test_refresh_returns_no_update_until_the_data_version_or_the_period_changes(app, services, source_db, pull):
    refresh = registered(app, OverviewIds.KPIS)
    first = shown(refresh(1, "30d", None, ""))
    assert first["as_of"] == "Số liệu lúc 09:00 27/11/2019"
    assert html_text(first[OverviewIds.KPIS]).startswith(
        "Quá hạn đang giải quyết — chưa có số liệu hôm qua để so sánh chưa có hồ sơ Đang giải quyết 0"
    )
    assert "Nguồn dữ liệu: 0 / 1 bình thường" in str(first[OverviewIds.SOURCES])

    assert refresh(2, "30d", first["seen"], "") == (no_update,) * (len(overview_layout.PART_IDS) + 5)

    source_db.insert(
        "dossiers", dossier("NEW"), dossier("DONE", status="completed", completed=START - timedelta(days=2))
    )
    pull()
    assert refresh(3, "30d", first["seen"], "") == (no_update,) * (len(overview_layout.PART_IDS) + 5)  # the wall's…
    background_for(cache_of(app)).wait()  # … new figures are computed in the background: shown once they are
    later = shown(refresh(4, "30d", first["seen"], "?lang=en"))
    assert later["seen"] != first["seen"]
    assert html_text(later[OverviewIds.KPIS]) == (
        "Overdue in progress 0.0% no figure from yesterday to compare with 0 of 1 dossiers in progress "
        "In progress 1 no figure from yesterday to compare with received, not yet resolved "
        "On time 100.0% not enough data for the previous period 1 / 1 dossiers resolved "
        "Filed online 0.0% not enough data for the previous period 0 / 2 dossiers received "
        "Satisfied — not enough data for the previous period no ratings yet"
    )  # the store's data begins 24/11, inside the previous 30 days: not compared, and the period line says why
    assert later[HomeIds.PERIOD_LINE].endswith(
        "not compared with the previous period 00:00 29/09/2019 – 00:00 29/10/2019: data only from 24/11/2019"
    )
    assert "Data sources: 1 of 1 normal" in str(later[OverviewIds.SOURCES])

    week = shown(refresh(5, "7d", later["seen"], ""))  # the picker: the same data, another period
    assert week["seen"] == [*later["seen"][:2], "7d"]
    assert "7 ngày: 00:00 21/11/2019 – 09:00 27/11/2019" in week[HomeIds.PERIOD_LINE]
    assert week["trend"].data[0].x[0] == "21/11"


def html_text(children: list) -> str:
    return " ".join(texts(html.Div(children)))


def test_refresh_when_the_minute_changes_for_the_lag_texts(app, services, pull):
    pull()
    refresh = registered(app, OverviewIds.KPIS)
    seen = refresh(1, "30d", None, "")[-1]
    services.clock.advance(timedelta(seconds=59))
    assert refresh(2, "30d", seen, "") == (no_update,) * (len(overview_layout.PART_IDS) + 5)
    services.clock.advance(timedelta(seconds=1))
    refresh(3, "30d", seen, "")  # asks for the wall's figures of 09:01, computed in the background
    background_for(cache_of(app)).wait()
    result = shown(refresh(4, "30d", seen, ""))
    assert result["as_of"] == "Số liệu lúc 09:01 27/11/2019"
    assert result["seen"] == [seen[0], "2019-11-27T09:01", "30d"]


def test_the_cache_serves_a_second_viewer_without_recomputing(app, services, monkeypatch):
    first = overview_pages.overview_data(services, cache_of(app), "30d")
    assert first[0] == [*current_key(services), "30d"]
    monkeypatch.setattr(overview_pages, "unit_kpis", lambda *a, **k: 1 / 0)
    assert overview_pages.overview_data(services, cache_of(app), "30d") == first


def test_view_key_is_the_version_and_the_city_minute():
    assert view_key(7, START + timedelta(seconds=42)) == [7, "2019-11-27T09:00"]
