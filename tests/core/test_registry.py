"""The packaged unit registry against the shared reference files (read from ../shared/data, never copied): the
168 units of today with their official codes, the 273 wards of 2025-06-30, and the official old → new
conversion, joined with no unmatched code."""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from datetime import date

import pytest

from dashboard.core.errors import ReferenceDataError
from dashboard.core.reference import load_units, predecessors, unit_valid_on
from dashboard.core.vocabulary import COMMUNE, DISTRICT, SPECIAL_ZONE, WARD, league_of

TODAY_CITY = date(2026, 12, 1)  # any day since 01/07/2025


def read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def units():
    return load_units()


def test_the_168_units_of_today_have_the_official_codes_and_names(units, reference_data):
    today = [u for u in units if unit_valid_on(u, TODAY_CITY) and u["kind"] in (WARD, COMMUNE, SPECIAL_ZONE)]
    assert Counter(u["kind"] for u in today) == {WARD: 113, COMMUNE: 54, SPECIAL_ZONE: 1}
    reference = {row["ward_code"]: row for row in read(reference_data / "units_2025_wards.csv")}
    ours = {u["code"]: u for u in today}
    assert sorted(ours) == sorted(reference)  # no unmatched code either way
    assert {code: nfc(u["name_vi"]) for code, u in ours.items()} == {c: nfc(r["name_vi"]) for c, r in reference.items()}
    provinces = Counter(u["former_province"] for u in today)
    assert provinces == {"79": 102, "74": 36, "77": 30}  # old HCMC, Bình Dương, Bà Rịa–Vũng Tàu
    assert all(league_of(u["kind"]) == WARD and u["ranked"] for u in today)
    assert not [u for u in units if u["kind"] == DISTRICT and unit_valid_on(u, TODAY_CITY)]  # no district level


def test_every_row_of_the_official_conversion_joins_the_registry(units, reference_data):
    today = {u["code"]: u for u in units if u["valid_from"] == date(2025, 7, 1)}
    old = {u["code"]: u for u in units if u["valid_to"] == date(2025, 6, 30) and u["kind"] != DISTRICT}
    by_key = {u["key"]: u for u in units}
    rows = read(reference_data / "units_2025_ward_conversion.csv")
    assert len(rows) == 493
    unmatched = []
    for row in rows:
        new = today.get(row["new_ward_code"])
        if new is None:
            unmatched.append(("new", row["new_ward_code"]))
            continue
        ours = dict(predecessors(new))
        partial = "một phần" in row["note_vi"].lower()  # "Nhập một phần (diện tích)", "Đổi tên từ một phần …"
        district = row["old_district"].rsplit("(", 1)[1].rstrip(")")
        province = row["old_province"].rsplit("(", 1)[1].rstrip(")")
        if not row["old_ward_code"]:  # Côn Đảo: a district without wards became the special zone
            if new["origin"] != f"{province}:{district}" or ours:
                unmatched.append(("origin", row["new_ward_code"], district))
            continue
        if ours.get(row["old_ward_code"]) is not partial:
            unmatched.append(("predecessor", row["new_ward_code"], row["old_ward_code"], partial))
        if province == "79":  # an old HCMC ward: in the registry, under its district
            ward = old.get(row["old_ward_code"])
            if ward is None or by_key[ward["parent_key"]]["code"] != district:
                unmatched.append(("old ward", row["old_ward_code"], district))
            elif f"79:{district}" not in (new["origin"] or ""):
                unmatched.append(("origin", row["new_ward_code"], district))
    assert unmatched == []
    per_unit = Counter(row["new_ward_code"] for row in rows if row["old_ward_code"])
    assert {code: len(predecessors(u)) for code, u in today.items() if code in per_unit} == dict(per_unit)


def test_the_273_wards_of_2025_06_30_are_the_ones_still_listed_in_january_2025(units, reference_data):
    listed = {
        r["ward_code"]: nfc(r["name_2025_01_04"])
        for r in read(reference_data / "units_2019_wards.csv")
        if r["code_still_listed_2025_01_04"] == "True"
    }
    wards = [u for u in units if u["valid_to"] == date(2025, 6, 30) and u["kind"] != DISTRICT]
    assert len(wards) == 273
    # Seven merged wards carry another predecessor's code in the January list than in the conversion table (whose
    # code the registry keeps): the list's code is each one's alias, under the same name.
    aliased = {u["aliases"]: u for u in wards if u["aliases"]}
    assert len(aliased) == 7
    by_listed_code = {(u["aliases"] or u["code"]): nfc(u["name_vi"]) for u in wards}
    assert sorted(by_listed_code) == sorted(listed)
    spelt = {code: (name, listed[code]) for code, name in by_listed_code.items() if name != listed[code]}
    assert spelt == {  # the same names, the list writing the older tone-mark place and "Quy" for "Qui"
        "27439": ("Phường Bình Hưng Hòa A", "Phường Bình Hưng Hoà A"),
        "27442": ("Phường Bình Hưng Hòa B", "Phường Bình Hưng Hoà B"),
        "27640": ("Xã Qui Đức", "Xã Quy Đức"),
    }
    assert not set(aliased) & {u["code"] for u in units if unit_valid_on(u, date(2025, 6, 30))}
    thu_duc = [u for u in units if u["parent_key"] == "tp-thu-duc"]
    assert len(thu_duc) == 34  # the wards of Thành phố Thủ Đức (district code 769 since 2021)


def test_the_departments_of_each_era(units):
    def departments(day: date) -> set[str]:
        return {u["key"] for u in units if u["kind"] == "department" and u["ranked"] and unit_valid_on(u, day)}

    before, after = departments(date(2019, 11, 27)), departments(TODAY_CITY)
    assert "so-ke-hoach-va-dau-tu" in before and "so-ke-hoach-va-dau-tu" not in after  # merged into Sở Tài chính
    assert {"so-nong-nghiep-va-moi-truong", "so-dan-toc-va-ton-giao", "so-an-toan-thuc-pham"} <= after - before
    specialised = {u["key"] for u in units if u["kind"] == "department" and unit_valid_on(u, TODAY_CITY)}
    agencies = specialised - {"hepza", "shtp", "ban-ql-khu-do-thi-thu-thiem", "ban-ql-khu-nam", "ban-ql-khu-do-thi-tay-bac",
                              "maur", "ban-qlda-cong-trinh-giao-thong", "ban-qlda-ha-tang-do-thi",
                              "vien-nghien-cuu-phat-trien"}  # fmt: skip
    assert len(agencies) == 16  # 21 specialised agencies became 16 in 2025
    merged = {u["key"]: dict(predecessors(u)) for u in units if u["key"] == "so-nong-nghiep-va-moi-truong"}
    assert merged == {
        "so-nong-nghiep-va-moi-truong": {"so-nong-nghiep-va-ptnt": False, "so-tai-nguyen-va-moi-truong": False}
    }


def test_points_come_from_a_configured_file(reference_data):
    units = {u["code"]: u for u in load_units(points=reference_data / "units_2025_wards.csv")}
    assert (units["26732"]["lat"], units["26732"]["lon"]) is not None and units["26732"]["lat"] is not None
    shipped = {u["code"]: u for u in load_units() if u["valid_from"] == date(2025, 7, 1)}
    assert all(u["lat"] is None for u in shipped.values())  # no points are shipped for the 168 (see SOURCES.md)


def test_a_key_used_twice_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("key,code,kind,name_vi,name_en\na,1,ward,A,A\na,2,ward,B,B\n", "utf-8")
    with pytest.raises(ReferenceDataError, match="key 'a' is used twice"):
        load_units(path)
