"""Dated changes to a scenario (`timeline:` entries with dotted-path `set:`).

The scenario is an immutable input. Entries dated on or before the start are part of
it (`initial_scenario`: the same as having the value from the start). Each later date
gives a new, validated state of the input (`dated_states`), which the replication
delivers at that date to the parts of the model that own the changed settings
(`sim.model.timeline`).

Only paths the model can change during a run are accepted (`timeline_paths()`, with
placeholders such as `deployments.<name>`); each is declared by the model component
that applies it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sim.scenario.paths import get_path, set_path, split
from sim.scenario.schema import Scenario, TimelineEntry


def apply_entry(scenario: Scenario, entry: TimelineEntry) -> Scenario:
    """The scenario as it stands after `entry`; the timeline itself is kept as it was."""
    data = scenario.data()
    for path, value in entry.set.items():
        set_path(data, path, value, create=False)
    return Scenario.model_validate(data)


def timeline_paths() -> list[str]:
    """Every path a timeline entry may set, with placeholders (`<name>`, `<course>`,
    `<grade>`, `<role>`, `<qualification>`); a path below one of them (a field of a
    distribution) or above some of them (a mapping all of whose keys are accepted) is
    accepted too."""
    # imported here: a scenario without a timeline is validated without loading the model
    from sim.model.retunable import timeline_patterns

    return sorted(timeline_patterns())


def is_placeholder(part: str) -> bool:
    return part.startswith("<") and part.endswith(">")


def relation(pattern: str | list[str], path: str | list[str]) -> str | None:
    """How `path` stands to `pattern`: "exact", "below" (it addresses a part of what
    the pattern names), "above" (it names a mapping the pattern lies in), or None."""
    pat = pattern.split(".") if isinstance(pattern, str) else pattern
    parts = path.split(".") if isinstance(path, str) else path
    n = min(len(pat), len(parts))
    if any(not is_placeholder(a) and a != b for a, b in zip(pat[:n], parts[:n])):
        return None
    if len(pat) == len(parts):
        return "exact"
    return "below" if len(parts) > len(pat) else "above"


def _leaves(value: Any, at: str) -> list[str]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{at}.{k}")]
    return [at]


def accepts(data: dict[str, Any], path: str, value: Any, patterns: list[str] | None = None) -> bool:
    """Whether the model can change `path` during a run (the path exists in `data`)."""
    patterns = timeline_paths() if patterns is None else patterns
    found = {relation(p, path) for p in patterns}
    if found & {"exact", "below"}:
        return True
    if "above" not in found:
        return False
    leaves = set(_leaves(get_path(data, path), path)) | set(_leaves(value, path))
    return all({relation(p, leaf) for p in patterns} & {"exact", "below"} for leaf in leaves)


def canonical(data: dict[str, Any], path: str) -> str:
    """`path` with list items addressed by `name` where they have one (deployments):
    `deployments.0.end` -> `deployments.iraq.end`."""
    node: Any = data
    out: list[str] = []
    for part in split(path):
        if isinstance(node, list):
            item = get_path(node, part)
            name = item.get("name") if isinstance(item, dict) else None
            out.append(name if isinstance(name, str) and name else part)
            node = item
        elif isinstance(node, dict):
            out.append(part)
            node = node.get(part)
        else:
            out.append(part)
            node = None
    return ".".join(out)


def initial_scenario(sc: Scenario) -> Scenario:
    """The scenario in force on its first day: entries dated on or before the start
    applied in date order (entries of one date in file order)."""
    early = sorted((e for e in sc.timeline if e.at <= sc.start), key=lambda e: e.at)
    for entry in early:
        sc = apply_entry(sc, entry)
    return sc


@dataclass(frozen=True)
class DatedState:
    at: dt.date
    paths: tuple[str, ...]     # canonical paths changed on that date
    state: Scenario            # the input in force from that date


def dated_states(sc: Scenario) -> list[DatedState]:
    """The input in force from each later date of the timeline, with what changed."""
    out: list[DatedState] = []
    state = initial_scenario(sc)
    later = sorted((e for e in sc.timeline if e.at > sc.start), key=lambda e: e.at)
    dates = sorted({e.at for e in later})
    for date in dates:
        data = state.data()
        paths: list[str] = []
        for entry in (e for e in later if e.at == date):
            for path, value in entry.set.items():
                paths.append(canonical(data, path))
                set_path(data, path, value, create=False)
        state = Scenario.model_validate(data)
        out.append(DatedState(date, tuple(dict.fromkeys(paths)), state))
    return out
