"""The demo's two eras: 2019 (the 24 districts and 17 departments with procedures) and today's city (the 168 wards,
communes and special zone and the 12 departments of today with procedures), on the packaged registry; `make demo
ARGS="--era 2025"` on today's real date pulls every source with nothing rejected."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from dashboard import demo
from dashboard.core.clock import CITY_TZ, SystemClock
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.settings import Settings
from dashboard.pages.league import league_view, leagues_at
from data_sources.demo import demo_start_default, units_on
from data_sources.demo.catalog import (
    FORMER_PROVINCE_CENTRES,
    department_procedures,
    source_units,
    unit_point,
    unit_traits,
)

UNITS, PROCEDURES = load_units(), load_procedures()
BY_KEY = {u["key"]: u for u in UNITS}
TODAY = date(2026, 12, 1)
CENTRE = (10.7769, 106.7009)


def prefixes(key: str, on: date) -> list[str]:
    found = department_procedures(BY_KEY[key], PROCEDURES, BY_KEY, on)
    return sorted({PROCEDURES[i]["code"].split("-")[0] for i in found})


def test_the_units_of_each_era():
    kinds_2019 = Counter(u["kind"] for u in source_units(UNITS, PROCEDURES, units_on("2019")))
    assert kinds_2019 == {"district": 24, "department": 17}
    chosen = source_units(UNITS, PROCEDURES, TODAY)
    assert Counter(u["kind"] for u in chosen) == {"ward": 113, "commune": 54, "special_zone": 1, "department": 12}
    assert sorted(u["key"] for u in chosen if u["kind"] == "department") == [
        "so-an-toan-thuc-pham", "so-cong-thuong", "so-du-lich", "so-giao-duc-va-dao-tao", "so-khoa-hoc-va-cong-nghe",
        "so-noi-vu", "so-nong-nghiep-va-moi-truong", "so-tai-chinh", "so-tu-phap", "so-van-hoa-va-the-thao",
        "so-xay-dung", "so-y-te",
    ]  # fmt: skip


def test_a_merged_department_handles_the_procedures_of_the_agencies_merged_into_it_from_their_end():
    assert prefixes("so-xay-dung", date(2019, 1, 1)) == ["XD"]
    assert prefixes("so-xay-dung", TODAY) == ["GT", "QH", "XD"]
    assert prefixes("so-noi-vu", date(2025, 2, 28)) == ["NV"]  # Sở LĐTBXH still exists that day
    assert prefixes("so-noi-vu", date(2025, 3, 1)) == ["LD", "NV"]
    assert prefixes("so-tai-chinh", TODAY) == ["KH"]
    assert prefixes("so-tai-chinh", date(2019, 1, 1)) == []  # no procedure of its own in the catalogue


def test_each_era_carries_the_citys_whole_volume_and_departments_their_share():
    for on in (units_on("2019"), TODAY):
        traits = unit_traits(7, UNITS, PROCEDURES, on)
        assert sum(t.daily_rate.sum() for t in traits) == pytest.approx(15_000)
        assert sum(t.daily_rate.sum() for t in traits if t.kind == "department") == pytest.approx(3_750)
        assert sum(t.feedback_rate for t in traits) == pytest.approx(500)
    today = {t.key: t for t in unit_traits(7, UNITS, PROCEDURES, TODAY)}
    old = {t.key: t for t in unit_traits(7, UNITS, PROCEDURES, units_on("2019"))}
    merged = ("so-xay-dung", "so-giao-thong-van-tai", "so-quy-hoach-kien-truc")  # 4 + 22 + 3 in 2019
    assert today["so-xay-dung"].daily_rate.sum() == pytest.approx(sum(old[k].daily_rate.sum() for k in merged))
    assert today["so-tu-phap"].daily_rate.sum() == pytest.approx(old["so-tu-phap"].daily_rate.sum())


def test_a_unit_without_a_point_is_placed_by_its_districts_of_origin_or_its_former_province():
    assert unit_point(BY_KEY["phuong-sai-gon"], BY_KEY, CENTRE) == (10.7762, 106.6971)  # Quận 1's point
    assert unit_point(BY_KEY["phuong-thu-dau-mot"], BY_KEY, CENTRE) == FORMER_PROVINCE_CENTRES["74"]
    assert unit_point(BY_KEY["dac-khu-con-dao"], BY_KEY, CENTRE) == FORMER_PROVINCE_CENTRES["77"]
    assert unit_point(BY_KEY["quan-1"], BY_KEY, CENTRE) == (10.7762, 106.6971)


def test_the_2025_demo_starts_now_and_the_2019_demo_maps_now_onto_2019():
    now = datetime(2026, 12, 1, 13, 44, 20, 123456, tzinfo=CITY_TZ)
    assert demo_start_default(now, "2025") == datetime(2026, 12, 1, 13, 44, 20, tzinfo=CITY_TZ)
    assert demo_start_default(now) == datetime(2019, 12, 1, 13, 44, 20, 123456, tzinfo=CITY_TZ)
    assert units_on("2025", now) == TODAY
    with pytest.raises(ValueError, match="needs its start"):
        units_on("2025")


def test_a_unit_receives_nothing_before_it_existed(tmp_path):
    start = datetime(2025, 7, 3, 10, 0, tzinfo=CITY_TZ)  # 10 days of history would begin on 23/06/2025
    base = Settings(data_dir=tmp_path)
    simulated = demo.simulator(base, scale=0.02, seed=7, era="2025", start=start)
    prepared = demo.prepare(base, simulated, start, history_days=10)
    store = prepared.services.store
    try:
        assert store.rejected() == []  # a dossier of 23–30/06 for a ward of 01/07 would be "not yet" a unit
        rows = store.rows("dossiers")
        first = {kind: min(r["received_at"] for r in rows if (BY_KEY[r["unit_key"]]["kind"] == "department") == kind)
                 for kind in (True, False)}  # fmt: skip
        assert first[False].astimezone(CITY_TZ).date() == date(2025, 7, 1)  # the wards and communes: from 01/07
        assert first[True].astimezone(CITY_TZ).date() == date(2025, 6, 23)  # the departments: the whole history
    finally:
        simulated.close()
        store.dispose()


def test_the_2025_demo_on_todays_date_pulls_every_source_and_fills_both_leagues(tmp_path):
    start = demo_start_default(SystemClock().now(), "2025")
    base = Settings(data_dir=tmp_path)
    simulated = demo.simulator(base, scale=0.02, seed=7, era="2025", start=start)
    prepared = demo.prepare(base, simulated, start, history_days=7)
    services = prepared.services
    try:
        assert services.settings.data_dir == tmp_path / "demo-2025"
        states = services.store.states()
        assert len(services.sources) == 180 and len({s["source"] for s in states}) == 180  # dossiers and feedback
        assert all(s["last_error"] is None for s in states)
        assert services.store.rejected() == []
        assert leagues_at(services.store, start) == ("ward", "department")
        wards = league_view(services, "ward", "7d", start)
        departments = league_view(services, "department", "7d", start)
        assert (len(wards.rows), len(departments.rows)) == (168, 19)
        with_dossiers = {row.unit_key for row in (*wards.rows, *departments.rows) if row.kpis.received}
        assert with_dossiers >= {s.unit for s in services.sources if s.unit.startswith("so-")}
        assert len(with_dossiers) >= 170  # at 2 % of the load a few small communes may have had none in 7 days
        held = sum(s["rows_total"] for s in states)
        assert services.store.count("dossiers") + services.store.count("feedback") == held
        before = services.store.count("dossiers")
        counts = simulated.advance(start + timedelta(hours=2))
        assert counts["dossiers_new"] >= 0 and services.store.count("dossiers") == before
    finally:
        simulated.close()
        services.store.dispose()
