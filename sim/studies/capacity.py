"""Supply and demand: the largest contingent a force can sustain on a deployment.

The deployment's contingent is scaled to N people keeping its shape (slot counts in
proportion, largest remainders), and N is searched by bisection for the largest size
whose fill rate (that deployment's `rotation_fill_rate.<deployment>`) reaches `fill` in
at least a `confidence` share of replications. Every size is run on the same seeds and
replication indices (common random numbers), so sizes differ by their size, not by
their luck. The other deployments keep their shapes and draw on the same force in
their `priority` order.

The binding constraint is read from the first size that fails: the reason given for
most of its missing posts (no qualified person, dwell, no volunteer, unavailable,
medically non-deployable), named as the constraint it is; a size that fails only
because the force has no more people is `strength`.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.core.errors import InputError, ModelError
from sim.core.results import ReplicationResult
from sim.execution.executor import command_scheduler
from sim.execution.runner import run_replications
from sim.scenario.schema import Deployment, Scenario
from sim.studies.inputs import Overrides, ScenarioLike, load_scenario

CONSTRAINTS = {"no qualified person": "qualification", "unavailable": "strength", "dwell": "dwell",
               "no volunteer": "volunteers", "medically non-deployable": "medical"}


def scaled_counts(counts: list[int], size: int) -> list[int]:
    """Slot counts in the proportions of `counts`, summing to `size` (largest remainders;
    ties to the earlier slot)."""
    total = sum(counts)
    if total <= 0:
        raise ValueError("a contingent with no posts cannot be scaled")
    exact = [c * size / total for c in counts]
    out = [math.floor(x) for x in exact]
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: size - sum(out)]:
        out[i] += 1
    return out


def with_size(scenario: Scenario, deployment: str, size: int) -> Scenario:
    d = scenario.deployment(deployment)
    counts = scaled_counts([s.count for s in d.contingent], size)
    slots = [s.model_copy(update={"count": n}) for s, n in zip(d.contingent, counts)]
    new = d.model_copy(update={"contingent": slots})
    deps = [new if x.name == deployment else x for x in scenario.deployments]
    return scenario.model_copy(update={"deployments": deps})


@dataclass
class Probe:
    size: int
    met: float                  # share of replications that reached the fill rate
    fill_mean: float | None
    results: list[ReplicationResult] = field(repr=False, default_factory=list)


@dataclass
class Capacity:
    deployment: str
    largest_contingent: int
    binding_constraint: str
    fill_rate: float
    confidence: float
    reps: int
    seed: int
    probes: list[dict[str, Any]]
    shape: dict[str, int]        # slot role -> posts at the largest size
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"deployment": self.deployment, "largest_contingent": self.largest_contingent,
                "binding_constraint": self.binding_constraint, "binding_detail": self.detail,
                "fill_rate": self.fill_rate, "confidence": self.confidence, "reps": self.reps,
                "seed": self.seed, "shape": self.shape, "probes": self.probes}


def _probe(scenario: Scenario, deployment: str, size: int, fill: float, reps: int, seed: int,
           workers: int | None, scheduler: str | None) -> Probe:
    sc = with_size(scenario, deployment, size)
    results = run_replications(sc, range(reps), seed, workers, scheduler)
    failed = [r for r in results if not r.ok]
    if failed:
        raise ModelError(f"replication {failed[0].index} at size {size} failed: {failed[0].error}")
    rates = [r.metrics.get(f"rotation_fill_rate.{deployment}") for r in results]
    met = sum(1 for x in rates if x is not None and x >= fill - 1e-12) / reps
    known = [x for x in rates if x is not None]
    return Probe(size, met, sum(known) / len(known) if known else None, results)


def _binding(probe: Probe, scenario: Scenario, deployment: str) -> tuple[str, str]:
    """The constraint behind most missing posts at a size that fails."""
    d = scenario.deployment(deployment)
    weight: dict[tuple[str, str], int] = {}
    for r in probe.results:
        for u in r.unfilled:
            if u.deployment == deployment:
                weight[(u.reason, u.role)] = weight.get((u.reason, u.role), 0) + u.missing
    if not weight:
        return "strength", "no post went unfilled: replications fell short only by losses in theatre"
    (reason, role), _ = max(weight.items(), key=lambda kv: (kv[1], kv[0]))
    name = CONSTRAINTS.get(reason, reason)
    if name == "qualification":
        needs = sorted({q for s in d.contingent if s.role == role for q in s.requires})
        return name, f"{role}: {', '.join(needs) or 'grade'}"
    return name, f"{role}: {reason}"


def find_capacity(scenario: ScenarioLike, deployment: str | None = None, fill: float = 0.95,
                  confidence: float = 0.9, reps: int | None = None, seed: int | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  progress: Callable[[Probe], None] | None = None, *,
                  set: Overrides = None) -> Capacity:  # noqa: A002
    """The largest sustainable contingent of `deployment` (default: the first by priority)
    of `scenario` (a file path, a loaded scenario or a Scenario, with `set` overrides)."""
    scenario = load_scenario(scenario, set).scenario
    with command_scheduler(scheduler, workers) as shared:  # one local Dask cluster for all sizes
        return _search(scenario, deployment, fill, confidence, reps, seed, workers, shared,
                       progress)


def _search(scenario: Scenario, deployment: str | None, fill: float, confidence: float,
            reps: int | None, seed: int | None, workers: int | None, scheduler: str | None,
            progress: Callable[[Probe], None] | None) -> Capacity:
    if not scenario.deployments:
        raise InputError.single("the scenario has no deployments to size", path="deployments")
    names = [d.name for d in scenario.deployments]
    if deployment is None:
        deployment = min(scenario.deployments, key=lambda d: d.priority).name
    if deployment not in names:
        raise InputError.single(f"no deployment '{deployment}'; the scenario has {', '.join(names)}",
                                path="--deployment")
    if not (0 < fill <= 1) or not (0 < confidence <= 1):
        raise InputError.single("--fill and --confidence must be in (0, 1]", path="--fill")
    reps = scenario.replications if reps is None else reps
    seed = scenario.seed if seed is None else seed
    base: Deployment = scenario.deployment(deployment)
    if base.required <= 0:
        raise InputError.single(f"deployment '{deployment}' has no posts to scale", path="contingent")
    # No size above the force's strength (with everyone it ever could hold) can be filled.
    ceiling = max(scenario.force.initial.total, scenario.force.establishment.total,
                  *(g.establishment.total for g in scenario.growth))
    probes: dict[int, Probe] = {}

    def ok(size: int) -> bool:
        if size not in probes:
            probes[size] = _probe(scenario, deployment, size, fill, reps, seed, workers, scheduler)
            if progress is not None:
                progress(probes[size])
        return probes[size].met >= confidence - 1e-12

    lo, hi = 0, ceiling + 1      # ok(lo) holds (nothing to fill); ok(hi) does not
    size = min(base.required, ceiling)
    if size >= 1 and ok(size):   # from the shape as given, double until a size fails
        lo = size
        while 2 * lo <= ceiling:
            if not ok(2 * lo):
                hi = 2 * lo
                break
            lo *= 2
    elif size >= 1:
        hi = size
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    if hi > ceiling:
        constraint, detail = "strength", f"even {ceiling} people, the whole force, can be sustained"
    else:
        constraint, detail = _binding(probes[hi] if hi in probes else _probe(
            scenario, deployment, hi, fill, reps, seed, workers, scheduler), scenario, deployment)
    shape_sc = with_size(scenario, deployment, max(lo, 0)) if lo > 0 else None
    shape: dict[str, int] = {}
    for slot in shape_sc.deployment(deployment).contingent if shape_sc else []:
        shape[slot.role] = shape.get(slot.role, 0) + slot.count
    table = [{"size": p.size, "met_share": p.met, "fill_rate_mean": p.fill_mean}
             for p in sorted(probes.values(), key=lambda p: p.size)]
    return Capacity(deployment, lo, constraint, fill, confidence, reps, seed, table, shape, detail)
