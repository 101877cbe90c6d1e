"""The verify study: the battery of `battery.py` run on a scenario.

`plan_verify` builds every run the battery needs (the scenario as it is, each extreme
variant, each expectation's variant) and checks the size of the work before anything
runs; `VerifyPlan.execute` runs them on the one execution path, all on the same seeds
and replication indices (common random numbers: an expectation's difference is paired
replication by replication), then the determinism runs (the first few replications
again in this process, twice, and on two worker processes), and judges each check.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.core.errors import InputError, Problem
from sim.core.metrics import unit
from sim.core.results import ReplicationResult
from sim.core.stats import paired_difference
from sim.execution.executor import command_scheduler
from sim.execution.limits import estimate_run
from sim.execution.runner import Replicate, Task, run_replications, run_tasks
from sim.report.atomic import TargetError
from sim.report.document import fmt
from sim.report.provenance import api_command, override_texts, provenance, scenario_source
from sim.scenario.checks import expectation_problems
from sim.scenario.loader import LoadedScenario, place
from sim.scenario.schema import Expectation, Scenario
from sim.studies.inputs import Overrides, ProgressCallback, ScenarioLike, load_scenario
from sim.studies.verify.battery import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    Check,
    Extreme,
    audit,
    direction_status,
    extremes,
    identities,
    judge,
    variant,
)
from sim.studies.verify.report import write_report

if TYPE_CHECKING:
    import pandas as pd

FORMAT = "kazsim-verify/1"
MARKER = "verify.json"
DETERMINISM_REPS = 4  # replications run again for the determinism checks


@dataclass
class VerifyPlan:
    loaded: LoadedScenario
    reps: int
    seed: int
    extremes: list[tuple[Extreme, Scenario]]
    expectations: list[tuple[Expectation, Scenario | None]]  # None: the change is the scenario's own

    @property
    def warnings(self) -> list[Problem]:
        return self.loaded.warnings

    @property
    def determinism_reps(self) -> int:
        return min(self.reps, DETERMINISM_REPS)

    @property
    def planned(self) -> int:
        """Replications in all."""
        variants = len(self.extremes) + sum(sc is not None for _, sc in self.expectations)
        return self.reps * (1 + variants) + 3 * self.determinism_reps

    def execute(self, *, workers: int | None = None, scheduler: str | None = None,
                progress: ProgressCallback | None = None, command: str | None = None,
                model: Replicate | None = None) -> VerifyResult:
        """Run every check (`scheduler`: a Dask address, "local" or None for processes;
        `model`: a stand-in for the model, for tests)."""
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        began = time.perf_counter()
        done = [0]

        def tick(_: ReplicationResult) -> None:
            done[0] += 1
            if progress:
                progress(done[0], self.planned)

        scenarios = {"base": self.loaded.scenario,
                     **{f"extreme {i}": sc for i, (_, sc) in enumerate(self.extremes)},
                     **{f"expectation {i}": sc for i, (_, sc) in enumerate(self.expectations)
                        if sc is not None}}
        tasks = [Task(sc, i, self.seed, key=key) for key, sc in scenarios.items() for i in range(self.reps)]
        runs: dict[str, list[ReplicationResult]] = {key: [] for key in scenarios}
        with command_scheduler(scheduler, workers) as shared:
            for task, result in run_tasks(tasks, workers, shared, model):
                runs[task.key].append(result)
                tick(result)
        for results in runs.values():
            results.sort(key=lambda r: r.index)
        checks = [judge(e, _metrics(runs[f"extreme {i}"])) for i, (e, _) in enumerate(self.extremes)]
        checks += [audit(identity, _metrics(runs["base"])) for identity in identities(self.loaded.scenario)]
        checks += self._determinism(runs["base"], tick, model)
        checks += [expectation_check(exp, runs["base"], runs.get(f"expectation {i}"))
                   for i, (exp, _) in enumerate(self.expectations)]
        return VerifyResult(self.loaded, self.reps, self.seed, checks, started,
                            time.perf_counter() - began, command, runs["base"])

    def _determinism(self, base: list[ReplicationResult], tick: Any, model: Replicate | None
                     ) -> list[Check]:
        k, sc = self.determinism_reps, self.loaded.scenario
        again = [run_replications(sc, range(k), self.seed, 1, None, tick, model=model) for _ in range(2)]
        two = run_replications(sc, range(k), self.seed, 2, None, tick, model=model)
        first = base[:k]
        same_seed = _differ(again[0], again[1]) or _differ(first, again[0])
        workers = _differ(again[0], two)
        return [
            Check("same seed twice", "determinism", f"the first {k} replications run again with the "
                  "same seed give identical metrics and series",
                  same_seed or f"identical in {k} of {k} replications", FAIL if same_seed else PASS),
            Check("workers 1 and 2", "determinism", f"the first {k} replications on 1 and on 2 worker "
                  "processes give identical metrics and series",
                  workers or f"identical in {k} of {k} replications", FAIL if workers else PASS),
        ]


def _metrics(results: Sequence[ReplicationResult]) -> list[dict[str, float | None] | None]:
    return [r.metrics if r.ok else None for r in results]


def _differ(a: Sequence[ReplicationResult], b: Sequence[ReplicationResult]) -> str | None:
    """What differs between two runs of the same replications (None: nothing)."""
    for x, y in zip(a, b):
        if not (x.ok and y.ok):
            return f"replication {x.index} failed inside the model"
        diff = sorted(n for n in x.metrics.keys() | y.metrics.keys() if x.metrics.get(n) != y.metrics.get(n))
        if diff:
            n = diff[0]
            return (f"replication {x.index} differs in {len(diff)} metrics ({n}: "
                    f"{x.metrics.get(n)!r} against {y.metrics.get(n)!r})")
        if x.series != y.series:
            return f"replication {x.index} differs in its series"
    return None


def expectation_check(exp: Expectation, base: Sequence[ReplicationResult],
                      changed: Sequence[ReplicationResult] | None) -> Check:
    """An expectation judged on paired differences (changed - base, replication by
    replication, common random numbers); `changed` None when the change is the
    scenario's own value (an override or the file made it so): nothing to compare."""
    sets = ", ".join(f"{path} = {value}" for path, value in exp.set.items())
    wanted = {"up": "goes up", "down": "goes down", "same": "does not change"}[exp.direction]
    name = f"{exp.metric} {exp.direction}: {sets}"
    expected = f"{exp.metric} {wanted} when {sets}" + (f" ({exp.note})" if exp.note else "")
    if changed is None:
        return Check(name, "expectation", expected, "the change is the scenario's own value: "
                     "nothing to compare", INCONCLUSIVE)
    pair = paired_difference({r.index: r.metrics.get(exp.metric) for r in base if r.ok},
                             {r.index: r.metrics.get(exp.metric) for r in changed if r.ok})
    ci, mean = pair.diff_ci95, pair.diff_mean
    status = direction_status(exp.direction, ci)
    share = unit(exp.metric) == "share"
    if pair.n == 0 or mean is None:
        observed = "no replication with a value on both sides"
    else:
        observed = (f"change of {_signed(mean, share)} (95% CI {_signed(ci[0], share)} to "
                    f"{_signed(ci[1], share)}), {pair.n} paired replications" if ci else
                    f"change of {_signed(mean, share)} from {pair.n} paired replication "
                    "(no interval)")
    return Check(name, "expectation", expected, observed, status)


def _signed(v: float, share: bool = False) -> str:
    """A change with its sign; a share's in percentage points."""
    if share:
        return f"{v * 100:+.2g} points" if v else "0 points"
    return ("+" if v > 0 else "") + fmt(v)


def plan_verify(scenario: ScenarioLike, reps: int | None = None, seed: int | None = None, *,
                set: Overrides = None,  # noqa: A002
                workers: int | None = None, allow_large: bool = False) -> VerifyPlan:
    """Load the scenario, build the battery's variants and check the size of the work;
    InputError (TooLarge over the limits unless `allow_large`) before anything runs."""
    loaded = load_scenario(scenario, set)
    sc = loaded.scenario
    if reps is None:
        reps = sc.replications
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 2:
        raise InputError.single(f"reps: expected a whole number of at least 2 (paired intervals "
                                f"need two), found {reps!r}")
    data = sc.data()
    built = [(e, _variant(variant(data, e.sets, e.clear), f"the '{e.name}' check", loaded.file))
             for e in extremes(sc)]
    problems = place(expectation_problems(sc), loaded)
    if problems:
        raise InputError(problems)  # verify cannot do what the file asks of it
    data["expectations"] = []
    itself = Scenario.model_validate(data)
    expected: list[tuple[Expectation, Scenario | None]] = []
    for i, x in enumerate(sc.expectations):
        changed = _variant(variant(data, x.set, strip=False), f"expectations.{i}", loaded.file)
        expected.append((x, None if changed == itself else changed))
    plan = VerifyPlan(loaded, reps, sc.seed if seed is None else int(seed), built, expected)
    estimate_run(sc, plan.planned, workers).check(allow_large, loaded.file)
    return plan


def _variant(data: dict[str, Any], what: str, file: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError([Problem(file, None, "", f"{what}: the scenario it makes is not valid: "
                                  f"{err.errors()[0]['msg']}")]) from None


def verify(scenario: ScenarioLike, reps: int | None = None, seed: int | None = None,
           workers: int | None = None, scheduler: str | None = None, *,
           set: Overrides = None,  # noqa: A002
           progress: ProgressCallback | None = None, command: str | None = None,
           allow_large: bool = False, model: Replicate | None = None) -> VerifyResult:
    """Run the verification battery on `scenario`: extreme and degenerate conditions,
    the accounting identities on every replication, determinism, and the scenario's
    `expectations` paired with common random numbers (`reps` each, default the
    scenario's `replications`). `VerifyResult.ok` is False when a check fails."""
    plan = plan_verify(scenario, reps, seed, set=set, workers=workers, allow_large=allow_large)
    command = command or api_command(
        "verify", scenario_source(plan.loaded.file, override_texts(plan.loaded.origins)),
        reps=reps, seed=seed)
    return plan.execute(workers=workers, scheduler=scheduler, progress=progress,
                        command=command, model=model)


@dataclass
class VerifyResult:
    loaded: LoadedScenario
    reps: int
    seed: int
    checks: list[Check]
    started: str
    wall_seconds: float
    command: str | None
    base: list[ReplicationResult]

    @property
    def ok(self) -> bool:
        """No check failed (an inconclusive one does not fail)."""
        return not self.failed

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.checks) for s in (PASS, FAIL, INCONCLUSIVE)}

    def to_dict(self) -> dict[str, Any]:
        """verify.json."""
        prov = provenance(self.loaded, self.reps, self.seed, self.started, self.wall_seconds,
                          self.command, [r for r in self.base if not r.ok])
        return {"format": FORMAT, **prov, "checks": [c.to_dict() for c in self.checks],
                "summary": self.counts}

    @property
    def table(self) -> pd.DataFrame:
        """The validation table: name, kind, expected, observed, status."""
        import pandas as pd  # lazy: pandas only for who asks for a DataFrame

        return pd.DataFrame([c.to_dict() for c in self.checks],
                            columns=["name", "kind", "expected", "observed", "status"])

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False))

    def write_report(self, out: str | Path) -> Path:
        """verify.json, verify.md and verify.html, written atomically."""
        try:
            return write_report(self.to_dict(), out)
        except TargetError as err:
            raise InputError.single(str(err)) from None
