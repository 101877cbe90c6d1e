"""Cheap stand-ins for `run_replication` in the sweep tests (no tests here): top-level,
so they pickle to process pools and Dask workers, and importable by
`--model test_sweep_models:NAME`. Each answers like `run_replication`: a
ReplicationResult, with the error recorded if it fails."""
from __future__ import annotations

import time

import numpy as np

from sim.core.results import ReplicationResult

A = "force.recruiting.per_month"
B = "deployments.iraq.volunteer_prob"
C = "deployments.iraq.select_days"  # read by no model below
DATES = ["2003-08-01", "2003-09-01", "2003-10-01"]


def _values(scenario):
    return (scenario.force.recruiting.per_month,
            next(d for d in scenario.deployments if d.name == "iraq").volunteer_prob)


def _result(index, seed, metrics):
    a = metrics["items_cleared"]
    return ReplicationResult(index=index, seed=[seed, index], metrics=metrics, dates=DATES,
                             series={"deployed": [0.0, a, a + 1.0],
                                     "items_cleared_cum": [0.0, a / 2, a]})


def linear(scenario, index, seed=None, trace=False):
    """y = a + 20 b + noise; the noise depends only on (seed, replication) (CRN)."""
    a, b = _values(scenario)
    noise = np.random.default_rng([seed, index]).normal()
    return _result(index, seed, {"items_cleared": a + 20 * b + noise, "cost_total_usd": a * b,
                                 "days_to_foc": None})


def fails_at_high_b(scenario, index, seed=None, trace=False):
    a, b = _values(scenario)
    if b > 0.75:
        raise ValueError(f"synthetic failure at volunteer_prob={b}")
    return linear(scenario, index, seed)


def slow(scenario, index, seed=None, trace=False):
    time.sleep(0.06)
    return linear(scenario, index, seed)


def busy(scenario, index, seed=None, trace=False):
    """About 50 ms of CPU, for the benchmark."""
    end = time.process_time() + 0.05
    x = 0.0
    while time.process_time() < end:
        x += sum(i * i for i in range(200))
    return linear(scenario, index, seed)
