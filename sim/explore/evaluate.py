"""Evaluating candidates: replication r of every candidate runs with seed (policy seed, r),
so candidates are compared on common random numbers, and each replication is stored as
it finishes. Only replications the store lacks are run."""
from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sim.errors import InputError
from sim.explore.policy import LoadedPolicy
from sim.explore.store import EvaluationStore, candidate_key
from sim.scenario.schema import Scenario

Model = Callable[[Scenario, int, int], dict[str, float | None]]
Metrics = dict[str, float | None]


def real_model(scenario: Scenario, replication: int, seed: int) -> Metrics:
    """The kazsim model: `sim.engine.run_replication`, raising on a failed replication."""
    from sim.engine import run_replication

    result = run_replication(scenario, index=replication, seed=seed)
    if result.error is not None:
        raise RuntimeError(result.error)
    return result.metrics


Task = tuple[Model, Scenario, str, int, int]
Outcome = tuple[Metrics, str, str | None, float]


def _run(task: Task) -> Outcome:
    """One replication, in a worker. Never raises: a failure is stored as such."""
    model, scenario, _, replication, seed = task
    began = time.perf_counter()
    try:
        metrics = {k: (None if v is None else float(v))
                   for k, v in model(scenario, replication, seed).items()}
        return metrics, "ok", None, time.perf_counter() - began
    except Exception as exc:  # noqa: BLE001 - stored with the run, the search goes on
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
        return {}, "failed", error, time.perf_counter() - began


def evaluate(policy: LoadedPolicy, store: EvaluationStore,
             requests: Sequence[tuple[dict[str, Any], int]], model: Model = real_model,
             workers: int | None = None, scheduler: str | None = None,
             on_run: Callable[[], None] | None = None) -> list[list[Metrics | None]]:
    """For each (settings, n): the metrics of replications 0..n-1 (None where failed),
    running together, on any executor, only those the store lacks."""
    from sim.executor import imap_window

    seed = policy.spec.seed
    tasks = list(_missing(policy, store, requests, model, seed, on_run))
    results = imap_window(_run, tasks, workers=workers, scheduler=scheduler)
    try:
        for (_, _, key, r, _), (metrics, status, error, wall) in results:
            store.add(key, r, [seed, r], metrics, status, error, wall)
            if on_run:
                on_run()
    finally:
        results.close()  # cancels the tasks not yet started (Ctrl-C)
    out = []
    for settings, n in requests:
        runs = store.runs(candidate_key(settings))
        out.append([runs[r][0] if runs[r][1] == "ok" else None for r in range(n)])
    return out


def _missing(policy: LoadedPolicy, store: EvaluationStore,
             requests: Sequence[tuple[dict[str, Any], int]], model: Model, seed: int,
             on_run: Callable[[], None] | None) -> Iterator[Task]:
    planned: set[tuple[str, int]] = set()
    for settings, n in requests:
        key = candidate_key(settings)
        have = store.runs(key)
        reps = [r for r in range(n) if r not in have and (key, r) not in planned]
        if not reps:
            continue
        planned.update((key, r) for r in reps)
        try:
            scenario = policy.scenario(settings)
        except InputError as err:  # lever values the scenario refuses: a failed candidate
            for r in reps:
                store.add(key, r, [seed, r], {}, "failed",
                          "invalid scenario for this candidate: " + str(err), 0.0)
                if on_run:
                    on_run()
            continue
        for r in reps:
            yield model, scenario, key, r, seed
