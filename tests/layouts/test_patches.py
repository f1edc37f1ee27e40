"""`layouts.patches`: the Patch a data change sends turns the figure the wall shows into the new one, value for value,
and is small; the same figure sends nothing; without the old figure, or when most of it changed, the figure itself."""

from __future__ import annotations

import copy
import json

import plotly.graph_objects as go
from dash import Patch, no_update

from layouts.patches import changes, figure_patch, plain


def applied(figure: dict, patch: Patch) -> dict:
    """What Dash's renderer does with a patch (its Assign and Delete operations) on the client's figure."""
    result = copy.deepcopy(figure)
    for op in patch.to_plotly_json()["operations"]:
        *path, last = op["location"]
        target = result
        for step in path:
            target = target[step]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(f"unexpected operation {op['operation']}")
    return result


def _map(colours: list[str], texts: list[str], note: str | None = "Sơ đồ vị trí") -> go.Figure:
    figure = go.Figure(
        [
            go.Scatter(x=[1, 2, 3], y=[3, 2, 1], mode="markers", marker={"color": colours, "size": 40}, name="units"),
            go.Scatter(x=[1, 2, 3], y=[3, 2, 1], mode="text", text=texts, name="labels"),
        ]
    )
    if note:
        figure.add_annotation(text=note, x=0, y=0, showarrow=False)
    return figure


def test_a_changed_colour_and_label_are_all_the_patch_sends():
    old = _map(["#aaa", "#bbb", "#ccc"], ["Quận 1<br>2,0%", "Quận 3<br>1,0%", "Quận 5<br>0,0%"])
    new = _map(["#aaa", "#d55e00", "#ccc"], ["Quận 1<br>2,0%", "Quận 3<br>7,5%", "Quận 5<br>0,0%"])
    patch = figure_patch(old, new)
    assert isinstance(patch, Patch)
    operations = patch.to_plotly_json()["operations"]
    assert sorted(tuple(op["location"]) for op in operations) == [
        ("data", 0, "marker", "color"),
        ("data", 1, "text"),
    ]
    assert applied(plain(old), patch) == plain(new)
    assert len(json.dumps(operations)) < len(json.dumps(plain(new))) / 3


def test_a_removed_annotation_and_a_new_key_are_patched_too():
    old, new = plain(_map(["#aaa"] * 3, ["a", "b", "c"])), plain(_map(["#aaa"] * 3, ["a", "b", "c"], note=None))
    new["layout"]["title"] = {"text": "Tỷ lệ quá hạn"}
    patch = figure_patch(old, new)
    assert isinstance(patch, Patch) and applied(old, patch) == new


def test_the_same_figure_sends_nothing_and_no_old_figure_sends_it_whole():
    figure = _map(["#aaa"] * 3, ["a", "b", "c"])
    assert figure_patch(figure, _map(["#aaa"] * 3, ["a", "b", "c"])) is no_update
    assert figure_patch(None, figure) is figure


def test_past_the_most_operations_the_figure_itself_is_sent():
    old = {"data": [{"x": i} for i in range(10)]}
    new = {"data": [{"x": i + 1} for i in range(10)]}
    assert len(changes(old, new, most=10) or []) == 10
    assert changes(old, new, most=9) is None
    assert figure_patch(old, new, most=9) is new
    assert changes({"a": 1}, [1]) is None  # the whole value differs: no path to patch


def test_a_patch_sending_most_of_the_figure_sends_the_figure():
    old = {"data": [{"x": list(range(100)), "name": "a"}]}
    new = {"data": [{"x": list(range(1, 101)), "name": "a"}]}  # one change, but the whole long list
    assert changes(old, new) == [(("data", 0, "x"), new["data"][0]["x"], False)]
    assert figure_patch(old, new) is new
