"""`users` and `tokens` on the command line: a round trip through the accounts store, never showing a hash or,
after issue, a token; unknown roles and unit keys refused by name."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.auth.schema import users
from dashboard.auth.store import AccountStore
from dashboard.cli import main

PASSWORD = "correct horse battery"


@pytest.fixture
def run(tmp_path, monkeypatch):
    for name in ("CCHC_AUTH_STORE_URL", "CCHC_UNITS_FILE", "CCHC_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, ["--data-dir", str(tmp_path), *args], input=input)

    return invoke


@pytest.fixture
def accounts(tmp_path):
    store = AccountStore(f"sqlite:///{tmp_path / 'auth.sqlite'}")
    yield store
    store.dispose()


def test_users_add_list_disable_enable_reset(run, accounts):
    added = run(
        "users", "add", "an", "--role", "unit_head", "--unit", "quan-1", "--unit", "quan-3",
        "--name", "Nguyễn Văn An", "--password-stdin", input=f"{PASSWORD}\n",
    )  # fmt: skip
    assert (added.exit_code, added.output) == (0, "User an added: role unit_head, units quan-1, quan-3.\n")
    assert accounts.verify_password("an", PASSWORD) is not None
    with accounts.engine.connect() as conn:
        stored_hash = conn.execute(select(users.c.password_hash)).scalar_one()
    listed = run("users", "list")
    assert listed.exit_code == 0
    assert listed.output.split() == ["an", "unit_head", "enabled", "quan-1,quan-3", "Nguyễn", "Văn", "An"]
    assert stored_hash not in listed.output and "$argon2" not in listed.output

    assert run("users", "disable", "an").output == "User an disabled: their sessions end at their next request.\n"
    assert run("users", "list").output.split()[2] == "disabled"
    assert accounts.verify_password("an", PASSWORD) is None
    reset = run("users", "reset", "an", "--password-stdin", input="a new long password\n")
    assert (reset.exit_code, reset.output) == (0, "Password of an reset: their sessions end at their next request.\n")
    assert run("users", "enable", "an").output == "User an enabled.\n"
    assert accounts.verify_password("an", "a new long password") is not None
    role = run("users", "role", "an", "--role", "leader")
    assert (role.exit_code, role.output) == (
        0,
        "User an now has role leader: their sessions end at their next request.\n",
    )
    assert accounts.user("an").session_version == 4  # disable, reset, role


def test_the_password_is_asked_twice_hidden(run, accounts):
    result = run("users", "add", "binh", "--role", "leader", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert accounts.verify_password("binh", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "an", "--role", "mayor"), "Error: unknown role 'mayor': choose one of leader, unit_head,"),
        (("users", "add", "an", "--role", "unit_staff", "--unit", "quan-99"), "Error: unknown unit key 'quan-99'"),
        (("users", "add", "an", "--role", "unit_staff"), "Error: role 'unit_staff' sees drill-through for its own"),
        (("users", "disable", "nobody"), "Error: no user 'nobody': see `users list`"),
        (("tokens", "issue", "--kind", "api", "--label", "x", "--role", "mayor"), "Error: unknown role 'mayor'"),
        (("tokens", "issue", "--kind", "kiosk", "--label", "x", "--role", "leader"), "Error: role 'leader' cannot be"),
        (
            ("tokens", "issue", "--kind", "api", "--label", "x", "--unit", "quan-99"),
            "Error: unknown unit key 'quan-99'",
        ),
        (("tokens", "revoke", "99"), "Error: no token 99: see `tokens list`"),
    ],
)
def test_what_makes_no_sense_exits_1_naming_it(run, args, message):
    result = run(*args, "--password-stdin", input=f"{PASSWORD}\n") if args[1] == "add" else run(*args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output


def test_a_token_is_printed_once_and_never_listed(run, accounts):
    issued = run("tokens", "issue", "--kind", "kiosk", "--label", "Phòng điều hành tầng 3", "--days", "30")
    assert issued.exit_code == 0, issued.output
    first, token = issued.output.splitlines()
    assert first.startswith("Token 1 (kiosk, 'Phòng điều hành tầng 3') expires ")
    assert first.endswith(". Shown this once, never stored:")
    wall = accounts.verify_token(token)
    assert (wall.kind, wall.label, wall.role) == ("kiosk", "Phòng điều hành tầng 3", "kiosk")

    listed = run("tokens", "list")
    assert listed.exit_code == 0
    assert token not in listed.output and hashlib.sha256(token.encode()).hexdigest() not in listed.output
    assert listed.output.split()[:5] == ["1", "kiosk", "active", "kiosk", "-"]
    assert listed.output.rstrip().endswith("Phòng điều hành tầng 3")

    assert run("tokens", "revoke", "1").output == "Token 1 revoked.\n"
    assert run("tokens", "list").output.split()[2] == "revoked"
    assert accounts.verify_token(token) is None


def test_an_api_token_defaults_to_the_api_reader(run, accounts):
    issued = run("tokens", "issue", "--kind", "api", "--label", "Cổng dữ liệu", "--unit", "quan-1")
    assert issued.exit_code == 0, issued.output
    reader = accounts.verify_token(issued.output.splitlines()[-1])
    assert (reader.kind, reader.role, reader.units) == ("api_token", "api_reader", frozenset({"quan-1"}))


def test_empty_lists_say_what_to_do(run):
    assert run("users", "list").output == "No users yet: add one with `users add LOGIN --role ROLE`.\n"
    assert run("tokens", "list").output == "No tokens yet: issue one with `tokens issue --kind kiosk --label TEXT`.\n"
