"""A single sign-on's claims → a role and its units, failing closed: anything that does not map cleanly to a role a
user may hold (with registry units for a scoped role) is `NoAccess`, naming why."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.auth.errors import AccountError, AuthError
from dashboard.auth.roles import ROLES, USER, KnownUnits, check_grant

MAX_VALUES = 200  # a claim with more values than this is refused unread


class NoAccess(AuthError):
    """The claims give no access to this app; the message names why (for the audit log, never for the page)."""


def claim_values(claims: Mapping[str, object], name: str) -> list[str]:
    """The claim's values, in order: a string is one value, a list of strings its items; absent is none."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and len(value) <= MAX_VALUES and all(isinstance(v, str) for v in value):
        return list(value)
    raise NoAccess(f"claim {name!r} is not a string or a list of at most {MAX_VALUES} strings")


def _units(claims: Mapping[str, object], name: str) -> frozenset[str]:
    value = claims.get(name)
    if isinstance(value, str):  # "quan-1, quan-3"
        return frozenset(key.strip() for key in value.split(",") if key.strip())
    keys = claim_values(claims, name)
    if not all(keys):
        raise NoAccess(f"claim {name!r} lists an empty unit key")
    return frozenset(keys)


def role_and_units(
    claims: Mapping[str, object],
    role_claim: str,
    roles_map: Mapping[str, str],
    units_claim: str,
    known_units: KnownUnits | None = None,
) -> tuple[str, frozenset[str]]:
    """The role the first mapped value of `role_claim` names, and for a scoped role the units of `units_claim`
    (each a key of the registry); an unscoped role takes no units. Raises `NoAccess` naming why not."""
    values = claim_values(claims, role_claim)
    role_name = next((roles_map[value] for value in values if value and value in roles_map), None)
    if role_name is None:
        raise NoAccess(f"no value of claim {role_claim!r} maps to a role (got {', '.join(values[:10]) or 'none'})")
    role = ROLES.get(role_name)
    if role is None or USER not in role.holders:
        raise NoAccess(f"claim {role_claim!r} maps to role {role_name!r}, which a user cannot hold")
    units = _units(claims, units_claim) if role.scoped else frozenset()
    if role.scoped and not units:
        raise NoAccess(f"role {role_name!r} needs units: claim {units_claim!r} names none")
    try:
        check_grant(USER, role_name, units, known_units)
    except AccountError as refused:
        raise NoAccess(str(refused)) from None
    return role_name, units
