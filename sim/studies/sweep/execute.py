"""Running a sweep: every (design point, replication) not yet stored, through the one
execution path (`sim.execution.runner.run_tasks`, each run a `ReplicationResult`), each result
committed to the store as it arrives.

Replication r of every design point runs with seed (sweep seed, r): common random
numbers across design points, and results independent of where a run happened. A
point's scenario is built and validated once; a point whose scenario is invalid is
stored as failed without running.
"""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, Problem
from sim.core.results import ReplicationResult
from sim.core.version import __version__
from sim.execution.executor import default_workers
from sim.execution.runner import Replicate, Task, run_tasks
from sim.report.provenance import git_commit
from sim.scenario.assumptions import release
from sim.scenario.loader import apply_override, scenario_from_dict
from sim.scenario.paths import PathError, get_path, set_path
from sim.scenario.schema import Scenario
from sim.studies.sweep.design import DesignMatrix, build
from sim.studies.sweep.size import check_size
from sim.studies.sweep.spec import LoadedSweep, load_sweep
from sim.studies.sweep.store import NotAStore, Run, SpecMismatch, Store


def point_scenario(sweep: LoadedSweep, parameters: dict[str, Any]) -> Scenario:
    """The base scenario with one design point's factor values; raises InputError."""
    data = copy.deepcopy(sweep.raw)
    for path, value in parameters.items():
        set_path(data, path, value)
        release(data, path)  # the point fixes the value: no range check on it
    # a point runs at its nominal values: the base's ranges were checked when it loaded
    return scenario_from_dict(data, file=f"{sweep.scenario_file} (design point)",
                              nominal_only=True)


@dataclass
class PreparedSweep:
    """A sweep file with the command's overrides applied, and its design."""
    sweep: LoadedSweep
    design: DesignMatrix
    scenario_name: str
    base_values: dict[str, Any] = field(default_factory=dict)  # each factor's, as the base has it

    @property
    def spec(self) -> Any:
        return self.sweep.spec

    def meta(self, command: str | None) -> dict[str, str]:
        sw = self.sweep
        return {"spec": sw.spec.canonical(), "sweep_file": sw.file,
                "scenario_file": sw.scenario_file, "scenario_sha256": sw.scenario_sha256,
                "scenario_data_sha256": sw.scenario_data_sha256, "design": sw.spec.design,
                "overrides": json.dumps(sw.overrides), "scenario_name": self.scenario_name,
                "command": command or "", "version": __version__,
                "commit": git_commit() or "",
                "base_values": json.dumps(self.base_values, default=str)}

    def open_store(self, db: str, resume: bool, command: str | None = None) -> OpenedSweep:
        """The store at `db`, holding this sweep. Without `resume`, a store that already
        holds a sweep is refused; with it, one of another sweep is. InputError either way."""
        try:
            if Path(db).exists() and not resume:
                with Store(db, readonly=True) as existing:
                    if existing.meta("spec") is not None:
                        raise InputError.single(f"{db} already holds a sweep: add --resume "
                                                "to finish it, or choose another --out")
            store = Store(db)
            try:
                store.initialise(self.meta(command), self.design.factors, self.design.values,
                                 self.design.unit.tolist())
            except Exception:
                store.close()
                raise
        except NotAStore as err:
            raise InputError.single(str(err)) from None
        except SpecMismatch as err:
            raise InputError.single(f"cannot resume: {err}") from None
        return OpenedSweep(self, store)


@dataclass
class OpenedSweep:
    prepared: PreparedSweep
    store: Store

    def todo(self) -> int:
        done = self.store.done()
        reps = self.prepared.spec.replications
        return sum(1 for p in range(len(self.prepared.design)) for r in range(reps)
                   if (p, r) not in done)

    def __enter__(self) -> OpenedSweep:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def prepare(file: str | Path, overrides: Sequence[str] = (), seed: int | None = None,
            reps: int | None = None, *, allow_large: bool = False, workers: int | None = None,
            design_only: bool = False) -> PreparedSweep:
    """Load and check a sweep file, apply `--set` overrides to its base scenario and
    `--seed`/`--reps` to its spec, check the work against the limits (the design's size
    alone when `design_only`), and build its design. Raises InputError."""
    loaded = load_sweep(file)
    problems = []
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        problems.append(f"--seed: expected a whole number >= 0, found {seed!r}")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        problems.append(f"--reps: expected a positive whole number, found {reps!r}")
    if problems:
        raise InputError([Problem(None, None, "", p) for p in problems])
    raw = copy.deepcopy(loaded.raw)
    origins: dict[Any, Any] = {}
    for text in overrides:
        apply_override(raw, origins, text)
    scenario = scenario_from_dict(raw, file=loaded.scenario_file)  # --set errors now
    update: dict[str, Any] = {}
    if seed is not None:
        update["seed"] = seed
    if reps is not None:
        update["replications"] = reps
    spec = loaded.spec.model_copy(update=update)
    data = json.dumps(raw, sort_keys=True, default=str).encode()
    sweep = loaded.model_copy(update={
        "spec": spec, "raw": raw, "overrides": list(overrides),
        "scenario_data_sha256": (hashlib.sha256(data).hexdigest() if overrides
                                 else loaded.scenario_data_sha256)})
    check_size(sweep, allow_large, workers, design_only)  # before any matrix is built
    resolved = scenario.model_dump(mode="json", by_alias=True)
    base = {}
    for f in spec.factors:
        try:
            base[f] = get_path(resolved, f)
        except PathError:  # a factor the scenario's defaults do not hold: no base value
            continue
    return PreparedSweep(sweep, build(spec), scenario.name, base)


def _run(point: int, parameters: dict[str, Any], seed: int, result: ReplicationResult,
         keep: Sequence[str]) -> Run:
    ok = result.error is None
    return Run(point, result.index, seed, parameters,
               {k: (None if v is None else float(v)) for k, v in result.metrics.items()}
               if ok else {}, "ok" if ok else "failed", result.error, result.wall_seconds,
               result.dates if ok and keep else [],
               {k: result.series[k] for k in keep if k in result.series} if ok else {})


def run_sweep(prepared: PreparedSweep, store: Store, model: Replicate | None = None,
              workers: int | None = None, scheduler: str | None = None,
              on_run: Callable[[Run], None] | None = None) -> int:
    """Run every (point, replication) the store lacks; return how many were run."""
    keep = list(prepared.spec.series)
    count = 0

    def record(run: Run) -> None:
        nonlocal count
        store.add(run)
        count += 1
        if on_run:
            on_run(run)

    tasks = _tasks(prepared, store.done(), record)
    window = 4 * (workers or default_workers())
    results = run_tasks(tasks, workers, scheduler, model, window)
    try:
        for task, result in results:
            point, parameters = task.key
            record(_run(point, parameters, task.seed, result, keep))
    finally:
        results.close()  # cancels the tasks not yet started (Ctrl-C)
    return count


def _tasks(prepared: PreparedSweep, done: set[tuple[int, int]],
           record: Callable[[Run], None]) -> Iterator[Task]:
    """Tasks point by point, built lazily so only the current point's scenario is held;
    a point whose scenario is invalid is recorded as failed runs instead."""
    sweep, seed = prepared.sweep, prepared.spec.seed
    for point, row in enumerate(prepared.design.values):
        reps = [r for r in range(prepared.spec.replications) if (point, r) not in done]
        if not reps:
            continue
        parameters = dict(zip(prepared.design.factors, row))
        try:
            scenario = point_scenario(sweep, parameters)
        except InputError as err:
            for r in reps:
                record(Run(point, r, seed, parameters, {}, "failed",
                           "invalid scenario at this design point: " + str(err), 0.0))
            continue
        for r in reps:
            yield Task(scenario, r, seed, key=(point, parameters))
