"""The central store: the only SQL against our own database — schema, migrations, writes, lists, series, rollups.

May import `dashboard.core` only (never metrics, pages or web); `Store` is the way in.
"""

from __future__ import annotations

from dashboard.store.database import Store, StoreError, chunked

__all__ = ["Store", "StoreError", "chunked"]
