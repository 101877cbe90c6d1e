"""Tempo and people (issue 10): volunteering with memory, retention shaped by tours.
The baseline's independent draw is the special case; each effect moves fill or
strength the way its mechanism says."""
from __future__ import annotations

import statistics

import numpy as np
import pytest
from model_cases import quiet_force, scenario

from sim.core.stats import mean_ci
from sim.execution.engine import run_replication
from sim.model.people import People
from sim.model.tempo import Willingness, reenlist_chance
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Retention

KAZBAT = "scenarios/kazbat_2003.yaml"
D = "deployments.iraq"


def fills(overrides: list[str], reps: int) -> list[float]:
    sc = load_scenario(KAZBAT, overrides).scenario
    return [float(run_replication(sc, i, seed=9).metrics["rotation_fill_rate"] or 0) for i in range(reps)]


def test_memory_with_nothing_to_remember_reproduces_todays_fill_rates() -> None:
    """The per-person path (a death memory is set, nobody dies: no incidents) gives
    the fill rates of the independent draw, within the confidence interval."""
    quiet = [f"{D}.theatre.incident_per_1000_items.qualified=0",
             f"{D}.theatre.incident_per_1000_items.unqualified=0", f"{D}.volunteer_prob=0.2"]
    today = fills(quiet, 8)
    memory = fills([*quiet, f"{D}.volunteering.after_death=0.5"], 8)
    _, _, ci = mean_ci(today)
    assert ci is not None and ci[0] - 1e-9 <= statistics.fmean(memory) <= ci[1] + 1e-9
    assert statistics.fmean(today) < 1.0  # the volunteers do bind, so the test can fail


def test_a_death_in_theatre_lowers_the_next_call_ups_volunteering() -> None:
    """Mechanism: each death in the deployment within a year cuts everyone's chance to
    volunteer by half; hostile fire kills someone in most tours, so the call-ups after
    it find fewer volunteers in a pool that is only just big enough."""
    base = {"name": "memory", "start": "2000-01-01", "end": "2003-01-01", "force": quiet_force(soldier=60),
            "deployments": [{"name": "op", "start": "2000-03-01", "end": "2002-12-01", "tour_days": 120,
                             "select_days": 30, "predeployment_days": 0, "overlap_days": 0,
                             "min_dwell_days": 0, "volunteer_prob": 0.4,
                             "contingent": [{"role": "support", "grade": "soldier", "count": 15}],
                             "theatre": {"security": {"level": 1, "hostile_per_1000_person_days": 2,
                                                      "hostile_harm": {"killed": 1.0}}}}]}
    before, after = [], []
    for i in range(6):
        before.append(run_replication(scenario(base), i, seed=1).metrics)
        after.append(run_replication(scenario(base, deployments__0__volunteering__after_death=0.5), i, seed=1).metrics)
    assert statistics.fmean(m["killed_hostile"] for m in before) > 2
    assert (statistics.fmean(m["rotation_fill_rate"] for m in after)
            < statistics.fmean(m["rotation_fill_rate"] for m in before) - 0.05)


def test_willingness_factors() -> None:
    people = People(lambda: 100.0, 8)
    people.add(2, 4, 0.0, 1000.0)
    people.tours[:4] = [0, 1, 2, 0]
    people.last_return[:4] = [-np.inf, 90.0, 0.0, -np.inf]
    sc = load_scenario(KAZBAT, [f"{D}.volunteer_prob=0.5", f"{D}.volunteering.per_tour_done=-0.25",
                                f"{D}.volunteering.recent_return_days=30",
                                f"{D}.volunteering.recent_return_factor=0.5",
                                f"{D}.volunteering.after_death=0.2", f"{D}.volunteering.at_hostile=0.5"]).scenario
    level = [0.0]
    w = Willingness(people, lambda: level[0])
    d = sc.deployment("iraq")
    assert np.allclose(w.chance(d, 100.0), [0.5, 0.5 * 0.75 * 0.5, 0.5 * 0.5, 0.5])
    w.killed(50.0)
    level[0] = 1.0
    assert np.allclose(w.chance(d, 100.0), np.array([0.5, 0.1875, 0.25, 0.5]) * 0.8 * 0.5)
    assert np.allclose(w.chance(d, 500.0)[[0, 3]], 0.5 * 0.5)  # the death is forgotten after a year
    assert w.chance(load_scenario(KAZBAT).scenario.deployment("iraq"), 100.0) == 0.6


def test_retention_follows_tours_done() -> None:
    assert reenlist_chance(0.7, Retention(), np.array([0, 3])) == 0.7
    assert np.allclose(reenlist_chance(0.7, Retention(per_tour_done=0.5), np.array([0, 1, 3])), [0.7, 1.0, 1.0])
    assert np.allclose(reenlist_chance(0.7, Retention(per_tour_done=-0.5), np.array([0, 1, 3])), [0.7, 0.35, 0.0])


def test_strain_of_tours_lowers_retention() -> None:
    """Mechanism: with re-enlistment falling to 0 after one tour, everyone who has
    served in Iraq leaves at contract end, so more people separate."""
    sc = load_scenario(KAZBAT).scenario
    strain = load_scenario(KAZBAT, ["force.retention.per_tour_done=-1"]).scenario
    sep = [run_replication(sc, i, seed=2).metrics["separated"] for i in range(3)]
    sep_strain = [run_replication(strain, i, seed=2).metrics["separated"] for i in range(3)]
    assert statistics.fmean(sep_strain) > statistics.fmean(sep) + 1  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Retention(per_tour_done=-2)


def test_skills_that_expire_lower_fill_where_no_refresher_exists() -> None:
    """Mechanism: EOD qualifications held at the start lapse within a year; with no EOD
    course to refresh them, fewer team leaders and deminers hold the slot's
    qualification at later call-ups, so rotations go out short. The refresher courses
    restore most of it."""
    no_course = ["training.courses.eod.seats=0", "training.courses.officer_eod.seats=0"]
    expire = ["force.qualification_valid_years={eod: 1}"]
    kept = fills(no_course, 3)
    lapsed = fills([*no_course, *expire], 3)
    refreshed = fills(expire, 3)
    assert statistics.fmean(lapsed) < statistics.fmean(kept) - 0.1
    assert statistics.fmean(refreshed) > statistics.fmean(lapsed)


def test_a_medically_non_deployable_share_lowers_fill_and_is_named() -> None:
    """Mechanism: at each call-up 70% of people are unfit to deploy, on top of 60%
    volunteering: too few are left for the qualified slots."""
    sc = load_scenario(KAZBAT, ["force.medically_non_deployable=0.7"]).scenario
    r = run_replication(sc, 0, seed=9)
    assert r.metrics["rotation_fill_rate"] < min(fills([], 1)) - 0.05  # type: ignore[operator]
    assert any(u.reason == "medically non-deployable" for u in r.unfilled)
