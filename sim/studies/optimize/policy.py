"""Policy files: a base scenario, levers addressed by dotted paths, objectives, chance
constraints `P(METRIC OP VALUE) >= p` and a budget counted in model replications.

`load_policy(path)` checks the file like a sweep (every problem with file, line and key
path) and each lever path against the resolved scenario, defaults included.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.core.errors import InputError, Problem
from sim.core.metrics import METRICS, unknown_metric
from sim.core.suggest import did_you_mean
from sim.scenario.assumptions import release
from sim.scenario.loader import load_scenario, scenario_from_dict
from sim.scenario.paths import set_path
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import load_yaml
from sim.studies.sweep.spec import Range, _problem, path_problems

OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
             "==": operator.eq, "!=": operator.ne}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CONSTRAINT = re.compile(
    rf"^\s*P\(\s*([A-Za-z_][\w.]*)\s*(<=|>=|==|!=|<|>)\s*({_NUMBER})\s*\)\s*>=\s*({_NUMBER})\s*$")


class Shares(BaseModel):
    """Amounts written to several paths, summing to `total` (splitting a budget)."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    shares: list[str] = Field(min_length=2)
    total: float = Field(gt=0)
    integer: bool = False

    @model_validator(mode="after")
    def _distinct(self) -> Shares:
        if len(set(self.shares)) != len(self.shares):
            raise ValueError("each path may appear once in `shares`")
        if self.integer and not self.total.is_integer():
            raise ValueError("integer: true needs a whole-number total")
        return self


def _kind(value: Any) -> str | None:
    if isinstance(value, Shares) or (isinstance(value, dict) and "shares" in value):
        return "shares"
    if isinstance(value, (dict, Range)):
        return "range"
    return "choices" if isinstance(value, list) else None


Value: TypeAlias = "int | float | str | bool | None | list[Value] | dict[str, Value]"
Settings: TypeAlias = "dict[str, Value]"  # a candidate: lever path -> the value it sets


def _json_value(value: Any) -> Any:
    """A choice as JSON holds it: a date (YAML reads `2004-03-01` as one) as its ISO
    text, which the scenario reads back as the date; so that a candidate can be stored
    and reported."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


Lever = Annotated[
    Annotated[Range, Tag("range")] | Annotated[Shares, Tag("shares")]
    | Annotated[list[Any], Field(min_length=2), AfterValidator(_json_value), Tag("choices")],
    Discriminator(_kind, custom_error_type="lever",
                  custom_error_message="expected a range {low, high}, a list of at least two "
                                       "choices, or {shares: [PATH, ...], total: T}")]


@dataclass(frozen=True)
class Constraint:
    """`P(metric op value) >= p`: met by a replication whose metric satisfies `op value`;
    a null metric or a failed replication does not meet it."""
    expr: str
    metric: str
    op: str
    value: float
    p: float

    def met(self, metrics: dict[str, float | None] | None) -> bool:
        v = None if metrics is None else metrics.get(self.metric)
        return v is not None and bool(OPERATORS[self.op](v, self.value))


def parse_constraint(text: str) -> Constraint:
    m = _CONSTRAINT.match(text)
    if not m:
        raise ValueError(f"expected 'P(METRIC OP VALUE) >= p' with OP one of "
                         f"{', '.join(OPERATORS)}, found {text!r}")
    p = float(m.group(4))
    if not 0 < p <= 1:
        raise ValueError(f"the probability p must be in (0, 1], found {p}")
    return Constraint(" ".join(text.split()), m.group(1), m.group(2), float(m.group(3)), p)


class Objective(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minimize: str | None = None
    maximize: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Objective:
        if (self.minimize is None) == (self.maximize is None):
            raise ValueError("give exactly one of `minimize: NAME` or `maximize: NAME`")
        return self

    @property
    def name(self) -> str:
        return self.minimize or self.maximize or ""

    @property
    def sense(self) -> Literal["minimize", "maximize"]:
        return "minimize" if self.minimize else "maximize"


class PolicySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(description="base scenario, path relative to the policy file")
    levers: dict[str, Lever] = Field(min_length=1)
    objectives: list[Objective] = Field(min_length=1)
    constraints: list[str] = Field(default_factory=list)
    replications: int = Field(20, ge=1, description="replications per candidate in the search")
    budget: int = Field(ge=1, description="model replications in all, re-runs included")
    seed: int = Field(1, ge=0)
    rerun_candidates: int = Field(3, ge=0, description="best candidates re-run before one is "
                                  "declared best")
    rerun_replications: int | None = Field(None, ge=1, description="replications of each "
                                           "re-run candidate (default: twice `replications`)")

    @field_validator("constraints")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_constraint(text)
        return value

    @model_validator(mode="after")
    def _sizes(self) -> PolicySpec:
        if self.rerun_replications is not None and self.rerun_replications < self.replications:
            raise ValueError("rerun_replications must be at least `replications`")
        if self.budget < self.replications + self.rerun_reserve():
            raise ValueError(f"budget ({self.budget}) must cover one candidate "
                             f"({self.replications} replications) and the re-runs "
                             f"({self.rerun_reserve()})")
        return self

    @property
    def final_replications(self) -> int:
        return self.rerun_replications or 2 * self.replications

    def rerun_reserve(self) -> int:
        return self.rerun_candidates * (self.final_replications - self.replications)

    def parsed_constraints(self) -> list[Constraint]:
        return [parse_constraint(c) for c in self.constraints]

    def canonical(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


@dataclass
class LoadedPolicy:
    spec: PolicySpec
    file: str
    scenario_file: str
    scenario_sha256: str
    raw: Mapping[str, object]  # the base scenario's merged data, before defaults
    overrides: tuple[str, ...] = ()

    def scenario(self, settings: Settings) -> Scenario:
        """The base scenario with a candidate's settings; raises InputError."""
        data = copy.deepcopy(self.raw)
        for path, value in settings.items():
            set_path(data, path, value)
            release(data, path)  # the candidate fixes the value: no range check on it
        # a candidate runs at its nominal values: the base's ranges were checked on loading
        return scenario_from_dict(data, file=f"{self.scenario_file} (candidate)",
                                  nominal_only=True)

    def digest(self) -> str:
        text = json.dumps([self.spec.canonical(), self.scenario_sha256,
                           json.dumps(self.raw, sort_keys=True, default=str)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_policy(path: str | Path, overrides: Sequence[str] = (),
                reps: int | None = None, seed: int | None = None) -> LoadedPolicy:
    """Read and check a policy file, with `--set` overrides of its scenario and `--reps`,
    `--seed` overrides of its own keys; raises InputError listing every problem."""
    file = str(path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, "", "expected a mapping of policy keys")])
    data = {**data, **({"replications": reps} if reps is not None else {}),
            **({"seed": seed} if seed is not None else {})}
    try:
        spec = PolicySpec.model_validate(data)
    except ValidationError as err:
        found = [_problem(_untagged(e), file, lines, PolicySpec) for e in err.errors()]
        raise InputError(found) from None
    problems: list[Problem] = []
    levers = _lever_names(spec)
    for i, c in enumerate(spec.parsed_constraints()):
        if c.metric not in METRICS:
            problems.append(Problem(file, lines.get(("constraints", i)), f"constraints.{i}",
                                    unknown_metric(c.metric)))
    for i, o in enumerate(spec.objectives):
        if o.name not in METRICS and o.name not in levers:
            problems.append(Problem(file, lines.get(("objectives", i)), f"objectives.{i}",
                                    f"'{o.name}' is neither a metric nor a numeric lever"
                                    + did_you_mean(o.name, [*METRICS, *levers])))
    scenario_file = Path(path).parent / spec.scenario
    if not scenario_file.is_file():
        problems.append(Problem(file, lines.get(("scenario",)), "scenario",
                                f"scenario file not found: {scenario_file}"))
        raise InputError(problems)
    loaded = load_scenario(scenario_file, overrides)
    resolved = loaded.scenario.model_dump(by_alias=True)
    for name, lever in spec.levers.items():
        paths = lever.shares if isinstance(lever, Shares) else [name]
        where = (file, lines.get(("levers", name)), f"levers.{name}")
        for p in paths:
            problems += path_problems(resolved, p, lever, where, spec.scenario)
    if problems:
        raise InputError(problems)
    return LoadedPolicy(spec, file, str(scenario_file), loaded.sha256, loaded.raw,
                        tuple(overrides))


def _untagged(error: Any) -> Any:
    """pydantic puts a lever's form after its path (levers, NAME, "range", ...): drop it."""
    loc = tuple(error["loc"])
    if loc[:1] == ("levers",) and loc[2:3] in (("range",), ("shares",), ("choices",)):
        error = {**error, "loc": loc[:2] + loc[3:]}
    return error


def _lever_names(spec: PolicySpec) -> set[str]:
    """Names an objective may use: numeric levers and the paths of shares levers."""
    out: set[str] = set()
    for name, lever in spec.levers.items():
        if isinstance(lever, Shares):
            out.update(lever.shares)
        elif isinstance(lever, Range) or all(isinstance(v, (int, float)) for v in lever):
            out.add(name)
    return out
