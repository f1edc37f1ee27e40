"""Text bound for a spreadsheet or CSV cell, made inert: the one rule every export follows (the briefing's Excel
and CSV, the league page's Excel and CSV).

A text that starts with = + - @, a tab or a carriage return could be read as a formula by Excel, LibreOffice or
Google Sheets (OWASP "CSV injection"); it gets a leading apostrophe ('), so it is shown as the text it is and never
evaluated. The apostrophe stays visible, the same in the CSV and in the workbook (assets/league_grid.js repeats
this rule for the browser's CSV).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """`text`, with an apostrophe in front when a spreadsheet could read it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def inert(value: Any) -> Any:
    """A cell's value: text through `neutralise`, anything else (numbers, None, dates) as it is."""
    return neutralise(value) if isinstance(value, str) else value
