"""Roles as data, deny by default: for every role, exactly which actions it may do, where."""

from __future__ import annotations

import pytest

from dashboard.auth.errors import AccountError
from dashboard.auth.roles import (
    ACK_ALERT,
    ACTIONS,
    ADMIN,
    ADMIN_SOURCES,
    ADMIN_TOKENS,
    ADMIN_USERS,
    ANONYMOUS,
    API_READER,
    API_TOKEN,
    BRIEFING_STAFF,
    KIOSK,
    KIOSK_ROLE,
    LEADER,
    MAKE_BRIEFING,
    NOBODY,
    PRINCIPAL_KINDS,
    READ_API,
    READ_BRIEFING,
    ROLES,
    UNIT_HEAD,
    UNIT_STAFF,
    USER,
    VIEW_AUDIT,
    VIEW_DRILL,
    VIEW_FIGURES,
    VIEW_SOURCE_ADDRESSES,
    VIEW_TILE_DETAIL,
    VIEW_WALL,
    Principal,
    allowed,
    check_grant,
    roles_for,
)
from dashboard.core.vocabulary import CITY_KEY

OWN, OTHER = "quan-1", "quan-3"
SEE = {VIEW_FIGURES, VIEW_WALL, READ_API}
# role → (its holder, actions allowed with no unit or for another unit, actions allowed for its own unit only)
TABLE = {
    LEADER: (USER, SEE | {VIEW_DRILL, VIEW_TILE_DETAIL, READ_BRIEFING, ACK_ALERT}, set()),
    UNIT_HEAD: (USER, SEE, {VIEW_DRILL, VIEW_TILE_DETAIL, ACK_ALERT}),
    UNIT_STAFF: (USER, SEE, {VIEW_DRILL, VIEW_TILE_DETAIL, ACK_ALERT}),
    BRIEFING_STAFF: (USER, {MAKE_BRIEFING, READ_BRIEFING, VIEW_FIGURES}, set()),
    ADMIN: (USER, {ADMIN_USERS, ADMIN_TOKENS, ADMIN_SOURCES, VIEW_AUDIT, VIEW_SOURCE_ADDRESSES}, set()),
    KIOSK_ROLE: (KIOSK, {VIEW_WALL}, set()),
    API_READER: (API_TOKEN, {READ_API, VIEW_FIGURES}, {VIEW_DRILL, VIEW_TILE_DETAIL}),
}


def principal(role: str, kind: str = USER, units: frozenset[str] = frozenset({OWN})) -> Principal:
    return Principal(kind, "someone", "Someone", role, units)


def test_the_table_covers_every_role():
    assert set(TABLE) == set(ROLES)


@pytest.mark.parametrize("role", sorted(TABLE))
def test_each_role_may_do_exactly_its_actions(role):
    kind, everywhere, own_only = TABLE[role]
    who = principal(role, kind)
    assert {a for a in ACTIONS if allowed(who, a)} == everywhere
    assert {a for a in ACTIONS if allowed(who, a, OTHER)} == everywhere
    assert {a for a in ACTIONS if allowed(who, a, CITY_KEY)} == everywhere
    assert {a for a in ACTIONS if allowed(who, a, OWN)} == everywhere | own_only


def test_unit_staff_drill_only_into_their_own_units():
    staff = principal(UNIT_STAFF, units=frozenset({OWN, "phuong-ben-thanh"}))
    assert allowed(staff, VIEW_DRILL, OWN) and allowed(staff, VIEW_DRILL, "phuong-ben-thanh")
    assert not allowed(staff, VIEW_DRILL, OTHER)
    assert not allowed(staff, VIEW_DRILL, CITY_KEY)  # the whole city is not their unit
    assert not allowed(staff, VIEW_DRILL)  # a drill-through with no unit named is refused
    assert not allowed(staff, VIEW_DRILL, OWN.upper())  # keys are compared exactly
    assert not allowed(principal(UNIT_STAFF, units=frozenset()), VIEW_DRILL, OWN)


def test_unknown_actions_roles_and_kinds_are_refused():
    leader = principal(LEADER)
    assert not allowed(leader, "drop_tables")
    assert not allowed(leader, "")
    assert not any(allowed(principal("mayor"), a, OWN) for a in ACTIONS)
    assert not any(allowed(principal(""), a, OWN) for a in ACTIONS)
    assert not any(allowed(principal(LEADER, kind="robot"), a, OWN) for a in ACTIONS)


def test_nobody_may_do_nothing():
    assert NOBODY.kind == ANONYMOUS
    for role in [*ROLES, ""]:
        assert not any(allowed(principal(role, ANONYMOUS), a, OWN) for a in ACTIONS)


def test_a_role_held_by_the_wrong_kind_grants_nothing():
    assert not any(allowed(principal(LEADER, KIOSK), a, OWN) for a in ACTIONS)  # a kiosk is never a leader
    assert not any(allowed(principal(ADMIN, API_TOKEN), a, OWN) for a in ACTIONS)  # tokens never administer
    assert not any(allowed(principal(API_READER, USER), a, OWN) for a in ACTIONS)
    assert not any(allowed(principal(KIOSK_ROLE, USER), a, OWN) for a in ACTIONS)


def test_an_api_token_reads_like_its_role_and_no_more():
    token = principal(UNIT_HEAD, API_TOKEN)
    assert {a for a in ACTIONS if allowed(token, a, OWN)} == SEE | {VIEW_DRILL, VIEW_TILE_DETAIL}
    assert not allowed(token, VIEW_DRILL, OTHER)
    city_token = principal(LEADER, API_TOKEN, frozenset())
    assert {a for a in ACTIONS if allowed(city_token, a, OTHER)} == SEE | {VIEW_DRILL, VIEW_TILE_DETAIL}
    assert not allowed(city_token, READ_BRIEFING)  # within the leader's role, but above a token's ceiling


def test_which_kind_holds_which_role():
    assert roles_for(USER) == (LEADER, UNIT_HEAD, UNIT_STAFF, BRIEFING_STAFF, ADMIN)
    assert roles_for(KIOSK) == (KIOSK_ROLE,)
    assert roles_for(API_TOKEN) == (LEADER, UNIT_HEAD, UNIT_STAFF, API_READER)
    assert roles_for(ANONYMOUS) == ()
    assert set(PRINCIPAL_KINDS) == {USER, KIOSK, API_TOKEN, ANONYMOUS}


@pytest.mark.parametrize(
    ("kind", "role", "units", "message"),
    [
        (USER, "mayor", [], "unknown role 'mayor': choose one of leader, unit_head, unit_staff, briefing_staff, admin"),
        (USER, KIOSK_ROLE, [], "role 'kiosk' cannot be held by a user: choose one of leader,"),
        (KIOSK, LEADER, [], "role 'leader' cannot be held by a kiosk: choose one of kiosk"),
        (USER, UNIT_HEAD, [], "role 'unit_head' sees drill-through for its own units only: give at least one unit"),
        (USER, LEADER, [OWN], "role 'leader' is not scoped to units: give no unit (got quan-1)"),
        (USER, UNIT_STAFF, ["quan-99"], "unknown unit key 'quan-99': not in the units registry"),
        (USER, UNIT_STAFF, ["a,b"], "unit key 'a,b' is malformed"),
    ],
)
def test_a_grant_that_makes_no_sense_is_refused_naming_it(kind, role, units, message):
    with pytest.raises(AccountError) as caught:
        check_grant(kind, role, units, known_units={OWN, OTHER})
    assert str(caught.value).startswith(message)


def test_sensible_grants_pass():
    check_grant(USER, UNIT_HEAD, [OWN, OTHER], known_units={OWN, OTHER})
    check_grant(USER, LEADER, [])
    check_grant(API_TOKEN, API_READER, [])  # the API reader's units are optional: figures only
    check_grant(API_TOKEN, API_READER, [OWN], known_units={OWN})
