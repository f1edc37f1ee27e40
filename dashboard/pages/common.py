"""What every page model shares: the key its figures are cached under, and the checks of values from outside."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboard.core.clock import city_time
from dashboard.core.errors import ParameterError
from dashboard.services import Services


def check_choice(parameter: str, value: str, allowed: tuple[str, ...]) -> str:
    """`value` when it is one of `allowed`, else a `ParameterError` naming `parameter`."""
    if value not in allowed:
        raise ParameterError(parameter, f"unknown {parameter} {value!r}: use one of {', '.join(allowed)}")
    return value


def check_unit(services: Services, unit: str) -> dict[str, Any]:
    """The reference row of unit `unit`, or a `ParameterError` naming the parameter `unit`."""
    found = next((row for row in services.store.units() if row["key"] == unit), None)
    if found is None:
        raise ParameterError("unit", f"unknown unit {unit!r}: see /api/v1/units for the unit keys")
    return found


def view_key(version: int, as_of: datetime) -> list[Any]:
    """What a page shows depends on: the data version and the minute (for lags and the as-of time)."""
    return [version, city_time(as_of).strftime("%Y-%m-%dT%H:%M")]


def current_key(services: Services) -> list[Any]:
    """The view key now."""
    return view_key(services.store.data_version()[0], services.clock.now())
