"""The rules across the reorganisation of 01/07/2025 (docs/metrics.md, "Units across a reorganisation"), on the
packaged registry and a District 1 source pulled on 15/07/2025: a row for the ended district is rejected naming
its successors; the district's open dossier stays its own (a closed unit) unless the source files it under a
successor; the leagues of the day; units created inside the period marked; new units without a previous
period; and, when asked, the districts of origin combined."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.pages.api import kpis_view
from dashboard.pages.league import default_kind, league_view, leagues_at
from dashboard.pages.unit import TileQuery, city_context, unit_view
from layouts import league as league_layout
from layouts import unit as unit_layout
from tests.factories import counting_every_dossier, dossier
from tests.signin import signed_client

AS_OF = datetime(2025, 7, 15, 12, 0, tzinfo=CITY_TZ)  # 30 days: 16/06–15/07; the previous 30: 17/05–16/06


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=CITY_TZ)


@pytest.fixture
def city_2025(services, source_db, pull):
    services.clock.set(AS_OF)
    services.index_config = counting_every_dossier(services.index_config)  # a handful of dossiers, ranked
    source_db.insert(
        "dossiers",
        dossier("Q1-HISTORY", received=at(5, 2), days=5, status="completed", completed=at(5, 5, 10)),  # the first
        dossier("Q1-DONE", received=at(6, 2), days=5, status="completed", completed=at(6, 5, 10)),  # previous period
        dossier("Q1-OPEN", received=at(6, 20), days=10),  # still open: stays Quận 1's
        dossier("Q1-CARRIED", unit="phuong-sai-gon", received=at(6, 25), days=30),  # filed under its successor
        dossier("SG-1", unit="26740", received=at(7, 2), days=5, status="completed", completed=at(7, 3, 10)),
        dossier("Q1-AFTER", unit="760", received=at(7, 5)),  # for a district that no longer exists
    )
    results = pull()
    return services, results


def test_a_row_of_the_ended_district_is_rejected_naming_its_successors(city_2025):
    services, results = city_2025
    dossiers = next(r for r in results if r.stream == "dossiers")
    assert (dossiers.rows_stored, dossiers.rows_rejected) == (5, 1)
    [rejected] = services.store.rejected("quan-1")
    assert (rejected["native_key"], rejected["field"]) == ("Q1-AFTER", "unit")
    assert rejected["reason"] == (
        "unit '760' (Quận 1) no longer exists on 05/07/2025 (ended 30/06/2025); its successors: Phường Bến Thành"
        " (26743), Phường Cầu Ông Lãnh (26758), Phường Sài Gòn (26740), Phường Tân Định (26737) — map the code in the"
        " profile (units:) or write the successor's code"
    )
    owners = {r["native_code"]: r["unit_key"] for r in services.store.rows("dossiers")}
    assert owners == {
        "Q1-HISTORY": "quan-1",
        "Q1-DONE": "quan-1",
        "Q1-OPEN": "quan-1",
        "Q1-CARRIED": "phuong-sai-gon",
        "SG-1": "phuong-sai-gon",
    }


def test_the_leagues_of_the_day_mark_new_units_and_units_created_in_the_period(city_2025):
    services, _ = city_2025
    assert leagues_at(services.store, AS_OF) == ("ward", "department")
    assert default_kind(services.store, AS_OF) == "ward"
    assert leagues_at(services.store, at(6, 30, 12)) == ("district", "department")
    wards = league_view(services, "ward", "30d", AS_OF)
    assert len(wards.rows) == 168
    assert wards.previous_covered  # the store's data begins 02/05: no previous rank because the wards are new
    assert {(row.joined, row.new_since, row.previous_rank, row.movement) for row in wards.rows} == {
        (date(2025, 7, 1), date(2025, 7, 1), None, None)
    }
    sai_gon = next(row for row in wards.rows if row.unit_key == "phuong-sai-gon")
    assert (sai_gon.rank, sai_gon.kpis.received, sai_gon.kpis.completed) == (1, 2, 1)  # the carried one and SG-1
    assert (sai_gon.kpis.on_time.numerator, sai_gon.kpis.on_time.denominator) == (1, 1)
    departments = league_view(services, "department", "30d", AS_OF)
    assert {(row.joined, row.new_since) for row in departments.rows} == {(None, None)}  # all existed since 17/05
    assert "so-nong-nghiep-va-moi-truong" in {row.unit_key for row in departments.rows}  # from 01/03/2025
    # the first week of July: Sở NN&MT (01/03) existed for the whole previous week too; the wards are new
    week = league_view(services, "department", "7d", AS_OF)
    assert all(row.new_since is None for row in week.rows)


def test_a_districts_open_dossier_after_30_06_2025_is_a_closed_units(city_2025):
    services, _ = city_2025
    view = league_view(services, "ward", "30d", AS_OF)
    [closed] = view.closed
    [section] = league_layout.closed_section(view, "vi")
    assert (
        section.children[2].children[0].children == "Quận 1 (kết thúc 30/06/2025): 1 hồ sơ đang giải quyết, 1 quá hạn"
    )
    assert (closed.unit["key"], closed.backlog.in_progress, closed.backlog.overdue) == ("quan-1", 1, 1)
    figures = {f.unit["key"]: f for f in kpis_view(services, "30d", as_of=AS_OF).units}
    assert figures["quan-1"].closed and figures["quan-1"].kpis.backlog.in_progress == 1
    assert "quan-3" not in figures  # a district with nothing in progress is gone
    assert {key for key, f in figures.items() if f.closed} == {"quan-1"}
    assert not figures["phuong-sai-gon"].closed and sum(f.unit["kind"] == "district" for f in figures.values()) == 1
    context = city_context(services, "30d", AS_OF)
    tile = unit_view(services, context, TileQuery("quan-1", "30d"))
    assert (tile.closed_since, tile.new_since, tile.rank) == (date(2025, 6, 30), None, None)
    assert [b.children for b in unit_layout.era_badges(tile, "vi")] == ["Đã kết thúc hoạt động sau 30/06/2025"]
    tile = unit_view(services, context, TileQuery("phuong-sai-gon", "30d"))
    assert (tile.closed_since, tile.new_since, tile.joined, tile.rank) == (None, date(2025, 7, 1), date(2025, 7, 1), 1)
    assert [b.children for b in unit_layout.era_badges(tile, "en")] == [
        "New unit since 01/07/2025: no previous period",
        "In this period: figures from 01/07/2025",
    ]


def test_asked_for_a_new_units_districts_of_origin_are_combined_over_the_previous_period(city_2025):
    services, _ = city_2025
    origin = kpis_view(services, "30d", "phuong-sai-gon", as_of=AS_OF, compare="origin").origin
    assert origin is not None
    assert [u["key"] for u in origin.origins] == ["quan-1"]
    assert origin.partial  # Quận 1 went to four wards
    assert (origin.window.start, origin.window.end) == (at(5, 17, 0), at(6, 16, 0))  # 30 whole days
    assert (origin.kpis.received, origin.kpis.completed, origin.kpis.on_time.numerator) == (1, 1, 1)
    assert "1685/NQ-UBTVQH15" in origin.crosswalk
    assert kpis_view(services, "30d", "so-tai-chinh", as_of=AS_OF, compare="origin").origin is None  # not new


def test_the_api_gives_the_2025_leagues_closed_units_and_origin_as_documented(city_2025):
    from dashboard.web.app import create_app
    from dashboard.web.openapi import document
    from tests.web.test_api import conforms

    services, _ = city_2025
    client, spec = signed_client(create_app(services)), document()

    def get(url: str) -> dict:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        schema = spec["paths"][url.split("?")[0]]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        body = response.get_json()
        assert conforms(body, schema, spec) == [], url
        return body

    league = get("/api/v1/league")  # no kind: the first league of the day
    assert (league["kind"], len(league["rows"])) == ("ward", 168)
    first = league["rows"][0]
    assert (first["unit_key"], first["joined"], first["new_unit_since"], first["previous_rank"]) == (
        "phuong-sai-gon", "2025-07-01", "2025-07-01", None
    )  # fmt: skip
    assert [(c["unit"]["key"], c["backlog"]["in_progress"]) for c in league["closed_units"]] == [("quan-1", 1)]
    kpis = get("/api/v1/kpis?unit=phuong-sai-gon&compare=origin")
    origin = kpis["origin"]
    assert [u["key"] for u in origin["units"]] == ["quan-1"] and origin["partial"] is True
    assert (origin["kpis"]["received"], origin["window"]["start"]) == (1, "2025-05-17T00:00:00+07:00")
    assert get("/api/v1/kpis?unit=quan-1")["units"][0]["closed_unit"] is True
    assert "origin" not in get("/api/v1/kpis?unit=quan-1")


def test_a_department_formed_on_01_03_2025_is_new_and_joined_among_departments_that_are_not(city_2025):
    services, _ = city_2025
    rows = {row.unit_key: row for row in league_view(services, "department", "30d", at(3, 10, 12)).rows}
    assert "so-ke-hoach-va-dau-tu" not in rows  # merged into Sở Tài chính on 01/03/2025: the period's end decides
    assert (rows["so-nong-nghiep-va-moi-truong"].joined, rows["so-nong-nghiep-va-moi-truong"].new_since) == (
        date(2025, 3, 1), date(2025, 3, 1)
    )  # fmt: skip
    assert (rows["so-tai-chinh"].joined, rows["so-tai-chinh"].new_since) == (None, None)
    assert len(rows) == 19  # 14 ranked specialised agencies of the 16, and 5 other bodies
