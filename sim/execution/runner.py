"""The one execution path: replication tasks, run on whichever executor, each answering
with a `ReplicationResult` (runs, comparisons and sweeps all go through `run_tasks`);
and the sequential rule behind `--reps auto`."""
from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.results import ReplicationResult
from sim.core.stats import no_values, precision_met
from sim.execution.engine import run_replication
from sim.execution.executor import default_workers, imap_window
from sim.scenario.schema import Scenario

# run_replication(scenario, index, seed=..., trace=...) -> ReplicationResult, or a stand-in
Replicate = Callable[..., ReplicationResult]


@dataclass(frozen=True)
class Task:
    """Replication `index` of `scenario` with base seed `seed`; `key` tells the caller
    where the result belongs (a sweep's design point); `reads`, dates at which the
    metrics are also read (a hindcast's); `draw` is the draw of the assumptions that
    `scenario` holds (None: the nominal), recorded on the result."""

    scenario: Scenario
    index: int
    seed: int
    trace: bool = False
    key: Any = None
    reads: tuple[dt.date, ...] = ()
    draw: int | None = None


def _replicate(job: tuple[Task, Replicate | None]) -> ReplicationResult:
    """One task, in a worker. Always answers: even a stand-in model that raises gives a
    failed result, never a lost one."""
    task, model = job
    if model is None:
        model = run_replication
    try:
        extra = {"reads": task.reads} if task.reads else {}  # stand-in models need not read
        result = model(task.scenario, task.index, seed=task.seed, trace=task.trace, **extra)
    except Exception as exc:  # noqa: BLE001 - recorded with the run
        result = ReplicationResult(index=task.index, seed=[task.seed, task.index],
                                   error=f"{type(exc).__name__}: {exc}\n"
                                         f"{traceback.format_exc(limit=6)}")
    result.draw = task.draw
    return result


def run_tasks(tasks: Iterable[Task], workers: int | None = None, scheduler: str | None = None,
              model: Replicate | None = None, window: int | None = None
              ) -> Generator[tuple[Task, ReplicationResult], None, None]:
    """Yield `(task, result)` as each finishes. `tasks` are taken lazily, at most `window`
    in flight (all of them when None); closing the iterator cancels those not begun."""
    jobs = ((task, model) for task in tasks)
    if window is None:
        jobs_list = list(jobs)
        n = max(len(jobs_list), 1)

        workers = min(workers or default_workers(), n)
        results = imap_window(_replicate, jobs_list, workers, scheduler, n)
    else:
        results = imap_window(_replicate, jobs, workers, scheduler, window)
    try:
        for (task, _), result in results:
            yield task, result
    finally:
        results.close()


def run_all(tasks: Sequence[Task], workers: int | None = None, scheduler: str | None = None,
            on_result: Callable[[ReplicationResult], None] | None = None,
            model: Replicate | None = None) -> list[ReplicationResult]:
    """Run `tasks` and return their results, the nominal's first (by index), then each
    draw's (by draw and index), whatever order they finished in."""
    results = []
    for _, result in run_tasks(tasks, workers, scheduler, model):
        results.append(result)
        if on_result is not None:
            on_result(result)
    return sorted(results, key=lambda r: (r.draw is not None, r.draw or 0, r.index))


def run_replications(
    scenario: Scenario,
    indices: Iterable[int],
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
    trace_index: int | None = None,
    model: Replicate | None = None,
    reads: Sequence[dt.date] = (),
    extra: Sequence[Task] = (),
) -> list[ReplicationResult]:
    """Run replications `indices` with base `seed` (default the scenario's), ordered by
    index, and the `extra` tasks (the draws of the assumptions) in the same pass. Each
    replication's random streams depend only on (seed, index), so the results are the
    same for any worker count or executor. `reads`: dates at which each replication
    also reads its metrics (`ReplicationResult.readings`)."""
    seed = scenario.seed if seed is None else seed
    tasks = [Task(scenario, i, seed, i == trace_index, reads=tuple(reads)) for i in indices]
    return run_all([*tasks, *extra], workers, scheduler, on_result, model)


AUTO_BATCH = 10


def run_to_precision(
    scenario: Scenario,
    seed: int,
    precision: float,
    metrics: Sequence[str],
    max_reps: int,
    run_batch: Callable[[range], list[ReplicationResult]],
    on_total: Callable[[int], None] | None = None,
) -> tuple[list[ReplicationResult], dict[str, Any]]:
    """`--reps auto`: batches of AUTO_BATCH replications until every metric's 95% CI
    half-width is within `precision` x |mean|, `max_reps` is reached, or a metric has no
    value in any replication (no number of further replications can measure it).
    `on_total(n)` announces each new planned total. Returns the results and what the
    report records under `run.reps_auto`."""
    first = min(AUTO_BATCH, max_reps)
    if on_total:
        on_total(first)
    results = run_batch(range(first))
    while (not precision_met(results, metrics, precision) and len(results) < max_reps
           and not no_values(results, metrics)):
        more = min(AUTO_BATCH, max_reps - len(results))
        if on_total:
            on_total(len(results) + more)
        results += run_batch(range(len(results), len(results) + more))
    return results, {"precision": precision, "metrics": list(metrics), "max_reps": max_reps,
                     "met": precision_met(results, metrics, precision),
                     "no_values": no_values(results, metrics)}
