"""The accounts store: users, kiosk and API tokens, failed sign-ins. Its own engine and tables, outside the data
path's one-writer fence (never `Store.begin`, never the data version): on SQLite its own file, so web workers'
writes never wait on the writer. Every time comes from its own clock (real time), never the demo's data clock."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex, CreateTable

from dashboard.auth.acks import AlertAcks
from dashboard.auth.audit import TOKEN_CHANGED, TOKEN_USE, USER_CHANGED, AuditLog
from dashboard.auth.errors import AccountError, SignInLimited
from dashboard.auth.roles import API_TOKEN, KIOSK, USER, KnownUnits, Principal, check_grant
from dashboard.auth.schema import MAX_LOGIN_LENGTH, metadata, sign_in_attempts, tokens, users
from dashboard.core.clock import Clock, SystemClock, city_time
from dashboard.core.engines import database_engine, first_row, reads_engine
from dashboard.core.errors import SettingsError
from dashboard.core.settings import Settings

TOKEN_KINDS = {"kiosk": KIOSK, "api": API_TOKEN}  # a token's kind → the kind of principal it makes
TOKEN_BYTES = 32
LAST_USED_EVERY = timedelta(minutes=1)  # a token's last use is written at most this often
MIN_PASSWORD_LENGTH = 10
SSO_LOGINS = "sso."  # the single sign-on's users (dashboard/auth/external.py): never a password
CREATE_LOCK = 7_947_302  # PostgreSQL advisory lock held while creating the tables (the store's is …301)
TRUST_RECENT_S = 5.0  # a sign-in check's connection used this recently is not pinged (`core/engines.py`)


@dataclass(frozen=True)
class User:
    id: int
    login: str
    name: str
    role: str
    units: frozenset[str]
    disabled: bool
    session_version: int
    created_at: datetime
    updated_at: datetime

    def principal(self) -> Principal:
        return Principal(USER, self.login, self.name, self.role, self.units)


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the token or its hash."""

    id: int
    kind: str
    label: str
    role: str
    units: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal_login(login: str) -> str:
    return login.strip().lower()[:MAX_LOGIN_LENGTH]


def _units_text(units: frozenset[str] | set[str] | list[str] | tuple[str, ...]) -> str:
    return ",".join(sorted(set(units)))


def _units_note(units: frozenset[str] | set[str]) -> str:
    return f" for {', '.join(sorted(units))}" if units else ""


def _units_of(value: str) -> frozenset[str]:
    return frozenset(key for key in value.split(",") if key)


class AccountStore:
    """Users, tokens and failed sign-ins in one database (`url`), with times from `clock` (real time by default)."""

    def __init__(
        self,
        url: str,
        clock: Clock | None = None,
        *,
        attempts: int = 5,
        window_s: float = 900.0,
        hasher: PasswordHasher | None = None,
        known_units: KnownUnits | None = None,
    ) -> None:
        self.engine: Engine = database_engine(url, ("journal_mode=WAL", "busy_timeout=30000"))
        dialect = self.engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise SettingsError(f"auth_store_url: dialect {dialect!r} is not supported: use SQLite or PostgreSQL")
        # every request's session or token check: autocommit on PostgreSQL, no ping of a connection used just now
        self.reads: Engine = reads_engine(self.engine, trust_recent_s=TRUST_RECENT_S)
        self.clock: Clock = clock or SystemClock()
        self.attempts, self.window = attempts, timedelta(seconds=window_s)
        self.hasher = hasher or PasswordHasher()  # argon2id with argon2-cffi's current parameters
        self.known_units = known_units  # the registry's unit keys: others are refused (None: not checked)
        self.audit = AuditLog(self.engine, lambda: self.clock.now())
        self.acks = AlertAcks(self.engine, lambda: self.clock.now())
        self.actor: tuple[str, str] = ("system", "")  # who changes accounts and tokens (the CLI sets itself)

    @classmethod
    def open(
        cls, settings: Settings, clock: Clock | None = None, known_units: KnownUnits | None = None
    ) -> AccountStore:
        """The store the settings name, with its tables created if they are not there yet."""
        store = cls(
            settings.resolved_auth_store_url,
            clock,
            attempts=settings.sign_in_attempts,
            window_s=settings.sign_in_window_s,
            known_units=known_units,
        )
        store.create()
        return store

    def create(self) -> None:
        """Create the tables and indexes that are missing (safe to run from several processes at once)."""
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CREATE_LOCK})
            for table in metadata.sorted_tables:
                conn.execute(CreateTable(table, if_not_exists=True))
                for index in table.indexes:
                    conn.execute(CreateIndex(index, if_not_exists=True))
            self.audit.protect(conn)

    def dispose(self) -> None:
        self.engine.dispose()
        self.reads.dispose()

    # --- users ----------------------------------------------------------------------------------------
    def add_user(self, login: str, name: str, role: str, units: frozenset[str] | set[str], password: str) -> User:
        key = normal_login(login)
        if (
            key != login.strip().lower()
            or not key
            or not all(c.isascii() and (c.isalnum() or c in "._@-") for c in key)
        ):
            raise AccountError(f"login {login!r}: use 1–{MAX_LOGIN_LENGTH} letters, digits and . _ @ - (no spaces)")
        if key.startswith(SSO_LOGINS):
            raise AccountError(f"login {login!r}: logins starting {SSO_LOGINS!r} belong to the single sign-on's users")
        check_grant(USER, role, units, self.known_units)
        now = self.clock.now()
        row = {
            "login": key,
            "name": name.strip() or key,
            "role": role,
            "units": _units_text(units),
            "password_hash": self._hash(password),
            "disabled": False,
            "session_version": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(users.insert().values(**row))
        except IntegrityError:
            raise AccountError(f"login {key!r} is taken: choose another, or `users reset` it") from None
        self._changed_user(key, f"added as {role}", units)
        return self._existing(key)

    def user(self, login: str) -> User | None:
        return self._user(normal_login(login))

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [self._to_user(row) for row in conn.execute(select(users).order_by(users.c.login)).mappings()]

    def verify_password(self, login: str, password: str, client: str | None = None) -> User | None:
        """The user, when the password is right and the account enabled; else None, and the failure is recorded.
        Raises `SignInLimited` (without checking the password) after too many recent failures for the login
        or from the client address."""
        key, now = normal_login(login), self.clock.now()
        self._check_limit(key, client, now)
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.login == key)).mappings().first()
        stored = row["password_hash"] if row else self._dummy_hash
        right: bool
        try:
            right = self.hasher.verify(stored, password)  # also run for an unknown login: the same time taken
        except (VerificationError, InvalidHashError):
            right = False
        if row is not None and right and not row["disabled"]:
            with self.engine.begin() as conn:
                if self.hasher.check_needs_rehash(stored):
                    hashed = self.hasher.hash(password)
                    conn.execute(update(users).where(users.c.id == row["id"]).values(password_hash=hashed))
                conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.login == key))
            return self._existing(key)
        with self.engine.begin() as conn:
            conn.execute(sign_in_attempts.insert().values(login=key, client=client, at=now))
            conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.at <= now - self.window))
        return None

    def disable_user(self, login: str) -> None:
        """Refuse the user's sign-ins and end every session at its next request."""
        self._change(login, bump=True, disabled=True)
        self._changed_user(login, "disabled")

    def enable_user(self, login: str) -> None:
        self._change(login, bump=False, disabled=False)
        self._changed_user(login, "enabled")

    def reset_password(self, login: str, password: str) -> None:
        """A new password; every session of the user ends. A single sign-on user has none (it signs in there)."""
        if normal_login(login).startswith(SSO_LOGINS):
            raise AccountError(f"{login!r} signs in through the single sign-on: it has no password here to reset")
        self._change(login, bump=True, password_hash=self._hash(password))
        self._changed_user(login, "password reset")

    def set_role(self, login: str, role: str, units: frozenset[str] | set[str]) -> None:
        """A new role and units; every session of the user ends (its next request signs in again)."""
        check_grant(USER, role, units, self.known_units)
        self._change(login, bump=True, role=role, units=_units_text(units))
        self._changed_user(login, f"role {role}", units)

    def session_version(self, user_id: int) -> int | None:
        """The version a session of this user must carry; None when the user is gone or disabled."""
        query = select(users.c.session_version, users.c.disabled).where(users.c.id == user_id)
        row = first_row(self.reads, query)
        return None if row is None or row["disabled"] else int(row["session_version"])

    def session_user(self, user_id: int, version: int) -> User | None:
        """The user a session names, while the account is enabled and the session's version is its current one
        (a disable, role change or password reset bumps it: every older session ends at its next request)."""
        row = first_row(self.reads, select(users).where(users.c.id == user_id))
        if row is None or row["disabled"] or row["session_version"] != version:
            return None
        return self._to_user(row)

    # --- tokens ---------------------------------------------------------------------------------------
    def issue_token(
        self, kind: str, label: str, role: str, units: frozenset[str] | set[str], expires_at: datetime
    ) -> tuple[int, str]:
        """(token id, the token): the token is returned this once; only its sha256 is stored."""
        if kind not in TOKEN_KINDS:
            raise AccountError(f"unknown token kind {kind!r}: choose one of {', '.join(TOKEN_KINDS)}")
        check_grant(TOKEN_KINDS[kind], role, units, self.known_units)
        now = self.clock.now()
        if not label.strip():
            raise AccountError("a token needs a label saying where it is used (e.g. the room of the wall)")
        if expires_at.tzinfo is None or expires_at <= now:
            raise AccountError(f"a token's expiry must be a future, time-zone-aware instant (got {expires_at})")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row: dict[str, Any] = {"kind": kind, "label": label.strip(), "role": role, "units": _units_text(units)}
        row |= {"token_hash": token_hash(token), "created_at": now, "expires_at": expires_at}
        with self.engine.begin() as conn:
            token_id = conn.execute(tokens.insert().values(**row).returning(tokens.c.id)).scalar_one()
        detail = f"issued {kind} as {role}{_units_note(units)}, expires {city_time(expires_at).isoformat(timespec='seconds')}"
        self.audit.record(TOKEN_CHANGED, self.actor, target=f"token:{token_id} {label.strip()}", detail=detail)
        return int(token_id), token

    def verify_token(self, token: str) -> Principal | None:
        """The token's principal while it is neither expired nor revoked; its last use is noted once a minute."""
        if not token or len(token) > 256:
            return None
        now = self.clock.now()
        row = first_row(self.reads, select(tokens).where(tokens.c.token_hash == token_hash(token)))
        if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
            return None
        if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(tokens).where(tokens.c.id == row["id"]).values(last_used_at=now))
            self.audit.record(TOKEN_USE, (TOKEN_KINDS[row["kind"]], f"token:{row['id']}"), target=row["label"])
        units = _units_of(row["units"])
        kind = TOKEN_KINDS[row["kind"]]
        return Principal(kind, f"token:{row['id']}", row["label"], row["role"], units, row["expires_at"])

    def revoke_token(self, token_id: int) -> None:
        """Revoke the token (again: nothing changes); raises `AccountError` for an unknown id."""
        with self.engine.begin() as conn:
            found = conn.execute(select(tokens.c.revoked_at).where(tokens.c.id == token_id)).first()
            if found is None:
                raise AccountError(f"no token {token_id}: see `tokens list`")
            if found.revoked_at is None:
                conn.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=self.clock.now()))
        self.audit.record(TOKEN_CHANGED, self.actor, target=f"token:{token_id}", detail="revoked")

    def list_tokens(self) -> list[TokenInfo]:
        columns = [c for c in tokens.c if c.name != "token_hash"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*columns).order_by(tokens.c.id)).mappings().all()
        return [TokenInfo(**{**row, "units": _units_of(row["units"])}) for row in rows]

    # --- inside ---------------------------------------------------------------------------------------
    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
        return self.hasher.hash(password)

    def _check_limit(self, login: str, client: str | None, now: datetime) -> None:
        since = now - self.window
        with self.engine.connect() as conn:
            for column, value, who in (
                (sign_in_attempts.c.login, login, f"login {login!r}"),
                (sign_in_attempts.c.client, client, f"address {client}"),
            ):
                if value is None:
                    continue
                recent = select(sign_in_attempts.c.at).where(column == value, sign_in_attempts.c.at > since)
                times = conn.execute(recent.order_by(sign_in_attempts.c.at.desc()).limit(self.attempts)).scalars()
                latest = list(times)
                if len(latest) >= self.attempts:
                    raise SignInLimited(who, latest[-1] + self.window)

    def _changed_user(self, login: str, what: str, units: frozenset[str] | set[str] | None = None) -> None:
        detail = what + (_units_note(units) if units is not None else "")
        self.audit.record(USER_CHANGED, self.actor, target=normal_login(login), detail=detail)

    def _change(self, login: str, *, bump: bool, **values: Any) -> None:
        key = normal_login(login)
        values["updated_at"] = self.clock.now()
        if bump:
            values["session_version"] = users.c.session_version + 1
        with self.engine.begin() as conn:
            changed = conn.execute(update(users).where(users.c.login == key).values(**values)).rowcount
        if not changed:
            raise AccountError(f"no user {key!r}: see `users list`")

    def _user(self, key: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.login == key)).mappings().first()
        return None if row is None else self._to_user(row)

    def _existing(self, key: str) -> User:
        found = self._user(key)
        if found is None:
            raise AccountError(f"no user {key!r}: see `users list`")
        return found

    @staticmethod
    def _to_user(row: Any) -> User:
        fields = {name: row[name] for name in User.__dataclass_fields__ if name != "units"}
        return User(**fields, units=_units_of(row["units"]))
