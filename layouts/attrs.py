"""The hyphenated HTML attributes the layouts set (aria-*, data-*), which Dash components take through `**kwargs`.

Spread them as `**Attrs({"aria-label": …})`: the type checker then knows each key, and that none of them is one
of the component's typed parameters; a plain `**{"aria-label": …}` would be checked against every one of those.
At run time `Attrs(...)` is the same plain dict.
"""

from __future__ import annotations

from typing import TypedDict

Attrs = TypedDict(
    "Attrs",
    {
        "aria-disabled": str,
        "aria-hidden": str,
        "aria-label": str,
        "aria-valuemax": str,
        "aria-valuemin": str,
        "aria-valuenow": str,
        "data-kpi": str,
        "data-label": str,
        "data-name": str,
        "data-page-lang": str,
        "data-page-title": str,
        "data-unit": str,
        "data-view": str,
    },
    total=False,
)
