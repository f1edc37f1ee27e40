"""Hand-built source databases for tests: canonical rows written through a profile's inverse mapping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, create_engine, delete, insert, update

from dashboard.core.vocabulary import Stream
from dashboard.metrics.service_index import IndexConfig
from data_sources.profiles import Profile, load_profile
from data_sources.reader import connect_args
from tests.conftest import START


class Ticking:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting_every_dossier(config: IndexConfig) -> IndexConfig:
    """The index with a minimum count of 1: for the scenarios of a handful of dossiers whose subject is not the
    minimum count (exports, callbacks, briefings, the grid in a browser), so their exact ranks and scores stay
    those of the rows they build. The minimum count itself: tests/metrics/test_service_index.py."""
    criteria = [criterion.model_copy(update={"min_count": 1}) for criterion in config.criteria]
    return config.model_copy(update={"criteria": criteria})


def dossier(
    code: str,
    *,
    unit: str = "760",
    received: datetime = START - timedelta(days=3),
    days: int = 5,
    status: str = "processing",
    completed: datetime | None = None,
    updated: datetime | None = None,
    channel: str = "counter",
    procedure: str = "HT-KH",
    supplements: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """A canonical dossier row with sensible defaults; `updated` defaults to the latest event."""
    due = received + timedelta(days=days)
    return {
        "native_code": code,
        "unit": unit,
        "procedure_code": procedure,
        "channel": channel,
        "received_at": received,
        "due_original_at": due,
        "due_current_at": due,
        "completed_at": completed,
        "status": status,
        "supplement_requests": supplements,
        "apology_at": None,
        "apology_new_due_at": None,
        "rating": None,
        "source_updated_at": updated or completed or received,
        **extra,
    }


def feedback_item(
    code: str,
    *,
    unit: str = "760",
    received: datetime = START - timedelta(days=3),
    days: int = 10,
    status: str = "open",
    answered: datetime | None = None,
    rating: str | None = None,
    category: str = "Môi trường",
    **extra: Any,
) -> dict[str, Any]:
    """A canonical feedback row with sensible defaults: due `days` after receipt; updated at the latest event."""
    return {
        "native_id": code,
        "unit": unit,
        "category": category,
        "channel": "app",
        "received_at": received,
        "due_at": received + timedelta(days=days),
        "answered_at": answered,
        "status": status,
        "rating": rating,
        "lat": None,
        "lon": None,
        "source_updated_at": answered or received,
        **extra,
    }


class SourceDB:
    """A source database laid out by a profile, filled with canonical rows."""

    def __init__(self, url: str, profile: str | Profile = "motcua_v1") -> None:
        self.url = url
        self.profile = load_profile(profile) if isinstance(profile, str) else profile
        self.engine = create_engine(url, connect_args=connect_args(url, 10))
        self.metadata = MetaData()
        self.tables = {s: self.profile.table(s, self.metadata) for s in self.profile.streams}
        self.metadata.drop_all(self.engine)
        self.metadata.create_all(self.engine)

    def insert(self, stream: Stream, *rows: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(self.tables[stream]), [self.profile.from_canonical(stream, r) for r in rows])

    @property
    def profile_path(self):
        from data_sources.profiles import PROFILE_DIR

        return PROFILE_DIR / f"{self.profile.name}.yaml"

    def insert_raw(self, stream: Stream, *rows: dict[str, Any]) -> None:
        """Rows as the vendor stores them (column → value), bypassing the profile."""
        with self.engine.begin() as conn:
            conn.execute(insert(self.tables[stream]), list(rows))

    def update(self, stream: Stream, row: dict[str, Any]) -> None:
        mapping = self.profile.streams[stream]
        values = self.profile.from_canonical(stream, row)
        table = self.tables[stream]
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c[mapping.key] == values[mapping.key]).values(values))

    def clear(self) -> None:
        with self.engine.begin() as conn:
            for table in self.tables.values():
                conn.execute(delete(table))

    def dispose(self) -> None:
        self.metadata.drop_all(self.engine)
        self.engine.dispose()
