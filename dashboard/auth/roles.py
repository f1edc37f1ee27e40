"""Roles as data, deny by default: `allowed(principal, action, unit)` is true only when the principal's kind may
hold its role, the kind's ceiling admits the action, and the role grants it (everywhere, or for its own units)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from dashboard.auth.errors import AccountError

# --- actions: what a request asks to do ------------------------------------------------------------------
VIEW_FIGURES: Final = "view_figures"  # every unit's counts and rates: overview, leagues, a unit's headline
VIEW_WALL: Final = "view_wall"  # the operations wall (counts only)
VIEW_DRILL: Final = "view_drill"  # drill-through lists of individual dossiers and feedback (names, codes)
VIEW_TILE_DETAIL: Final = "view_tile_detail"  # a wall tile's or a unit page's detail beyond the counts
MAKE_BRIEFING: Final = "make_briefing"  # ask for a snapshot, make a briefing pack
READ_BRIEFING: Final = "read_briefing"  # open and download briefings
READ_API: Final = "read_api"  # the read-only JSON API
ADMIN_USERS: Final = "admin_users"  # add, disable, reset users
ADMIN_TOKENS: Final = "admin_tokens"  # issue, revoke, list kiosk and API tokens
ADMIN_SOURCES: Final = "admin_sources"  # the sources page's management, rejected rows' raw values
VIEW_AUDIT: Final = "view_audit"  # the audit log and its export
VIEW_SOURCE_ADDRESSES: Final = "view_source_addresses"  # hosts, database users, paths of the sources
ACK_ALERT: Final = "ack_alert"  # acknowledge an alert (a unit's own; a leader any, the city's too)
ACTIONS = (
    VIEW_FIGURES,
    VIEW_WALL,
    VIEW_DRILL,
    VIEW_TILE_DETAIL,
    MAKE_BRIEFING,
    READ_BRIEFING,
    READ_API,
    ADMIN_USERS,
    ADMIN_TOKENS,
    ADMIN_SOURCES,
    VIEW_AUDIT,
    VIEW_SOURCE_ADDRESSES,
    ACK_ALERT,
)

# --- who holds a role: the kinds of principal -------------------------------------------------------------
USER: Final = "user"  # a signed-in person (local account or single sign-on)
KIOSK: Final = "kiosk"  # a wall screen holding a kiosk token
API_TOKEN: Final = "api_token"  # a program holding an API token
ANONYMOUS: Final = "anonymous"  # nobody signed in: may do nothing
PRINCIPAL_KINDS = (USER, KIOSK, API_TOKEN, ANONYMOUS)
HOLDER_NAMES = {USER: "a user", KIOSK: "a kiosk", API_TOKEN: "an API token", ANONYMOUS: "nobody"}

# What each kind may ever do, whatever its role: a token never administers, a kiosk only shows the wall.
READ_ACTIONS = frozenset({VIEW_FIGURES, VIEW_WALL, VIEW_DRILL, VIEW_TILE_DETAIL, READ_API})
KIND_CEILING: dict[str, frozenset[str]] = {
    USER: frozenset(ACTIONS),
    KIOSK: frozenset({VIEW_WALL}),
    API_TOKEN: READ_ACTIONS,
    ANONYMOUS: frozenset(),
}

# --- roles ---------------------------------------------------------------------------------------------
LEADER: Final = "leader"
UNIT_HEAD: Final = "unit_head"
UNIT_STAFF: Final = "unit_staff"
BRIEFING_STAFF: Final = "briefing_staff"
ADMIN: Final = "admin"
KIOSK_ROLE: Final = "kiosk"
API_READER: Final = "api_reader"


@dataclass(frozen=True)
class Role:
    name: str
    summary: str
    everywhere: frozenset[str]  # actions allowed for every unit (or with no unit at all)
    own_units: frozenset[str] = frozenset()  # actions allowed only for a unit in the principal's units
    holders: frozenset[str] = frozenset({USER})  # the principal kinds that may hold the role
    scoped: bool = False  # needs at least one unit; a role that is not scoped takes none


_SEE = frozenset({VIEW_FIGURES, VIEW_WALL, READ_API})
ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            LEADER,
            "the whole city: every unit's figures, drill-through and tile detail; reads briefings",
            _SEE | {VIEW_DRILL, VIEW_TILE_DETAIL, READ_BRIEFING, ACK_ALERT},
            holders=frozenset({USER, API_TOKEN}),
        ),
        *(
            Role(
                name,
                "every unit's figures (leagues, wall); drill-through and tile detail for their own units",
                _SEE,
                own_units=frozenset({VIEW_DRILL, VIEW_TILE_DETAIL, ACK_ALERT}),
                holders=frozenset({USER, API_TOKEN}),
                scoped=True,
            )
            for name in (UNIT_HEAD, UNIT_STAFF)  # the same rights: a head and the staff of a unit
        ),
        Role(
            BRIEFING_STAFF,
            "makes and reads briefings (and sees the figures they are made of)",
            frozenset({MAKE_BRIEFING, READ_BRIEFING, VIEW_FIGURES}),
        ),
        Role(
            ADMIN,
            "users, tokens, sources (with their addresses) and the audit log; no figures",
            frozenset({ADMIN_USERS, ADMIN_TOKENS, ADMIN_SOURCES, VIEW_AUDIT, VIEW_SOURCE_ADDRESSES}),
        ),
        Role(
            KIOSK_ROLE,
            "the wall only: counts, no drill-through, no dossier names",
            frozenset({VIEW_WALL}),
            holders=frozenset({KIOSK}),
        ),
        Role(
            API_READER,
            "the read-only API: every unit's figures; drill-through for its units, if it has any",
            frozenset({READ_API, VIEW_FIGURES}),
            own_units=frozenset({VIEW_DRILL, VIEW_TILE_DETAIL}),
            holders=frozenset({API_TOKEN}),
        ),
    )
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user, a kiosk or API token, or nobody; `units` are unit keys from the registry."""

    kind: str
    id: str
    label: str
    role: str
    units: frozenset[str] = field(default_factory=frozenset)
    expires_at: datetime | None = None  # a token's expiry (a user's session ends by the settings' hours)


NOBODY = Principal(ANONYMOUS, "", "", "")


def allowed(principal: Principal, action: str, unit: str | None = None) -> bool:
    """Whether `principal` may do `action` (for `unit`, when the action is about one unit); anything that no
    rule allows — an unknown role, kind or action, a role held by the wrong kind, a unit not its own — is refused."""
    role = ROLES.get(principal.role)
    if role is None or principal.kind not in role.holders:
        return False
    if action not in KIND_CEILING.get(principal.kind, frozenset()):
        return False
    if action in role.everywhere:
        return True
    return action in role.own_units and unit is not None and unit in principal.units


def roles_for(kind: str) -> tuple[str, ...]:
    """The roles a principal of this kind may hold, in the table's order."""
    return tuple(name for name, role in ROLES.items() if kind in role.holders)


KnownUnits = Iterable[str] | Callable[[], Iterable[str]]  # the registry's keys, or how to read them when needed


def check_grant(kind: str, role_name: str, units: Iterable[str], known_units: KnownUnits | None = None) -> None:
    """Refuse a role for the wrong kind of holder, a scoped role without units, units for an unscoped role, or
    (given the registry's keys) a unit that does not exist. Raises `AccountError` naming what is wrong."""
    role = ROLES.get(role_name)
    choices = ", ".join(roles_for(kind))
    if role is None:
        raise AccountError(f"unknown role {role_name!r}: choose one of {choices}")
    if kind not in role.holders:
        raise AccountError(
            f"role {role_name!r} cannot be held by {HOLDER_NAMES.get(kind, kind)}: choose one of {choices}"
        )
    keys = sorted(set(units))
    if role.scoped and not keys:
        raise AccountError(f"role {role_name!r} sees drill-through for its own units only: give at least one unit")
    if keys and not role.scoped and not role.own_units:
        raise AccountError(f"role {role_name!r} is not scoped to units: give no unit (got {', '.join(keys)})")
    for key in keys:
        if not key or "," in key or key != key.strip():
            raise AccountError(f"unit key {key!r} is malformed: a registry key has no comma or spaces")
    if known_units is not None and keys:
        registry = set(known_units() if callable(known_units) else known_units)
        unknown = [key for key in keys if key not in registry]
        if unknown:
            raise AccountError(f"unknown unit key {unknown[0]!r}: not in the units registry")
