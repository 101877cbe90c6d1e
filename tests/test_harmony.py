"""Harmony (issue 10): boots on ground to dwell, and breaches of the separated-service
cap, checked against the rotation arithmetic, and usable in `thresholds:`."""
from __future__ import annotations

import pytest
from model_cases import rotation_case, scenario

from sim.core.thresholds import breach_shares
from sim.execution.engine import run_replication
from sim.model.harmony import most_days_in_window


def test_most_days_in_any_window() -> None:
    spans = [(0.0, 200.0), (300.0, 500.0), (1000.0, 1100.0)]
    assert most_days_in_window(spans, 913) == 400.0
    assert most_days_in_window(spans, 300) == 200.0
    assert most_days_in_window(spans, 1200) == 500.0
    assert most_days_in_window([], 913) == 0.0


def test_the_same_people_back_to_back_breach_the_cap_exactly_as_the_arithmetic_says() -> None:
    """Ten people, a contingent of ten, no dwell: they serve three 200-day tours in a row,
    600 days in theatre within 913 (a breach), and are home the rest of the run."""
    data = rotation_case(pool=10, contingent=10, tour=200, dwell=0, rotations=3)
    r = run_replication(scenario(data), 0, seed=1)
    sc = scenario(data)
    home = sc.horizon_days - 600
    assert r.metrics["harmony_breach_share"] == 1.0
    assert r.metrics["bog_dwell_ratio_mean"] == pytest.approx(600 / home, rel=1e-9)
    loose = run_replication(scenario(data, harmony__cap_days=600), 0, seed=1)
    assert loose.metrics["harmony_breach_share"] == 0.0
    shares = breach_shares(["harmony_breach_share <= 0.1"], [r, loose])
    assert shares[0]["breaches"] == 1 and shares[0]["evaluated"] == 2


def test_a_pool_twice_the_contingent_halves_time_away_and_keeps_within_the_cap() -> None:
    data = rotation_case(pool=20, contingent=10, tour=200, dwell=190, rotations=4)
    r = run_replication(scenario(data), 0, seed=1)
    assert r.metrics["harmony_breach_share"] == 0.0  # 400 days in the worst 913
    sc = scenario(data)
    assert r.metrics["bog_dwell_ratio_mean"] < 600 / (sc.horizon_days - 600)
