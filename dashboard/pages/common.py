"""What every page model shares: the key its figures are cached under, and the checks of values from outside."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs

from dashboard.core.clock import CITY_TZ, city_time
from dashboard.core.errors import ParameterError, PeriodError
from dashboard.core.periods import check_period
from dashboard.services import Services


def check_choice(parameter: str, value: str, allowed: tuple[str, ...]) -> str:
    """`value` when it is one of `allowed`, else a `ParameterError` naming `parameter`."""
    if value not in allowed:
        raise ParameterError(parameter, f"unknown {parameter} {value!r}: use one of {', '.join(allowed)}")
    return value


def checked_period(value: str) -> str:
    """A named period or a custom range `YYYY-MM-DD..YYYY-MM-DD`, else a `ParameterError` naming `period`."""
    try:
        return check_period(value)
    except PeriodError as error:
        raise ParameterError("period", str(error)) from None


def period_or_default(value: str | None, default: str) -> str:
    """A period from a page's address: the one asked for when valid, else `default` (a typo never blanks a page)."""
    try:
        return check_period(value or default)
    except PeriodError:
        return default


def parse_as_of(value: str | None, now: datetime) -> datetime | None:
    """An `as_of` from outside: an instant in ISO 8601 (with its offset, or else in Asia/Ho_Chi_Minh), or a day
    `YYYY-MM-DD` meaning the end of that day (24:00), capped at now; None when not given. A `ParameterError`
    for anything else or for a time after now."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(0), CITY_TZ)
            return min(moment, now)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ParameterError(
            "as_of", f"as_of {value!r}: give a day YYYY-MM-DD or an instant such as 2026-11-30T17:00:00+07:00"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=CITY_TZ)
    if moment > now:
        raise ParameterError("as_of", f"as_of {value!r} is after now ({city_time(now):%d/%m/%Y %H:%M}): no figures yet")
    return moment


def page_as_of(search: str | None, now: datetime) -> datetime | None:
    """A page's `?as_of=` (as `parse_as_of`); None (now) when missing or not valid (a typo never blanks a page)."""
    value = (parse_qs((search or "").lstrip("?")).get("as_of") or [""])[0]
    try:
        return parse_as_of(value, now)
    except ParameterError:
        return None


def check_unit(services: Services, unit: str) -> dict[str, Any]:
    """The reference row of unit `unit`, or a `ParameterError` naming the parameter `unit`."""
    found = next((row for row in services.store.units() if row["key"] == unit), None)
    if found is None:
        raise ParameterError("unit", f"unknown unit {unit!r}: see /api/v1/units for the unit keys")
    return found


def view_key(version: int, as_of: datetime) -> list[Any]:
    """What a page shows depends on: the data version and the minute (for lags and the as-of time)."""
    return [version, city_time(as_of).strftime("%Y-%m-%dT%H:%M")]


def polled_version(services: Services) -> int:
    """The store's data version as a page's poll reads it: at most every `version_check_ms` by this process, however
    many viewers poll (at once after this process wrote: `store/versions.py`)."""
    return services.store.versions.version(services.settings.version_check_ms / 1000)


def current_key(services: Services) -> list[Any]:
    """The view key now (the data version as polled: `polled_version`)."""
    return view_key(polled_version(services), services.clock.now())
