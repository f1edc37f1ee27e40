"""Who writes the data path: the writer lease as plain data (held in the store, see `dashboard.store.lease`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LeaseState:
    """The lease as stored: who holds it, its fencing token, and when it runs out."""

    holder: str | None
    token: int
    acquired_at: datetime | None
    renewed_at: datetime | None
    expires_at: datetime | None

    def held_at(self, moment: datetime) -> bool:
        """A holder whose lease has not run out at `moment`."""
        return self.holder is not None and self.expires_at is not None and self.expires_at > moment
