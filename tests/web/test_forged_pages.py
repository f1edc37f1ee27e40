"""Page numbers from outside: superscripts, other scripts' digits, huge or negative numbers never break a page (it
shows a page in 1..MAX_PAGE) and are a 400 naming the parameter in the API — never a 500."""

from __future__ import annotations

import pytest

from callbacks import unit as unit_callbacks
from callbacks.routing import route
from dashboard.core.cache import cache_of
from dashboard.core.paging import MAX_PAGE, page_asked, whole_number
from dashboard.web.app import create_app
from tests.signin import signed_client

FORGED = ("²", "٣", "99999999999999999999999", "-1", "1e3", "0x10", " 2", "2 ", "", "0")


@pytest.mark.parametrize(
    ("text", "number", "page"),
    [("7", 7, 7), ("²", None, 1), ("٣", None, 1), ("99999999999999999999999", None, 1), ("-1", None, 1),
     ("0", 0, 1), ("123456789", 123456789, MAX_PAGE), ("1234567890", None, 1), (None, None, 1), ("", None, 1)],
)  # fmt: skip
def test_only_ascii_digits_make_a_page_number(text, number, page):
    assert whole_number(text) == number and page_asked(text) == page


@pytest.mark.parametrize("page", FORGED)
def test_a_forged_page_number_in_a_pages_address_shows_a_page(services, page):
    app = create_app(services)
    query = unit_callbacks.tile_query("/unit/quan-1", f"?list=overdue&page={page}")
    assert 1 <= query.page <= MAX_PAGE
    route(services, cache_of(app), "/unit/quan-1", f"?list=overdue&page={page}")  # renders, no exception
    route(services, cache_of(app), "/sources", f"?source=quan-1&page={page}")


@pytest.mark.parametrize("page", FORGED[:-2])
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_a_forged_page_number_in_the_api_is_a_400_naming_it(services, name, page):
    response = signed_client(create_app(services)).get(f"/api/v1/dossiers?unit=quan-1&{name}={page}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["parameter"] == name


def test_a_forged_grid_sent_to_the_excel_export_costs_no_more_than_the_real_one():
    from layouts.league_xlsx import shown_order

    real = [{"unit_key": "quan-3"}, {"unit_key": "quan-1"}]
    assert shown_order(real, 24) == ["quan-3", "quan-1"]
    forged = [{"unit_key": f"x-{i}"} for i in range(20_000)] + real
    assert len(shown_order(forged, 24)) == 24  # at most as many keys as the league has rows, the rest unread
    assert shown_order([{"unit_key": "quan-1"}] * 20_000, 24) == ["quan-1"]  # each key once
    assert shown_order([1, "x", None, {"unit_key": 7}, {"other": "quan-1"}], 24) == []  # nothing well formed
    assert shown_order("not a list", 24) is None and shown_order(None, 24) is None
