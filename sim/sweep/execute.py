"""Running a sweep: every (design point, replication) not yet stored, on any executor,
each result committed to the store as it arrives.

The model is a parameter: a picklable top-level callable `model(scenario, replication,
seed) -> metrics` that raises on failure. `real_model` wraps `sim.engine.run_replication`.
Replication r of every design point runs with seed (sweep seed, r): common random numbers
across design points, and results independent of where a run happened.
"""
from __future__ import annotations

import copy
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from sim.errors import InputError
from sim.scenario.schema import Scenario
from sim.sweep.design import DesignMatrix
from sim.sweep.spec import LoadedSweep
from sim.sweep.store import Run, Store

Model = Callable[[Scenario, int, int], dict[str, float | None]]


class ModelError(RuntimeError):
    """The model reported a failed replication."""


def real_model(scenario: Scenario, replication: int, seed: int) -> dict[str, float | None]:
    from sim.engine import run_replication

    result = run_replication(scenario, index=replication, seed=seed)
    if result.error is not None:
        raise ModelError(result.error)
    return result.metrics


def _run_task(task: tuple[Model, Scenario, int, int, int, dict[str, Any]]) -> Run:
    """One run, in a worker. Never raises: a failure becomes a failed Run."""
    model, scenario, point, replication, seed, parameters = task
    began = time.perf_counter()
    try:
        metrics = {k: (None if v is None else float(v))
                   for k, v in model(scenario, replication, seed).items()}
        status, error = "ok", None
    except Exception as exc:  # noqa: BLE001 - stored with the run, the sweep goes on
        metrics, status = {}, "failed"
        error = str(exc) if isinstance(exc, ModelError) else (
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}")
    return Run(point, replication, [seed, replication], parameters, metrics, status, error,
               time.perf_counter() - began)


def point_scenario(sweep: LoadedSweep, parameters: dict[str, Any]) -> Scenario:
    """The base scenario with one design point's factor values; raises InputError."""
    from sim.scenario.loader import scenario_from_dict
    from sim.scenario.paths import set_path

    data = copy.deepcopy(sweep.raw)
    for path, value in parameters.items():
        set_path(data, path, value)
    return scenario_from_dict(data, file=f"{sweep.scenario_file} (design point)")


def open_store(sweep: LoadedSweep, design: DesignMatrix, out: str) -> Store:
    """The store at `out`, holding this sweep's spec and design (raises SpecMismatch)."""
    store = Store(out)
    meta = {"spec": sweep.spec.canonical(), "sweep_file": sweep.file,
            "scenario_file": sweep.scenario_file, "scenario_sha256": sweep.scenario_sha256,
            "scenario_data_sha256": sweep.scenario_data_sha256,
            "design": sweep.spec.design}
    try:
        store.initialise(meta, design.factors, design.values, design.unit.tolist())
    except Exception:
        store.close()
        raise
    return store


def run_sweep(
    sweep: LoadedSweep,
    design: DesignMatrix,
    store: Store,
    model: Model = real_model,
    workers: int | None = None,
    scheduler: str | None = None,
    on_run: Callable[[Run], None] | None = None,
) -> int:
    """Run every (point, replication) the store lacks; return how many were run."""
    from sim.executor import imap_window

    done = store.done()
    count = 0
    for run in _invalid_point_runs(sweep, design, done):
        store.add(run)
        count += 1
        if on_run:
            on_run(run)
    tasks = _tasks(sweep, design, done, model)
    results = imap_window(_run_task, tasks, workers=workers, scheduler=scheduler)
    try:
        for _, run in results:
            store.add(run)
            count += 1
            if on_run:
                on_run(run)
    finally:
        results.close()  # cancels the tasks not yet started (Ctrl-C)
    return count


def todo(sweep: LoadedSweep, design: DesignMatrix, done: set[tuple[int, int]]) -> int:
    return sum(1 for p in range(len(design)) for r in range(sweep.spec.replications)
               if (p, r) not in done)


def _invalid_point_runs(sweep: LoadedSweep, design: DesignMatrix,
                        done: set[tuple[int, int]]) -> Iterator[Run]:
    """Failed runs for design points whose scenario does not validate."""
    seed = sweep.spec.seed
    for point, row in enumerate(design.values):
        parameters = dict(zip(design.factors, row))
        reps = [r for r in range(sweep.spec.replications) if (point, r) not in done]
        if not reps:
            continue
        try:
            point_scenario(sweep, parameters)
        except InputError as err:
            for r in reps:
                yield Run(point, r, [seed, r], parameters, {}, "failed",
                          "invalid scenario at this design point: " + str(err), 0.0)
                done.add((point, r))


def _tasks(sweep: LoadedSweep, design: DesignMatrix, done: set[tuple[int, int]],
           model: Model) -> Iterator[tuple[Model, Scenario, int, int, int, dict[str, Any]]]:
    """Tasks point by point, built lazily so only the current point's scenario is held."""
    seed = sweep.spec.seed
    for point, row in enumerate(design.values):
        reps = [r for r in range(sweep.spec.replications) if (point, r) not in done]
        if not reps:
            continue
        parameters = dict(zip(design.factors, row))
        scenario = point_scenario(sweep, parameters)
        for r in reps:
            yield model, scenario, point, r, seed, parameters
