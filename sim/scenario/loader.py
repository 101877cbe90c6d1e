"""From a scenario file to a validated `Scenario`: `extends`, `--set`, schema, checks.

Every key remembers the file and line where it was written (a key inherited through
`extends` points into the parent file), so every problem can name both.
"""
from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, Problem
from sim.scenario import assumptions, checks
from sim.scenario.paths import PathError, set_path, split
from sim.scenario.problems import Origins, key_path, locate, validation_problems
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import (
    Budget,
    KeyPath,
    excerpt,
    load_yaml,
    os_reason,
    parse_value,
    read_bytes,
)

SCENARIO_KEYS = frozenset(f.alias or name for name, f in Scenario.model_fields.items())


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    file: str
    sha256: str  # of the file's own bytes
    raw: dict[str, Any]  # after extends and overrides, before defaults
    warnings: list[Problem]
    origins: Origins = field(default_factory=dict, repr=False)  # key path -> (file, line)


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> LoadedScenario:
    file = str(path)
    digest = hashlib.sha256(read_bytes(path, file, Budget())).hexdigest()
    data, origins = read_with_extends(path, SCENARIO_KEYS)
    released = [p for override in overrides for p in apply_override(data, origins, override)]
    scenario, warnings = validate(data, origins, file)
    return LoadedScenario(scenario, file, digest, data, released + warnings, origins)


def scenario_from_dict(data: Mapping[str, Any], file: str = "<dict>",
                       linemap: Mapping[KeyPath, Any] | None = None, *,
                       nominal_only: bool = False) -> Scenario:
    """Validate plain data (sweeps, timeline states); `linemap` values are lines or
    (file, line) pairs. Raises InputError; warnings are dropped. `nominal_only`: the
    scenario runs at its nominal values (a sweep's point, a policy's candidate), its
    assumptions never drawn, so their ranges are not checked again (each check of
    dozens of ranges validates the scenario at their extremes: a third of a second)."""
    origins: Origins = {k: v if isinstance(v, tuple) else (file, v)
                        for k, v in (linemap or {}).items()}
    return validate(dict(data), origins, file, ranges=not nominal_only)[0]


def validate(data: Any, origins: Origins, file: str, ranges: bool = True
             ) -> tuple[Scenario, list[Problem]]:
    """Schema, then cross-field checks, then (with `ranges`) the assumptions' ranges;
    raises InputError with every error found."""
    from pydantic import ValidationError

    if not isinstance(data, dict):
        found = "an empty file" if data is None else type(data).__name__
        raise InputError([Problem(file, 1, "", f"expected a mapping of scenario keys, found {found}")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(validation_problems(err, Scenario, data, origins, file)) from None
    located = [_place(p, data, origins, file) for p in checks.check(scenario)]
    errors = [p for p in located if p.severity == "error"]
    if ranges and scenario.assumptions and not errors:  # each checked on a valid scenario
        errors = assumptions.check(scenario, origins, file)
    if errors:
        raise InputError(errors)
    return scenario, [p for p in located if p.severity != "error"]


# -- extends -------------------------------------------------------------------------

MAX_EXTENDS = 32  # files in one chain; real chains are two or three deep
# Keys that belong to the file that writes them: a scenario's `expectations` are claims
# about its own levers and values, which a child changes.
NOT_INHERITED = ("expectations",)
MAX_PATH_BYTES = 4096  # PATH_MAX on Linux


def read_with_extends(path: str | Path, keys: Collection[str] = ()
                      ) -> tuple[dict[str, Any], Origins]:
    """The file's data deep-merged over its `extends` chain, with each key's origin.
    The whole chain shares one reading budget (bytes, values). With `keys`, a file that
    has none of them at its top level is refused before anything of it is quoted
    (`extends: /etc/shadow` names the file and nothing more)."""
    return _read(Path(path), [], None, Budget(), frozenset(keys))


def _read(path: Path, chain: list[Path], via: tuple[str, int | None] | None, budget: Budget,
          keys: frozenset[str]) -> tuple[dict[str, Any], Origins]:
    file = str(path)
    here = _resolved(path, via)
    if here in chain:
        names = " -> ".join(excerpt(p.name) for p in [*chain[chain.index(here):], here])
        raise InputError([Problem(*(via or (file, None)), "extends", f"extends cycle: {names}")])
    if via is not None and not _is_file(path):
        raise InputError([Problem(*via, "extends", f"extended file not found: {file}")])
    data, lines = load_yaml(path, budget)
    if not isinstance(data, dict):
        found = "an empty file" if data is None else "a " + type(data).__name__
        raise InputError([Problem(file, 1, "", f"expected a mapping of scenario keys, found {found}")])
    if keys and not keys.intersection(data):
        raise InputError([Problem(*(via or (file, 1)), "extends" if via else "",
                                  f"{file if via else 'this file'} is not a kazsim scenario: "
                                  "none of its top-level keys is a scenario key")])
    origins: Origins = {k: (file, n) for k, n in lines.items()}
    parent = data.get("extends")
    if parent is None:
        return data, origins
    at = (file, lines.get(("extends",)))
    if not isinstance(parent, str) or not parent:
        raise InputError([Problem(*at, "extends", "expected the path of a scenario file")])
    if len(parent.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise InputError([Problem(*at, "extends", f"a path of more than {MAX_PATH_BYTES} bytes")])
    if len(chain) + 1 >= MAX_EXTENDS:
        raise InputError([Problem(*at, "extends", f"an extends chain of more than {MAX_EXTENDS} "
                                  "files")])
    base, base_origins = _read(path.parent / parent, [*chain, here], at, budget, keys)
    for key in NOT_INHERITED:
        base.pop(key, None)
        base_origins = {k: v for k, v in base_origins.items() if k[:1] != (key,)}
    replaced: set[KeyPath] = set()
    merged = deep_merge(base, data, (), replaced)
    kept = {k: v for k, v in base_origins.items()
            if k and not any(k[:n] in replaced for n in range(1, len(k) + 1))}
    kept[()] = (file, 1)
    written = {k: v for k, v in origins.items() if _present(merged, k)}  # a deleted key is nowhere
    return merged, {**kept, **written}


def _present(data: Any, keys: KeyPath) -> bool:
    node = data
    for k in keys:
        found = (isinstance(node, dict) and k in node) or (
            isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node))
        if not found:
            return False
        node = node[k]
    return True


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, say
        return False


def _resolved(path: Path, via: tuple[str, int | None] | None) -> Path:
    """The real path of a file, or a file:line problem (a symlink loop, a name too long)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as err:
        reason = "a symlink loop" if isinstance(err, RuntimeError) else (
            os_reason(err) if isinstance(err, OSError) else str(err))
        raise InputError([Problem(*(via or (str(path), None)), "extends" if via else "",
                                  f"cannot resolve {excerpt(path, 200)}: {reason}")]) from None


def deep_merge(base: dict[str, Any], over: dict[str, Any], at: KeyPath = (),
               replaced: set[KeyPath] | None = None) -> dict[str, Any]:
    """`over` on top of `base` as a JSON Merge Patch (RFC 7386): mappings merged key by
    key, `null` deletes the inherited key, anything else (lists too) replaced whole.
    Paths replaced or deleted are added to `replaced`."""
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
            if replaced is not None:
                replaced.add((*at, key))
        elif isinstance(value, dict):
            target = out.get(key)
            if not isinstance(target, dict):
                target = {}
                if replaced is not None and key in out:
                    replaced.add((*at, key))
            out[key] = deep_merge(target, value, (*at, key), replaced)
        else:
            out[key] = value
            if replaced is not None:
                replaced.add((*at, key))
    return out


# -- --set -----------------------------------------------------------------------------

MAX_PATH_PARTS = 32  # components of a dotted path (scenarios nest about 7 deep)


def apply_override(data: dict[str, Any], origins: Origins, override: str) -> list[Problem]:
    """Apply `dotted.path=value` in place; the key's origin becomes the override. A
    value set is a choice: the assumptions it fixes are dropped, each named in a
    warning returned."""
    where = ("--set " + excerpt(override, 120), None)
    path, eq, text = override.partition("=")
    path = path.strip()
    if not eq or not path:
        raise InputError([Problem(*where, "", "expected PATH=VALUE, e.g. force.recruiting.per_month=20")])
    if len(path) > MAX_PATH_BYTES or path.count(".") >= MAX_PATH_PARTS:
        raise InputError([Problem(*where, "", f"a path of more than {MAX_PATH_PARTS} keys "
                                  f"or {MAX_PATH_BYTES} characters")])
    if any(not c.isprintable() for c in path):
        raise InputError([Problem(*where, "", "a path with control characters")])
    try:
        value = parse_value(text)
        split(path)
        set_path(data, path, value)
        keys = key_path(data, path)
    except InputError as err:
        # the reader's own words say whether the YAML or the value read from it is wrong
        raise InputError([Problem(*where, excerpt(path, 120), f"value refused: {p.message}")
                          for p in err.problems]) from None
    except PathError as err:
        raise InputError([Problem(*where, excerpt(path, 120), f"cannot set this path: {err.reason} "
                                  f"at '{excerpt(err.at, 120)}'{err.hint}")]) from None
    for k in [k for k in origins if k[:len(keys)] == keys]:
        del origins[k]
    origins[keys] = where
    return [Problem(*where, f"assumptions.{p}", "fixed by --set: its range is not drawn",
                    severity="warning") for p in assumptions.release(data, path)]


def place(problems: Sequence[Problem], loaded: LoadedScenario) -> list[Problem]:
    """Check problems of a loaded scenario with the file and line of their keys."""
    return [_place(p, loaded.raw, loaded.origins, loaded.file) for p in problems]


def _place(p: Problem, data: Any, origins: Origins, file: str) -> Problem:
    """Give a check's problem the file and line of its key (or nearest ancestor)."""
    keys: KeyPath = ()
    parts = p.path.split(".") if p.path else []
    for n in range(len(parts), 0, -1):
        try:
            keys = key_path(data, ".".join(parts[:n]))
            break
        except (PathError, KeyError, StopIteration):
            continue
    f, line = locate(origins, keys, file)
    return Problem(f, line, p.path, p.message, p.severity)
