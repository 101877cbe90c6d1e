"""Record files: dated observations of the real world, each with its source and its use
(calibration data, or validation data kept back from calibration), to set a scenario
against (`hindcast`).

    name: KAZBAT in Iraq, the public record to September 2005
    observations:
      - {metric: items_cleared, by: 2005-09-10, at_least: 3000000, use: calibration,
         source: "Xinhua, 2005-09-10: more than 3 million explosive items destroyed"}

An observation bounds a metric of the catalogue: `at_least`, `at_most`, `equals` (with
`tolerance`) or `between`. `by:` reads the metric at a date inside the run, by its
`kind` (a count accumulated to the date, a state on the date, a ratio or mean over the
window to it); without it, at the end. `load_record` checks the file alone (every
problem with file, line and key path); `check_record` checks it against a scenario: a
date outside the run, or a metric the scenario cannot produce, is an input error.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.core.errors import InputError, Problem
from sim.core.metrics import applies, metric_info
from sim.scenario.problems import Origins, validation_problems
from sim.scenario.schema import FIRST_DATE, LAST_DATE, Scenario
from sim.scenario.yamlio import load_yaml, read_bytes

BOUNDS = ("at_least", "at_most", "equals", "between")


class Observation(BaseModel):
    """One observed fact about a metric, with where it comes from and what it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    metric: str = Field(min_length=1, description="a metric of the catalogue (sim/metrics.py)")
    by: dt.date | None = Field(None, description="read the metric at this date (default: the end)")
    at_least: float | None = None
    at_most: float | None = None
    equals: float | None = None
    tolerance: float | None = Field(None, ge=0, description="with `equals`: the value +- this")
    between: tuple[float, float] | None = None
    use: Literal["calibration", "validation"] = Field(
        description="calibration data, or validation data kept back from calibration")
    source: str = Field(min_length=1, description="where the observation comes from")

    @model_validator(mode="after")
    def _one_bound(self) -> Observation:
        given = [k for k in BOUNDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at_least, at_most, equals (with tolerance) or "
                             f"between; found {', '.join(given) if given else 'none'}")
        if self.tolerance is not None and self.equals is None:
            raise ValueError("tolerance goes with equals")
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError(f"between: the low end ({self.between[0]:g}) is above the high end "
                             f"({self.between[1]:g})")
        if self.by is not None and not FIRST_DATE <= self.by <= LAST_DATE:
            raise ValueError(f"by: expected a date from {FIRST_DATE} to {LAST_DATE}, found {self.by}")
        return self

    @property
    def interval(self) -> tuple[float, float]:
        """The values that agree with the observation (closed; infinite where open)."""
        if self.at_least is not None:
            return self.at_least, math.inf
        if self.at_most is not None:
            return -math.inf, self.at_most
        if self.equals is not None:
            tol = self.tolerance or 0.0
            return self.equals - tol, self.equals + tol
        assert self.between is not None
        return self.between

    def agrees(self, value: float | None) -> bool:
        """Whether a run's value agrees with the observation (a run without one does not)."""
        low, high = self.interval
        return value is not None and low <= value <= high

    def record(self) -> dict[str, Any]:
        """The observation as written: its bound."""
        if self.equals is not None:
            return {"equals": self.equals, "tolerance": self.tolerance or 0.0}
        key = next(k for k in BOUNDS if getattr(self, k) is not None)
        value = getattr(self, key)
        return {key: list(value) if key == "between" else value}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: str = Field(min_length=1)
    description: str = ""
    observations: list[Observation] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedRecord:
    record: Record
    file: str
    sha256: str
    lines: dict[tuple[Any, ...], int]

    def line(self, i: int, key: str | None = None) -> int | None:
        """The line of observation `i` (of its `key` where that was written)."""
        at = ("observations", i)
        return self.lines.get((*at, key)) if key and (*at, key) in self.lines else self.lines.get(at)


def is_record(data: Any) -> bool:
    """Whether a parsed YAML document is a record file rather than a scenario."""
    return isinstance(data, dict) and "observations" in data


def load_record(path: str | Path) -> LoadedRecord:
    """Read and check a record file alone (its shape, and every metric in the
    catalogue); raises InputError listing every problem with file, line and key path."""
    file = str(path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, "", "expected a mapping with `name` and `observations`")])
    try:
        record = Record.model_validate(data)
    except ValidationError as err:
        origins: Origins = {keys: (file, line) for keys, line in lines.items()}
        raise InputError(validation_problems(err, Record, data, origins, file)) from None
    loaded = LoadedRecord(record, file, hashlib.sha256(read_bytes(path)).hexdigest(), lines)
    problems = [Problem(file, loaded.line(i, "metric"), f"observations.{i}.metric",
                        f"unknown metric '{o.metric}' (see the metric names in the README)")
                for i, o in enumerate(record.observations) if metric_info(o.metric) is None]
    if problems:
        raise InputError(problems)
    return loaded


def check_record(loaded: LoadedRecord, scenario: Scenario, scenario_file: str) -> list[Problem]:
    """Problems of a record set against a scenario: a `by:` date outside the run, a metric
    the scenario cannot produce (a task, deployment or course it does not have)."""
    problems = []
    for i, o in enumerate(loaded.record.observations):
        if o.by is not None and not scenario.start <= o.by <= scenario.end:
            problems.append(Problem(loaded.file, loaded.line(i, "by"), f"observations.{i}.by",
                                    f"{o.by} is outside the run of {scenario_file} "
                                    f"({scenario.start} to {scenario.end})"))
        why = cannot_produce(o.metric, scenario)
        if why:
            problems.append(Problem(loaded.file, loaded.line(i, "metric"), f"observations.{i}.metric",
                                    f"{scenario_file} cannot produce '{o.metric}': {why}"))
    return problems


def cannot_produce(metric: str, scenario: Scenario) -> str | None:
    """Why `scenario` has no value of a catalogued `metric` (None: it has one)."""
    head, _, member = metric.rpartition(".")
    members = {  # the families of the catalogue whose members a scenario names
        "output": ("task", {t for d in scenario.deployments for t in d.theatre.tasks}),
        "rotation_fill_rate": ("deployment", {d.name for d in scenario.deployments}),
        "course_wait_days_mean": ("course", set(scenario.training.courses)),
    }
    if head in members:
        noun, names = members[head]
        if member not in names:
            return f"it has no {noun} '{member}' (its {noun}s: {', '.join(sorted(names)) or 'none'})"
    if not applies(metric, scenario):
        return "it does not apply (no restructuring target)"
    return None

