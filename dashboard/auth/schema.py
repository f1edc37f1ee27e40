"""The accounts' tables (SQLAlchemy Core), apart from the central store's: users, tokens, failed sign-ins, audit.

Created by `AccountStore.create` (missing tables and indexes only). Timestamps are `UTCDateTime`: stored in UTC,
handed back aware.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

from dashboard.core.sqltypes import UTCDateTime

MAX_LOGIN_LENGTH = 64


metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_N_name)s", "pk": "pk_%(table_name)s"})
users = Table(
    "auth_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(MAX_LOGIN_LENGTH), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("units", Text, nullable=False),  # comma-separated unit keys, sorted
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("session_version", Integer, nullable=False),  # bumped to end every session of the user
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
tokens = Table(
    "auth_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("label", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("units", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex; the token itself is never stored
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
)
sign_in_attempts = Table(  # failed sign-ins only, kept for the rate limit's window
    "auth_sign_in_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(MAX_LOGIN_LENGTH)),
    Column("client", String(64)),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "login", "at"),
    Index(None, "client", "at"),
    Index(None, "at"),
)
audit = Table(  # append-only: rows are added, and removed only by the retention's purge (never changed)
    "auth_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_kind", String(16), nullable=False),  # user, kiosk, api_token, anonymous, cli, system
    Column("actor", String(128), nullable=False),  # login, token:<id>, cli:<os user>, or "" for nobody
    Column("action", String(48), nullable=False),  # sign_in, sign_in_failed, drill_read, export, … (audit.py)
    Column("outcome", String(16), nullable=False),  # ok, refused, failed
    Column("target", String(512), nullable=False),  # the path, unit, list, file or account it was about
    Column("client", String(64)),  # the client's address (behind `trusted_proxies`, the real one)
    Column("detail", String(512), nullable=False),
    Index(None, "at"),
    Index(None, "actor", "at"),
    Index(None, "action", "at"),
)
alert_acks = Table(  # who acknowledged which of the writer's alerts (its ledger id in the store), once each
    "auth_alert_acks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ledger_id", Integer, nullable=False, unique=True),
    Column("by_id", String(128), nullable=False),  # login or token:<id>
    Column("by_name", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
