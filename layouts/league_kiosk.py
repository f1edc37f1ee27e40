"""The league grid on a screen read from 5 m (`?kiosk=1`, `layouts.wall.kiosk_frame`): fewer columns, the first
rows only, then how many more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
from dash import html
from dash.development.base_component import Component

# In kiosk mode (?kiosk=1, layouts/wall.py kiosk_frame) the grid shows its first rows only, as tall as its theme
# says (assets/pulse.css: --ag-row-height in rem, which follows the screen), so that they and the page's heading fill
# one screen at any resolution; then how many more there are.
KIOSK_ROWS = 8


def kiosk_columns(columns: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The columns a screen read from 5 m has room for: those of the wall's compact grid (no points per criterion,
    no commitments), the unit's name wrapping within its row."""
    kept = []
    for column in columns:
        children = column.get("children") or ()
        if children and all(str(child.get("field", "")).startswith("points_") for child in children):
            continue
        if column.get("field") == "commit":
            continue
        kept.append(column | {"autoHeight": False} if column.get("autoHeight") else column)
    return kept


def kiosk_grid(grid: dag.AgGrid) -> Component:
    """`grid` for a screen read from 5 m: fewer columns, rows as tall as the CSS's, the first KIOSK_ROWS only (a
    refresh's new rows keep to them), then "+N" (the CSS adds "khác" / "more")."""
    grid.columnDefs = kiosk_columns(grid.columnDefs)
    options = {name: value for name, value in (grid.dashGridOptions or {}).items() if name != "rowHeight"}
    grid.dashGridOptions = {
        **options,
        "pagination": True,
        "paginationPageSize": KIOSK_ROWS,
        "suppressPaginationPanel": True,
    }
    more = len(grid.rowData or []) - KIOSK_ROWS
    return html.Div([grid, html.P(f"+{more}", className="pulse-kiosk-more")]) if more > 0 else grid
