"""The size of a sweep before it runs (SPEC "Limits and large inputs"): its design
points, counted without building the design, and the work estimate of the whole sweep,
from what one replication of the base scenario (and of each factor at its extremes)
costs (`sim.execution.limits`)."""
from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from sim.execution.limits import (
    BYTES_BASE,
    BYTES_PER_DESIGN_CELL,
    BYTES_PER_STORED_RUN,
    Cost,
    Estimate,
    parallel_workers,
    replication_cost,
)
from sim.scenario.paths import PathError, set_path
from sim.scenario.schema import Scenario
from sim.studies.sweep.nolh import SIZES, runs_for
from sim.studies.sweep.spec import LoadedSweep, Range, SweepSpec


def design_points(spec: SweepSpec) -> int:
    """Design points of a sweep, computed without building the design."""
    k = len(spec.factors)
    if spec.design == "grid":
        return math.prod(len(f) if isinstance(f, list) else spec.levels
                         for f in spec.factors.values())
    if spec.design == "lhs":
        return spec.points or 1
    if spec.design == "nolh":
        if k > SIZES[-1][1]:
            return 0  # refused by the spec's own check
        runs = runs_for(k)
        return runs * min(max(1, math.ceil((spec.points or 0) / runs)), dict(SIZES)[runs])
    if spec.design == "sobol":
        n = spec.points or 1
        return (1 << max(0, (n - 1).bit_length())) * (k + 2)
    if spec.design == "morris":
        return (spec.points or 1) * (k + 1)
    raise ValueError(spec.design)  # pragma: no cover - the spec's Literal forbids it


def estimate_design(spec: SweepSpec) -> Estimate:
    """Building the design alone (what `--dry-run` does)."""
    points = design_points(spec)
    cells = points * max(len(spec.factors), 1)
    return Estimate(f"a {spec.design} design of {points:,} points", cells * 2e-6,
                    BYTES_BASE + cells * BYTES_PER_DESIGN_CELL)


def estimate_sweep(spec: SweepSpec, base: Scenario, variants: Iterable[Scenario] = (),
                   workers: int | None = None) -> Estimate:
    """`sweep`: every design point's replications. A run costs what the base scenario
    does plus, for each factor, the most any of its extreme values adds (`variants`)."""
    points = design_points(spec)
    runs = points * spec.replications
    cost = replication_cost(base)
    extra = Cost(0.0, 0.0, 0.0)
    for v in variants:
        c = replication_cost(v)
        extra = Cost(extra.events + max(0.0, c.events - cost.events),
                     extra.seconds + max(0.0, c.seconds - cost.seconds),
                     extra.memory + max(0.0, c.memory - cost.memory))
    seconds = cost.seconds + extra.seconds
    memory = cost.memory + extra.memory
    parallel = parallel_workers(workers, runs)
    design = estimate_design(spec)
    return Estimate(f"a {spec.design} design of {points:,} points x {spec.replications:,} "
                    "replications", design.seconds + runs * seconds / parallel,
                    design.memory + parallel * memory + runs * BYTES_PER_STORED_RUN,
                    f"{runs:,} runs of up to {seconds:.2g} s")


def factor_variants(spec: SweepSpec, raw: dict[str, Any]) -> list[Scenario]:
    """The base scenario with one factor at one of its extremes, for each factor and
    extreme that gives a valid scenario (at most a few levels of a discrete factor)."""

    out = []
    for path, factor in spec.factors.items():
        values = ([factor.low, factor.high] if isinstance(factor, Range) else list(factor)[:8])
        for value in values:
            data = copy.deepcopy(raw)
            try:
                set_path(data, path, int(value) if isinstance(factor, Range) and factor.integer
                         else value)
                out.append(Scenario.model_validate(data))
            except (PathError, ValidationError, TypeError, ValueError, OverflowError):
                continue
    return out


def check_size(loaded: LoadedSweep, allow_large: bool, workers: int | None = None,
               design_only: bool = False) -> None:
    """Refuse (TooLarge, exit 1) a design or a sweep over the work limits, from the spec
    alone: no design matrix is built first."""
    estimate_design(loaded.spec).check(allow_large, loaded.file)
    if design_only:
        return
    base = Scenario.model_validate(loaded.raw)
    estimate_sweep(loaded.spec, base, factor_variants(loaded.spec, loaded.raw),
                   workers).check(allow_large, loaded.file)
