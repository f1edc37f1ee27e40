"""What the app and the workers share: settings, the store, the clock, the sources and the calendar.

Built once per process by `Services.build(settings)`; tests build their own with a fixed clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from dashboard.auth.store import AccountStore
from dashboard.core.clock import Clock, SystemClock
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.settings import Settings
from dashboard.core.workdays import WorkCalendar
from dashboard.ingest.sources_file import SourceConfig, load_sources
from dashboard.metrics.service_index import Commitments, IndexConfig, load_commitments, load_index_config
from dashboard.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    sources: list[SourceConfig] = field(default_factory=list)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.from_yaml)
    index_config: IndexConfig = field(default_factory=load_index_config)
    commitments: Commitments = field(default_factory=load_commitments)
    # Real time, for the writer lease only: `clock` may run faster or in another year (the demo, tests).
    wall_clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> Services:
        """Open the store (migrated and seeded with the reference data) and read the sources file if present."""
        store = Store(settings.resolved_store_url)
        if migrate:
            store.migrate()
            registry = load_units(settings.units_file, settings.unit_points_file)
            store.seed_reference(registry, load_procedures(settings.procedures_file))
        sources_file = settings.resolved_sources_file
        units = {u["key"] for u in store.units()}
        sources = load_sources(sources_file, units) if sources_file.exists() else []
        return cls(
            settings=settings,
            store=store,
            clock=clock or SystemClock(),
            sources=sources,
            calendar=WorkCalendar.from_yaml(settings.holidays_file),
            index_config=load_index_config(settings.service_index_file),
            commitments=load_commitments(settings.commitments_file),
        )

    @cached_property
    def accounts(self) -> AccountStore:
        """Users, tokens and sign-in attempts: opened (its tables created) on first use, with real time."""
        return AccountStore.open(self.settings, known_units=lambda: [u["key"] for u in self.store.units()])
