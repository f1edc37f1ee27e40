"""Rebuild `wards.csv` — the 273 wards of Thành phố Hồ Chí Minh in force just before 1 July 2025 and the 168
units since then, with each new unit's predecessors and districts of origin — from PyPI `vietnamadminunits`
(MIT; its codes and names come from the GSO/NSO lists, its old→new conversion from the official table):

    python -m dashboard.data.build_wards [--wheel vietnamadminunits-1.0.4-py3-none-any.whl]

Without --wheel it downloads version 1.0.4 with pip. Points are not taken: the package's coordinates partly
come from a geocoding service whose terms are unclear (see SOURCES.md); a deployment gives them in a file.
Not imported by the app; the CSV it writes is the packaged data.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from dashboard.core.vocabulary import CITY_KEY, COMMUNE, DISTRICT, SPECIAL_ZONE, TOWNSHIP, WARD

HERE = Path(__file__).resolve().parent
VERSION = "1.0.4"
# The 273 wards are the list in force after the mergers of 01/01/2025 (Resolution 1278/NQ-UBTVQH15), until
# the commune-level reorganisation of 01/07/2025 (Resolution 1685/NQ-UBTVQH15).
OLD_FROM, NEW_FROM, OLD_TO = "2025-01-01", "2025-07-01", "2025-06-30"
CITY_CODE = "79"
KINDS = {"Phường": WARD, "Xã": COMMUNE, "Thị trấn": TOWNSHIP, "Đặc khu": SPECIAL_ZONE}
ENGLISH = {WARD: "Ward", COMMUNE: "Commune", TOWNSHIP: "Township", SPECIAL_ZONE: "Special Zone"}
COLUMNS = [
    "key", "code", "kind", "name_vi", "name_en", "short_name_vi", "parent_key", "valid_from", "valid_to", "lat",
    "lon", "ranked", "former_province", "predecessors", "origin", "aliases",
]  # fmt: skip
# Seven wards merged on 01/01/2025 appear under another predecessor's code in the GSO list of 04/01/2025 than in
# the official old → new conversion table of July 2025 (which this package follows). Both codes name the same
# ward, and a source of the first half of 2025 may write either: the list's code is kept as an alias.
# Source: GSO administrative-unit list dated 2025-01-04 (danhmuchanhchinh.gso.gov.vn); facts (codes), not text.
ALIASES = {
    "26929": "26935",  # Quận Bình Thạnh, Phường 14
    "26953": "26959",  # Quận Bình Thạnh, Phường 19
    "27076": "27067",  # Quận Phú Nhuận, Phường 15
    "27226": "27217",  # Quận 11, Phường 11
    "27232": "27223",  # Quận 11, Phường 10
    "27367": "27361",  # Quận 6, Phường 2
    "27373": "27379",  # Quận 6, Phường 1
}


def ascii_words(text: str) -> str:
    """Vietnamese without its marks ("Thủ Đức" → "Thu Duc")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def kind_of(name: str, listed: str) -> str:
    """The kind a unit's name states ("Phường 15" is a ward whatever the package's wardType says), else the listed one."""
    for word, kind in KINDS.items():
        if name.startswith(word + " "):
            return kind
    return KINDS[listed]


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_words(text).lower()).split())


def wheel_data(wheel: Path | None) -> tuple[sqlite3.Connection, dict]:
    folder = Path(tempfile.mkdtemp(prefix="vau-"))
    if wheel is None:
        command = [sys.executable, "-m", "pip", "download", f"vietnamadminunits=={VERSION}", "--no-deps", "-d"]
        subprocess.run([*command, str(folder)], check=True)
        wheel = next(folder.glob("vietnamadminunits-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder)
    data = folder / "vietnamadminunits" / "data"
    return sqlite3.connect(data / "dataset.db"), json.loads((data / "converter_2025.json").read_text("utf-8"))


def district_keys(units_csv: Path) -> dict[str, str]:
    """GSO district code → our key, for the districts in force just before the 2025 change (769: Thủ Đức City)."""
    with units_csv.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == DISTRICT and r["valid_to"] == OLD_TO]
    return {r["code"]: r["key"] for r in rows}


def build(db: sqlite3.Connection, converter: dict, districts: dict[str, str]) -> list[dict[str, str]]:
    legacy = db.execute(
        "select provinceCode, districtCode, district, ward, wardShort, wardType, wardCode,"
        " provinceKey || '_' || districtKey || '_' || wardKey from admin_units_legacy"
        " where provinceCode in ('79', '74', '77')"
    ).fetchall()
    by_key = {row[7]: row for row in legacy}
    rows = []
    for province, district, _dname, name, short, kind, code, _key in sorted(r for r in legacy if r[0] == CITY_CODE):
        parent = districts[district]
        unit_kind = kind_of(name, kind)
        rows.append(
            {
                "key": f"{parent}--{slug(name)}",
                "code": code,
                "kind": unit_kind,
                "name_vi": name,
                "name_en": f"{ascii_words(short)} {ENGLISH[unit_kind]}",
                "short_name_vi": short,
                "parent_key": parent,
                "valid_from": OLD_FROM,
                "valid_to": OLD_TO,
                "ranked": "0",  # sources were district-level then: wards did not compete
                "former_province": province,
                "aliases": ALIASES.get(code, ""),
            }
        )
    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohochiminh"]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"]["thanhphohochiminh"]
    parts: dict[str, set[str]] = {}
    for old, targets in divided.items():
        for target in targets:
            parts.setdefault(target["newWardKey"], set()).add(old)
    current = db.execute(
        "select ward, wardShort, wardType, wardCode, wardKey from admin_units where provinceCode = ?", (CITY_CODE,)
    ).fetchall()
    for name, short, kind, code, key in sorted(current, key=lambda r: r[3]):
        olds = [(k, False) for k in whole.get(key, [])] + [(k, True) for k in sorted(parts.get(key, ()))]
        found = [(by_key[k], partial) for k, partial in olds if k in by_key]
        predecessors = sorted({("~" if partial else "") + row[6] for row, partial in found}, key=lambda c: c.lstrip("~"))
        origin = sorted({f"{row[0]}:{row[1]}" for row, _ in found})
        provinces = {row[0] for row, _ in found} or {"77"}  # Côn Đảo: a district of Bà Rịa–Vũng Tàu without wards
        if not found and key == "dackhucondao":
            origin = ["77:755"]  # Huyện Côn Đảo (GSO 755), which had no commune-level units
        unit_kind = kind_of(name, kind)
        rows.append(
            {
                "key": slug(name),
                "code": code,
                "kind": unit_kind,
                "name_vi": name,
                "name_en": f"{ascii_words(short)} {ENGLISH[unit_kind]}",
                "short_name_vi": short,
                "parent_key": CITY_KEY,
                "valid_from": NEW_FROM,
                "ranked": "1",
                "former_province": ";".join(sorted(provinces)),
                "predecessors": ";".join(predecessors),
                "origin": ";".join(origin),
            }
        )
    return _unique_keys(rows)


def _unique_keys(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Two names that differ only in their marks (Xã Thanh An, Xã Thạnh An) share a slug: both get their code."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["key"]] = seen.get(row["key"], 0) + 1
    for row in rows:
        if seen[row["key"]] > 1:
            row["key"] = f"{row['key']}-{row['code']}"
            row["name_en"] = f"{row['name_en']} ({row['code']})"
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "wards.csv")
    args = parser.parse_args(argv)
    db, converter = wheel_data(args.wheel)
    rows = build(db, converter, district_keys(HERE / "units.csv"))
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in COLUMNS} for row in rows)
    print(f"{args.out}: {len(rows)} units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
