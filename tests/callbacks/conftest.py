"""An app over a temporary SQLite store, a fixed clock and one SQLite source database (unit quan-1)."""

from __future__ import annotations

import pytest

from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from tests.factories import SourceDB


@pytest.fixture
def source_db(tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    yield db
    db.dispose()


@pytest.fixture
def services(settings, clock, source_db):
    source = SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1", interval=60)
    built = Services.build(settings, clock)
    built.sources = [source]
    yield built
    built.store.dispose()


@pytest.fixture
def app(services):
    return create_app(services)


@pytest.fixture
def pull(services):
    """Pull the one source into the store, as the ingest process would."""
    ingestor = Ingestor(services.store, services.clock, services.settings)
    return lambda: ingestor.pull(services.sources[0])
