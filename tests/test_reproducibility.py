"""Same seed, same numbers: any worker count, and common random numbers across scenarios."""
from __future__ import annotations

from pathlib import Path

from sim.engine import run_replication
from sim.runner import run_replications
from sim.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "kazbat_2003.yaml"


def short(*overrides):
    return load_scenario(BASELINE, overrides=("end=2004-08-01", *overrides)).scenario


def test_identical_results_for_one_or_two_workers():
    sc = short()
    one = run_replications(sc, range(4), workers=1)
    two = run_replications(sc, range(4), workers=2)
    assert [r.metrics for r in one] == [r.metrics for r in two]
    assert [r.series for r in one] == [r.series for r in two]
    assert [r.seed for r in two] == [[sc.seed, i] for i in range(4)]


def test_replications_differ_and_rerun_the_same():
    sc = short()
    a, b = run_replication(sc, 0), run_replication(sc, 1)
    assert a.metrics != b.metrics
    assert run_replication(sc, 0).metrics == a.metrics


def test_a_theatre_change_leaves_the_home_force_draws_alone():
    # More vehicles change theatre work, not who is recruited, trained or leaves at home.
    base = run_replication(short(), 0)
    more = run_replication(short("deployments.iraq.theatre.vehicles.count=12"), 0)
    assert more.metrics["items_cleared"] != base.metrics["items_cleared"]
    for key in ("recruited", "separated", "promoted_to_nco", "persons_deployed"):
        assert more.metrics[key] == base.metrics[key]
    assert more.series["strength.soldier"] == base.series["strength.soldier"]
