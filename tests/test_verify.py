"""`verify` (SPEC "Verification battery"): the battery passes on a shipped scenario,
an expectation written the wrong way round fails with exit 4 and the table says which,
a broken accounting (a stand-in model) is caught, and the rules behind the statuses."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import sim
from sim.cli.app import main
from sim.execution.engine import run_replication
from sim.scenario.loader import load_scenario
from sim.studies.verify.battery import FAIL, INCONCLUSIVE, PASS, direction_status, extremes, variant

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "kazbat_2003.yaml")
SHORT = ["--set", "end=2004-02-01", "--reps", "3", "--workers", "1"]


def broken_cost(scenario, index, seed=None, trace=False):  # type: ignore[no-untyped-def]
    """The model, with one dollar too many in the total on odd replications."""
    result = run_replication(scenario, index, seed=seed, trace=trace)
    if index % 2:
        result.metrics["cost_total_usd"] += 1.0
    return result


def test_verify_passes_on_the_baseline_and_writes_its_report(tmp_path):
    out = tmp_path / "v"
    r = CliRunner().invoke(main, ["verify", BASELINE, *SHORT, "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["format"] == "kazsim-verify/1" and data["summary"]["fail"] == 0
    kinds = {c["kind"] for c in data["checks"]}
    assert kinds == {"extreme", "accounting", "determinism", "expectation"}
    names = {c["name"] for c in data["checks"]}
    assert {"no ordnance", "no volunteers", "no interpreter in a contingent", "no vehicles",
            "no recruiting and no leaving", "every course closed", "people conserved",
            "ordnance conserved", "tips accounted for", "cost parts sum to the total",
            "same seed twice", "workers 1 and 2"} <= names
    saved = json.loads((out / "verify.json").read_text())
    assert saved["run"]["command"].startswith("kazsim verify") and saved["run"]["seed"] == 20040128
    assert saved["scenario"]["sha256"] and saved["run"]["overrides"] == ["end=2004-02-01"]
    assert "Verification: KAZBAT 2003-04 baseline" in (out / "verify.html").read_text()


def test_an_expectation_the_wrong_way_round_fails_with_exit_4(tmp_path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(f"extends: {BASELINE}\nname: wrong way round\nexpectations:\n"
                     "  - {set: {deployments.iraq.theatre.vehicles.count: 12}, metric: items_cleared, "
                     "direction: down}\n")
    r = CliRunner().invoke(main, ["verify", str(wrong), *SHORT, "--out", str(tmp_path / "v")])
    assert r.exit_code == 4, r.output
    row = next(line for line in r.stdout.splitlines() if line.startswith("│ items_cleared down"))
    assert "FAIL" in row
    assert "1 check failed (items_cleared down: deployments.iraq.theatre.vehicles.count = 12)" in r.stderr
    md = (tmp_path / "v" / "verify.md").read_text()
    assert "FAIL" in md and "items_cleared goes down" in md


def test_a_broken_accounting_is_caught():
    result = sim.verify(BASELINE, reps=2, workers=1, set={"end": "2004-02-01"}, model=broken_cost)
    assert not result.ok
    assert [c.name for c in result.failed] == ["cost parts sum to the total"]
    assert "broken in 1 of 2 replications (replication 1" in result.failed[0].observed


@pytest.mark.parametrize("direction, ci, status", [
    ("up", (0.1, 2), PASS), ("up", (-2, -0.1), FAIL), ("up", (-1, 1), INCONCLUSIVE),
    ("up", (0, 0), INCONCLUSIVE), ("down", (-2, -0.1), PASS), ("down", (0.1, 2), FAIL),
    ("same", (-1, 1), PASS), ("same", (0, 0), PASS), ("same", (0.1, 1), FAIL), ("up", None, INCONCLUSIVE),
])
def test_direction_status(direction, ci, status):
    assert direction_status(direction, ci) == status


def test_a_variant_drops_the_timeline_changes_that_would_undo_it():
    sc = load_scenario(ROOT / "scenarios" / "hmmwv.yaml").scenario
    no_vehicles = next(e for e in extremes(sc) if e.name == "no vehicles")
    data = variant(sc.data(), no_vehicles.sets, no_vehicles.clear)
    assert [e["set"] for e in data["timeline"]] == [{"deployments.iraq.theatre.vehicles.mtbf_days": 45}]
    assert data["deployments"][0]["theatre"]["vehicles"]["count"] == 0
    assert data["assistance"] == {}
    # without stripping (an expectation's change, like --set) the timeline stays
    kept = variant(sc.data(), {"deployments.iraq.theatre.vehicles.count": 6}, strip=False)
    assert kept["timeline"] == sc.data()["timeline"]


def test_expectations_belong_to_their_file_and_verify_refuses_one_that_cannot_apply(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {BASELINE}\nname: a child\n")
    assert load_scenario(child).scenario.expectations == []  # not inherited through extends
    odd = tmp_path / "odd.yaml"
    odd.write_text(f"extends: {BASELINE}\nname: odd\nexpectations:\n"
                   "  - {set: {deployments.iraq.theatre.vehicles.cont: 12}, metric: items_cleared, direction: up}\n")
    r = CliRunner().invoke(main, ["validate", str(odd)])
    assert r.exit_code == 0 and f"{odd}:4: expectations.0.set.deployments.iraq.theatre.vehicles.cont: " \
        "warning: no such key" in r.stderr
    r = CliRunner().invoke(main, ["verify", str(odd), *SHORT, "--out", str(tmp_path / "v")])
    assert r.exit_code == 1 and f"{odd}:4: expectations.0.set.deployments.iraq.theatre.vehicles.cont: " \
        "no such key" in r.stderr
    assert not (tmp_path / "v").exists()


def test_an_expectation_an_override_made_the_scenario_own_is_inconclusive():
    result = sim.verify(BASELINE, reps=2, workers=1, set={"end": "2004-02-01", "costs.vehicle_day": 10})
    row = next(c for c in result.checks if c.name == "items_cleared same: costs.vehicle_day = 10")
    assert (row.status, row.observed) == ("inconclusive", "the change is the scenario's own value: nothing to compare")
