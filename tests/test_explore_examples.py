"""The shipped exploration examples run end to end at small size: the fill-rate discovery
sweep (uncertainties x levers) and the cheapest NCO-reform plan."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).parent.parent


def shrunk(tmp_path, shipped: str, **sizes) -> str:
    """The shipped file with smaller sizes, its scenario path made absolute."""
    data = yaml.safe_load((ROOT / shipped).read_text())
    data["scenario"] = str((ROOT / shipped).parent / data["scenario"])
    data.update(sizes)
    out = tmp_path / Path(shipped).name
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(out)


def test_fill_discovery_sweep_then_discover(tmp_path):
    sweep = shrunk(tmp_path, "sweeps/fill_discovery.yaml", points=8, replications=1)
    db = str(tmp_path / "fill.db")
    result = CliRunner().invoke(main, ["sweep", sweep, "--out", db, "--workers", "1",
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["discover", db, "--where", "rotation_fill_rate < 0.95",
                                       "--format", "json", "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["points"] == 8 * 3 * 2 and 0 < data["cases"] < data["points"]
    assert data["boxes"] and all(set(b["restrictions"]) <= set(yaml.safe_load(
        Path(sweep).read_text())["uncertainties"]) | {"training.courses.eod.seats",
                                                      "deployments.iraq.min_dwell_days"}
        for b in data["boxes"])
    assert (tmp_path / "rep" / "discover.html").is_file()


def test_nco_reform_cheapest_plan(tmp_path):
    policy = shrunk(tmp_path, "policies/nco_reform_cheapest.yaml", replications=3, budget=36,
                    rerun_candidates=1, rerun_replications=5)
    result = CliRunner().invoke(main, ["optimize", policy, "--out", str(tmp_path / "p.db"),
                                       "--workers", "1", "--format", "json",
                                       "--report", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["evaluations"] <= 36
    best = data["best"]
    assert best is not None  # the baseline's 6 seats miss it; more seats meet it
    assert best["constraints"][0]["estimate"] >= 0.9 and best["replications"] == 5
    assert best["levers"]["training.courses.nco_course.seats"] > 6
    assert (tmp_path / "rep" / "optimize.html").is_file()


def test_assistance_allocation(tmp_path):
    """The split of a fixed assistance budget across IMET, EIPC and the UK language
    centre, at small size: shares sum to the total, the answer is feasible."""
    policy = shrunk(tmp_path, "policies/assistance_allocation.yaml", replications=2, budget=12,
                    rerun_candidates=1, rerun_replications=3)
    result = CliRunner().invoke(main, ["optimize", policy, "--out", str(tmp_path / "a.db"),
                                       "--workers", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["evaluations"] <= 12
    best = data["best"]
    assert best is not None and best["constraints"][0]["estimate"] >= 0.9
    split = [best["levers"][f"assistance.{p}.usd_per_year"] for p in ("imet", "eipc", "uk_language")]
    assert abs(sum(split) - 1_335_000) < 1e-6 * 1_335_000
    assert 0 < best["objectives"]["interoperability_end"] <= 1
