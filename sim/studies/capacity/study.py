"""The capacity study: the largest contingent a deployment can sustain, and, with
`vary`, the requirements contour (that answer across a range of one input).

`plan_capacity` reads the scenario, the options and the contour's values, and checks the
size of the work before anything runs; `CapacityPlan.execute` runs each search (see
`search.py`) on the one execution path, every size and every contour value on the same
seeds and replication indices (common random numbers); `find_capacity` does both.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, ModelError, Problem
from sim.core.roles import role_label
from sim.core.version import __version__
from sim.execution.executor import command_scheduler
from sim.execution.limits import estimate_capacity
from sim.execution.runner import run_replications
from sim.report.atomic import TargetError
from sim.report.provenance import api_command, git_commit, override_texts, scenario_source
from sim.scenario.loader import LoadedScenario
from sim.scenario.paths import PathError, get_path
from sim.scenario.schema import Scenario
from sim.studies.capacity.report import headline_html, probes_figure, write_report
from sim.studies.capacity.result import CapacityRecord, ContourPoint, Vary
from sim.studies.capacity.search import Boundary, Outcome, Probe, Search
from sim.studies.capacity.shape import shape_at, with_size
from sim.studies.inputs import Overrides, ScenarioLike, load_scenario

CONSTRAINTS = {"no qualified person": "qualification", "unavailable": "strength",
               "dwell": "dwell", "no volunteer": "volunteers",
               "medically non-deployable": "medical"}


# -- the contour's values ------------------------------------------------------------------

def parse_vary(text: str) -> tuple[str, float, float, int]:
    """PATH, LOW, HIGH, STEPS from `PATH=LOW:HIGH:STEPS` (InputError naming --vary)."""
    def bad(why: str) -> InputError:
        return InputError([Problem(f"--vary {text}", None, "", f"{why}; expected "
                                   "PATH=LOW:HIGH:STEPS, e.g. deployments.iraq.tour_days=120:240:5")])

    path, eq, spec = text.partition("=")
    parts = spec.split(":")
    if not eq or not path.strip() or len(parts) != 3:
        raise bad("not PATH=LOW:HIGH:STEPS")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise bad(f"LOW and HIGH must be numbers, found '{parts[0]}' and '{parts[1]}'") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise bad("LOW and HIGH must be finite numbers")
    try:
        steps = int(parts[2])
    except ValueError:
        raise bad(f"STEPS must be a whole number, found '{parts[2]}'") from None
    if steps < 2:
        raise bad(f"STEPS must be at least 2 (LOW and HIGH are both values), found {steps}")
    return path.strip(), low, high, steps


def contour_ends(loaded: LoadedScenario, text: str
                 ) -> tuple[str, float, float, int, bool, list[LoadedScenario]]:
    """PATH, LOW, HIGH, STEPS, whether PATH holds whole numbers, and the scenario at LOW
    and at HIGH, validated like `--set` (a path that does not exist, a value the schema
    refuses: InputError); nothing else is read before the work is known not to be too
    large."""
    path, low, high, steps = parse_vary(text)
    first = _at(loaded, path, low, text)
    try:
        current = get_path(first.scenario.model_dump(mode="json", by_alias=True), path)
    except PathError:
        current = None
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise InputError([Problem(f"--vary {text}", None, path, "the path must hold a number to "
                                  f"vary over a range, found {current!r}")])
    whole = isinstance(current, int)
    last = _at(loaded, path, int(round(high)) if whole else high, text)
    return path, low, high, steps, whole, [first, last]


def contour_values(text: str, path: str, low: float, high: float, steps: int, whole: bool
                   ) -> Vary:
    """STEPS values from LOW to HIGH inclusive: rounded on a path that holds whole numbers
    (refused if two would be the same), whole numbers wherever every step is whole."""
    raw = [low + (high - low) * k / (steps - 1) for k in range(steps)]
    values: list[float | int]
    if whole:
        values = [int(round(v)) for v in raw]
        if len(set(values)) < len(values):
            shown = ", ".join(map(str, values[:12])) + (", ..." if len(values) > 12 else "")
            raise InputError([Problem(f"--vary {text}", None, path, "takes whole numbers: "
                                      f"{steps} steps from {low:g} to {high:g} repeat values "
                                      f"({shown}); use fewer steps")])
    elif all(float(v).is_integer() for v in raw):
        values = [int(v) for v in raw]
    else:
        values = [float(v) for v in raw]
    return Vary(path, low, high, steps, tuple(values), text)


def contour_scenarios(loaded: LoadedScenario, vary: Vary) -> list[LoadedScenario]:
    """The scenario at each of the contour's values."""
    return [_at(loaded, vary.path, v, vary.text) for v in vary.values]


def _at(loaded: LoadedScenario, path: str, value: float | int, text: str) -> LoadedScenario:
    try:
        return load_scenario(loaded, [f"{path}={value}"])
    except InputError as err:
        raise InputError([Problem(f"--vary {text}" if (p.file or "").startswith("--set ")
                                  else p.file, p.line, p.path, p.message)
                          for p in err.problems]) from None


# -- the plan ------------------------------------------------------------------------------

@dataclass
class CapacityPlan:
    """What `find_capacity` will do, settled and checked before anything runs."""

    loaded: LoadedScenario
    deployment: str
    fill_rate: float
    confidence: float
    reps: int
    max_reps: int
    seed: int
    vary: Vary | None = None
    points: list[LoadedScenario] = field(default_factory=list)

    def execute(self, *, workers: int | None = None, scheduler: str | None = None,
                progress: Callable[[Probe], None] | None = None,
                command: str | None = None) -> Capacity:
        started = _now()
        began = time.perf_counter()
        with command_scheduler(scheduler, workers) as shared:  # one cluster for every size
            nominal = self._search(self.loaded.scenario, "", workers, shared, progress)
            points = [self._point(value, sc.scenario, workers, shared, progress)
                      for value, sc in zip(self.vary.values, self.points)] if self.vary else []
        return self._result(nominal, points, command, started, time.perf_counter() - began)

    def _search(self, sc: Scenario, context: str, workers: int | None, scheduler: str | None,
                progress: Callable[[Probe], None] | None) -> tuple[Search, Boundary]:
        def told(p: Probe) -> None:
            p.context = context
            if progress is not None:
                progress(p)

        search = Search(_evaluator(sc, self.deployment, self.seed, workers, scheduler),
                        sc.deployment(self.deployment).required, ceiling(sc), self.fill_rate,
                        self.confidence, self.reps, self.max_reps, told)
        return search, search.run()

    def _point(self, value: float | int, sc: Scenario, workers: int | None,
               scheduler: str | None, progress: Callable[[Probe], None] | None
               ) -> ContourPoint:
        assert self.vary is not None
        search, boundary = self._search(sc, f"{self.vary.path}={value}", workers, scheduler,
                                        progress)
        constraint, detail = binding(boundary, sc, self.deployment)
        return ContourPoint(value, boundary, constraint, detail, search.sorted_probes())

    def _result(self, nominal: tuple[Search, Boundary], points: list[ContourPoint],
                command: str | None, started: str, wall: float) -> Capacity:
        sc = self.loaded.scenario
        search, boundary = nominal
        constraint, detail = binding(boundary, sc, self.deployment)
        return Capacity(
            deployment=self.deployment, largest_contingent=boundary.size,
            binding_constraint=constraint, fill_rate=self.fill_rate, confidence=self.confidence,
            reps=self.reps, seed=self.seed, probe_list=search.sorted_probes(),
            shape=shape_at(sc, self.deployment, boundary.size), detail=detail,
            max_reps=self.max_reps, boundary=boundary,
            base_shape=shape_at(sc, self.deployment, sc.deployment(self.deployment).required),
            scenario={"name": sc.name, "file": str(self.loaded.file),
                      "sha256": self.loaded.sha256, "start": sc.start.isoformat(),
                      "end": sc.end.isoformat()},
            run={"command": command or api_command(
                     "find_capacity", scenario_source(str(self.loaded.file),
                                                      override_texts(self.loaded.origins)),
                     deployment=self.deployment, fill=self.fill_rate,
                     confidence=self.confidence, reps=self.reps, seed=self.seed,
                     vary=self.vary.text if self.vary else None, max_reps=self.max_reps),
                 "overrides": override_texts(self.loaded.origins), "seed": self.seed,
                 "version": __version__, "commit": git_commit(), "started": started,
                 "finished": _now(), "wall_seconds": round(wall, 2)},
            vary=self.vary, points=points)


def ceiling(sc: Scenario) -> int:
    """No size above the force's strength, with everyone it ever could hold, can be filled."""
    return max(sc.force.initial.total, sc.force.establishment.total,
               *(g.establishment.total for g in sc.growth))


def plan_capacity(scenario: ScenarioLike, deployment: str | None = None, fill: float = 0.95,
                  confidence: float = 0.9, reps: int | None = None, seed: int | None = None,
                  *, set: Overrides = None, vary: str | None = None,  # noqa: A002
                  max_reps: int | None = None, workers: int | None = None,
                  allow_large: bool = False) -> CapacityPlan:
    """Load the scenario (and the contour's scenarios) and check the options and the size
    of the work; raise InputError before anything runs."""
    loaded = load_scenario(scenario, set)
    sc = loaded.scenario
    if not sc.deployments:
        raise InputError.single("the scenario has no deployments to size", loaded.file,
                                path="deployments")
    names = [d.name for d in sc.deployments]
    if deployment is None:
        deployment = min(sc.deployments, key=lambda d: d.priority).name
    if deployment not in names:
        raise InputError.single(f"no deployment '{deployment}'; the scenario has "
                                f"{', '.join(names)}", path="--deployment")
    problems = [f"{name} must be in (0, 1], found {value!r}"
                for name, value in (("--fill", fill), ("--confidence", confidence))
                if isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0 < value <= 1]
    reps = sc.replications if reps is None else reps
    max_reps = 4 * reps if max_reps is None else max_reps
    problems += [f"{name} must be a positive whole number, found {value!r}"
                 for name, value in (("--reps", reps), ("--max-reps", max_reps))
                 if isinstance(value, bool) or not isinstance(value, int) or value < 1]
    if not problems and max_reps < reps:
        problems.append(f"--max-reps ({max_reps}) must be at least --reps ({reps})")
    if problems:
        raise InputError([Problem(None, None, "", p) for p in problems])
    if sc.deployment(deployment).required <= 0:
        raise InputError.single(f"deployment '{deployment}' has no posts to scale", loaded.file,
                                path=f"deployments.{deployment}.contingent")
    points: list[LoadedScenario] = []
    found: Vary | None = None
    ends: list[LoadedScenario] = []
    steps = 0
    if vary is not None:
        path, low, high, steps, whole, ends = contour_ends(loaded, vary)
    # costed at the largest size the search may try, LOW and HIGH bounding the values'
    largest = [with_size(x.scenario, deployment, ceiling(x.scenario)) for x in [loaded, *ends]
               if _sizable(x.scenario, deployment)]
    estimate_capacity(largest, 1 + steps, reps, max_reps,
                      max(ceiling(x.scenario) for x in [loaded, *ends]),
                      workers).check(allow_large, loaded.file)
    if vary is not None:
        found = contour_values(vary, path, low, high, steps, whole)
        points = contour_scenarios(loaded, found)
        for p in points:
            if not _sizable(p.scenario, deployment):
                raise InputError.single(f"with --vary {vary}, deployment '{deployment}' has no "
                                        "posts to scale", path=found.path)
    return CapacityPlan(loaded, deployment, float(fill), float(confidence), reps, max_reps,
                        sc.seed if seed is None else int(seed), found, points)


def _sizable(sc: Scenario, deployment: str) -> bool:
    return deployment in [d.name for d in sc.deployments] and sc.deployment(deployment).required > 0


def find_capacity(scenario: ScenarioLike, deployment: str | None = None, fill: float = 0.95,
                  confidence: float = 0.9, reps: int | None = None, seed: int | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  progress: Callable[[Probe], None] | None = None, *,
                  set: Overrides = None, vary: str | None = None,  # noqa: A002
                  max_reps: int | None = None, allow_large: bool = False,
                  command: str | None = None) -> Capacity:
    """The largest contingent of `deployment` (default: the first by priority) that the
    force of `scenario` (a file path, a loaded scenario or a Scenario, with `set`
    overrides) keeps in theatre with fill rate `fill` in at least a `confidence` share of
    replications. `reps` replications a size (default the scenario's), up to `max_reps`
    (default 4 x reps) near the boundary. `vary="PATH=LOW:HIGH:STEPS"` adds the
    requirements contour. `progress(probe)` after each batch of replications."""
    plan = plan_capacity(scenario, deployment, fill, confidence, reps, seed, set=set,
                         vary=vary, max_reps=max_reps, workers=workers,
                         allow_large=allow_large)
    return plan.execute(workers=workers, scheduler=scheduler, progress=progress,
                        command=command)


def _evaluator(sc: Scenario, deployment: str, seed: int, workers: int | None,
               scheduler: str | None) -> Callable[[int, range], list[Outcome]]:
    key = f"rotation_fill_rate.{deployment}"

    def evaluate(size: int, indices: range) -> list[Outcome]:
        results = run_replications(with_size(sc, deployment, size), indices, seed, workers,
                                   scheduler)
        failed = [r for r in results if not r.ok]
        if failed:
            first = (failed[0].error or "").splitlines()[0]
            raise ModelError(f"error: replication {failed[0].index} at a contingent of {size} "
                             f"failed inside the model ({first})")
        out: list[Outcome] = []
        for r in results:
            missing: Counter[tuple[str, str]] = Counter()
            for u in r.unfilled:
                if u.deployment == deployment:
                    missing[(u.reason, u.role)] += u.missing
            out.append((r.metrics.get(key), missing))
        return out

    return evaluate


def binding(boundary: Boundary, sc: Scenario, deployment: str) -> tuple[str, str]:
    """The constraint behind most missing posts at the size above the answer."""
    above = boundary.above
    if above is None:
        return "strength", (f"even {boundary.size} people, the force's largest strength, "
                            "can be sustained")
    if not above.missing:
        return "strength", ("no post went unfilled at the next size: replications fell short "
                            "only by losses in theatre")
    (reason, role), _ = max(above.missing.items(), key=lambda kv: (kv[1], kv[0]))
    name = CONSTRAINTS.get(reason, reason)
    if name == "qualification":
        needs = sorted({q for s in sc.deployment(deployment).contingent if s.role == role
                        for q in s.requires})
        return name, f"{role_label(role)}: {', '.join(needs) or 'grade'}"
    return name, f"{role_label(role)}: {reason}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Capacity(CapacityRecord):
    """The answer of `find_capacity` (see `CapacityRecord`), with its report and figure."""

    def write_report(self, out: str | Path) -> Path:
        """capacity.json, capacity.md, capacity.html and figures/, atomically into `out`
        (a new, empty or earlier capacity report directory)."""
        try:
            return write_report(self, out)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def _repr_html_(self) -> str:
        return headline_html(self)

    def plot(self) -> Any:
        """The probes figure (fill share against size, with intervals) as a Figure."""
        return probes_figure(self)
