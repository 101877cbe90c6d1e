"""Sweep files and designs: NOLH properties, --dry-run, errors with file:line and key path."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli.sweep import sweep
from sim.studies.sweep.design import build
from sim.studies.sweep.nolh import MAX_CORRELATION, max_abs_correlation, nolh
from sim.studies.sweep.spec import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "kazbat_2003.yaml"


def write_sweep(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"scenario: {SCENARIO}\n" + body)
    return path


@pytest.mark.parametrize("factors,runs", [(7, 17), (11, 33), (16, 65), (22, 129)])
def test_nolh_levels_and_orthogonality(factors, runs):
    design = nolh(factors)
    assert design.shape == (runs, factors)
    levels = np.arange(-(runs // 2), runs // 2 + 1)
    for column in design.T:
        assert sorted(column) == list(levels)
    assert max_abs_correlation(design) <= MAX_CORRELATION


def test_nolh_is_deterministic_and_smallest_size_is_picked():
    assert np.array_equal(nolh(5), nolh(7)[:, :5])
    assert nolh(8).shape == (33, 8)


def test_dry_run_prints_nolh_design_in_factor_units(tmp_path):
    path = write_sweep(tmp_path, """design: nolh
replications: 2
factors:
  force.recruiting.per_month: {low: 5, high: 21, integer: true}
  deployments.iraq.volunteer_prob: {low: 0.4, high: 0.8}
  deployments.iraq.select_days: [30, 60, 90]
outputs: [items_cleared]
""")
    result = CliRunner().invoke(sweep, [str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["force.recruiting.per_month", "deployments.iraq.volunteer_prob",
                       "deployments.iraq.select_days"]
    body = rows[1:]
    assert len(body) == 17
    assert sorted(int(r[0]) for r in body) == list(range(5, 22))  # 17 equally spaced levels
    probs = sorted(float(r[1]) for r in body)
    assert probs[0] == pytest.approx(0.4) and probs[-1] == pytest.approx(0.8)
    assert {r[2] for r in body} == {"30", "60", "90"}


def test_grid_is_full_factorial_with_levels(tmp_path):
    path = write_sweep(tmp_path, """design: grid
levels: 3
factors:
  force.recruiting.per_month: {low: 5, high: 15}
  deployments.iraq.select_days: [30, 90]
outputs: [items_cleared]
""")
    design = build(load_sweep(path).spec)
    assert sorted(map(tuple, design.values)) == sorted(
        (a, b) for a in (5.0, 10.0, 15.0) for b in (30, 90))


@pytest.mark.parametrize("design,extra,rows", [
    ("lhs", "points: 10", 10), ("sobol", "points: 8", 8 * 4), ("morris", "points: 3", 3 * 3)])
def test_sampled_designs_have_expected_sizes_and_stay_in_range(tmp_path, design, extra, rows):
    path = write_sweep(tmp_path, f"""design: {design}
{extra}
seed: 3
factors:
  force.recruiting.per_month: {{low: 5, high: 15}}
  deployments.iraq.volunteer_prob: {{low: 0.2, high: 0.9}}
outputs: [items_cleared]
""")
    spec = load_sweep(path).spec
    design_matrix = build(spec)
    assert len(design_matrix) == rows
    values = np.array(design_matrix.values, dtype=float)
    assert values[:, 0].min() >= 5 and values[:, 0].max() <= 15
    assert np.array_equal(values, np.array(build(spec).values, dtype=float))  # seeded


@pytest.mark.parametrize("body,line,key", [
    ("design: grid\nfactors:\n  force.recruiting.per_month: [1, 2]\noutputs: [items_cleared]\n"
     "colour: red\n", 6, "colour"),
    ("design: grid\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "  force.no_such_key: [1, 2]\noutputs: [items_cleared]\n", 5, "factors.force.no_such_key"),
    ("design: grid\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "outputs: [items_cleared, not_a_metric]\n", 5, "outputs.1"),
    ("design: grid\nfactors:\n  force.recruiting.per_month: {low: 3, high: 1}\n"
     "outputs: [items_cleared]\n", 4, "factors.force.recruiting.per_month"),
])
def test_bad_sweep_files_exit_1_with_file_line_and_key(tmp_path, body, line, key):
    path = write_sweep(tmp_path, body)
    result = CliRunner().invoke(sweep, [str(path), "--dry-run"])
    assert result.exit_code == 1
    assert f"{path}:{line}: {key}:" in result.output


def test_validate_command_checks_sweep_files(tmp_path):
    from sim.cli.inputs import validate

    good = CliRunner().invoke(validate, [str(ROOT / "sweeps" / "nco_reform_nolh.yaml")])
    assert good.exit_code == 0, good.output
    bad = write_sweep(tmp_path, "design: grid\nfactors:\n  force.nope: [1, 2]\n"
                                "outputs: [items_cleared]\n")
    result = CliRunner().invoke(validate, [str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: factors.force.nope:" in result.output


@pytest.mark.parametrize("body,message", [
    ("design: lhx\nfactors:\n  force.recruiting.per_month: [1, 2]\noutputs: [items_cleared]\n",
     "design: expected one of 'grid', 'lhs', 'nolh', 'sobol' or 'morris', found 'lhx'"),
    ("design: grid\nfactors:\n  force.recruiting.per_month: [1, 2]\noutputs: [items_cleared]\n"
     "colour: red\n", "colour: unknown key 'colour'"),
    ("design: grid\nreplications: two\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "outputs: [items_cleared]\n", "replications: expected an integer, found 'two'"),
])
def test_sweep_file_mistakes_read_like_scenario_mistakes(tmp_path, body, message):
    """The scenario layer's wording, not pydantic's ('Input should be ...')."""
    result = CliRunner().invoke(sweep, [str(write_sweep(tmp_path, body)), "--dry-run"])
    assert result.exit_code == 1 and message in result.output and "Input should" not in result.output
