"""The accounts store on SQLite and PostgreSQL: argon2id passwords, the sign-in limit, session versions, hashed
tokens with expiry and revocation — every time from an injected clock."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dashboard.auth.errors import AccountError, SignInLimited
from dashboard.auth.roles import (
    API_TOKEN,
    KIOSK,
    KIOSK_ROLE,
    LEADER,
    UNIT_HEAD,
    UNIT_STAFF,
    VIEW_DRILL,
    VIEW_WALL,
    Principal,
    allowed,
)
from dashboard.auth.schema import sign_in_attempts, tokens, users
from dashboard.auth.store import AccountStore
from dashboard.core.settings import Settings

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # cheap parameters, for speed
PASSWORD = "correct horse battery"
UNITS = frozenset({"quan-1", "quan-3"})
MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'auth.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def accounts(url, clock):
    store = AccountStore(url, clock, hasher=FAST, known_units=UNITS)
    store.create()
    store.create()  # twice: only what is missing is created
    yield store
    store.dispose()


@pytest.fixture
def an(accounts):
    return accounts.add_user("an", "Nguyễn Văn An", UNIT_HEAD, {"quan-1"}, PASSWORD)


def stored(accounts, table):
    with accounts.engine.connect() as conn:
        return [dict(row) for row in conn.execute(select(table)).mappings()]


def test_the_right_password_signs_in_and_a_wrong_one_does_not(accounts, an, clock):
    user = accounts.verify_password("an", PASSWORD, "10.0.0.1")
    assert (user.login, user.name, user.role, user.units, user.disabled) == (
        "an",
        "Nguyễn Văn An",
        UNIT_HEAD,
        frozenset({"quan-1"}),
        False,
    )
    assert user.created_at == user.updated_at == clock.now()
    assert user.principal() == Principal("user", "an", "Nguyễn Văn An", UNIT_HEAD, frozenset({"quan-1"}))
    assert accounts.verify_password(" AN ", PASSWORD) == user  # logins are case- and space-insensitive
    assert accounts.verify_password("an", PASSWORD + "!") is None
    assert accounts.verify_password("an", "") is None
    assert accounts.verify_password("binh", PASSWORD) is None  # no such user
    assert [(r["login"], r["client"]) for r in stored(accounts, sign_in_attempts)] == [
        ("an", None),
        ("an", None),
        ("binh", None),
    ]


def test_the_hash_is_argon2id_and_never_the_password(url, clock):
    accounts = AccountStore(url, clock)  # argon2-cffi's own parameters
    accounts.create()
    accounts.add_user("an", "", LEADER, set(), PASSWORD)
    (row,) = stored(accounts, users)
    assert row["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in str(row)
    assert row["name"] == "an"  # no name given: the login
    assert accounts.verify_password("an", PASSWORD) is not None
    accounts.dispose()


def test_a_hash_with_old_parameters_is_rehashed_at_sign_in_without_ending_sessions(accounts, an, url, clock):
    assert stored(accounts, users)[0]["password_hash"].startswith("$argon2id$v=19$m=8,t=1,p=1$")
    current = AccountStore(url, clock)  # the parameters changed (argon2-cffi's defaults)
    assert current.verify_password("an", PASSWORD) is not None
    assert stored(accounts, users)[0]["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert current.session_version(an.id) == 1
    assert current.verify_password("an", PASSWORD) is not None
    current.dispose()


def test_the_sixth_attempt_is_refused_even_with_the_right_password_until_the_window_passes(accounts, an, clock):
    start = clock.now()
    for _ in range(5):
        assert accounts.verify_password("an", "wrong password", "10.0.0.1") is None
        clock.advance(MINUTE)
    with pytest.raises(SignInLimited) as caught:  # 5 failures at 09:00 … 09:04; now 09:05
        accounts.verify_password("an", PASSWORD, "10.0.0.2")
    assert caught.value.retry_at == start + timedelta(minutes=15)
    assert (
        str(caught.value)
        == "too many failed sign-ins for login 'an': try again after 09:15:00 27/11/2019 (Asia/Ho_Chi_Minh)"
    )
    assert len(stored(accounts, sign_in_attempts)) == 5  # a refused attempt is not counted: the wait does not grow
    clock.set(start + timedelta(minutes=15) - timedelta(seconds=1))
    with pytest.raises(SignInLimited):
        accounts.verify_password("an", PASSWORD, "10.0.0.2")
    clock.set(start + timedelta(minutes=15))  # the first failure has left the window
    assert accounts.verify_password("an", PASSWORD, "10.0.0.2") == an


def test_the_limit_counts_failures_from_one_address_across_logins(accounts, an):
    for login in ("a1", "a2", "a3", "a4", "a5"):
        assert accounts.verify_password(login, "guess guess", "10.0.0.9") is None
    with pytest.raises(SignInLimited, match="for address 10.0.0.9: try again after 09:15:00"):
        accounts.verify_password("an", PASSWORD, "10.0.0.9")
    assert accounts.verify_password("an", PASSWORD, "10.0.0.1") == an  # from elsewhere: allowed


def test_a_sign_in_clears_the_logins_failures(accounts, an):
    for _ in range(4):
        accounts.verify_password("an", "wrong password", "10.0.0.1")
    assert accounts.verify_password("an", PASSWORD, "10.0.0.1") == an
    for _ in range(4):
        accounts.verify_password("an", "wrong password", "10.0.0.2")
    assert accounts.verify_password("an", PASSWORD, "10.0.0.3") == an  # 4 failures since, not 8


def test_old_failures_are_pruned(accounts, clock):
    accounts.verify_password("x", "wrong password")
    clock.advance(timedelta(minutes=15))
    accounts.verify_password("y", "wrong password")
    assert [r["login"] for r in stored(accounts, sign_in_attempts)] == ["y"]


def test_disabling_a_user_refuses_sign_in_and_ends_their_sessions(accounts, an):
    assert accounts.session_version(an.id) == 1
    accounts.disable_user("an")
    assert accounts.session_version(an.id) is None  # a session checked now finds no valid version
    assert accounts.verify_password("an", PASSWORD) is None
    accounts.enable_user("an")
    assert accounts.session_version(an.id) == 2  # the sessions from before the disabling stay ended
    assert accounts.verify_password("an", PASSWORD) is not None
    assert accounts.session_version(999) is None


def test_a_role_change_and_a_password_reset_end_the_users_sessions(accounts, an, clock):
    clock.advance(MINUTE)
    accounts.set_role("an", UNIT_STAFF, {"quan-1", "quan-3"})
    changed = accounts.user("an")
    assert (changed.role, changed.units, changed.session_version) == (UNIT_STAFF, UNITS, 2)
    assert changed.updated_at == clock.now() != changed.created_at
    accounts.reset_password("an", "a new long password")
    assert accounts.session_version(an.id) == 3
    assert accounts.verify_password("an", PASSWORD) is None
    assert accounts.verify_password("an", "a new long password") is not None
    assert [u.login for u in accounts.list_users()] == ["an"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.add_user("an", "", LEADER, set(), PASSWORD), "login 'an' is taken"),
        (lambda a: a.add_user("bình", "", LEADER, set(), PASSWORD), "login 'bình': use 1–64 letters"),
        (lambda a: a.add_user("c d", "", LEADER, set(), PASSWORD), "login 'c d': use 1–64 letters"),
        (lambda a: a.add_user("c", "", "mayor", set(), PASSWORD), "unknown role 'mayor'"),
        (lambda a: a.add_user("c", "", UNIT_HEAD, {"quan-99"}, PASSWORD), "unknown unit key 'quan-99'"),
        (lambda a: a.add_user("c", "", LEADER, set(), "short"), "the password is too short"),
        (lambda a: a.set_role("an", KIOSK_ROLE, set()), "role 'kiosk' cannot be held by a user"),
        (lambda a: a.disable_user("nobody"), "no user 'nobody'"),
        (lambda a: a.reset_password("nobody", PASSWORD), "no user 'nobody'"),
    ],
)
def test_account_changes_that_make_no_sense_are_refused(accounts, an, call, message):
    with pytest.raises(AccountError, match=message):
        call(accounts)
    assert [(u.login, u.role, u.session_version) for u in accounts.list_users()] == [("an", UNIT_HEAD, 1)]


def test_a_token_is_stored_only_as_its_sha256(accounts, clock):
    token_id, token = accounts.issue_token(
        "kiosk", "Phòng điều hành tầng 3", KIOSK_ROLE, set(), clock.now() + 30 * 24 * 60 * MINUTE
    )
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    (row,) = stored(accounts, tokens)
    assert row["id"] == token_id
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)
    second = accounts.issue_token("kiosk", "Phòng họp", KIOSK_ROLE, set(), clock.now() + MINUTE)[1]
    assert second != token


def test_a_kiosk_token_works_until_it_expires(accounts, clock):
    expires = clock.now() + timedelta(days=1)
    token_id, token = accounts.issue_token("kiosk", "Phòng điều hành tầng 3", KIOSK_ROLE, set(), expires)
    wall = accounts.verify_token(token)
    assert wall == Principal(KIOSK, f"token:{token_id}", "Phòng điều hành tầng 3", KIOSK_ROLE, frozenset(), expires)
    assert allowed(wall, VIEW_WALL) and not allowed(wall, VIEW_DRILL, "quan-1")
    clock.set(expires - timedelta(seconds=1))
    assert accounts.verify_token(token) == wall
    clock.set(expires)
    assert accounts.verify_token(token) is None
    (listed,) = accounts.list_tokens()
    assert (listed.id, listed.kind, listed.expires_at, listed.revoked_at) == (token_id, "kiosk", expires, None)


def test_a_revoked_token_stops_at_its_next_use(accounts, clock):
    token_id, token = accounts.issue_token(
        "api", "Cổng dữ liệu", UNIT_HEAD, {"quan-1"}, clock.now() + timedelta(days=9)
    )
    reader = accounts.verify_token(token)
    assert reader == Principal(
        API_TOKEN,
        f"token:{token_id}",
        "Cổng dữ liệu",
        UNIT_HEAD,
        frozenset({"quan-1"}),
        clock.now() + timedelta(days=9),
    )
    assert allowed(reader, VIEW_DRILL, "quan-1") and not allowed(reader, VIEW_DRILL, "quan-3")
    clock.advance(MINUTE)
    accounts.revoke_token(token_id)
    assert accounts.verify_token(token) is None
    accounts.revoke_token(token_id)  # again: it stays revoked when it was
    assert accounts.list_tokens()[0].revoked_at == clock.now()
    with pytest.raises(AccountError, match="no token 999"):
        accounts.revoke_token(999)


def test_a_tokens_last_use_is_written_at_most_once_a_minute(accounts, clock):
    start = clock.now()
    _, token = accounts.issue_token("kiosk", "Tầng 3", KIOSK_ROLE, set(), start + timedelta(days=1))
    assert accounts.list_tokens()[0].last_used_at is None
    accounts.verify_token(token)
    clock.advance(timedelta(seconds=59))
    accounts.verify_token(token)
    assert accounts.list_tokens()[0].last_used_at == start
    clock.advance(timedelta(seconds=1))
    accounts.verify_token(token)
    assert accounts.list_tokens()[0].last_used_at == start + MINUTE


def test_forged_and_unknown_tokens_are_refused(accounts, clock):
    _, token = accounts.issue_token("kiosk", "Tầng 3", KIOSK_ROLE, set(), clock.now() + timedelta(days=1))
    for forged in ("", "x", token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "a" * 10_000):
        assert accounts.verify_token(forged) is None
    assert accounts.verify_token(token) is not None


def test_the_token_list_never_shows_a_token_or_its_hash(accounts, clock):
    _, token = accounts.issue_token("kiosk", "Tầng 3", KIOSK_ROLE, set(), clock.now() + timedelta(days=1))
    listed = repr(accounts.list_tokens())
    assert token not in listed and hashlib.sha256(token.encode()).hexdigest() not in listed
    assert "token_hash" not in listed


@pytest.mark.parametrize(
    ("kind", "role", "units", "days", "message"),
    [
        ("badge", KIOSK_ROLE, set(), 1, "unknown token kind 'badge': choose one of kiosk, api"),
        ("kiosk", LEADER, set(), 1, "role 'leader' cannot be held by a kiosk"),
        ("api", KIOSK_ROLE, set(), 1, "role 'kiosk' cannot be held by an API token"),
        ("api", UNIT_HEAD, {"quan-99"}, 1, "unknown unit key 'quan-99'"),
        ("kiosk", KIOSK_ROLE, set(), 0, "a token's expiry must be a future"),
    ],
)
def test_tokens_that_make_no_sense_are_not_issued(accounts, clock, kind, role, units, days, message):
    with pytest.raises(AccountError, match=message):
        accounts.issue_token(kind, "Tầng 3", role, units, clock.now() + timedelta(days=days))
    assert accounts.list_tokens() == []


def test_the_accounts_live_in_their_own_file_apart_from_the_store(tmp_path, clock):
    settings = Settings(data_dir=tmp_path / "data", sign_in_attempts=2)
    assert settings.resolved_auth_store_url == f"sqlite:///{(tmp_path / 'data' / 'auth.sqlite').resolve()}"
    assert settings.resolved_auth_store_url != settings.resolved_store_url
    accounts = AccountStore.open(settings, clock)
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if p.suffix == ".sqlite") == ["auth.sqlite"]
    accounts.add_user("an", "", LEADER, set(), PASSWORD)  # no registry given: units are not checked here
    accounts.verify_password("an", "wrong password")
    accounts.verify_password("an", "wrong password")
    with pytest.raises(SignInLimited):  # the setting's limit: 2
        accounts.verify_password("an", PASSWORD)
    accounts.dispose()


def test_logins_of_the_single_sign_on_take_no_password(accounts):
    with pytest.raises(AccountError, match="belong to the single sign-on's users"):
        accounts.add_user("sso.abc", "Giả mạo", LEADER, set(), PASSWORD)
    with pytest.raises(AccountError, match="signs in through the single sign-on: it has no password here"):
        accounts.reset_password("sso.abc", PASSWORD)
