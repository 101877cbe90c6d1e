"""Sweep files: a base scenario, factors addressed by dotted paths, a design, outputs.

`load_sweep(path)` validates the file like a scenario (every problem with file, line and
key path) and checks each factor path against the resolved scenario, defaults included.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError, Problem

Design = Literal["grid", "lhs", "nolh", "sobol", "morris"]


class Range(BaseModel):
    """A continuous (or, with `integer`, whole-number) factor between `low` and `high`."""

    model_config = ConfigDict(extra="forbid")
    low: float
    high: float
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


Levels = list[Any]


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(description="base scenario, path relative to the sweep file")
    design: Design
    points: int | None = Field(None, ge=1, description="lhs: design points; sobol: base "
                               "samples N; morris: trajectories; nolh: at least this many")
    levels: int = Field(3, ge=2, description="grid: levels of each range factor")
    replications: int = Field(10, ge=1)
    seed: int = 1
    factors: dict[str, Range | Levels] = Field(min_length=1)
    outputs: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        for path, factor in self.factors.items():
            if isinstance(factor, list) and len(factor) < 2:
                raise ValueError(f"factor {path}: give at least two levels")
        if self.design in ("lhs", "sobol", "morris") and self.points is None:
            raise ValueError(f"design {self.design} needs `points`")
        return self

    def canonical(self) -> str:
        """The spec as canonical JSON: what a resumed sweep must match."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:16]


class LoadedSweep(BaseModel):
    """A validated sweep with its base scenario, resolved relative to the sweep file."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    spec: SweepSpec
    file: str
    scenario_file: str
    scenario_sha256: str
    raw: dict[str, Any]  # the base scenario's merged data, before defaults


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and check a sweep file; raises InputError listing every problem."""
    from sim.metrics import METRICS
    from sim.scenario.loader import load_scenario
    from sim.scenario.paths import has_path
    from sim.scenario.yamlio import load_yaml

    file = str(path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, "", "expected a mapping of sweep keys")])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise InputError([_problem(e, file, lines) for e in err.errors()]) from None
    problems = [Problem(file, lines.get(("outputs", i)), f"outputs.{i}",
                        f"unknown metric '{name}' (see sim/metrics.py)")
                for i, name in enumerate(spec.outputs) if name not in METRICS]
    if spec.design == "nolh" and len(spec.factors) > 22:
        problems.append(Problem(file, lines.get(("factors",)), "factors",
                                "a NOLH holds at most 22 factors; use design: lhs"))
    scenario_file = Path(path).parent / spec.scenario
    if not scenario_file.is_file():
        problems.append(Problem(file, lines.get(("scenario",)), "scenario",
                                f"scenario file not found: {scenario_file}"))
        raise InputError(problems)
    loaded = load_scenario(scenario_file)
    resolved = loaded.scenario.model_dump(by_alias=True)
    for factor in spec.factors:
        if not has_path(resolved, factor):
            problems.append(Problem(file, lines.get(("factors", factor)), f"factors.{factor}",
                                    f"no such key in scenario {spec.scenario}"))
    if problems:
        raise InputError(problems)
    return LoadedSweep(spec=spec, file=file, scenario_file=str(scenario_file),
                       scenario_sha256=loaded.sha256, raw=loaded.raw)


def _problem(error: Any, file: str, lines: dict[tuple[Any, ...], int]) -> Problem:
    loc = tuple(error["loc"])
    # pydantic puts the union member's name into loc ("Range", "list[any]"): drop it
    keys = tuple(k for k in loc if k not in ("Range", "list[any]"))
    line = None
    for n in range(len(keys), -1, -1):
        if keys[:n] in lines:
            line = lines[keys[:n]]
            break
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return Problem(file, line, ".".join(str(k) for k in keys), message)
