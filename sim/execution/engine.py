"""The one entry point: `run_replication(scenario, index) -> ReplicationResult`.

It always answers: a model error is caught and recorded in the result, so the runners
(serial, process pool, Dask) only move results around.
"""
from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Sequence

from sim.core.results import ReplicationResult
from sim.model.replication import Replication
from sim.scenario.schema import Scenario


def run_replication(scenario: Scenario, index: int, seed: int | None = None,
                    trace: bool = False, reads: Sequence[dt.date] = ()) -> ReplicationResult:
    """`reads`: dates inside the run at which the metrics are also read (`readings`)."""
    seed = scenario.seed if seed is None else int(seed)
    result = ReplicationResult(index=index, seed=[seed, index])
    began = time.perf_counter()
    try:
        rep = Replication(scenario, seed, index, trace=trace)
        rep.run(reads)
        result.metrics, result.unfilled = rep.results()
        result.readings = rep.readings
        result.dates = [d.isoformat() for d in rep.dates]
        result.series = rep.recorder.series
        result.warnings = rep.warnings
        result.trace = rep.trace
        result.events = rep.events
    except Exception as exc:  # noqa: BLE001 - recorded, never lost
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
    result.wall_seconds = time.perf_counter() - began
    return result
