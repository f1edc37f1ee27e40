"""Users of the single sign-on: one row of the users table per (issuer, subject), made at the first sign-in and kept
to what the claims say since (name, role, units); never a password (its hash `!sso` verifies none)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dashboard.auth.audit import USER_CHANGED
from dashboard.auth.errors import AccountError
from dashboard.auth.roles import USER, check_grant
from dashboard.auth.schema import MAX_LOGIN_LENGTH, users
from dashboard.auth.store import SSO_LOGINS, AccountStore, User

SSO_PREFIX: Final = SSO_LOGINS
NO_PASSWORD: Final = "!sso"  # not an argon2 hash: `verify_password` never accepts anything for it
SSO_ACTOR: Final = ("system", "sso")
MAX_NAME = 200  # the users table's name column
DIGEST_CHARS = 40  # 160 bits of sha256(issuer, subject)


def external_login(issuer: str, subject: str) -> str:
    """The login of (issuer, subject): `sso.` and hex digits of their sha256, so any subject fits and none clash."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:DIGEST_CHARS]
    login = f"{SSO_PREFIX}{digest}"
    assert len(login) <= MAX_LOGIN_LENGTH
    return login


def _units_text(units: frozenset[str]) -> str:
    return ",".join(sorted(units))


def _row(accounts: AccountStore, login: str) -> Any:
    with accounts.engine.connect() as conn:
        return conn.execute(select(users).where(users.c.login == login)).mappings().first()


def _found(accounts: AccountStore, login: str) -> User:
    user = accounts.user(login)
    if user is None:
        raise AccountError(f"no user {login!r}: it was removed while signing in")
    return user


def _note(role: str, units: frozenset[str]) -> str:
    return role + (f" for {', '.join(sorted(units))}" if units else "")


def external_user(
    accounts: AccountStore, issuer: str, subject: str, name: str, role: str, units: Iterable[str]
) -> User:
    """The user of (issuer, subject), added at its first sign-in; later ones update its name, role and units (a new
    role or units ends its older sessions). A disabled user is returned unchanged: the caller refuses it."""
    if not issuer or not subject:
        raise AccountError("a single sign-on user needs its issuer and subject")
    keys = frozenset(units)
    check_grant(USER, role, keys, accounts.known_units)
    login, now = external_login(issuer, subject), accounts.clock.now()
    shown = (name.strip() or login)[:MAX_NAME]
    row = _row(accounts, login)
    if row is None:
        values: dict[str, Any] = {"login": login, "name": shown, "role": role, "units": _units_text(keys)}
        values |= {"password_hash": NO_PASSWORD, "disabled": False, "session_version": 1}
        try:
            with accounts.engine.begin() as conn:
                conn.execute(users.insert().values(**values, created_at=now, updated_at=now))
        except IntegrityError:  # the same person's first sign-in in another worker, at the same moment
            row = _row(accounts, login)
        else:
            detail = f"added from the single sign-on as {_note(role, keys)} (subject {subject})"
            accounts.audit.record(USER_CHANGED, SSO_ACTOR, target=login, detail=detail)
            return _found(accounts, login)
    if row is None or row["password_hash"] != NO_PASSWORD:
        raise AccountError(f"login {login!r} is a local account's, not the single sign-on's: refused")
    if row["disabled"]:
        return _found(accounts, login)
    before = frozenset(key for key in row["units"].split(",") if key)
    changes: dict[str, Any] = {}
    if row["name"] != shown:
        changes["name"] = shown
    if row["role"] != role or before != keys:
        changes |= {"role": role, "units": _units_text(keys), "session_version": users.c.session_version + 1}
    if not changes:
        return _found(accounts, login)
    with accounts.engine.begin() as conn:
        where = (users.c.login == login) & (users.c.password_hash == NO_PASSWORD)
        conn.execute(update(users).where(where).values(**changes, updated_at=now))
    said = [f"role {_note(row['role'], before)} → {_note(role, keys)}"] if "role" in changes else []
    said += ["name changed"] if "name" in changes else []
    detail = f"single sign-on: {'; '.join(said)} (subject {subject})"
    accounts.audit.record(USER_CHANGED, SSO_ACTOR, target=login, detail=detail)
    return _found(accounts, login)
