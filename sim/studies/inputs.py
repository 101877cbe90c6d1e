"""What the studies take, and the commands about input files: scenarios (a path, a loaded
scenario or a `Scenario` object) with overrides, files told apart by kind, `validate`,
`show` and the scenario format's schema."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, Problem
from sim.execution.limits import estimate_run
from sim.report.model import ReportFormatError, read_json
from sim.scenario.loader import LoadedScenario, apply_override
from sim.scenario.loader import load_scenario as load_file
from sim.scenario.loader import validate as validate_data
from sim.scenario.records import is_record, load_record
from sim.scenario.schema import Scenario
from sim.scenario.timeline import timeline_paths as scenario_timeline_paths
from sim.scenario.yamlio import load_yaml
from sim.studies.draws import REPS_PER_DRAW, count_draws, plan_draws
from sim.studies.optimize.policy import load_policy
from sim.studies.sweep.size import check_size
from sim.studies.sweep.spec import load_sweep

# progress(done, total): called after each replication or run; `total` may grow
ProgressCallback = Callable[[int, int], None]
Overrides = Mapping[str, Any] | Sequence[str] | None
ScenarioLike = str | Path | LoadedScenario | Scenario


def override_texts(overrides: Overrides) -> list[str]:
    """`{"a.b": 0.5}` or `["a.b=0.5"]` as the `PATH=VALUE` texts `--set` takes."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{path}={json.dumps(value, default=str)}" for path, value in overrides.items()]
    return [str(o) for o in overrides]


def load_scenario(source: ScenarioLike, set: Overrides = None) -> LoadedScenario:  # noqa: A002
    """A validated scenario from a YAML file (after `extends`), with `set` overrides
    applied like `--set` ({"dotted.path": value} or ["dotted.path=value"]).

    Also takes an already loaded scenario or a `Scenario` object (overrides applied on
    top). Raises InputError listing every problem, with file, line and key path.
    """
    texts = override_texts(set)
    if isinstance(source, (str, Path)):
        try:
            return load_file(source, texts)
        except InputError as err:
            raise _not_a_scenario(str(source)) or err from None
    if isinstance(source, LoadedScenario):
        if not texts:
            return source
        data, origins, file = copy.deepcopy(source.raw), dict(source.origins), source.file
    elif isinstance(source, Scenario):
        data, origins, file = source.model_dump(mode="json", by_alias=True), {}, "<python>"
    else:
        raise TypeError("expected a scenario file path, a loaded scenario or a "
                        f"sim Scenario, found {type(source).__name__}")
    released = [p for text in texts for p in apply_override(data, origins, text)]
    scenario, warnings = validate_data(data, origins, file)
    sha = getattr(source, "sha256", "")
    return LoadedScenario(scenario, file, sha, data, released + warnings, origins)


def file_kind(data: Any) -> str:
    """What a parsed kazsim YAML file is, by the keys only its kind has: "policy"
    (`objectives`), "sweep" (`factors` or `design`), "record" (`observations`), else
    "scenario"."""
    if isinstance(data, dict) and "objectives" in data:
        return "policy"
    if isinstance(data, dict) and ("factors" in data or "design" in data):
        return "sweep"
    if is_record(data):
        return "record"
    return "scenario"


def _not_a_scenario(path: str) -> InputError | None:
    """A clearer error for a sweep file or a saved report given as a scenario."""
    if path.lower().endswith(".json"):
        try:
            data = read_json(path)  # bounded: a saved report's size at most
        except ReportFormatError:
            return None
        fmt = data.get("format") if isinstance(data, dict) else None
        if isinstance(fmt, str) and fmt.startswith("kazsim-"):
            kind = "comparison" if "comparison" in fmt else "report"
            hint = ("compare it with another: `kazsim compare "
                    f"{path} OTHER.yaml`" if kind == "report" else
                    "open comparison.html beside it")
            return InputError([Problem(path, None, "", f"this is a saved kazsim {kind} "
                                       f"({fmt}), not a scenario: {hint}")])
        return None
    try:
        kind = file_kind(load_yaml(path)[0])
    except InputError:
        return None
    if kind != "scenario":
        return InputError([Problem(path, None, "", f"this is a {kind} file, not a scenario: "
                                   f"run it with `kazsim {_COMMAND[kind]} {path}`")])
    return None


_COMMAND = {"sweep": "sweep", "policy": "optimize", "record": "hindcast SCENARIO"}


# -- validate, show, schema --------------------------------------------------------------

@dataclass
class Validation:
    """The check of one file: its kind, its errors (none when it is good) and warnings."""

    file: str
    kind: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(files: str | Path | Sequence[str | Path], allow_large: bool = False
             ) -> list[Validation]:
    """Check scenario, sweep, policy and record files: every problem with file, line and key path,
    and (unless `allow_large`) whether running the file (a scenario at its
    `replications` and its default draws of `assumptions:`, a sweep's design) is over the
    work limits. A scenario's draws are each checked as a scenario. Never raises for a bad
    file: each file's `Validation` says what is wrong."""
    paths = [files] if isinstance(files, (str, Path)) else list(files)
    return [_validate_one(str(p), allow_large) for p in paths]


def _validate_one(file: str, allow_large: bool) -> Validation:
    kind = "scenario"
    try:
        kind = file_kind(load_yaml(file)[0])
        warnings: list[Problem] = []
        if kind == "policy":  # its budget bounds the work
            load_policy(file)
        elif kind == "record":  # checked alone here; against a scenario by `hindcast`
            load_record(file)
        elif kind == "sweep":
            sweep = load_sweep(file)
            if not allow_large:
                check_size(sweep, allow_large=False)
        else:
            loaded = load_file(file)
            warnings = loaded.warnings
            sc = loaded.scenario
            # as `run` would: its draws too (each drawn combination checked)
            drawn = plan_draws(sc, count_draws(None, bool(sc.assumptions)), REPS_PER_DRAW,
                               sc.seed, file)
            if not allow_large:
                estimate_run(sc, sc.replications, None, drawn.scenarios if drawn else (),
                             REPS_PER_DRAW).check(False, file)
    except InputError as err:
        return Validation(file, kind, errors=err.problems)
    return Validation(file, kind, warnings=warnings)


def show(scenario: ScenarioLike, set: Overrides = None) -> str:  # noqa: A002
    """The resolved scenario (after `extends`, `set` and defaults) as YAML."""
    import yaml

    loaded = load_scenario(scenario, set)
    data = loaded.scenario.model_dump(by_alias=True, exclude_none=True, exclude={"extends"})
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format (for editors)."""
    return Scenario.model_json_schema()


def timeline_paths() -> list[str]:
    """The paths a `timeline:` entry may set, with placeholders in <>."""
    return scenario_timeline_paths()
