"""The `users` and `tokens` commands: local accounts, and kiosk and API tokens, in the accounts store (real time).

A token is printed once, when issued; neither a token nor a password hash is ever listed."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

import click

from dashboard.auth.errors import AuthError
from dashboard.auth.roles import API_READER, KIOSK_ROLE, ROLES
from dashboard.auth.store import TOKEN_KINDS, AccountStore
from dashboard.core.clock import SystemClock, city_time
from dashboard.core.errors import ConfigError
from dashboard.core.reference import load_units
from dashboard.core.settings import Settings

DEFAULT_ROLE = {"kiosk": KIOSK_ROLE, "api": API_READER}
ROLE_HELP = f"One of {', '.join(ROLES)}."


class _Obj(Protocol):  # dashboard.cli.Context
    def settings(self, **overrides: Any) -> Settings: ...


@contextmanager
def _accounts(obj: _Obj) -> Iterator[AccountStore]:
    """The accounts store the settings name (its tables created), checking unit keys against the registry;
    errors become one clear line and exit status 1."""
    try:
        settings = obj.settings()
        registry = frozenset(unit["key"] for unit in load_units(settings.units_file))
        accounts = AccountStore.open(settings, SystemClock(), known_units=registry)
        accounts.actor = ("cli", f"cli:{getpass.getuser()}")  # who made each change, in the audit log
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield accounts
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        accounts.dispose()


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{city_time(moment):%d/%m/%Y %H:%M}"


unit_option = click.option("--unit", "units", multiple=True, metavar="KEY", help="A unit key (repeat for more).")
stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin instead of asking."
)


@click.group()
def users() -> None:
    """Local accounts: add, disable, enable, reset, role, list (changes end the user's sessions at once)."""


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, help=ROLE_HELP)
@unit_option
@click.option("--name", default="", help="The name shown on the pages [default: the login].")
@stdin_option
@click.pass_obj
def add_user(obj: _Obj, login: str, role: str, units: tuple[str, ...], name: str, password_stdin: bool) -> None:
    """Add a user who signs in with LOGIN and a password (asked twice, hidden)."""
    with _accounts(obj) as accounts:
        user = accounts.add_user(login, name, role, set(units), _new_password(password_stdin))
    scope = f", units {', '.join(sorted(user.units))}" if user.units else ""
    click.echo(f"User {user.login} added: role {user.role}{scope}.")


@users.command("disable")
@click.argument("login")
@click.pass_obj
def disable_user(obj: _Obj, login: str) -> None:
    """Refuse LOGIN's sign-ins and end their sessions at their next request."""
    with _accounts(obj) as accounts:
        accounts.disable_user(login)
    click.echo(f"User {login} disabled: their sessions end at their next request.")


@users.command("enable")
@click.argument("login")
@click.pass_obj
def enable_user(obj: _Obj, login: str) -> None:
    """Let a disabled LOGIN sign in again."""
    with _accounts(obj) as accounts:
        accounts.enable_user(login)
    click.echo(f"User {login} enabled.")


@users.command("reset")
@click.argument("login")
@stdin_option
@click.pass_obj
def reset_user(obj: _Obj, login: str, password_stdin: bool) -> None:
    """Give LOGIN a new password; their sessions end."""
    with _accounts(obj) as accounts:
        accounts.reset_password(login, _new_password(password_stdin))
    click.echo(f"Password of {login} reset: their sessions end at their next request.")


@users.command("role")
@click.argument("login")
@click.option("--role", required=True, help=ROLE_HELP)
@unit_option
@click.pass_obj
def set_role(obj: _Obj, login: str, role: str, units: tuple[str, ...]) -> None:
    """Give LOGIN another role and units; their sessions end."""
    with _accounts(obj) as accounts:
        accounts.set_role(login, role, set(units))
    click.echo(f"User {login} now has role {role}: their sessions end at their next request.")


@users.command("list")
@click.pass_obj
def list_users(obj: _Obj) -> None:
    """Every user: login, role, state, units, name (never a password hash)."""
    with _accounts(obj) as accounts:
        found = accounts.list_users()
    for user in found:
        state = "disabled" if user.disabled else "enabled"
        units = ",".join(sorted(user.units)) or "-"
        click.echo(f"{user.login:<24} {user.role:<15} {state:<9} {units:<20} {user.name}")
    if not found:
        click.echo("No users yet: add one with `users add LOGIN --role ROLE`.")


@click.group()
def tokens() -> None:
    """Kiosk tokens for the wall and read-only API tokens: issue, revoke, list."""


@tokens.command("issue")
@click.option("--kind", type=click.Choice(list(TOKEN_KINDS)), required=True, help="kiosk: the wall; api: the API.")
@click.option("--label", required=True, help='Where it is used, e.g. "Phòng điều hành tầng 3".')
@click.option("--role", default=None, help=f"{ROLE_HELP} [default: kiosk for kiosk, api_reader for api].")
@unit_option
@click.option("--days", default=90, show_default=True, type=click.IntRange(min=1), help="Days until it expires.")
@click.option(
    "--url",
    "base_url",
    default=None,
    metavar="URL",
    help="The pages' address, to print a kiosk's wall address with it.",
)
@click.pass_obj
def issue_token(
    obj: _Obj, kind: str, label: str, role: str | None, units: tuple[str, ...], days: int, base_url: str | None
) -> None:
    """Issue a token and print it, this once: only its sha256 is kept. A kiosk's wall opens at
    <URL>/wall?token=<token>; the token leaves the address at the first visit (kept in an httpOnly cookie)."""
    with _accounts(obj) as accounts:
        expires_at = accounts.clock.now() + timedelta(days=days)
        token_id, token = accounts.issue_token(kind, label, role or DEFAULT_ROLE[kind], set(units), expires_at)
    click.echo(f"Token {token_id} ({kind}, {label!r}) expires {_when(expires_at)}. Shown this once, never stored:")
    click.echo(token)
    if kind == "kiosk" and base_url:
        click.echo(f"Wall address: {base_url.rstrip('/')}/wall?token={token}")


@tokens.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@click.pass_obj
def revoke_token(obj: _Obj, token_id: int) -> None:
    """Revoke token ID: it stops working at its next use."""
    with _accounts(obj) as accounts:
        accounts.revoke_token(token_id)
    click.echo(f"Token {token_id} revoked.")


@tokens.command("list")
@click.pass_obj
def list_tokens(obj: _Obj) -> None:
    """Every token: id, kind, state, role, units, expiry, last use, label (never the token or its hash)."""
    with _accounts(obj) as accounts:
        found, now = accounts.list_tokens(), accounts.clock.now()
    for token in found:
        state = "revoked" if token.revoked_at else "expired" if token.expires_at <= now else "active"
        units = ",".join(sorted(token.units)) or "-"
        click.echo(
            f"{token.id:>4} {token.kind:<6} {state:<8} {token.role:<11} {units:<16} expires {_when(token.expires_at)}"
            f"  last used {_when(token.last_used_at)}  {token.label}"
        )
    if not found:
        click.echo("No tokens yet: issue one with `tokens issue --kind kiosk --label TEXT`.")
