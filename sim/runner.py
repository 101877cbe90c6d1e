"""Many replications of one scenario, on whichever executor; results ordered by index."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sim.engine import run_replication
from sim.executor import imap_unordered
from sim.results import ReplicationResult
from sim.scenario.schema import Scenario


def _task(args: tuple[Scenario, int, int, bool]) -> ReplicationResult:
    scenario, index, seed, trace = args
    return run_replication(scenario, index, seed=seed, trace=trace)


def run_replications(
    scenario: Scenario,
    indices: Iterable[int],
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
    trace_index: int | None = None,
) -> list[ReplicationResult]:
    """Run replications `indices` with base `seed` (default the scenario's).

    Each replication's random streams depend only on (seed, index), so the results are
    the same for any worker count or executor.
    """
    seed = scenario.seed if seed is None else seed
    tasks = [(scenario, i, seed, i == trace_index) for i in indices]
    results = []
    for _, result in imap_unordered(_task, tasks, workers=workers, scheduler=scheduler):
        results.append(result)
        if on_result is not None:
            on_result(result)
    return sorted(results, key=lambda r: r.index)
