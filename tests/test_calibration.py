"""The 2003-04 baseline against the seed article (CACI Analyst, 28 January 2004)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from model_cases import run_model

from sim.execution.runner import run_replications
from sim.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "kazbat_2003.yaml"
REPS = 24


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE).scenario


@pytest.fixture(scope="module")
def results(baseline):
    results = run_replications(baseline, range(REPS), workers=2)
    assert all(r.error is None for r in results)
    return results


def values(results, metric):
    return np.array([r.metrics[metric] for r in results], float)


def test_first_contingent_is_8_officers_3_interpreters_14_soldiers(baseline):
    rep = run_model(baseline, seed=baseline.seed)
    assert rep.first_tour is not None
    first = rep.first_tour.first
    assert first is not None and first.arrived == 25
    roles = Counter(first.roles.values())
    grades = Counter(("officer", "nco", "soldier")[rep.people.grade[p]] for p in first.roles)
    assert roles["interpreter"] == 3
    assert grades["officer"] == 8
    assert sum(n for role, n in roles.items() if role not in ("interpreter",)) - grades["officer"] == 14


def test_items_cleared_four_months_into_first_tour_near_400000(results):
    assert values(results, "first_tour.items_cleared_day120").mean() == pytest.approx(400_000, rel=0.15)


def test_deployed_cost_of_first_six_months_near_98000(results):
    assert values(results, "first_tour.cost_deployed_usd").mean() == pytest.approx(98_000, rel=0.05)


def test_most_first_tours_have_no_casualties(results):
    assert (values(results, "first_tour.casualties") == 0).mean() >= 0.6


def test_officer_share_at_start_is_forty_percent(results):
    assert values(results, "officer_share_start") == pytest.approx(0.40, abs=0.02)
