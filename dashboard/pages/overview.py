"""The city overview's model: the city's headline figures and each source's freshness at one instant, computed
once per (data version, minute) and shared through the cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.core.cache import Cache, cached
from dashboard.metrics.freshness import SourceFreshness
from dashboard.metrics.kpis import CityOverview
from dashboard.pages.freshness import source_freshness
from dashboard.pages.kpis import current_city_overview
from dashboard.services import Services


@dataclass(frozen=True)
class OverviewView:
    overview: CityOverview
    sources: tuple[SourceFreshness, ...]


def overview_view(services: Services) -> OverviewView:
    """The city's figures over the default period and every source's freshness, now."""
    as_of = services.clock.now()
    sources = source_freshness(services.store, services.sources, as_of, services.settings.stale_factor)
    return OverviewView(current_city_overview(services.store, services.calendar, as_of), tuple(sources))


def overview_data(services: Services, cache: Cache, key: list[Any]) -> OverviewView:
    """`overview_view`, shared through the cache per (version, minute)."""
    return cached(cache, f"overview:{key[0]}:{key[1]}", lambda: overview_view(services))
