"""The defects that a new user met at the extremes (issue 20), each fixed as MODEL.md
"Harm and language" says: a clearance incident only on items actually cleared; a
call-up that sends nobody is not a contingent sent; tips travel through a shared
language; an incident harms a drawn number of people, capped at those present."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from model_cases import rotation_case, scenario

from sim.execution.engine import run_replication
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DANGEROUS = "deployments.iraq.theatre.incident_per_1000_items={qualified: 50, unqualified: 50}"


def metrics(name: str, *overrides: str, index: int = 0) -> dict:  # type: ignore[type-arg]
    sc = load_scenario(SCENARIOS / name, overrides=overrides).scenario
    r = run_replication(sc, index)
    assert r.error is None, r.error
    return r.metrics


def test_no_ordnance_no_clearance_incident():
    # Clearance so dangerous that almost every routine tasking would end in an incident:
    # with ordnance there are many; on empty ground, none (they were drawn on the
    # routine yield before it was capped to what was left).
    assert metrics("kazbat_2003.yaml", DANGEROUS)["incidents"] > 10
    m = metrics("kazbat_2003.yaml", DANGEROUS, "deployments.iraq.theatre.ordnance_stock=0")
    assert (m["items_cleared"], m["incidents"], m["killed"], m["wounded"]) == (0, 0, 0, 0)


def test_when_the_stock_runs_out_incidents_stop_with_it():
    m = metrics("kazbat_2003.yaml", DANGEROUS, "deployments.iraq.theatre.ordnance_stock=3000",
                "deployments.iraq.theatre.tips.rate_per_week_at_full_trust=0")
    assert m["items_cleared"] == pytest.approx(3000)
    # each incident needs items cleared in its tasking: at most one per 3,000 / 50 per 1000 items
    assert m["incidents"] <= 3000 * 50 / 1000 * 3


def test_a_call_up_that_sends_nobody_is_not_a_rotation():
    m = metrics("kazbat_2003.yaml", "deployments.iraq.volunteer_prob=0")
    assert (m["rotations"], m["rotations_empty"], m["persons_deployed"]) == (0, 5, 0)
    assert m["rotation_fill_rate"] == 0.0 and m["rotations_understrength"] == 0


def test_empty_call_ups_between_full_ones():
    # Ten soldiers for a contingent of ten, 100-day tours and 150 days of dwell: rotation
    # 0 goes; at 100 and 200 days everyone is still in dwell, so nobody is sent; at 300 the
    # same ten go again.
    sc = scenario(rotation_case(pool=10, contingent=10, tour=100, dwell=150, rotations=4))
    r = run_replication(sc, 0)
    assert r.error is None, r.error
    m = r.metrics
    assert (m["rotations"], m["rotations_empty"], m["rotations_understrength"]) == (2, 2, 0)
    assert m["rotation_fill_rate"] == pytest.approx(20 / 40)
    assert m["gap_days"] == pytest.approx(200)


def test_no_interpreter_no_tips_and_nothing_carried_off():
    m = metrics("kazbat_2003.yaml", "deployments.iraq.contingent.interpreter.count=0")
    assert (m["tips_received"], m["tips_lost"], m["items_removed"], m["items_cleared_caches"]) == (0, 0, 0, 0)
    assert m["items_cleared_routine"] > 0  # the teams still clear on routine taskings
    with_them = metrics("kazbat_2003.yaml")
    assert with_them["tips_received"] > 100


@pytest.mark.parametrize("people, killed_per_incident", [(0, 0), (1, 1), (2, 2), (3, 3), (40, 3)])
def test_a_clearance_incident_strikes_the_drawn_number_capped_at_the_team(people, killed_per_incident):
    m = metrics("kazbat_2003.yaml", DANGEROUS,
                f"deployments.iraq.theatre.incident_harm={{people: {people}, killed: 1, wounded: 0}}")
    assert m["incidents"] > 0
    assert m["killed"] == killed_per_incident * m["incidents"]


def test_a_hostile_incident_can_kill_one_and_wound_four():
    # IEDs only (no clearance incidents): five struck each time; nobody struck unhurt.
    m = metrics("kazbat_2003_2008.yaml", "deployments.iraq.theatre.incident_per_1000_items={qualified: 0, unqualified: 0}",
                "deployments.iraq.theatre.security.hostile_per_1000_person_days=0.5",
                "deployments.iraq.theatre.security.hostile_harm={people: 5, killed: 0.2, wounded: 1}")
    assert m["incidents"] == 0 and m["incidents_hostile"] > 2
    assert m["killed"] + m["wounded"] == 5 * m["incidents_hostile"]
    assert m["killed_hostile"] == m["killed"]


def test_the_default_strikes_one_person_as_before():
    # Default one person: killed + wounded never exceeds the incidents.
    m = metrics("kazbat_2003_2008.yaml", "deployments.iraq.theatre.security.hostile_per_1000_person_days=0.5",
                "deployments.iraq.theatre.security.hostile_harm={killed: 0.5, wounded: 1}",
                "deployments.iraq.theatre.incident_harm={killed: 0.5, wounded: 1}")
    assert m["killed"] + m["wounded"] == m["incidents"] + m["incidents_hostile"]


def test_struck_is_capped_at_those_present_and_draws_nothing_for_all_of_them():
    from sim.model.theatre.incidents import struck

    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    assert struck([4, 5, 6], 3.0, rng) == [4, 5, 6]
    assert struck([4, 5, 6], 1e9, rng) == [4, 5, 6]
    assert struck([4, 5, 6], 0.4, rng) == []
    assert rng.bit_generator.state == state  # the whole team: no draw, as before the key existed
    two = struck(list(range(10)), 2.4, rng)
    assert len(two) == 2 == len(set(two)) and set(two) <= set(range(10))


def test_a_stock_cleared_out_leaves_routine_work_finding_nothing_under_accessible_ordnance():
    # a small stock runs out within the first tour; with yields scaled by a fractional
    # power of what is left, sums rounding a hair below zero must not make the share
    # complex (150,000 items: every one of these replications did, before the fix)
    for index in range(3):
        m = metrics("kazbat_2003.yaml", "end=2004-06-01", "deployments.iraq.theatre.ordnance_stock=150000",
                    "deployments.iraq.theatre.ordnance_access_exponent=0.5", index=index)
        assert m["items_cleared"] + m["items_removed"] + m["ordnance_remaining"] == pytest.approx(150000)
        assert m["ordnance_remaining"] == pytest.approx(0, abs=1e-6)
