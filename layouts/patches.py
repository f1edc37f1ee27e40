"""What changed between two drawings of the same figure (or of the same part of a page: a component is JSON to the
client as a figure is), as a Dash `Patch`: a data change sends the few values that
changed (a district's colour and label, a gauge's value), not the whole figure again. The client holds the figure
drawn for the key it shows; the patch turns that into the new one, value for value.

A figure is compared as Plotly's plain JSON (`to_plotly_json`: dicts, lists, numbers, strings). A list of plain
values that differs is sent whole (a trace's `z` or `text`); a list of dicts or lists of the same length is compared
item by item (traces, shapes, annotations); anything else that differs is sent whole. Past `MOST_OPERATIONS`
changes, or when the values a patch would send are more than half the figure's size, the figure itself is sent: a
patch that long saves nothing (a cartogram whose districts regroup by colour changes most of its traces).
"""

from __future__ import annotations

import json
from typing import Any

from dash import Patch, no_update
from plotly.io.json import to_json_plotly

MOST_OPERATIONS = 200
MOST_SHARE = 0.5  # of the figure's JSON: a patch sending more is sent as the figure itself
Path = tuple[str | int, ...]


def plain(figure: Any) -> Any:
    """A figure (a `go.Figure`, or a dict that may hold tuples, arrays, dates) as the plain JSON the client gets:
    dicts, lists, numbers, strings — so that what compares equal here is equal there."""
    return json.loads(to_json_plotly(figure))


def changes(old: Any, new: Any, most: int = MOST_OPERATIONS) -> list[tuple[Path, Any, bool]] | None:
    """(path, new value, deleted) for each place `new` differs from `old`; None when more than `most` (or the
    whole value) differ."""
    found: list[tuple[Path, Any, bool]] = []

    def walk(path: Path, a: Any, b: Any) -> None:
        if len(found) > most:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            found.extend((path + (k,), None, True) for k in a.keys() - b.keys())
            for k, v in b.items():
                if k not in a:
                    found.append((path + (k,), v, False))
                elif not _same(a[k], v):
                    walk(path + (k,), a[k], v)
        elif _nested_lists(a, b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                if not _same(x, y):
                    walk(path + (i,), x, y)
        else:
            found.append((path, b, False))

    if _same(old, new):
        return []
    walk((), old, new)
    if len(found) > most or any(path == () for path, _, _ in found):
        return None
    return found


def figure_patch(old: Any, new: Any, most: int = MOST_OPERATIONS) -> Any:
    """What turns the drawn `old` into `new` on the client: `no_update` when they are the same, a `Patch` of the
    values that changed, or `new` itself when there is no `old` or too much changed."""
    if old is None:
        return new
    fresh = plain(new)
    found = changes(plain(old), fresh, most)
    if found is None:
        return new
    if not found:
        return no_update
    if len(json.dumps([value for _, value, _ in found])) > MOST_SHARE * len(json.dumps(fresh)):
        return new
    patch = Patch()
    for path, value, deleted in found:
        target: Any = patch
        for step in path[:-1]:
            target = target[step]
        if deleted:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return patch


def _nested_lists(a: Any, b: Any) -> bool:
    """Two lists of the same length whose items are dicts or lists (compared item by item)."""
    return (
        isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and any(isinstance(x, dict | list) for x in b)
    )


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)  # plain JSON on both sides (`plain`): lists, dicts, numbers, strings
