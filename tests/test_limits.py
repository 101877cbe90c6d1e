"""The work estimate (SPEC "Limits and large inputs"): absurd work is refused before it
starts, with exit 1, the estimate and the flag; --allow-large lets it through; shipped
scenarios and sweeps are well inside the limits; sweep designs are sized from the spec
before any matrix is built."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_cases import ROOT, invoke, short

import sim.studies.sweep.design
import sim.studies.sweep.execute
from sim.execution.limits import estimate_run
from sim.scenario.loader import load_scenario
from sim.studies.sweep.size import design_points
from sim.studies.sweep.spec import load_sweep

BASELINE = ROOT / "scenarios" / "kazbat_2003.yaml"


@pytest.mark.parametrize("override", [
    "deployments.iraq.theatre.tips.rate_per_week_at_full_trust=1e9",
    "deployments.iraq.theatre.vehicles.count=10000000",
    "force.establishment={officer: 10000000, nco: 0, soldier: 0}",
    "training.courses.eod.every_days=1.0e-9",
    "deployments.iraq.theatre.routine_task_days=1.0e-9",
], ids=["tips", "vehicles", "establishment", "course-cycle", "routine-tasks"])
def test_absurd_scenarios_are_refused_before_running(tmp_path, override):
    began = time.perf_counter()
    result = invoke("run", BASELINE, "--set", override, "--quiet", "--out", tmp_path / "r")
    assert time.perf_counter() - began < 10
    assert result.exit_code == 1, result.output
    assert "would take about" in result.output and "--allow-large" in result.output
    assert not (tmp_path / "r").exists()
    check = invoke("validate", _scenario_with(tmp_path, override))
    assert check.exit_code == 1 and "--allow-large" in check.output


def _scenario_with(tmp_path: Path, override: str) -> Path:
    path, _, value = override.partition("=")
    loaded = load_scenario(BASELINE, [override])
    assert loaded  # the override itself is valid input: only its size is refused
    import yaml

    data = yaml.safe_load(BASELINE.read_text())
    from sim.scenario.paths import set_path

    set_path(data, path, yaml.safe_load(value))
    data.get("assumptions", {}).pop(path, None)  # written in the file: a choice, not a range
    file = tmp_path / "big.yaml"
    file.write_text(yaml.safe_dump(data))
    return file


def test_a_million_replications_are_refused_and_allowed_with_the_flag(tmp_path, monkeypatch):
    result = invoke("run", BASELINE, "--reps", 1000000, "--quiet", "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "1,000,000 replications" in result.output and "add --allow-large" in result.output
    # with the flag the estimate no longer stops it: a small limit shows the flag's effect
    monkeypatch.setenv("KAZSIM_LIMIT_SECONDS", "0.001")
    small = short(tmp_path, reps=1)
    assert invoke("run", small, "--quiet", "--out", tmp_path / "a").exit_code == 1
    ok = invoke("run", small, "--quiet", "--out", tmp_path / "b", "--allow-large", "--workers", 1)
    assert ok.exit_code == 0, ok.output


def test_compare_is_estimated_too(tmp_path):
    result = invoke("compare", BASELINE, BASELINE, "--reps", 1000000, "--quiet",
                    "--out", tmp_path / "c")
    assert result.exit_code == 1 and "comparing 2 scenarios" in result.output


def test_shipped_scenarios_and_sweeps_are_well_inside_the_limits():
    for file in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(file).scenario
        estimate = estimate_run(sc, sc.replications, workers=2)
        assert estimate.over() == [] and estimate.seconds < 600, file
    for file in sorted((ROOT / "sweeps").glob("*.yaml")):
        assert invoke("validate", file).exit_code == 0


SWEEP = """\
scenario: {scenario}
design: {design}
{size}
replications: 1
factors:
  force.recruiting.per_month: {{low: 1, high: 100}}
  deployments.iraq.volunteer_prob: {{low: 0.1, high: 0.9}}
  deployments.iraq.select_days: {{low: 30, high: 90}}
outputs: [items_cleared]
"""


@pytest.mark.parametrize("design, size", [("grid", "levels: 216"), ("sobol", "points: 1000000000"),
                                          ("lhs", "points: 10000000"), ("morris", "points: 5000000")])
def test_huge_designs_are_refused_before_any_matrix_is_built(tmp_path, monkeypatch, design, size):
    file = tmp_path / "s.yaml"
    file.write_text(SWEEP.format(scenario=BASELINE, design=design, size=size))

    def never(*args, **kwargs):
        raise AssertionError("the design was built")

    monkeypatch.setattr(sim.studies.sweep.execute, "build", never)
    for args in (["validate", file], ["sweep", file, "--dry-run"],
                 ["sweep", file, "--out", tmp_path / "s.db"]):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert "design of" in result.output and "--allow-large" in result.output
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("design, size, points", [
    ("grid", "levels: 4", 64), ("lhs", "points: 20", 20), ("nolh", "points: 40", 51),
    ("sobol", "points: 10", 16 * 5), ("morris", "points: 6", 6 * 4)])
def test_design_sizes_are_counted_exactly_without_building(tmp_path, design, size, points):
    file = tmp_path / "s.yaml"
    file.write_text(SWEEP.format(scenario=BASELINE, design=design, size=size))
    spec = load_sweep(file).spec
    assert design_points(spec) == points == len(sim.studies.sweep.design.build(spec))


def test_the_api_refuses_oversized_work_as_the_cli_does(monkeypatch):
    import sim

    short = sim.load_scenario(BASELINE, set={"end": "2003-10-01"})
    for call in (lambda: sim.run(BASELINE, reps=1_000_000),
                 lambda: sim.compare([BASELINE, BASELINE], reps=1_000_000),
                 lambda: sim.plan_run(BASELINE, reps=1_000_000)):
        with pytest.raises(sim.InputError, match="1,000,000 replications"):
            call()
    monkeypatch.setenv("KAZSIM_LIMIT_SECONDS", "0.001")  # every run is now "too large"
    with pytest.raises(sim.InputError, match="allow-large"):
        sim.run(short, reps=1, workers=1)
    assert len(sim.run(short, reps=1, workers=1, allow_large=True, draws=0).results) == 1
    checks = sim.validate([BASELINE])
    assert not checks[0].ok and "allow-large" in str(checks[0].errors[0])
    assert sim.validate([BASELINE], allow_large=True)[0].ok
