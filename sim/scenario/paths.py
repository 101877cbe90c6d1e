"""Dotted paths into nested scenario data: `deployments.iraq.theatre.vehicles.count`.

A list item is addressed by its `name` (deployments, contingent roles) or by its index.
"""
from __future__ import annotations

import copy
from typing import Any

from sim.core.suggest import did_you_mean

_SCALARS = (str, int, float, bool, type(None))


class PathError(KeyError):
    """A dotted path that does not lead anywhere; `.found` says where it stopped."""

    def __init__(self, path: str, at: str, reason: str, hint: str = ""):
        self.path, self.at, self.reason, self.hint = path, at, reason, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.where}"

    @property
    def where(self) -> str:
        """"no such key at 'a.b' (did you mean 'a.c'?)": the reason, where, the near miss."""
        return f"{self.reason} at '{self.at}'{self.hint}"


def copy_data(data: Any) -> Any:
    """A deep copy of plain data (a scenario's `data()`: mappings, lists, scalars), several
    times faster than `copy.deepcopy`; anything else is deep-copied. Shared parts are
    copied apart (dumped data shares none)."""
    kind = type(data)
    if kind is dict:
        return {k: copy_data(v) for k, v in data.items()}
    if kind is list:
        return [copy_data(v) for v in data]
    if kind in _SCALARS:
        return data
    return copy.deepcopy(data)


def _step(node: Any, key: str, path: str, done: str) -> tuple[Any, Any]:
    """Return (container, key-or-index) for `key` inside `node`."""
    if isinstance(node, dict):
        return node, key
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and (item.get("name") == key or item.get("role") == key):
                return node, i
        if key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
            return node, int(key)
        names = [str(n) for item in node if isinstance(item, dict)
                 for n in (item.get("name"), item.get("role")) if n is not None]
        raise PathError(path, done or key, f"no list item named or numbered '{key}'",
                        did_you_mean(key, names))
    raise PathError(path, done or key, "not a mapping or list")


def split(path: str) -> list[str]:
    parts = path.split(".")
    if not path or any(p == "" for p in parts):
        raise PathError(path, path, "empty path component")
    return parts


def get_path(data: Any, path: str) -> Any:
    node, done = data, ""
    for key in split(path):
        container, k = _step(node, key, path, done)
        if isinstance(container, dict) and k not in container:
            raise PathError(path, f"{done}.{key}".lstrip("."), "no such key",
                            _hint(key, container))
        node = container[k]
        done = f"{done}.{key}".lstrip(".")
    return node


def _hint(key: str, container: dict[Any, Any]) -> str:
    return did_you_mean(key, [str(k) for k in container])


def set_path(data: Any, path: str, value: Any, create: bool = True) -> None:
    """Set `value` at `path` in place. Missing mapping keys are created when `create`
    (the schema then decides whether they are allowed)."""
    keys = split(path)
    node, done = data, ""
    for key in keys[:-1]:
        container, k = _step(node, key, path, done)
        if isinstance(container, dict) and k not in container:
            if not create:
                raise PathError(path, f"{done}.{key}".lstrip("."), "no such key",
                                _hint(key, container))
            container[k] = {}
        node = container[k]
        done = f"{done}.{key}".lstrip(".")
    container, k = _step(node, keys[-1], path, done)
    if isinstance(container, dict) and k not in container and not create:
        raise PathError(path, path, "no such key", _hint(keys[-1], container))
    container[k] = value


def has_path(data: Any, path: str) -> bool:
    try:
        get_path(data, path)
    except PathError:
        return False
    return True
