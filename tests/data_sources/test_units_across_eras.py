"""Which unit a row belongs to across the city's reorganisations, on the packaged registry: the unit valid on the
row's receipt day; a dossier a successor carried on; and, for a unit that is gone, a reason naming its
successors (docs/metrics.md, "Units across a reorganisation")."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import MappingError
from dashboard.core.reference import load_units
from data_sources.mapping import UnitResolver


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=CITY_TZ)


@pytest.fixture(scope="module")
def resolver() -> UnitResolver:
    return UnitResolver(load_units())


@pytest.mark.parametrize(
    ("code", "day", "key"),
    [
        ("760", at(2019, 11, 27), "quan-1"),
        ("769", at(2020, 12, 31), "quan-2"),  # the code Thành phố Thủ Đức took over on 01/01/2021
        ("769", at(2021, 1, 4), "tp-thu-duc"),
        ("26734", at(2025, 6, 30), "quan-1--phuong-tan-dinh"),  # a ward of Quận 1 until 30/06/2025
        ("26740", at(2025, 7, 1), "phuong-sai-gon"),  # Bến Nghé's code, now Phường Sài Gòn's
        ("26935", at(2025, 3, 1), "quan-binh-thanh--phuong-14"),  # the GSO list of 04/01/2025's code for it
        ("26929", at(2025, 3, 1), "quan-binh-thanh--phuong-14"),
        ("26929", at(2026, 12, 1), "phuong-binh-thanh"),
        ("so-tai-chinh", at(2026, 12, 1), "so-tai-chinh"),
    ],
)
def test_a_code_is_the_unit_valid_on_the_receipt_day(resolver, code, day, key):
    assert resolver.resolve(code, day) == key


def test_a_row_for_a_district_after_30_06_2025_names_the_successors(resolver):
    with pytest.raises(MappingError) as caught:
        resolver.resolve("774", at(2026, 10, 1))
    assert caught.value.field == "unit"
    assert caught.value.reason == (
        "unit '774' (Quận 5) no longer exists on 01/10/2026 (ended 30/06/2025); its successors: Phường An Đông"
        " (27316), Phường Chợ Lớn (27343), Phường Chợ Quán (27301) — map the code in the profile (units:) or write"
        " the successor's code"
    )


@pytest.mark.parametrize(
    ("code", "day", "named"),
    [
        ("763", at(2022, 1, 1), "(Quận 9) no longer exists on 01/01/2022 (ended 31/12/2020); its successors: "
         "Thành phố Thủ Đức (769) "),
        ("26734", at(2025, 7, 2), "(Phường Tân Định) no longer exists on 02/07/2025 (ended 30/06/2025); its "
         "successors: Phường Tân Định (26737) "),
        ("so-ke-hoach-va-dau-tu", at(2026, 1, 5), "(Sở Kế hoạch và Đầu tư) no longer exists on 05/01/2026 (ended "
         "28/02/2025); its successors: Sở Tài chính (so-tai-chinh) "),
        ("phuong-sai-gon", at(2025, 6, 20), "(Phường Sài Gòn) did not exist yet on 20/06/2025 (from 01/07/2025)"),
        ("99999", at(2026, 1, 5), None),
    ],
)  # fmt: skip
def test_the_reason_says_why_a_unit_is_not_valid(resolver, code, day, named):
    with pytest.raises(MappingError) as caught:
        resolver.resolve(code, day)
    expected = f"unknown unit '{code}' on {day:%d/%m/%Y}" if named is None else f"unit '{code}' {named}"
    assert caught.value.reason.startswith(expected)


def test_a_unit_with_many_successors_names_twelve_and_counts_the_rest():
    def unit(key: str, code: str, **dates) -> dict:
        return {"key": key, "code": code, "name_vi": key.upper(), "valid_from": None, "valid_to": None, **dates}

    gone = unit("old", "1", valid_to=datetime(2025, 6, 30).date())
    heirs = [{**unit(f"w{n:02d}", f"2{n:02d}"), "predecessors": "~1"} for n in range(14)]
    with pytest.raises(MappingError) as caught:
        UnitResolver([gone, *heirs]).resolve("1", at(2026, 1, 5))
    assert "its successors: W00 (200), W01 (201)" in caught.value.reason
    assert caught.value.reason.count(" (2") == 12 and "W11 (211) and 2 more —" in caught.value.reason


def test_a_dossier_carried_on_by_a_successor_belongs_to_it(resolver):
    received = at(2025, 6, 20)  # received by Quận 1, filed by the source under Phường Sài Gòn
    assert resolver.resolve("phuong-sai-gon", received, latest=at(2025, 7, 10)) == "phuong-sai-gon"
    with pytest.raises(MappingError, match="did not exist yet on 20/06/2025"):  # completed before it existed
        resolver.resolve("phuong-sai-gon", received, latest=at(2025, 6, 25))
    # a code valid on the receipt day stays that day's unit: the source says "carried on" by the successor's key
    assert resolver.resolve("26740", received, latest=at(2025, 7, 10)) == "quan-1--phuong-ben-nghe"
