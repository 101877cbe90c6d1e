"""Stand-in models for the exploration tests (no tests here): top-level, so they pickle to
process pools, and importable by `--model explore_models:NAME`."""
from __future__ import annotations

import numpy as np

from sim.core.results import ReplicationResult

SEATS = "training.courses.nco_course.seats"
RECRUITS = "force.recruiting.per_month"
CALLS: list[tuple[str, int]] = []  # (settings, replication) of every call, for the tests
KILL_AFTER: list[int] = []  # raise KeyboardInterrupt at this call count (a simulated kill)


def _levers(scenario):
    return (float(scenario.training.courses["nco_course"].seats),
            float(scenario.force.recruiting.per_month))


def two_levers(scenario, index, seed=None, trace=False):
    """cost grows with both levers; the target is met when seats + recruits >= 50,
    give or take a seeded noise of one unit (common random numbers). Answers like
    `run_replication`."""
    seats, recruits = _levers(scenario)
    CALLS.append((f"{seats},{recruits}", index))
    if KILL_AFTER and len(CALLS) >= KILL_AFTER[0]:
        raise KeyboardInterrupt
    noise = np.random.default_rng([seed, index]).uniform(-1, 1)
    share = 0.10 + 0.002 * (seats + recruits + noise)
    return ReplicationResult(index=index, seed=[seed, index], metrics={
        "cost_total_usd": 1000 * seats + 3000 * recruits, "officer_share_end": share,
        "items_cleared": recruits - seats})


def boxed(scenario, index, seed=None, trace=False):
    """Rotations go out short exactly when volunteer_prob is in [0.3, 0.6] and recruiting
    in [20, 50] a month; nothing else matters (select days, attrition are noise). A sweep
    stand-in: answers like `run_replication`."""
    iraq = next(d for d in scenario.deployments if d.name == "iraq")
    v, r = iraq.volunteer_prob, scenario.force.recruiting.per_month
    inside = 0.3 - 1e-9 <= v <= 0.6 + 1e-9 and 20 <= r <= 50
    jitter = np.random.default_rng([seed, index]).uniform(-0.02, 0.02)
    return ReplicationResult(index=index, seed=[seed, index], metrics={
        "rotation_fill_rate": (0.9 if inside else 1.0) + jitter, "items_cleared": None})


def slow_two_levers(scenario, index, seed=None, trace=False):
    import time

    time.sleep(0.05)
    return two_levers(scenario, index, seed)


def seats_cost_nothing(scenario, index, seed=None, trace=False):
    """The cost grows with recruiting only: every number of NCO course seats costs the
    same (a tie); the officer-share target is always met."""
    seats, recruits = _levers(scenario)
    return ReplicationResult(index=index, seed=[seed, index], metrics={
        "cost_total_usd": 3000 * recruits + 100 * index, "officer_share_end": 0.3})


def luck_only(scenario, index, seed=None, trace=False):
    """Items cleared are pure luck, different for each candidate and replication: no
    candidate is truly better, and a few replications make some look better."""
    seats, recruits = _levers(scenario)
    luck = np.random.default_rng([seed, index, int(seats), int(recruits)]).normal(100, 10)
    return ReplicationResult(index=index, seed=[seed, index], metrics={
        "items_cleared": luck, "officer_share_end": 0.3})
