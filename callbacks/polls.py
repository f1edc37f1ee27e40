"""A page's unchanged poll answered before its callback: the league's and the home page's refresh, when the viewer
shows the newest key already (the common poll, every `refresh_ms` for every viewer), is answered with nothing to
send — without the callback, the figures or the cache (`dashboard.web.ready`). Any other poll goes to the callback.
The wall's and the tile's refreshes go further (`callbacks.wall`, `callbacks.unit`: their answers are shared).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.core.cache import UNCHANGED
from dashboard.pages.common import current_key
from dashboard.pages.overview import overview_key
from dashboard.services import Services
from layouts.ids import HomeIds, LeagueIds, OverviewIds


def request_values(body: dict[str, Any], group: str) -> dict[str, Any]:
    """The values of a callback request's inputs or states, by id (a plain id's)."""
    return {item.get("id"): item.get("value") for item in body.get(group) or () if isinstance(item.get("id"), str)}


def request_value(body: dict[str, Any], group: str, id_: str, prop: str) -> Any:
    """The value of one input or state of a callback request, by id and property (an address's pathname or
    search)."""
    found = (item for item in body.get(group) or () if item.get("id") == id_ and item.get("property") == prop)
    return next((item.get("value") for item in found), None)


@dataclass(frozen=True)
class Poll:
    """A page's refresh: driven by its `interval`, the key it shows in `seen`; `key(services, inputs)` the key a
    refresh would show now (the data version as polled: `pages.common.polled_version`)."""

    interval: str
    seen: str
    key: Callable[[Services, dict[str, Any]], list[Any]]

    def matches(self, body: dict[str, Any]) -> bool:
        return self.interval in request_values(body, "inputs") and self.seen in request_values(body, "state")

    def identity(self, services: Services) -> Callable[[dict[str, Any]], str | None]:
        """`UNCHANGED` when the viewer shows the newest key already; else None: the callback answers."""

        def identity(body: dict[str, Any]) -> str | None:
            shown = request_values(body, "state").get(self.seen)
            return UNCHANGED if self.key(services, request_values(body, "inputs")) == shown else None

        return identity


POLLS = (  # the tile's: `callbacks.unit.ready_identity` (its answers are shared too)
    Poll(LeagueIds.INTERVAL, LeagueIds.SEEN, lambda services, _inputs: current_key(services)),
    Poll(
        OverviewIds.INTERVAL,
        OverviewIds.SEEN,
        lambda services, inputs: overview_key(services, inputs.get(HomeIds.PERIODS)),
    ),
)
