"""Exact event logs of tiny deterministic cases."""
from __future__ import annotations

from model_cases import quiet_force, scenario

from sim.core.results import UnfilledPosts
from sim.execution.engine import run_replication


def tiny(**deployment):
    dep = {"name": "op", "start": "2004-01-11", "end": "2004-03-01", "tour_days": 30,
           "select_days": 10, "predeployment_days": 5, "overlap_days": 0,
           "min_dwell_days": 0, "volunteer_prob": 1.0,
           "contingent": [{"role": "support", "grade": "soldier", "count": 2}]}
    dep.update(deployment)
    return scenario({"name": "tiny", "start": "2004-01-01", "end": "2004-03-01",
                     "force": quiet_force(soldier=2), "deployments": [dep]})


def log(result):
    """The rotation log: without the milestone and the tips nobody here can work."""
    return [(date, event, who, details) for date, event, who, details in result.trace
            if event not in ("foc reached", "tip lost")]


def test_selection_while_everyone_is_away_leaves_the_next_rotation_empty():
    r = run_replication(tiny(), 0, trace=True)
    assert log(r) == [
        ("2004-01-01", "selected", "op rotation 0", "2 people: p1 p0"),
        ("2004-01-11", "arrived", "op rotation 0", "2 of 2"),
        ("2004-01-31", "slot unfilled", "op rotation 1", "support: 2 short (unavailable)"),
        ("2004-02-10", "returned", "op rotation 0", "2 home"),
        ("2004-02-10", "nobody sent", "op rotation 1", "0 of 2"),
    ]
    assert r.unfilled == [UnfilledPosts("op", 1, "support", 2, "unavailable")]
    # a call-up that sent nobody is not a contingent sent (understrength or not)
    assert (r.metrics["rotations"], r.metrics["rotations_empty"], r.metrics["rotations_understrength"]) == (1, 1, 0)
    assert r.metrics["gap_days"] == 20  # 2004-02-10 to 2004-03-01 with nobody in theatre


def test_people_home_at_the_instant_of_selection_can_go_again():
    r = run_replication(tiny(select_days=0, predeployment_days=0), 0, trace=True)
    assert [row[:3] for row in log(r)] == [
        ("2004-01-11", "selected", "op rotation 0"),
        ("2004-01-11", "arrived", "op rotation 0"),
        ("2004-02-10", "returned", "op rotation 0"),
        ("2004-02-10", "selected", "op rotation 1"),
        ("2004-02-10", "arrived", "op rotation 1"),
        ("2004-03-01", "returned", "op rotation 1"),
    ]
    assert r.metrics["rotation_fill_rate"] == 1.0
    assert r.metrics["repeat_tours"] == 2
    assert r.metrics["dwell_days_mean"] == 0


def test_dwell_rule_names_dwell_as_the_reason():
    r = run_replication(tiny(select_days=0, predeployment_days=0, min_dwell_days=60), 0)
    assert r.unfilled == [UnfilledPosts("op", 1, "support", 2, "dwell")]
    assert r.unfilled[0]["reason"] == "dwell"  # read by key too, as before


def test_trace_records_every_promotion_and_every_lost_tip():
    from pathlib import Path

    from sim.scenario.loader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "nco_reform.yaml").scenario
    r = run_replication(sc, 0, trace=True)
    promoted = sum(int(who.split()[0]) for _, event, who, _ in r.trace if event == "promoted")
    lost = sum(1 for _, event, _, _ in r.trace if event == "tip lost")
    assert promoted == r.metrics["promoted_to_nco"] > 0
    assert lost == r.metrics["tips_lost"] > 0
