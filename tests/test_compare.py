"""Comparison logic on synthetic reports: paired vs Welch, zero self-difference, inputs diff."""
from __future__ import annotations

import copy

from sim.report.model import Report
from sim.studies.compare.comparison import build_comparison, horizon_warnings, is_paired


def report(name: str, seed: int, values: list[float], resolved: dict | None = None) -> Report:
    reps = [{"index": i, "seed": [seed, i], "metrics": {"items_cleared": v}}
            for i, v in enumerate(values)]
    mean = sum(values) / len(values)
    data = {"format": "kazsim-report/1",
            "scenario": {"name": name, "file": f"{name}.yaml", "sha256": "",
                         "resolved": resolved or {"name": name, "start": "2003-08-01",
                                                  "end": "2005-08-01"}},
            "run": {"replications": len(values), "seed": seed, "failed": []},
            "metrics": {"items_cleared": {"mean": mean}}, "series": {}, "replications": reps}
    return Report.model_validate(data)


def test_self_comparison_is_exactly_zero_and_paired():
    a = report("base", 1, [10.0, 13.0, 17.0])
    c = build_comparison([a, copy.deepcopy(a)], ["a", "a"])
    d = c.differences[0]
    assert c.paired and d.paired
    assert d.diff_mean == 0 and d.diff_ci95 == [0, 0] and d.relative == 0
    assert not d.significant and c.inputs_diff == []


def test_common_random_numbers_give_a_narrower_interval_than_welch():
    base = report("base", 1, [100.0, 200.0, 300.0, 400.0])
    better = report("better", 1, [110.0, 212.0, 309.0, 411.0])
    paired = build_comparison([base, better], ["a", "b"]).differences[0]
    assert paired.paired and paired.significant
    assert paired.diff_mean == 10.5 and paired.relative == 10.5 / 250
    other_seed = copy.deepcopy(better)
    other_seed.run.seed = 2
    unpaired = build_comparison([base, other_seed], ["a", "b"])
    w = unpaired.differences[0]
    assert not unpaired.paired and not w.paired and not w.significant
    assert "Welch" in unpaired.method
    width = lambda d: d.diff_ci95[1] - d.diff_ci95[0]  # noqa: E731
    assert width(paired) < width(w) / 10


def test_different_replication_counts_are_not_paired():
    a = report("a", 1, [1.0, 2.0, 3.0])
    b = report("b", 1, [1.0, 2.0, 3.0, 4.0])
    assert not is_paired(a, b)


def test_inputs_diff_and_horizon_warning():
    res_a = {"name": "a", "start": "2003-08-01", "end": "2005-08-01",
             "deployments": [{"name": "iraq", "volunteer_prob": 0.6}]}
    res_b = {**res_a, "name": "b", "end": "2008-10-20",
             "deployments": [{"name": "iraq", "volunteer_prob": 0.8}]}
    a, b = report("a", 1, [1.0, 2.0], res_a), report("b", 1, [1.0, 2.0], res_b)
    c = build_comparison([a, b], ["a", "b"])
    assert {(i.path, i.baseline, i.value) for i in c.inputs_diff} == {
        ("end", "2005-08-01", "2008-10-20"), ("deployments.iraq.volunteer_prob", 0.6, 0.8)}
    assert horizon_warnings([a, b]) and "2008-10-20" in c.warnings[0]


def test_baseline_against_nco_reform_pairs_to_a_narrower_interval():
    # The real model: both scenarios over the reform's horizon (`compare --set end=...`),
    # 16 replications. Common random numbers (same seed) against an independent run of
    # the reform (another seed): the paired interval of items_cleared is narrower,
    # because tips, caches and incidents draw from the same streams on both sides.
    from pathlib import Path

    from sim.execution.runner import run_replications
    from sim.report import build_report
    from sim.scenario.loader import load_scenario

    root = Path(__file__).resolve().parents[1] / "scenarios"
    horizon = ("end=2008-10-20",)
    base = load_scenario(root / "kazbat_2003.yaml", horizon)
    reform = load_scenario(root / "nco_reform.yaml", horizon)

    def rep(loaded, seed):
        results = run_replications(loaded.scenario, range(16), seed, workers=2)
        return build_report(loaded, results, seed, "2026-01-01T00:00:00+00:00", 0.0)

    a, b, b_other = rep(base, 1), rep(reform, 1), rep(reform, 2)
    width = lambda d: d.diff_ci95[1] - d.diff_ci95[0]  # noqa: E731
    pick = lambda c: next(d for d in c.differences if d.metric == "items_cleared")  # noqa: E731
    paired = pick(build_comparison([a, b], ["a", "b"]))
    welch = pick(build_comparison([a, b_other], ["a", "b"]))
    assert paired.paired and not welch.paired
    assert width(paired) < 0.9 * width(welch), (width(paired), width(welch))


def test_an_input_one_scenario_leaves_out_reads_not_set_in_the_report():
    from sim.studies.compare.report import comparison_blocks

    res_a = {"name": "a", "start": "2003-08-01", "end": "2005-08-01"}
    res_b = {**res_a, "name": "b", "restructure": {"by": "2008-01-01"}}
    c = build_comparison([report("a", 1, [1.0, 2.0], res_a), report("b", 1, [1.0, 2.0], res_b)],
                         ["a", "b"])
    table = next(b for b in comparison_blocks(c, []) if b[0] == "table" and b[1][0] == "input")
    assert table[1] == ["input", "baseline", "b"]
    assert [[str(c) for c in row] for row in table[2]] == [["restructure › by", "not set",
                                                            "2008-01-01"]]
    assert table[2][0][0].title == "restructure.by"  # the path to --set it, as hover text
