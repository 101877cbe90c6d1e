"""`assumptions:`: the numbers nobody knows, each a distribution over a dotted path.

`check` (called by the loader after the schema and the cross-field checks) refuses what
would be accepted and then ignored or broken: a path `--set` would not take (a typo is
named with its near miss), a path no run reads (`seed`, `name`, ...), a nominal value
(the scenario's own value at the path) outside the distribution, a distribution that
can give a value the path cannot take (a share above 1, a negative count, a fraction
for a whole number), and a path that a timeline entry dated on or before the start
sets (that entry would replace every drawn value on the first day). A timeline entry
dated after the start that sets the path takes over from its date: the drawn value is
the one in force until then, as the scenario's own value is without draws.

`Declared.value_at(u)` turns a uniform number in [0, 1) into a value of the
distribution (integer paths rounded to the nearest whole number); `with_values` is the
scenario with drawn values, validated once.
"""
from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from pydantic import ValidationError

from sim.core.errors import InputError, Problem
from sim.scenario import checks
from sim.scenario.paths import PathError, get_path, set_path
from sim.scenario.problems import Origins, dotted, grouped, key_path, locate, show
from sim.scenario.schema import Assumption, Scenario
from sim.scenario.timeline import canonical, relation

# Top-level keys whose value no replication reads, or that hold other inputs' paths.
NOT_UNCERTAIN = ("name", "description", "sources", "extends", "replications", "seed",
                 "assumptions", "timeline", "thresholds")
# A lognormal has no bounds: its draws are taken between these quantiles.
LOGNORMAL_TAIL = 1e-6


@dataclass(frozen=True)
class Declared:
    """One assumption of a validated scenario: its path with list items by name, the
    distribution, the nominal value, and whether the path holds whole numbers."""

    path: str
    assumption: Assumption
    nominal: Any
    integer: bool

    @property
    def source(self) -> str:
        return self.assumption.source

    def distribution(self) -> dict[str, Any]:
        return self.assumption.distribution()

    @property
    def key(self) -> str:
        """The path and the distribution: scenarios that share an assumption (same key)
        share its drawn values."""
        return f"{self.path} {json.dumps(self.distribution(), sort_keys=True)}"

    def value_at(self, u: float) -> Any:
        """The value at the u-quantile of the distribution (u in [0, 1))."""
        a = self.assumption
        if a.choice is not None:
            return a.choice[min(int(u * len(a.choice)), len(a.choice) - 1)]
        if a.range is not None:
            low, high = a.range
            x = low + u * (high - low)
        elif a.triangular is not None:
            low, mode, high = a.triangular
            cut = (mode - low) / (high - low)
            x = (low + math.sqrt(u * (high - low) * (mode - low)) if u < cut
                 else high - math.sqrt((1 - u) * (high - low) * (high - mode)))
            x = min(max(x, low), high)  # rounding near a bound of tiny width
        else:
            assert a.lognormal is not None
            z = NormalDist().inv_cdf(min(max(u, LOGNORMAL_TAIL), 1 - LOGNORMAL_TAIL))
            x = a.lognormal.median * math.exp(a.lognormal.sigma * z)
        return math.floor(x + 0.5) if self.integer else float(x)

    def extremes(self) -> list[Any]:
        """The values at the ends of what can be drawn (every option of a choice)."""
        if self.assumption.choice is not None:
            return list(self.assumption.choice)
        return [self.value_at(0.0), self.value_at(1.0)]


def declared(sc: Scenario) -> list[Declared]:
    """The assumptions of a scenario that `check` accepted, in file order."""
    data = sc.data()
    out = []
    for path, a in sc.assumptions.items():
        nominal = get_path(data, path)
        out.append(Declared(canonical(data, path), a, nominal,
                            isinstance(nominal, int) and not isinstance(nominal, bool)))
    return out


def with_values(sc: Scenario, values: Mapping[str, Any], cross_checks: bool = True) -> Scenario:
    """`sc` with the value at each path replaced; InputError (no file or line: the
    values were drawn, not written) if the result is not a valid scenario (against the
    schema alone without `cross_checks`)."""
    data = sc.data()
    for path, value in values.items():
        set_path(data, path, value, create=False)
    try:
        out = Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError([Problem(None, None, dotted(data, keys), text)
                          for keys, text in grouped(err, Scenario, data)]) from None
    broken = [p for p in checks.check(out) if p.severity == "error"] if cross_checks else []
    if broken:
        raise InputError(broken)
    return out


def release(data: Any, path: str) -> list[str]:
    """A value set by `--set`, a sweep point or an optimiser's candidate is a choice, not
    an unknown: drop from raw scenario data the assumptions it fixes (at `path`, above
    it or below it) and return their paths, so that the set value is what runs (and
    lies outside the range if it likes)."""
    declared = data.get("assumptions")
    if not isinstance(declared, dict):
        return []
    target = _reach(data, path)
    fixed = [p for p in declared if isinstance(p, str) and _overlap(_reach(data, p), target)]
    for p in fixed:
        del declared[p]
    return fixed


def _reach(data: Any, path: str) -> tuple[Any, ...]:
    """The keys and list indices of `path` as far as the data holds it, the rest as written."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        try:
            return (*key_path(data, ".".join(parts[:n])), *parts[n:])
        except (PathError, StopIteration):
            continue
    return tuple(parts)


def _overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


# -- checks -----------------------------------------------------------------------------

def check(sc: Scenario, origins: Origins, file: str) -> list[Problem]:
    """Every problem of the scenario's `assumptions:`, placed at its key's line.

    Each extreme value is checked against the schema alone, then all extremes at once
    against the cross-field checks (two or a few scenarios instead of two a path: those
    replay the timeline and the expectations, about 50 ms a scenario); only when such a
    combination fails is each extreme checked in full, to name the one at fault."""
    data = sc.data()
    found: list[Problem] = []
    seen: dict[str, str] = {}
    full = not _extremes_pass_together(sc, data)
    for path, a in sc.assumptions.items():
        f, line = locate(origins, ("assumptions", path), file)
        texts = list(_problems(sc, data, path, a, full))
        if not texts:
            same = canonical(data, path)
            if same in seen:
                texts.append(f"the same value as assumption '{seen[same]}': write one of them")
            seen.setdefault(same, path)
        found += [Problem(f, line, f"assumptions.{path}", text) for text in texts]
    return found


def _extremes_pass_together(sc: Scenario, data: dict[str, Any]) -> bool:
    """Whether the scenario with every assumption at its low extremes, then its high
    ones (a choice's options in turn), passes every check."""
    ends: dict[str, list[Any]] = {}
    for path, a in sc.assumptions.items():
        try:
            nominal = get_path(data, path)
        except PathError:
            return False
        integer = isinstance(nominal, int) and not isinstance(nominal, bool)
        ends[path] = Declared(path, a, nominal, integer).extremes()
    for i in range(max((len(v) for v in ends.values()), default=0)):
        try:
            with_values(sc, {p: v[min(i, len(v) - 1)] for p, v in ends.items()})
        except (InputError, PathError):
            return False
    return True


def _problems(sc: Scenario, data: dict[str, Any], path: str, a: Assumption,
              full: bool = True) -> Iterator[str]:
    head = path.split(".")[0]
    if head in NOT_UNCERTAIN:
        yield (f"'{head}' is not an input a run draws (assumptions take the paths of the "
               "model's inputs, as --set does)")
        return
    try:
        nominal = get_path(data, path)
    except PathError as err:
        yield _no_path(data, path, err)
        return
    if isinstance(nominal, (dict, list)) or nominal is None:
        what = ("a mapping" if isinstance(nominal, dict) else "a list"
                if isinstance(nominal, list) else "nothing (not set)")
        keys = (f" (address one of its keys: "
                f"{', '.join(str(k) for k, v in nominal.items() if v is not None)})"
                if isinstance(nominal, dict) else "")
        yield f"expected the path of a single value, found {what}{keys}"
        return
    number = isinstance(nominal, (int, float)) and not isinstance(nominal, bool)
    if a.choice is None and not number:
        yield (f"{a.kind} needs a number at this path, found {show(nominal)} (a choice "
               "lists the values it may take)")
        return
    here = Declared(canonical(data, path), a, nominal, isinstance(nominal, int) and number
                    and not isinstance(nominal, bool))
    yield from _whole(here)
    yield from _nominal_inside(here)
    yield from _timeline_conflict(sc, data, here)
    for value in here.extremes():
        message = _invalid_with(sc, path, value, full)
        if message:
            yield f"a drawn value of {show(value)} would not be valid: {message}"
            return


def _no_path(data: dict[str, Any], path: str, err: PathError) -> str:
    """A typo named with its near miss among the keys (or list names) where it failed."""
    parts = path.split(".")
    node: Any = data
    n = 0
    while n < len(parts) - 1 and _has_step(node, parts[n]):
        node = get_path(node, parts[n])
        n += 1
    parent = ".".join(parts[:n])
    if isinstance(node, dict):
        options = [str(k) for k in node]
    elif isinstance(node, list):
        options = [str(i.get("name") or i.get("role")) for i in node
                   if isinstance(i, dict) and (i.get("name") or i.get("role"))]
    else:
        return f"no such path in the scenario ({err.reason} at '{err.at}')"
    near = difflib.get_close_matches(parts[n], options, n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    where = f" in {parent}" if parent else ""
    what = "item" if isinstance(node, list) else "key"
    return f"no {what} '{parts[n]}'{where}{hint}"


def _has_step(node: Any, part: str) -> bool:
    try:
        get_path(node, part)
    except PathError:
        return False
    return True


def _whole(d: Declared) -> Iterator[str]:
    a = d.assumption
    numbers = list(a.range or a.triangular or ())
    numbers += [v for v in (a.choice or []) if isinstance(v, (int, float))]
    if d.integer and any(not float(v).is_integer() for v in numbers):
        yield (f"this path holds whole numbers; {a.kind} has fractions: "
               f"{json.dumps(d.distribution()[a.kind])}")


def _nominal_inside(d: Declared) -> Iterator[str]:
    a, nominal = d.assumption, d.nominal
    spec = json.dumps(d.distribution()[a.kind], default=str)
    if a.choice is not None:
        if not any(_same(nominal, v) for v in a.choice):
            yield (f"the scenario's own value here, {show(nominal)}, is not one of the "
                   f"choices {spec}: the nominal value must be one of them")
        return
    if a.lognormal is not None:
        if not nominal > 0:
            yield (f"the scenario's own value here, {show(nominal)}, is not positive: a "
                   "lognormal gives positive values only")
        return
    bounds = a.range or a.triangular
    assert bounds is not None
    if not bounds[0] <= nominal <= bounds[-1]:
        yield (f"the scenario's own value here, {show(nominal)}, lies outside the {a.kind} "
               f"{spec}: the nominal value must lie inside it")


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return str(a) == str(b) and isinstance(a, bool) == isinstance(b, bool)


def _timeline_conflict(sc: Scenario, data: dict[str, Any], d: Declared) -> Iterator[str]:
    for i, entry in enumerate(sc.timeline):
        if entry.at > sc.start:
            continue  # takes over from its date: documented above
        for target in entry.set:
            try:
                other = canonical(data, target)
            except PathError:
                continue  # the timeline check reports it
            if relation(other, d.path) is not None:
                yield (f"timeline entry {i} ({entry.at}, on or before the start) sets "
                       f"{target}, which replaces every drawn value on the first day: "
                       "write the range on the scenario's own value and drop the entry")


def _invalid_with(sc: Scenario, path: str, value: Any, full: bool = True) -> str | None:
    """Why the scenario with `value` at `path` is not valid (None if it is); without
    `full`, against the schema alone."""
    try:
        with_values(sc, {path: value}, cross_checks=full)
    except InputError as err:
        p = err.problems[0]
        return f"{p.path}: {p.message}" if p.path else p.message
    except PathError as err:
        return str(err)
    return None
