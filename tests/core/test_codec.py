"""The cache's data-only encoding: every page model round-trips exactly; nothing outside our own types is built."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from dash import dcc, html
from plotly.utils import PlotlyJSONEncoder

from dashboard.core import codec
from dashboard.core.cache import cache_of
from dashboard.core.clock import CITY_TZ
from dashboard.core.geo import Boundaries, read_tile_grid
from dashboard.core.paging import DossierPage
from dashboard.pages.common import current_key
from dashboard.pages.league import league_data
from dashboard.pages.overview import overview_data
from dashboard.pages.sources import sources_view
from dashboard.pages.unit import TileQuery, city_context, unit_view
from dashboard.pages.wall import compute, map_shapes
from layouts.wall_figures import redrawn
from layouts.wall_model import parse_options
from tests.conftest import START
from tests.factories import dossier


def round_trip(value):
    return codec.loads(codec.dumps(value))


def test_plain_values_tuples_dates_and_odd_keys_come_back_as_they_were():
    value = {
        "n": 3,
        "ratio": 0.25,
        "none": None,
        "flags": [True, False],
        "pair": (1, ("a", 2.5)),
        "when": datetime(2019, 11, 27, 9, 0, tzinfo=CITY_TZ),
        "utc": datetime(2019, 11, 27, 2, 0, tzinfo=UTC),
        "day": date(2019, 11, 27),
        "lag": timedelta(minutes=7, seconds=3),
        "histogram": {2: 3, 6: 1},
        "page": DossierPage([{"native_code": "A", "received_at": START}], total=1, page=1, page_size=50),
    }
    back = round_trip(value)
    assert back == value
    assert type(back["pair"]) is tuple and type(back["pair"][1]) is tuple and type(back["page"]) is DossierPage
    assert back["when"].utcoffset() == timedelta(hours=7)


def test_every_page_model_round_trips_exactly(services, pull, source_db):
    source_db.insert("dossiers", dossier("A"), dossier("B", received=START - timedelta(days=10), days=5))
    pull()
    now = services.clock.now()
    context = city_context(services, "30d", now)
    models = [
        overview_data(services, _Cache(), "30d")[1],
        league_data(services, _Cache(), current_key(services), "district", "30d"),
        context,
        unit_view(services, context, TileQuery("quan-1", list_name="overdue")),
        compute(services, now),
        sources_view(services, None, 1),
    ]
    for model in models:
        assert round_trip(model) == model, type(model).__name__


def test_the_walls_drawn_components_and_figures_come_back_as_components(services, pull, source_db):
    source_db.insert("dossiers", dossier("A"))
    pull()
    data, options = compute(services, services.clock.now()), parse_options("?lang=en")
    drawn = redrawn(data, options, map_shapes(None, Boundaries()), read_tile_grid(), 1.0, ["kpis", "alerts"])
    back = round_trip(drawn)
    assert json.dumps(back, cls=PlotlyJSONEncoder) == json.dumps(drawn, cls=PlotlyJSONEncoder)
    assert isinstance(back[2][0], type(drawn[2][0]))  # a Dash component again, not a dict


def test_wildcard_props_survive():
    div = html.Div("x", id="d", **{"aria-label": "Tóm tắt", "data-view": "map"})
    back = round_trip(div)
    assert (back.children, back.id, getattr(back, "aria-label"), getattr(back, "data-view")) == (
        "x",
        "d",
        "Tóm tắt",
        "map",
    )
    graph = round_trip(dcc.Graph(figure={"data": [], "layout": {"uirevision": "x"}}, config={"staticPlot": True}))
    assert graph.figure == {"data": [], "layout": {"uirevision": "x"}} and graph.config == {"staticPlot": True}


class Foreign:
    pass


@pytest.mark.parametrize(
    "value",
    [Foreign(), {1, 2}, b"bytes", object()],
    ids=["foreign class", "set", "bytes", "object"],
)
def test_what_is_not_plain_data_is_not_cached(value):
    with pytest.raises(codec.CodecError, match="cannot cache"):
        codec.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"__cchc__": "dataclass", "type": "subprocess:Popen", "fields": {"args": ["touch", "/tmp/x"]}}',
        '{"__cchc__": "dataclass", "type": "dashboard.core.settings:Settings", "fields": {}}',  # ours, no dataclass
        '{"__cchc__": "dataclass", "type": "dashboard.core.rules:os", "fields": {}}',
        '{"__cchc__": "component", "namespace": "os", "type": "system", "props": {}}',
        '{"__cchc__": "component", "namespace": "dash_html_components", "type": "__class__", "props": {}}',
        '{"__cchc__": "eval", "code": "1"}',
        "!\\u0080pickle",
        "not json",
    ],
)
def test_a_stored_text_that_is_not_ours_is_refused(text):
    with pytest.raises(codec.CodecError):
        codec.loads(text)


class _Cache:
    """A cache that never holds anything: every model computed afresh."""

    def get(self, key):
        return None

    def set(self, key, value, timeout=None):
        return True

    def add(self, key, value, timeout=None):
        return True

    def delete(self, key):
        return True


def test_cache_of_is_the_apps(app):
    assert cache_of(app).cache.serializer.__class__.__name__ == "JsonSerializer"
