"""The cases of the model-core issue (#9), each as a user met it: inputs that took no
effect, work credited to people who had gone home, costs without a cause, people
sheltered from attrition, ordnance and tips that did not add up, waits that hid lost
tips, a pooled course wait, a team idling for want of an interpreter, a release lever
that said nothing, a qualification hard-coded in the model."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from model_cases import quiet_force, scenario

from sim.execution.engine import run_replication
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def load(name: str, *overrides: str):  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIOS / name, overrides=overrides).scenario


def run(sc, index: int = 0):  # type: ignore[no-untyped-def]
    r = run_replication(sc, index)
    assert r.error is None, r.error
    return r


def after(r, series: str, date: str) -> list[float]:  # type: ignore[no-untyped-def]
    return [v for d, v in zip(r.dates, r.series[series]) if d > date]


def test_timeline_end_of_deployment_stops_rotations_and_clearance(tmp_path):
    text = (SCENARIOS / "kazbat_2003.yaml").read_text() + (
        "timeline:\n  - {at: 2004-01-01, set: {deployments.iraq.end: 2004-06-01}}\n")
    (tmp_path / "early.yaml").write_text(text.replace("# KAZBAT", "#"))
    r = run(load_scenario(tmp_path / "early.yaml").scenario)
    # Rotation 0 arrives 2003-08-15, rotation 1 175 days later; none after June 2004.
    assert r.metrics["rotations"] == 2
    assert set(after(r, "deployed", "2004-06-01")) == {0.0}
    cleared = after(r, "items_cleared_cum", "2004-06-01")
    assert len(set(cleared)) == 1, cleared  # nothing cleared once the contingent left


def test_deployment_ended_early_by_set_clears_nothing_after_its_end():
    sc = load("kazbat_2003.yaml", "deployments.iraq.end=2004-06-01")
    for index in range(3):  # teams used to finish their caches for weeks after leaving
        r = run(sc, index)
        assert set(after(r, "deployed", "2004-06-01")) == {0.0}
        assert len(set(after(r, "items_cleared_cum", "2004-06-01"))) == 1, index


def test_no_contingent_no_fleet_cost():
    r = run(load("kazbat_2003.yaml", "deployments.iraq.volunteer_prob=0"))
    assert r.metrics["persons_deployed"] == 0
    assert r.metrics["cost_deployed_usd"] == 0.0
    assert r.metrics["vehicle_availability"] is None


def test_attrition_reaches_people_in_courses_too():
    sc = load("kazbat_2003.yaml", "force.attrition_per_year={officer: 50, nco: 50, soldier: 50}",
              "force.recruiting.per_month=0", "force.officer_intake_per_year=0",
              "training.courses.english.days=900", "training.courses.english.seats=100")
    r = run(sc)
    # At 50 a year nobody lasts a month; the 100 students used to be sheltered.
    assert r.metrics["strength_end"] < 5


def test_ordnance_is_conserved_over_a_long_run():
    sc = load("nco_reform.yaml")
    stock = sc.deployments[0].theatre.ordnance_stock
    m = run(sc).metrics
    assert m["items_cleared"] + m["items_removed"] + m["ordnance_remaining"] == pytest.approx(stock)
    assert m["items_cleared"] + m["items_lost"] <= stock
    assert m["items_removed"] == pytest.approx(m["items_lost"])  # every lost cache is carried off


def test_waits_count_the_tips_that_were_lost_waiting():
    m = run(load("kazbat_2003.yaml",
                 "deployments.iraq.theatre.approval_days={dist: constant, value: 100000}",
                 "deployments.iraq.theatre.tips.shelf_life_days=7")).metrics
    assert m["tips_lost"] > 0.9 * m["tips_received"]
    assert m["tips_received"] == m["tips_acted"] + m["tips_lost"] + m["tips_pending_end"]
    # Every tip but those the approvers hold waits its whole 7-day shelf life (or
    # until the end): the mean is close to 7, not 0.
    assert 6.0 < m["approval_wait_days_mean"] <= 7.0
    assert m["tips_pending_end"] >= 1  # held by an approver at the end


@pytest.mark.parametrize("seats", [(6, 12, 40)])
def test_each_course_reports_its_own_wait(seats):
    waits, pooled = [], []
    for n in seats:
        m = run(load("nco_reform.yaml", f"training.courses.nco_course.seats={n}")).metrics
        waits.append(m["course_wait_days_mean.nco_course"])
        pooled.append(m["course_wait_days_mean"])
    assert waits[0] > waits[1] > waits[2], waits  # more seats, shorter NCO queue
    assert all(w is not None for w in pooled)


def test_team_without_interpreter_does_routine_work_instead_of_waiting():
    with_them = run(load("kazbat_2003.yaml")).metrics
    without = run(load("kazbat_2003.yaml", "deployments.iraq.contingent.interpreter.count=0")).metrics
    # No interpreter, no tip worked: the teams' whole time goes to routine taskings.
    assert without["tips_acted"] == 0
    assert without["items_cleared_routine"] > 2 * with_them["items_cleared_routine"]


def test_officers_released_is_reported_and_a_lever_that_never_bound_says_so():
    base = load("nco_reform.yaml", "end=2006-06-01")
    r0 = run(load("nco_reform.yaml", "end=2006-06-01", "restructure.officer_release_per_year=0"))
    r40 = run(load("nco_reform.yaml", "end=2006-06-01", "restructure.officer_release_per_year=40"))
    assert r0.metrics["officers_released"] == 0
    assert r40.metrics["officers_released"] is not None
    if r40.metrics["officers_released"] == 0:
        assert any("officer_release_per_year" in w and "no officer was released" in w for w in r40.warnings)
    assert not any("officer_release_per_year" in w for w in r0.warnings)  # a zero lever is no surprise
    assert run(load("kazbat_2003.yaml")).metrics["officers_released"] is None  # no restructuring
    assert base.restructure is not None


def _incident_case(qualification: str):  # type: ignore[no-untyped-def]
    force = quiet_force(officer=6, soldier=12)
    force["qualified"] = {"eod": {"officer": 1.0, "nco": 1.0, "soldier": 1.0}}
    return scenario({
        "name": "leader qualification", "start": "2000-01-01", "end": "2000-07-01", "force": force,
        "deployments": [{
            "name": "op", "start": "2000-01-01", "end": "2000-07-01", "tour_days": 150,
            "select_days": 0, "predeployment_days": 0, "overlap_days": 0,
            "contingent": [{"role": "team_leader", "grade": "officer", "count": 3},
                           {"role": "deminer", "grade": "soldier", "count": 6}],
            "theatre": {"vehicles": {"count": 3}, "leader_qualification": qualification,
                        "incident_per_1000_items": {"qualified": 0.0, "unqualified": 5.0},
                        "incident_harm": {"killed": 0.0, "wounded": 0.0}},
        }],
    })


def test_leader_qualification_is_a_scenario_key():
    assert run(_incident_case("eod")).metrics["incidents"] == 0        # every leader holds it
    assert run(_incident_case("nato_course")).metrics["incidents"] > 0  # nobody does


def test_separated_leaves_out_the_killed():
    m = run(load("kazbat_2003.yaml", "deployments.iraq.theatre.incident_harm.killed=1",
                 "deployments.iraq.theatre.incident_per_1000_items={qualified: 0.05, unqualified: 0.05}")).metrics
    assert m["killed"] > 0
    start = 350
    assert start + m["recruited"] == m["strength_end"] + m["separated"] + m["killed"]


def test_deployed_shows_every_handover():
    r = run(load("kazbat_2003.yaml"))
    low, high = np.array(r.series["deployed.min"]), np.array(r.series["deployed.max"])
    # Each handover (seven days of overlap) doubles the contingent for a moment; the
    # monthly point alone misses most of them.
    handovers = sum(1 for h in high if h > 25)
    assert handovers >= 4
    assert np.all(low <= np.array(r.series["deployed"])) and np.all(np.array(r.series["deployed"]) <= high)
    assert dt.date.fromisoformat(r.dates[0]) == load("kazbat_2003.yaml").start
