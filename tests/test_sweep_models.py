"""Cheap stand-in models for the sweep tests (no tests here): top-level, so they pickle
to process pools and Dask workers, and importable by `--model test_sweep_models:NAME`."""
from __future__ import annotations

import time

import numpy as np

A = "force.recruiting.per_month"
B = "deployments.iraq.volunteer_prob"
C = "deployments.iraq.select_days"  # read by no model below


def _values(scenario):
    return (scenario.force.recruiting.per_month,
            next(d for d in scenario.deployments if d.name == "iraq").volunteer_prob)


def linear(scenario, replication, seed):
    """y = a + 20 b + noise; the noise depends only on (seed, replication) (CRN)."""
    a, b = _values(scenario)
    noise = np.random.default_rng([seed, replication]).normal()
    return {"items_cleared": a + 20 * b + noise, "cost_total_usd": a * b,
            "days_to_foc": None}


def fails_at_high_b(scenario, replication, seed):
    a, b = _values(scenario)
    if b > 0.75:
        raise ValueError(f"synthetic failure at volunteer_prob={b}")
    return linear(scenario, replication, seed)


def slow(scenario, replication, seed):
    time.sleep(0.06)
    return linear(scenario, replication, seed)


def busy(scenario, replication, seed):
    """About 50 ms of CPU, for the benchmark."""
    end = time.process_time() + 0.05
    x = 0.0
    while time.process_time() < end:
        x += sum(i * i for i in range(200))
    return linear(scenario, replication, seed)
