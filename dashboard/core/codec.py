"""A data-only encoding of what the pages cache: JSON, never pickle, so a value planted in a shared cache can at
worst be refused — it can never run code.

Plain JSON values pass through; the rest is tagged: our own dataclasses (`dashboard.*` only, rebuilt field by
field), Dash components (of the component libraries the pages use, rebuilt prop by prop), datetimes, dates,
tuples, and dicts whose keys are not strings. Anything else cannot be encoded (`CodecError`), and a tag that
names anything outside these lists cannot be decoded.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from dashboard.core.errors import PulseError

TAG = "__cchc__"
# Dash component namespaces the pages draw with, and the modules their classes live in.
COMPONENT_MODULES = {
    "dash_html_components": "dash.html",
    "dash_core_components": "dash.dcc",
    "dash_bootstrap_components": "dash_bootstrap_components",
    "dash_ag_grid": "dash_ag_grid",
}
DATACLASS_PACKAGE = "dashboard."


class CodecError(PulseError, ValueError):
    """A value that cannot be encoded, or a stored text that is not one of ours."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {TAG: "tuple", "items": [_encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and k != TAG for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {TAG: "map", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {TAG: "datetime", "iso": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "iso": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "timedelta", "seconds": value.total_seconds()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        if not kind.__module__.startswith(DATACLASS_PACKAGE):
            raise CodecError(f"{kind.__module__}.{kind.__qualname__} is not one of CCHC Pulse's own dataclasses")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: "dataclass", "type": f"{kind.__module__}:{kind.__qualname__}", "fields": fields}
    if hasattr(value, "to_plotly_json") and getattr(value, "_namespace", None) in COMPONENT_MODULES:
        props = {name: _encode(getattr(value, name)) for name in value._prop_names if hasattr(value, name)}
        props |= {name: _encode(v) for name, v in vars(value).items() if name.startswith(("data-", "aria-"))}
        return {TAG: "component", "namespace": value._namespace, "type": value._type, "props": props}
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _encode(value.item())
    raise CodecError(f"cannot cache a {type(value).__qualname__}: not plain data")


def _dataclass(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(DATACLASS_PACKAGE):
        raise CodecError(f"refusing to build {name}: not one of CCHC Pulse's own types")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise CodecError(f"refusing to build {name}: not a dataclass")
    return found


def _component(namespace: str, kind: str) -> type:
    module = COMPONENT_MODULES.get(namespace)
    if module is None:
        raise CodecError(f"refusing to build a component of {namespace!r}")
    found = getattr(importlib.import_module(module), kind, None)
    if not (isinstance(found, type) and getattr(found, "_namespace", None) == namespace):
        raise CodecError(f"{namespace}.{kind} is not a component")
    return found


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {k: _decode(v) for k, v in value.items()}
    if tag == "tuple":
        return tuple(_decode(v) for v in value["items"])
    if tag == "map":
        return {_decode(k): _decode(v) for k, v in value["items"]}
    if tag == "datetime":
        return datetime.fromisoformat(value["iso"])
    if tag == "date":
        return date.fromisoformat(value["iso"])
    if tag == "timedelta":
        return timedelta(seconds=value["seconds"])
    if tag == "dataclass":
        return _dataclass(value["type"])(**{k: _decode(v) for k, v in value["fields"].items()})
    if tag == "component":
        return _component(value["namespace"], value["type"])(**{k: _decode(v) for k, v in value["props"].items()})
    raise CodecError(f"unknown tag {tag!r}")


def dumps(value: Any) -> bytes:
    """The value as tagged JSON (UTF-8)."""
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """The value `dumps` encoded; `CodecError` for anything else."""
    try:
        return _decode(json.loads(data))
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ImportError) as exc:
        raise CodecError(f"not a cached value of CCHC Pulse: {exc}") from None
