"""Resolved inputs as dotted paths: what differs from the schema defaults, or between two
scenarios. List items with a `name` are addressed by it, others by index."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

_MISSING = object()


def non_defaults(model: BaseModel) -> list[dict[str, Any]]:
    """Every resolved input whose value is not the schema default (required inputs included)."""
    out: list[dict[str, Any]] = []
    _walk(model, _MISSING, "", out)
    return out


def _walk(value: Any, default: Any, path: str, out: list[dict[str, Any]]) -> None:
    if isinstance(value, BaseModel):
        same_type = isinstance(default, type(value))
        for name, field in type(value).model_fields.items():
            if same_type:
                d = getattr(default, name)
            elif field.is_required():
                d = _MISSING
            else:
                d = field.get_default(call_default_factory=True)
            _walk(getattr(value, name), d, _join(path, name), out)
    elif isinstance(value, dict) and value:
        base = default if isinstance(default, dict) else {}
        for k, v in value.items():
            _walk(v, base.get(k, _MISSING), _join(path, str(k)), out)
    elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
        if value == default:
            return
        for i, item in enumerate(value):
            _walk(item, _MISSING, _join(path, str(getattr(item, "name", i))), out)
    elif default is _MISSING or value != default:
        if value is None and default is _MISSING:
            return
        out.append({"path": path, "value": to_jsonable_python(value)})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def flatten(data: Any, path: str = "") -> dict[str, Any]:
    """JSON-like data as {dotted path: leaf}; lists of named dicts keyed by name."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(flatten(v, _join(path, str(k))))
        return out
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        out = {}
        for i, item in enumerate(data):
            out.update(flatten(item, _join(path, str(item.get("name", i)))))
        return out
    return {path: data}


def diff_inputs(base: dict[str, Any], other: dict[str, Any]) -> list[dict[str, Any]]:
    """Dotted paths whose resolved values differ (missing on one side shows as None)."""
    a, b = flatten(base), flatten(other)
    empty: tuple[Any, ...] = (None, [], {})
    return [{"path": p, "baseline": a.get(p), "value": b.get(p)}
            for p in sorted(a.keys() | b.keys())
            if a.get(p) != b.get(p) and not (a.get(p) in empty and b.get(p) in empty)]
