"""A single sign-on's claims → a role and units: the first mapped value wins, and anything odd is no access."""

from __future__ import annotations

import pytest

from dashboard.auth.claims import NoAccess, claim_values, role_and_units
from dashboard.auth.roles import ADMIN, BRIEFING_STAFF, LEADER, UNIT_HEAD, UNIT_STAFF

ROLES = {
    "cchc-lanh-dao": LEADER,
    "cchc-don-vi": UNIT_HEAD,
    "cchc-can-bo": UNIT_STAFF,
    "cchc-bao-cao": BRIEFING_STAFF,
    "cchc-quan-tri": ADMIN,
    "cchc-man-hinh": "kiosk",  # a role only a wall screen's token may hold
    "cchc-api": "api_reader",
    "cchc-thi-truong": "mayor",  # no such role
}
UNITS = ["quan-1", "quan-3", "phuong-ben-thanh"]


def mapped(claims: dict, known=UNITS) -> tuple[str, frozenset[str]]:
    return role_and_units(claims, "groups", ROLES, "cchc_units", known)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"groups": "cchc-lanh-dao"}, (LEADER, frozenset())),
        ({"groups": ["khach", "cchc-lanh-dao", "cchc-don-vi"]}, (LEADER, frozenset())),  # the first that maps
        ({"groups": ["cchc-don-vi", "cchc-lanh-dao"], "cchc_units": ["quan-1"]}, (UNIT_HEAD, frozenset({"quan-1"}))),
        ({"groups": ["cchc-lanh-dao"], "cchc_units": ["quan-99", 7]}, (LEADER, frozenset())),  # unscoped: ignored
        ({"groups": ["cchc-quan-tri"], "cchc_units": "quan-1"}, (ADMIN, frozenset())),
        ({"groups": ["cchc-bao-cao"]}, (BRIEFING_STAFF, frozenset())),
        ({"groups": ["cchc-can-bo"], "cchc_units": "quan-1, quan-3"}, (UNIT_STAFF, frozenset({"quan-1", "quan-3"}))),
        ({"groups": ["cchc-don-vi"], "cchc_units": "quan-1,,quan-3,"}, (UNIT_HEAD, frozenset({"quan-1", "quan-3"}))),
        ({"groups": ("cchc-don-vi",), "cchc_units": ("quan-3", "quan-3")}, (UNIT_HEAD, frozenset({"quan-3"}))),
    ],
)
def test_the_first_mapped_value_names_the_role_and_a_scoped_role_takes_its_units(claims, expected):
    assert mapped(claims) == expected


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({}, "no value of claim 'groups' maps to a role (got none)"),
        ({"groups": []}, "no value of claim 'groups' maps to a role (got none)"),
        ({"groups": ""}, "no value of claim 'groups' maps to a role (got none)"),
        (
            {"groups": ["khach", "CCHC-LANH-DAO"]},
            "no value of claim 'groups' maps to a role (got khach, CCHC-LANH-DAO)",
        ),
        ({"groups": " cchc-lanh-dao"}, "no value of claim 'groups' maps to a role"),  # values match exactly
        ({"groups": None}, "no value of claim 'groups' maps to a role"),
        ({"groups": ["cchc-lanh-dao", 1]}, "claim 'groups' is not a string or a list of at most 200 strings"),
        ({"groups": [["cchc-lanh-dao"]]}, "claim 'groups' is not a string or a list"),
        ({"groups": {"cchc-lanh-dao": True}}, "claim 'groups' is not a string or a list"),
        ({"groups": 1}, "claim 'groups' is not a string or a list"),
        ({"groups": ["khach"] * 201 + ["cchc-lanh-dao"]}, "claim 'groups' is not a string or a list of at most 200"),
        ({"groups": "cchc-man-hinh"}, "claim 'groups' maps to role 'kiosk', which a user cannot hold"),
        ({"groups": "cchc-api"}, "claim 'groups' maps to role 'api_reader', which a user cannot hold"),
        ({"groups": "cchc-thi-truong"}, "claim 'groups' maps to role 'mayor', which a user cannot hold"),
        ({"groups": "cchc-don-vi"}, "role 'unit_head' needs units: claim 'cchc_units' names none"),
        ({"groups": "cchc-don-vi", "cchc_units": []}, "role 'unit_head' needs units: claim 'cchc_units' names none"),
        ({"groups": "cchc-don-vi", "cchc_units": " , "}, "role 'unit_head' needs units"),
        ({"groups": "cchc-don-vi", "cchc_units": ["quan-1", ""]}, "claim 'cchc_units' lists an empty unit key"),
        ({"groups": "cchc-don-vi", "cchc_units": ["quan-1", 3]}, "claim 'cchc_units' is not a string or a list"),
        ({"groups": "cchc-don-vi", "cchc_units": {"quan-1": 1}}, "claim 'cchc_units' is not a string or a list"),
        ({"groups": "cchc-don-vi", "cchc_units": ["quan-1", "quan-99"]}, "unknown unit key 'quan-99'"),
        ({"groups": "cchc-don-vi", "cchc_units": [" quan-1"]}, "unit key ' quan-1' is malformed"),
        ({"groups": "cchc-can-bo", "cchc_units": ["quan-1,quan-3"]}, "unit key 'quan-1,quan-3' is malformed"),
        ({"groups": "cchc-don-vi", "cchc_units": "QUAN-1"}, "unknown unit key 'QUAN-1'"),
    ],
)
def test_anything_odd_is_no_access_naming_why(claims, why):
    with pytest.raises(NoAccess) as refused:
        mapped(claims)
    assert str(refused.value).startswith(why)


def test_the_registry_may_be_read_when_needed_or_not_at_all():
    reads: list[int] = []

    def registry() -> list[str]:
        reads.append(1)
        return UNITS

    assert mapped({"groups": "cchc-lanh-dao"}, registry) == (LEADER, frozenset())
    assert reads == []  # an unscoped role needs no registry
    assert mapped({"groups": "cchc-don-vi", "cchc_units": "quan-3"}, registry) == (UNIT_HEAD, frozenset({"quan-3"}))
    assert reads == [1]
    assert mapped({"groups": "cchc-don-vi", "cchc_units": "quan-99"}, None) == (UNIT_HEAD, frozenset({"quan-99"}))


def test_no_mapping_is_no_access_for_everyone():
    with pytest.raises(NoAccess, match="no value of claim 'groups' maps to a role"):
        role_and_units({"groups": ["cchc-lanh-dao"]}, "groups", {}, "cchc_units", UNITS)


def test_claim_values_are_read_as_they_are():
    assert claim_values({"groups": "a,b"}, "groups") == ["a,b"]  # a role claim's string is one value
    assert claim_values({"groups": ["b", "a"]}, "groups") == ["b", "a"]
    assert claim_values({}, "groups") == []
