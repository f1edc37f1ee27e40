"""What every fault test ends with: reconcile each source by native id (0 lost, 0 duplicated) and `verify`
(every rollup equals its recount from the raw rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from dashboard.ingest.reconcile import reconcile
from dashboard.ingest.sources_file import SourceConfig
from dashboard.store import Store
from dashboard.store.schema import dossiers
from dashboard.store.verify import verify


def counted_twice(store: Store) -> int:
    """Native dossier codes counted more than once (a liên thông dossier counts for one unit only)."""
    d = dossiers
    per_code = (
        select(d.c.native_code)
        .where(d.c.counted.is_(True))
        .group_by(d.c.native_code)
        .having(func.count() > 1)
        .subquery()
    )
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(per_code)).scalar_one()


def assert_consistent(store: Store, sources: list[SourceConfig], since: datetime, rejected: int = 0) -> None:
    """0 lost (every row at each source stored or rejected), 0 duplicated, rollups = raw."""
    found = [item for source in sources for item in reconcile(store, source, since)]
    lost = {f"{item.source}/{item.stream}": item.missing for item in found if item.missing}
    assert lost == {}, f"rows lost: {lost}"
    assert sum(item.rejected for item in found) == rejected
    assert counted_twice(store) == 0
    differing = [check for check in verify(store.engine) if not check.ok]
    assert differing == [], f"rollups differ from a recount: {differing}"
