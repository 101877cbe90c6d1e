"""The one entry point: `run_replication(scenario, index) -> ReplicationResult`.

It always answers: a model error is caught and recorded in the result, so the runners
(serial, process pool, Dask) only move results around.
"""
from __future__ import annotations

import time
import traceback

from sim.results import ReplicationResult
from sim.scenario.schema import Scenario


def run_replication(scenario: Scenario, index: int, seed: int | None = None,
                    trace: bool = False) -> ReplicationResult:
    from sim.model.world import World

    seed = scenario.seed if seed is None else int(seed)
    result = ReplicationResult(index=index, seed=[seed, index])
    began = time.perf_counter()
    try:
        world = World(scenario, seed, index, trace=trace)
        world.run()
        result.metrics = world.metrics()
        result.dates = [d.isoformat() for d in world.dates]
        result.series = world.series
        result.unfilled = [u for r in world.rotations.values() for u in r.unfilled]
        result.trace = world.trace
        result.events = next(world.env._eid)  # events scheduled so far (SimPy's counter)
    except Exception as exc:  # noqa: BLE001 - recorded, never lost
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
    result.wall_seconds = time.perf_counter() - began
    return result
