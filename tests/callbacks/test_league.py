"""The league page's callbacks, called directly on a hand-built city (tests/league_scenario.py): routing with a
query, the refresh that skips when nothing changed, the exports, and the numbers handed to the layout, which
equal the JSON API's."""

from __future__ import annotations

import base64
from datetime import timedelta
from io import BytesIO

import pytest
from dash import no_update
from openpyxl import load_workbook

from callbacks import league as league_callbacks
from callbacks.routing import route
from dashboard.core.cache import background_for, cache_of
from dashboard.core.i18n import t
from dashboard.ingest.pull import Ingestor
from dashboard.pages.common import current_key
from dashboard.pages.league import league_data
from dashboard.web.api import league_row_json
from dashboard.web.app import create_app
from layouts.ids import LeagueIds, ShellIds
from tests import league_scenario
from tests.callbacks.test_overview import registered
from tests.factories import counting_every_dossier
from tests.layouts.test_overview import texts
from tests.signin import signed_client


@pytest.fixture
def city(tmp_path, settings, clock):
    services, databases = league_scenario.build(tmp_path, settings, clock)
    services.index_config = counting_every_dossier(services.index_config)  # its handful of dossiers, ranked
    yield services, databases
    services.store.dispose()
    for database in databases:
        database.dispose()


@pytest.fixture
def services(city):
    return city[0]


@pytest.fixture
def app(services):
    return create_app(services)


def test_the_league_path_renders_the_kind_and_period_of_the_address(app, services):
    page = route(services, cache_of(app), "/league", "?kind=district&period=30d")
    rows = page[LeagueIds.GRID].rowData
    assert [(r["unit_key"], r["rank_text"], r["movement_text"]) for r in rows[:3]] == [
        ("quan-3", "1\nđồng hạng", "▲1"),
        ("quan-4", "1\nđồng hạng", "mới"),
        ("quan-1", "3", "▼2"),
    ]
    assert rows[0]["stale_text"] == "dữ liệu cũ từ 14:00 27/11" and rows[1]["stale_text"] == ""
    assert rows[2]["score_text"] == "76,19" and rows[2]["on_time_label"] == "50,0% (1/2)"
    assert texts(page[LeagueIds.SUMMARY])[0].startswith("3 / 24 đơn vị được xếp hạng")
    assert page[LeagueIds.SEEN].data == [4, "2019-11-27T15:00"]
    assert page[ShellIds.AS_OF].children == "Số liệu lúc 15:00 27/11/2019"
    departments = registered(app, ShellIds.PAGE)("/league", "?lang=en&kind=department&period=ytd")
    assert departments[LeagueIds.GRID].rowData[0]["href"].endswith("?lang=en&period=ytd")
    assert "Departments" in texts(departments[LeagueIds.KINDS])
    assert departments[LeagueIds.GRID].csvExportParams["fileName"] == "league-department-ytd-20191127-1500.csv"


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?kind=department&period=7d&lang=en", ("department", "7d")),
        ("?kind=province&period=90d", ("district", "30d")),  # no such league, no such period
        ("?kind=ward&period=qtd", ("ward", "qtd")),  # the wards and communes of 2025
        ("?period=ytd", ("district", "ytd")),
        ("", ("district", "30d")),
        (None, ("district", "30d")),
    ],
)
def test_the_query_names_a_kind_and_a_period(search, expected):
    assert league_callbacks.league_query(search) == expected


def test_refresh_returns_no_update_until_the_data_version_or_the_minute_changes(app, services, city, clock):
    refresh = registered(app, LeagueIds.SUMMARY)
    as_of_text, _summary, rows, seen = refresh(1, None, "?kind=district")
    assert as_of_text == "Số liệu lúc 15:00 27/11/2019" and rows[0]["unit_key"] == "quan-3"
    assert refresh(2, seen, "?kind=district") == (no_update,) * 4

    main_db = city[1][0]
    clock.advance(timedelta(seconds=10))
    late_arrival = league_scenario.done("Q5-a", "774", league_scenario.THIS_WEEK) | {"source_updated_at": clock.now()}
    main_db.insert("dossiers", late_arrival)
    Ingestor(services.store, clock, services.settings).pull(services.sources[0])
    # the new version's league is computed in the background; meanwhile the page keeps the one it shows
    assert refresh(3, seen, "?kind=district&lang=en") == (no_update,) * 4
    background_for(cache_of(app)).wait(timeout=30)
    _as_of_text, _summary, rows, new_seen = refresh(4, seen, "?kind=district&lang=en")
    assert new_seen[0] > seen[0]
    assert [r["unit_key"] for r in rows[:3]] == ["quan-3", "quan-4", "quan-5"]  # a third 100: three tied at 1
    assert rows[2]["rank_text"] == "1\ntied" and rows[2]["movement_text"] == "new"


def test_the_xlsx_export_follows_the_grid_order_and_filter(app, services):
    download = registered(app, LeagueIds.DOWNLOAD)
    shown = [{"unit_key": "quan-1"}, {"unit_key": "quan-4"}]
    sent = download(1, shown, "?kind=district&period=30d")
    assert sent["filename"] == "league-district-30d-20191127-1500.xlsx" and sent["base64"] is True
    sheet = load_workbook(BytesIO(base64.b64decode(sent["content"]))).active
    data = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=6)]
    assert [(line[0], line[4], line[5]) for line in data] == [(3, "quan-1", 76.19), (1, "quan-4", 100)]
    everything = load_workbook(BytesIO(base64.b64decode(download(1, None, "")["content"]))).active
    assert everything.max_row == 5 + 24


def test_the_search_box_sets_the_quick_filter():
    assert league_callbacks.quick_filter("Quận 1").to_plotly_json()["operations"] == [
        {"operation": "Assign", "location": ["quickFilterText"], "params": {"value": "Quận 1"}}
    ]
    assert league_callbacks.quick_filter(None).to_plotly_json()["operations"][0]["params"] == {"value": ""}


def test_the_numbers_a_callback_hands_its_layout_equal_the_api(services):
    """Two apps over the same store and clock, each with its own cache: the page's data and the API agree."""
    page_app, api_app = create_app(services), create_app(services)
    for kind, period in (("district", "30d"), ("district", "7d"), ("department", "ytd")):
        view = league_data(services, cache_of(page_app), current_key(services), kind, period)
        api = signed_client(api_app).get(f"/api/v1/league?kind={kind}&period={period}").get_json()
        assert api["data_version"] == view.data_version and api["as_of"] == view.as_of.isoformat()
        assert api["rows"] == [league_row_json(row) for row in view.rows]

        *_, rows, _seen = registered(page_app, LeagueIds.SUMMARY)(1, None, f"?kind={kind}&period={period}")
        for shown, served in zip(rows, api["rows"], strict=True):
            index, kpis = served["index"], served["kpis"]
            assert shown["unit_key"] == served["unit_key"]
            assert (shown["rank"], shown["previous_rank"], shown["movement"]) == (
                served["rank"],
                served["previous_rank"],
                served["movement"],
            )
            assert shown["score"] == (None if index["score"] is None else round(index["score"], 2))
            for sub in index["subscores"]:
                assert shown[f"points_{sub['key']}"] == (None if sub["points"] is None else round(sub["points"], 2))
                # the grid words what the API writes in symbols ("on_time: n/a (0 / 0)")
                assert shown[f"points_{sub['key']}_formula"].startswith(t(f"league.criterion.{sub['key']}", "vi") + ":")
            on_time = kpis["on_time"]
            assert shown["on_time"] == (None if on_time["value"] is None else round(on_time["value"] * 100, 2))
            if on_time["denominator"]:
                assert shown["on_time_detail"] == f"{on_time['numerator']}/{on_time['denominator']}"
            assert shown["trend"] == [None if v is None else round(v, 2) for v in served["trend"]]
            assert shown["stale"] == served["stale"]
            assert shown["data_as_of"] == served["data_as_of"]


def test_the_dash_endpoint_serves_the_league_page(app):
    payload = {
        "output": f"{ShellIds.PAGE}.children",
        "outputs": {"id": ShellIds.PAGE, "property": "children"},
        "inputs": [
            {"id": ShellIds.LOCATION, "property": "pathname", "value": "/league"},
            {"id": ShellIds.LOCATION, "property": "search", "value": "?lang=vi&kind=district"},
        ],
        "changedPropIds": [f"{ShellIds.LOCATION}.pathname"],
        "state": [],
    }
    response = signed_client(app).post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    body = str(response.get_json())
    assert LeagueIds.GRID in body and "PulseUnitLink" in body and "dữ liệu cũ từ 14:00 27/11" in body
