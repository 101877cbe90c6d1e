"""Where a problem is (key paths, files, lines), and pydantic's validation errors as
Problems a scenario author can act on.

Each error becomes "file:line: key.path: expected ..., found ...", with the line of
the nearest key actually written and list items named by their `name`. Errors from
the branches of one union at one key are merged into a single message.
"""
from __future__ import annotations

import datetime as dt
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.core.errors import Problem
from sim.core.suggest import did_you_mean
from sim.scenario.paths import PathError, get_path
from sim.scenario.yamlio import excerpt

KeyPath = tuple[Any, ...]
Origins = dict[KeyPath, tuple[str, int | None]]


def locate(origins: Origins, keys: KeyPath, default_file: str) -> tuple[str, int | None]:
    """File and line of `keys`, or of its nearest ancestor that was written down. A key
    with no origin of its own but written below (a mapping `--set a.b.c=1` created) is
    where its descendants were written, not the file line of its ancestor."""
    if keys not in origins:
        below = [v for k, v in origins.items() if len(k) > len(keys) and k[:len(keys)] == keys]
        if below and len(set(below)) == 1:
            return below[0]
    for n in range(len(keys), -1, -1):
        if keys[:n] in origins:
            return origins[keys[:n]]
    return default_file, None


def dotted(data: Any, keys: KeyPath) -> str:
    """`deployments.iraq.contingent.2.count`: list items by `name` where they have one."""
    parts, node = [], data
    for key in keys:
        item = None
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            item = node[key]
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(excerpt(name) if isinstance(name, str) and name else str(key))
        elif isinstance(node, dict):
            item = node.get(key)
            parts.append(excerpt(key, _key_limit(key)))
        else:
            parts.append(excerpt(key))
        node = item
    return ".".join(parts)


def _key_limit(key: Any) -> int:
    """How much of a key to quote: a dotted path written as a key (`assumptions:`,
    timeline `set:`) in full up to 120 characters, anything else 40."""
    text = str(key)
    return 120 if "." in text and all(c.isalnum() or c in "._-<>" for c in text) else 40


def show(value: Any) -> str:
    """A found value as the author wrote it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{excerpt(value)}'"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def validation_problems(err: ValidationError, model: type[BaseModel], data: Any,
                        origins: Origins, file: str) -> list[Problem]:
    problems = []
    for keys, text in grouped(err, model, data):
        f, line = locate(origins, keys, file)
        problems.append(Problem(f, line, dotted(data, keys), text))
    return problems


def grouped(err: ValidationError, model: type[BaseModel], data: Any) -> list[tuple[KeyPath, str]]:
    """(key path, message) per key, the errors of a union's branches merged."""
    found = [_resolve(e, data) for e in err.errors()]
    deepest: dict[KeyPath, int] = {}
    for keys, site, _ in found:
        if site is not None:
            deepest[site] = max(deepest.get(site, 0), len(keys))
    merged: dict[KeyPath, list[tuple[str, str | None]]] = {}
    for keys, site, e in found:
        if site is not None and len(keys) == len(site) < deepest[site]:
            continue  # a union branch that did not even match the shape
        merged.setdefault(keys, []).append(_describe(e, model))
    return [(keys, _join(parts)) for keys, parts in merged.items()]


def key_path(data: Any, path: str) -> KeyPath:
    """The keys and list indices a dotted path leads through (list items by `name`,
    `role` or index). A mapping key that itself contains dots (timeline `set:` keys)
    is matched whole when it exists."""
    parts = path.split(".")
    keys: list[Any] = []
    node = data
    i = 0
    while i < len(parts):
        if isinstance(node, dict):
            j = next((j for j in range(len(parts), i, -1) if ".".join(parts[i:j]) in node), None)
            if j is None:
                raise PathError(path, ".".join(parts[:i + 1]), "no such key")
            keys.append(".".join(parts[i:j]))
            node, i = node[keys[-1]], j
        elif isinstance(node, list):
            item = get_path(node, parts[i])
            keys.append(next(n for n, x in enumerate(node) if x is item))
            node, i = item, i + 1
        else:
            raise PathError(path, ".".join(parts[:i + 1]), "not a mapping or list")
    return tuple(keys)


def _resolve(e: ErrorDetails, data: Any) -> tuple[KeyPath, KeyPath | None, ErrorDetails]:
    """Key path of an error in the data, leaving out union tags; and where the first
    union tag was (None when there was none)."""
    keys: list[Any] = []
    site: KeyPath | None = None
    node = data
    loc = e["loc"]
    for i, key in enumerate(loc):
        if _has(node, key):
            if isinstance(node, dict) and not isinstance(key, str):
                key = next(k for k in node if k == key)  # YAML's `yes:` is True, pydantic says 1
            node = node[key]
        elif i == len(loc) - 1 and e["type"] == "missing":
            keys.append(key)
            break
        else:
            if site is None:
                site = tuple(keys)
            continue
        keys.append(key)
    return tuple(keys), site, e


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node)


def _describe(e: ErrorDetails, model: type[BaseModel]) -> tuple[str, str | None]:
    """(expected, found) or (whole message, None)."""
    kind, ctx, value = e["type"], e.get("ctx", {}), e.get("input")
    if kind == "missing":
        return "required key missing", None
    if kind == "extra_forbidden":
        return unknown_key(str(e["loc"][-1]), allowed_keys(model, e["loc"][:-1])), None
    noun = _noun(_type_at(model, e["loc"]))
    bounds = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"),
              "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}
    if kind in bounds:
        op, name = bounds[kind]
        return f"expected {noun} {op} {show(ctx.get(name))}", show(value)
    simple = {"int_type": "an integer", "int_parsing": "an integer", "int_from_float": "a whole number",
              "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number", "bool_type": "true or false",
              "bool_parsing": "true or false", "string_type": "text", "list_type": "a list",
              "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
              "date_type": "an ISO date (YYYY-MM-DD)", "date_parsing": "an ISO date (YYYY-MM-DD)",
              "date_from_datetime_parsing": "an ISO date (YYYY-MM-DD)",
              "date_from_datetime_inexact": "a date without a time of day"}
    if kind in simple:
        return f"expected {simple[kind]}", show(value)
    if kind == "literal_error":
        options = str(ctx.get("expected"))
        return f"expected {'one of ' if ',' in options or ' or ' in options else ''}{options}", show(value)
    if kind in ("too_short", "string_too_short"):
        return f"expected at least {ctx.get('min_length')} item(s)", show(value)
    if kind == "invalid_key":
        hint = " (quote it: YAML reads yes/no/on/off as true/false)" if isinstance(value, bool) else ""
        return f"expected a key written as text, found {show(value)}{hint}", None
    if kind == "value_error":
        return excerpt(str(e["msg"]).removeprefix("Value error, "), 300), None
    if isinstance(value, dict) and "dist" in value:
        return excerpt(e["msg"], 300), f"dist: {show(value['dist'])}"
    return excerpt(e["msg"], 300), show(value)


def unknown_key(key: str, allowed: list[str]) -> str:
    """"unknown key 'x'", naming the near miss when there is one ("did you mean ...?"),
    else every allowed key."""
    hint = did_you_mean(key, allowed)
    if not hint and allowed:
        hint = f" (allowed: {', '.join(allowed)})"
    return f"unknown key '{excerpt(key)}'{hint}"


def describe_error(e: ErrorDetails) -> str:
    """One pydantic error in the scenario layer's words, for files of another model
    (sweeps, policies): the expected and found value; bounds without the field's type."""
    try:
        return _join([_describe(e, BaseModel)])
    except Exception:  # noqa: BLE001 - an error shape this wording does not know
        return excerpt(e["msg"], 300)


def _join(parts: list[tuple[str, str | None]]) -> str:
    founds = {f for _, f in parts}
    if len(parts) > 1 and len(founds) == 1 and None not in founds:
        expected = list(dict.fromkeys(x.removeprefix("expected ") for x, _ in parts))
        return f"expected {' or '.join(expected)}, found {founds.pop()}"
    return "; ".join(dict.fromkeys(x if f is None else f"{x}, found {f}" for x, f in parts))


def _noun(tp: Any) -> str:
    tp = _unwrap(tp)
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    return "a value"


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` of `model` may hold (none known: [])."""
    tp = _unwrap(_type_at(model, loc))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def _type_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The annotation at an error's location; union tags pick a branch or are skipped."""
    tp: Any = model
    for key in loc:
        child = _child(tp, key)
        if child is None and not _is_union(_unwrap(tp)):
            return None
        tp = child if child is not None else tp
    return tp


def _child(tp: Any, key: Any) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, f in tp.model_fields.items():
            if key in (name, f.alias):
                return f.annotation
        return None
    origin = get_origin(tp)
    if origin is list:
        return get_args(tp)[0] if isinstance(key, int) else None
    if origin is dict:
        return get_args(tp)[1] if isinstance(key, str) else None
    if _is_union(tp):
        for member in get_args(tp):
            if any(getattr(m, "tag", None) == key for m in getattr(member, "__metadata__", ())):
                return member
        for member in get_args(tp):
            child = _child(member, key)
            if child is not None:
                return child
    return None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _unwrap(tp: Any) -> Any:
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif _is_union(tp):
            members = [m for m in get_args(tp) if m is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp
