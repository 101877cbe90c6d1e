"""Sweep files: a base scenario, factors addressed by dotted paths, a design, outputs.

`load_sweep(path)` validates the file like a scenario (every problem with file, line and
key path) and checks each factor path against the resolved scenario, defaults included.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from sim.core.errors import InputError, Problem
from sim.core.metrics import METRICS, series_info, unknown_metric
from sim.scenario.loader import load_scenario
from sim.scenario.paths import PathError, get_path
from sim.scenario.problems import allowed_keys, describe_error, unknown_key
from sim.scenario.yamlio import load_yaml
from sim.studies.sweep.nolh import SIZES, capacity

Design = Literal["grid", "lhs", "nolh", "sobol", "morris"]


class Range(BaseModel):
    """A continuous (or, with `integer`, whole-number) factor between `low` and `high`."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    low: float
    high: float
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        # rounding fractional bounds would give values outside the range (0.5 -> 0)
        if self.integer and not (self.low.is_integer() and self.high.is_integer()):
            raise ValueError("integer: true needs whole-number low and high")
        return self


Levels = list[Any]


def _kind(value: Any) -> str | None:
    if isinstance(value, (dict, Range)):
        return "range"
    return "levels" if isinstance(value, list) else None


# tagged, so an error names the one form the value was written in, not both
Factor = Annotated[
    Annotated[Range, Tag("range")] | Annotated[Levels, Field(min_length=2), Tag("levels")],
    Discriminator(_kind, custom_error_type="factor",
                  custom_error_message="expected a range {low, high} or a list of at least "
                                       "two levels")]


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario: str = Field(description="base scenario, path relative to the sweep file")
    design: Design
    points: int | None = Field(None, ge=1, description="lhs: design points; sobol: base "
                               "samples N; morris: trajectories; nolh: at least this many")
    levels: int = Field(3, ge=2, description="grid: levels of each range factor")
    replications: int = Field(10, ge=1)
    seed: int = Field(1, ge=0)
    factors: dict[str, Factor] = Field(default_factory=dict)
    # scenarios x policies: a design over each group, crossed (every lever row with every
    # uncertainty row); `factors` then holds both groups, uncertainties first
    uncertainties: dict[str, Factor] = Field(default_factory=dict)
    levers: dict[str, Factor] = Field(default_factory=dict)
    lever_design: Literal["grid", "lhs", "nolh"] = Field(
        "grid", description="the design over the levers when they are crossed")
    lever_points: int | None = Field(None, ge=1, description="lhs/nolh size over the levers")
    outputs: list[str] = Field(min_length=1)
    series: list[str] = Field(default_factory=list, description="time series to keep for "
                              "every run (sim.core.metrics series names)")

    @model_validator(mode="after")
    def _groups(self) -> SweepSpec:
        if not (self.uncertainties or self.levers):
            if not self.factors:
                raise ValueError("give `factors`, or `uncertainties` and `levers`")
            return self
        if not (self.uncertainties and self.levers):
            raise ValueError("give both `uncertainties` and `levers` (or only `factors`)")
        given = set(self.factors) - set(self.uncertainties) - set(self.levers)
        if given:
            raise ValueError("with `uncertainties` and `levers`, put every factor in one of "
                             f"them, not in `factors` ({', '.join(sorted(given))})")
        both = set(self.uncertainties) & set(self.levers)
        if both:
            raise ValueError(f"a factor is an uncertainty or a lever, not both: "
                             f"{', '.join(sorted(both))}")
        if self.design in ("sobol", "morris"):
            raise ValueError(f"design {self.design} needs its own sample structure; crossed "
                             "uncertainties x levers take grid, lhs or nolh")
        if self.lever_design == "lhs" and self.lever_points is None:
            raise ValueError("lever_design lhs needs `lever_points`")
        self.factors = {**self.uncertainties, **self.levers}
        return self

    def canonical(self) -> str:
        """The spec as canonical JSON: what a resumed sweep must match (without `series`
        when it keeps none, as specs were written before it existed)."""
        data = self.model_dump(mode="json")
        if not data["series"]:
            del data["series"]
        return json.dumps(data, sort_keys=True)

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:16]


class LoadedSweep(BaseModel):
    """A validated sweep with its base scenario, resolved relative to the sweep file."""
    model_config = ConfigDict(arbitrary_types_allowed=True)
    spec: SweepSpec
    file: str
    scenario_file: str
    scenario_sha256: str
    scenario_data_sha256: str  # of the merged data, so a changed `extends` parent shows
    raw: dict[str, Any]  # the base scenario's merged data, before defaults
    overrides: list[str] = []  # `--set` texts applied to `raw`


def is_sweep(data: Any) -> bool:
    """Whether a parsed YAML document is a sweep file rather than a scenario."""
    return isinstance(data, dict) and ("factors" in data or "design" in data)


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and check a sweep file; raises InputError listing every problem."""
    file = str(path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, "", "expected a mapping of sweep keys")])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise InputError([_problem(e, file, lines) for e in err.errors()]) from None
    problems = [Problem(file, lines.get(("outputs", i)), f"outputs.{i}",
                        unknown_metric(name))
                for i, name in enumerate(spec.outputs) if name not in METRICS]
    problems += [Problem(file, lines.get(("series", i)), f"series.{i}",
                         unknown_metric(name, series=True))
                 for i, name in enumerate(spec.series) if series_info(name) is None]
    if spec.design == "nolh" and len(spec.factors) > 22:
        problems.append(Problem(file, lines.get(("factors",)), "factors",
                                "a NOLH holds at most 22 factors; use design: lhs"))
    problems += _size_problems(spec, file, lines)
    scenario_file = Path(path).parent / spec.scenario
    if not scenario_file.is_file():
        problems.append(Problem(file, lines.get(("scenario",)), "scenario",
                                f"scenario file not found: {scenario_file}"))
        raise InputError(problems)
    loaded = load_scenario(scenario_file)
    resolved = loaded.scenario.model_dump(by_alias=True)
    for factor, levels in spec.factors.items():
        group = ("uncertainties" if factor in spec.uncertainties else
                 "levers" if factor in spec.levers else "factors")
        where = (file, lines.get((group, factor)), f"{group}.{factor}")
        problems += path_problems(resolved, factor, levels, where, spec.scenario)
    if problems:
        raise InputError(problems)
    data = json.dumps(loaded.raw, sort_keys=True, default=str).encode()
    return LoadedSweep(spec=spec, file=file, scenario_file=str(scenario_file),
                       scenario_sha256=loaded.sha256,
                       scenario_data_sha256=hashlib.sha256(data).hexdigest(), raw=loaded.raw)


def _size_problems(spec: SweepSpec, file: str, lines: dict[tuple[Any, ...], int]
                   ) -> list[Problem]:
    """Designs without their size, too small to analyse, or larger than a NOLH stacks."""
    def at(key: str, message: str) -> list[Problem]:
        return [Problem(file, lines.get((key,)), key, message)]

    k = len(spec.uncertainties or spec.factors)  # a crossed design's is over uncertainties
    if spec.design in ("lhs", "sobol", "morris") and spec.points is None:
        return at("design", f"design {spec.design} needs `points`")
    if spec.design == "lhs" and (spec.points or 0) < k + 2:
        return at("points", f"at least {k + 2} points (factors + 2) are needed to fit the "
                            "regression that ranks the factors")
    if spec.design == "morris" and (spec.points or 0) < 2:
        return at("points", "at least 2 trajectories are needed for sigma and mu*'s CI")
    if spec.design == "nolh" and k <= SIZES[-1][1] and (spec.points or 0) > capacity(k):
        return at("points", f"rotated copies of the NOLH for {k} factors give at most "
                            f"{capacity(k)} points; use design: lhs")
    return []


def path_problems(resolved: dict[str, Any], path: str, levels: Any,
                  where: tuple[str, int | None, str], scenario: str) -> list[Problem]:
    """A factor's or lever's path must exist in the base scenario, and a range must suit
    the value there (whole numbers for counts)."""
    try:
        get_path(resolved, path)
    except PathError as err:
        return [Problem(*where, f"no such key in scenario {scenario}: {path}{err.hint}")]
    value = get_path(resolved, path)
    mismatch = _range_mismatch(levels, value) if isinstance(levels, Range) else None
    return [Problem(*where, mismatch)] if mismatch else []


def _range_mismatch(factor: Range, value: Any) -> str | None:
    """Why a range cannot be written where the scenario holds `value` (None: it can)."""
    if value is None or isinstance(value, float) or (isinstance(value, dict) and "dist" in value):
        return None  # a number, or a distribution (a bare number means constant)
    if isinstance(value, int) and not isinstance(value, bool):
        return None if factor.integer else (
            f"the scenario holds a whole number here ({value}): add `integer: true`")
    found = ("a mapping" if isinstance(value, dict) else
             "a list" if isinstance(value, list) else repr(value))
    return f"a range needs a number here; the scenario holds {found}"


def _problem(error: Any, file: str, lines: dict[tuple[Any, ...], int],
             model: type[BaseModel] | None = None) -> Problem:
    loc = tuple(error["loc"])
    # pydantic puts the factor's form after its path (factors, PATH, "range", ...): drop it
    grouped = loc[:1] in (("factors",), ("uncertainties",), ("levers",))
    keys = loc[:2] + loc[3:] if grouped and len(loc) > 2 else loc
    line = None
    for n in range(len(keys), -1, -1):
        if keys[:n] in lines:
            line = lines[keys[:n]]
            break
    return Problem(file, line, ".".join(str(k) for k in keys),
                   _message(error, model or SweepSpec))


def _message(error: Any, model: type[BaseModel]) -> str:
    """The scenario layer's wording ("expected one of 'grid', 'lhs' ...", "found ..."),
    not pydantic's ("Input should be ..."); an unknown key as such, with its near miss."""
    if error["type"] == "extra_forbidden":
        loc = tuple(error["loc"])
        try:
            allowed = allowed_keys(model, loc[:-1])
        except Exception:  # noqa: BLE001 - a shape the lookup does not know: no hint
            allowed = []
        return unknown_key(str(loc[-1]), allowed)
    return describe_error(error)
