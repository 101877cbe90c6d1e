"""Evaluating candidates: replication r of every candidate runs with seed (policy seed, r),
so candidates are compared on common random numbers, and each replication is stored as
it finishes. Only replications the store lacks are run."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sim.core.errors import InputError
from sim.execution.runner import Replicate, Task, run_tasks
from sim.studies.optimize.policy import LoadedPolicy, Settings
from sim.studies.optimize.store import EvaluationStore, candidate_key

Metrics = dict[str, float | None]
Model = Replicate | None  # None: the kazsim model; else a stand-in answering like it


def evaluate(policy: LoadedPolicy, store: EvaluationStore,
             requests: Sequence[tuple[Settings, int]], model: Model = None,
             workers: int | None = None, scheduler: str | None = None,
             on_run: Callable[[], None] | None = None) -> list[list[Metrics | None]]:
    """For each (settings, n): the metrics of replications 0..n-1 (None where failed),
    running together on the one execution path that runs and sweeps use (any executor),
    only those the store lacks. A failed replication is stored as such."""
    seed = policy.spec.seed
    tasks = list(_missing(policy, store, requests, seed, on_run))
    results = run_tasks(tasks, workers, scheduler, model, window=None)
    try:
        for task, result in results:
            metrics = {k: (None if v is None else float(v)) for k, v in result.metrics.items()}
            store.add(task.key, task.index, [seed, task.index], metrics if result.ok else {},
                      "ok" if result.ok else "failed", result.error, result.wall_seconds)
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
             requests: Sequence[tuple[Settings, int]], seed: int,
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
            yield Task(scenario, r, seed, key=key)
