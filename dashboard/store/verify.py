"""After an incident: are the rollups kept at ingest what the raw rows say? Every rollup table is recounted from
the raw rows with the rebuild's own SELECTs and compared in SQL (both ways, EXCEPT), so nothing is loaded
whole and nothing is written: it runs beside the writer, from any process. A healthy store has no difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Float, Numeric, Table, cast, except_, func, or_, select

from dashboard.store.rebuild import recounts

SHOWN = 20  # differing rows listed per table and side; all are counted
DECIMALS = 6  # float counters (statutory days) are sums in another order: compared rounded


@dataclass(frozen=True)
class TableCheck:
    """One rollup table: how many rows differ each way, and the first of them (key and counters)."""

    table: str
    rows: int  # rows kept at ingest (with any counter not 0)
    only_kept: int  # rows (with their counters) the rollup holds and the recount does not give
    only_recounted: int  # rows the recount gives and the rollup does not hold
    examples_kept: tuple[tuple[Any, ...], ...] = ()
    examples_recounted: tuple[tuple[Any, ...], ...] = ()

    @property
    def ok(self) -> bool:
        return self.only_kept == 0 and self.only_recounted == 0


def _rounded(column):
    return func.round(cast(column, Numeric), DECIMALS) if isinstance(column.type, Float) else column


def _kept(table: Table, names: list[str]):
    """The rollup's rows, counters rounded; rows whose counters are all 0 are as good as absent."""
    keys = {c.name for c in table.primary_key.columns}
    counters = [table.c[n] for n in names if n not in keys]
    return select(*[_rounded(table.c[n]) for n in names]).where(or_(*[c != 0 for c in counters]))


def _recounted(query):
    return select(*[_rounded(column) for column in query.subquery().columns])


def verify(engine: Engine) -> list[TableCheck]:
    """Every rollup table against its recount from the raw rows."""
    checks = []
    with engine.connect() as conn:
        for table, (names, query) in recounts(engine.dialect.name).items():
            kept, recounted = _kept(table, names), _recounted(query)
            only_kept = except_(kept, recounted).subquery()
            only_recounted = except_(recounted, kept).subquery()
            count = select(func.count()).select_from
            checks.append(
                TableCheck(
                    table=table.name,
                    rows=conn.execute(select(func.count()).select_from(kept.subquery())).scalar_one(),
                    only_kept=conn.execute(count(only_kept)).scalar_one(),
                    only_recounted=conn.execute(count(only_recounted)).scalar_one(),
                    examples_kept=tuple(tuple(r) for r in conn.execute(select(only_kept).limit(SHOWN))),
                    examples_recounted=tuple(tuple(r) for r in conn.execute(select(only_recounted).limit(SHOWN))),
                )
            )
    return checks
