"""The accounts' errors, a branch of `dashboard.core.errors.PulseError`; each message names the login, role,
unit or token at fault and what to do.

    PulseError
    └── AuthError          an account, token or sign-in cannot be used as asked
        ├── AccountError   an unknown login, role, unit or token; a role given to the wrong holder; a weak password
        └── SignInLimited  too many failed sign-ins for a login or from an address: says when to try again
"""

from __future__ import annotations

from datetime import datetime

from dashboard.core.clock import city_time
from dashboard.core.errors import PulseError


class AuthError(PulseError):
    """The root of the accounts' errors."""


class AccountError(AuthError, ValueError):
    """An account or token cannot be made or changed as asked; the message names what and why."""


class SignInLimited(AuthError, PermissionError):
    """Sign-in refused without checking the password: too many recent failures for this login or address."""

    def __init__(self, who: str, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            f"too many failed sign-ins for {who}: try again after {city_time(retry_at):%H:%M:%S %d/%m/%Y}"
            " (Asia/Ho_Chi_Minh)"
        )
