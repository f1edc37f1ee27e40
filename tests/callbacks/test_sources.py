"""The sources page's callbacks, called directly: routing with a query, and the refresh that skips when nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dash import html, no_update

from callbacks import sources as sources_callbacks
from callbacks.routing import route
from dashboard.auth.roles import ADMIN, USER, Principal
from dashboard.core.cache import cache_of
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages import sources as sources_pages
from dashboard.pages.common import current_key
from layouts.ids import ShellIds, SourcesIds
from tests.callbacks.test_overview import registered
from tests.factories import dossier
from tests.layouts.test_overview import texts as component_texts
from tests.netfaults import closed_port
from tests.signin import acting_as, signed_client

PASSWORD = "pw-quan3-secret"


def texts(parts) -> list[str]:
    """Every string in a component or a list of them, in order."""
    return component_texts(html.Div(parts))


@pytest.fixture
def down(services):
    """A second source, quan-3, whose server refuses connections; its URL carries a password."""
    source = SourceConfig(
        name="quan-3",
        unit="quan-3",
        url=f"postgresql+psycopg://reader:{PASSWORD}@127.0.0.1:{closed_port()}/motcua",
        profile="motcua_v1",
    )
    services.sources.append(source)
    return lambda: Ingestor(services.store, services.clock, services.settings).pull(source)


def test_the_sources_path_renders_every_source_and_the_rejected_rows_asked_for(app, services, source_db, pull, down):
    source_db.insert("dossiers", dossier("A"), dossier("BAD", procedure="XX-99"))
    pull()
    down()
    with acting_as(app, Principal(USER, "quan-tri", "Quản trị", ADMIN)):
        page = route(services, cache_of(app), "/sources", "?source=quan-1")
    assert texts(page[SourcesIds.SUMMARY])[0] == "Nguồn cập nhật đúng hạn: 1 / 2"
    table = texts(page[SourcesIds.TABLE])
    assert "Máy chủ nguồn không nhận kết nối" in table and "1 lần lỗi liên tiếp" in table
    assert any(line.startswith("OperationalError: connection failed") for line in table)  # the driver's own words
    assert "09:00 27/11/2019" in table  # quan-3 retries at 09:00:30
    browser = texts(page[SourcesIds.REJECTED])
    assert "unknown procedure 'XX-99'" in browser and "XX-99" in browser and "Dòng 1–1 trong 1" in browser
    assert page[SourcesIds.FOCUS].data is True
    assert page[SourcesIds.SEEN].data == [services.store.data_version()[0], "2019-11-27T09:00"]
    assert page[SourcesIds.INTERVAL].interval == services.settings.refresh_ms
    assert PASSWORD not in str(page)
    raw = texts(page[SourcesIds.REJECTED])
    assert raw[raw.index("updated_at") + 1] == "2019-11-24 09:00:00.000000"  # the row's raw values, column by column


def test_who_does_not_manage_the_sources_sees_no_error_text_address_or_raw_value(app, services, source_db, pull, down):
    source_db.insert("dossiers", dossier("A"), dossier("BAD", procedure="XX-99"))
    pull()
    down()
    with acting_as(app):  # a leader
        page = route(services, cache_of(app), "/sources", "?source=quan-1")
    table, browser = texts(page[SourcesIds.TABLE]), texts(page[SourcesIds.REJECTED])
    assert "Máy chủ nguồn không nhận kết nối" in table and "1 lần lỗi liên tiếp" in table  # what happened, in words
    assert not [line for line in table if "OperationalError" in line or "127.0.0.1" in line]  # not the host
    assert "Giá trị gốc của dòng chỉ hiển thị cho quản trị viên nguồn dữ liệu." in browser
    assert "BAD" in browser and "procedure_code" in browser  # which row and field, and why
    assert "updated_at" not in browser and "2019-11-24 09:00:00.000000" not in browser  # no raw value


def test_the_router_passes_the_language_and_an_unknown_source_shows_none(app, services, pull):
    pull()
    page = registered(app, ShellIds.PAGE)("/sources", "?lang=en&source=quan-9")
    assert page[ShellIds.AS_OF].children == "Data as of 09:00 27/11/2019"
    assert "Source quan-9 has no rejected rows." in texts(page[SourcesIds.REJECTED])
    assert "is-current" in page[ShellIds.NAV_SOURCES].className


def test_refresh_returns_no_update_until_the_data_version_or_the_minute_changes(app, services, source_db, pull):
    refresh = registered(app, SourcesIds.SUMMARY)
    as_of_text, summary, table, browser, seen = refresh(1, None, "?source=quan-1")
    assert as_of_text == "Số liệu lúc 09:00 27/11/2019"
    assert texts(summary)[0] == "Nguồn cập nhật đúng hạn: 0 / 1" and "Chưa kéo" in texts(table)
    assert "Nguồn quan-1 không có dòng nào bị từ chối." in texts(browser)
    assert refresh(2, seen, "?source=quan-1") == (no_update,) * 5

    source_db.insert("dossiers", dossier("NEW"), dossier("BAD", procedure="XX-99"))
    pull()
    _as_of_text, summary, table, browser, new_seen = refresh(3, seen, "?source=quan-1&lang=en")
    assert new_seen != seen
    assert texts(summary)[0] == "Sources up to date: 1 / 1" and "just now" in texts(table)
    assert "unknown procedure 'XX-99'" in texts(browser)

    services.clock.advance(timedelta(minutes=1))
    as_of_text, _summary, table, _browser, last_seen = refresh(4, new_seen, "")
    assert as_of_text == "Số liệu lúc 09:01 27/11/2019" and "1 phút trước" in texts(table)
    assert last_seen == [new_seen[0], "2019-11-27T09:01"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?lang=en&source=quan-1&page=3", ("quan-1", 3)),
        ("?source=tp-thu-duc", ("tp-thu-duc", 1)),
        ("?source=Not%20a%20name&page=x", (None, 1)),
        ("?page=-2", (None, 1)),
        ("", (None, 1)),
        (None, (None, 1)),
    ],
)
def test_the_query_names_a_source_and_a_page(search, expected):
    assert sources_callbacks.rejected_query(search) == expected


def test_the_dash_endpoint_serves_the_page_without_the_password_or_the_address(app, services, pull, down):
    pull()
    down()
    payload = {
        "output": f"{ShellIds.PAGE}.children",
        "outputs": {"id": ShellIds.PAGE, "property": "children"},
        "inputs": [
            {"id": ShellIds.LOCATION, "property": "pathname", "value": "/sources"},
            {"id": ShellIds.LOCATION, "property": "search", "value": "?lang=vi"},
        ],
        "changedPropIds": [f"{ShellIds.LOCATION}.pathname"],
        "state": [],
    }
    response = signed_client(app).post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert SourcesIds.TABLE in body and "quan-3" in body
    assert PASSWORD not in body and "reader:***@" not in body  # no address on the page (issue 14: admins only)


def test_the_cache_serves_a_second_viewer_without_recomputing(app, services, monkeypatch):
    key = current_key(services)
    asked = sources_callbacks.rejected_query("?source=quan-1")
    first = sources_pages.sources_data(services, cache_of(app), key, *asked)
    monkeypatch.setattr(sources_pages, "source_freshness", lambda *a, **k: 1 / 0)
    again = sources_callbacks.rejected_query("?source=quan-1&lang=en")
    assert sources_pages.sources_data(services, cache_of(app), key, *again) == first
