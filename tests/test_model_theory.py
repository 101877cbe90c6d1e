"""The model against theory, with explicit tolerances (MODEL.md, 'Analytic cases')."""
from __future__ import annotations

import math

import numpy as np
import pytest
from model_cases import approval_case, quiet_force, rotation_case, run_model, scenario

from sim.execution.engine import run_replication


# -- rotation pool arithmetic ------------------------------------------------------------
def pool_needed(contingent: int, tour: float, dwell: float) -> int:
    """A person back from tour k can next go on tour k + 1 + ceil(dwell / tour)."""
    return contingent * (1 + math.ceil(dwell / tour))


@pytest.mark.parametrize("contingent,tour,dwell", [(5, 100, 150), (3, 182, 365), (4, 120, 100)])
def test_exact_pool_fills_every_rotation_and_one_fewer_cannot(contingent, tour, dwell):
    pool = pool_needed(contingent, tour, dwell)
    full = run_replication(scenario(rotation_case(pool, contingent, tour, dwell, 8)), 0)
    short = run_replication(scenario(rotation_case(pool - 1, contingent, tour, dwell, 8)), 0)
    assert full.error is None and short.error is None
    assert full.metrics["rotations"] == 8
    assert full.metrics["rotation_fill_rate"] == 1.0
    assert full.metrics["rotations_understrength"] == 0
    assert short.metrics["rotation_fill_rate"] < 1.0
    assert short.metrics["rotations_understrength"] >= 1
    assert {u.reason for u in short.unfilled} == {"dwell"}


# -- M/M/c approval queue --------------------------------------------------------------
def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize("lam,mean,c", [(1.0, 1.2, 2), (2.0, 1.0, 3)])
def test_approval_queue_matches_erlang_c_within_10_percent(lam, mean, c):
    # Utilisation 0.6-0.67: twelve runs of 5,000 days keep the estimate's standard
    # error near 3%, so 10% is over three standard errors.
    sc = scenario(approval_case(lam, mean, c, days=5000))
    waits = []
    for i in range(12):
        r = run_replication(sc, i)
        assert r.error is None
        waits.append(r.metrics["approval_wait_days_mean"])
    theory = erlang_c_wait(lam, 1 / mean, c)
    assert np.mean(waits) == pytest.approx(theory, rel=0.10)


# -- stock and flow ------------------------------------------------------------------
def test_grade_with_constant_intake_settles_at_intake_over_hazard():
    intake, hazard = 10.0, 0.2  # a month, a year
    force = quiet_force(soldier=100_000)
    force["strength"] = {"officer": 0, "nco": 0, "soldier": 0}
    force["recruiting"] = {"per_month": intake}
    force["attrition_per_year"] = {"officer": 0, "nco": 0, "soldier": hazard}
    sc = scenario({"name": "stock and flow", "start": "2000-01-01", "end": "2030-01-01",
                   "force": force})
    ends = [run_replication(sc, i).metrics["strength_end.soldier"] for i in range(20)]
    assert np.mean(ends) == pytest.approx(12 * intake / hazard, rel=0.05)


def test_course_queue_obeys_littles_law():
    force = quiet_force(soldier=400)
    force["attrition_per_year"] = {"officer": 0, "nco": 0, "soldier": 0.15}
    force["recruiting"] = {"per_month": 20}
    sc = scenario({
        "name": "course queue", "start": "2000-01-01", "end": "2020-01-01", "force": force,
        "training": {"courses": {"eod": {"seats": 15, "days": 30, "every_days": 60,
                                         "eligible": ["soldier"], "grants": "eod",
                                         "valid_years": 3}}},
    })
    q = run_model(sc, seed=1).courses["eod"].queue_stats()
    horizon = q["horizon"]
    length = q["length_days"] / horizon                 # L: time-average queue length
    rate = q["arrivals"] / horizon                      # lambda: arrivals a day
    wait = q["sojourn_days"] / q["departures"]          # W: mean time in queue
    assert q["departures"] > 1000
    assert length == pytest.approx(rate * wait, rel=0.05)
