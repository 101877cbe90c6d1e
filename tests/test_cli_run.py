"""`run` and `compare` end to end on a shortened baseline, through click's CliRunner."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from cli_cases import ROOT, invoke, short

from sim.core.metrics import metric_info
from sim.core.results import ReplicationResult


def test_run_writes_the_report_set_and_summary(tmp_path):
    out = tmp_path / "rep"
    res = invoke("run", short(tmp_path), "--out", out, "--workers", "1",
                 "--trace", tmp_path / "trace.csv")
    assert res.exit_code == 0, res.output
    # labels, not metric ids, and numbers for people
    assert "Items cleared" in res.stdout and "items_cleared" not in res.stdout
    assert "95% CI" in res.stdout and "Findings:" in res.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["replications"] == 3 and report["run"]["failed"] == []
    assert report["metrics"]["items_cleared"]["mean"] > 0
    assert len(pd.read_csv(out / "metrics.csv")) == 3
    assert set(pd.read_csv(out / "series.csv").series) >= {"strength.officer", "deployed", "trust"}
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(list((out / "figures").glob("*.png"))) >= 8
    with open(tmp_path / "trace.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["date", "event", "who", "details"] and len(rows) > 10
    assert all(r[0] >= "2003-08-01" for r in rows[1:])


def test_run_json_summary_and_seed(tmp_path):
    res = invoke("run", short(tmp_path), "--out", tmp_path / "r", "--workers", "1",
                 "--format", "json", "--seed", "5", "--reps", "2")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["run"]["seed"] == 5 and doc["run"]["replications"] == 2
    assert "items_cleared" in doc["metrics"]


def test_bad_input_exits_1_and_writes_nothing(tmp_path):
    bad = short(tmp_path, extra="force: {establishment: {officer: -3}}\n")
    res = invoke("run", bad, "--out", tmp_path / "r", "--workers", "1")
    assert res.exit_code == 1 and "error" in res.stderr
    assert not (tmp_path / "r").exists()
    unknown = short(tmp_path, "u.yaml", extra="thresholds: ['no_such_metric >= 1']\n")
    res = invoke("run", unknown, "--out", tmp_path / "r", "--workers", "1")
    assert res.exit_code == 1 and "no_such_metric" in res.stderr
    assert invoke("run", short(tmp_path), "--reps", "zero").exit_code == 2


def test_model_failure_exits_3_with_the_report_written(tmp_path, monkeypatch):
    import sim.execution.runner

    real = sim.execution.engine.run_replication

    def flaky(scenario, index, seed=None, trace=False):
        if index == 1:
            return ReplicationResult(index=1, seed=[seed, 1], error="ValueError: broken")
        return real(scenario, index, seed=seed, trace=trace)

    monkeypatch.setattr(sim.execution.runner, "run_replication", flaky)
    res = invoke("run", short(tmp_path), "--out", tmp_path / "r", "--workers", "1", "-q")
    assert res.exit_code == 3
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["run"]["failed"] == [{"index": 1, "error": "ValueError: broken"}]


def test_reps_auto_stops_at_the_precision_or_the_cap(tmp_path):
    res = invoke("run", short(tmp_path), "--out", tmp_path / "a", "--workers", "1",
                 "--reps", "auto", "--precision", "0.5")
    assert res.exit_code == 0 and "precision met" in res.stdout
    run = json.loads((tmp_path / "a" / "report.json").read_text())["run"]
    assert run["replications"] == 10 and run["reps_auto"]["met"]
    res = invoke("run", short(tmp_path), "--out", tmp_path / "b", "--workers", "1",
                 "--reps", "auto", "--precision", "1e-9", "--max-reps", "13", "--metric", "tips_lost")
    run = json.loads((tmp_path / "b" / "report.json").read_text())["run"]
    assert run["replications"] == 13 and not run["reps_auto"]["met"]
    assert "cap 13 reached" in res.stdout
    # Two batches on one local Dask cluster: the same replications as in-process.
    res = invoke("run", short(tmp_path), "--out", tmp_path / "c", "--scheduler", "local",
                 "--workers", "2", "--reps", "auto", "--precision", "1e-9", "--max-reps", "13",
                 "--metric", "tips_lost", "-q")
    assert res.exit_code == 0, res.output
    def reps(folder):  # without the time each took
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in
                json.loads((tmp_path / folder / "report.json").read_text())["replications"]]

    assert reps("c") == reps("b")


@pytest.mark.slow
def test_reps_auto_on_the_baseline_meets_the_precision(tmp_path):
    from sim.core.stats import mean_ci
    from sim.scenario.loader import load_scenario

    res = invoke("run", ROOT / "scenarios" / "kazbat_2003.yaml", "--out", tmp_path / "a",
                 "--reps", "auto", "--precision", "0.05", "--draws", "0", "-q", "--format", "json")
    assert res.exit_code == 0
    run = json.loads(res.stdout)["run"]
    assert run["reps_auto"]["met"]
    n = run["replications"]
    values = pd.read_csv(tmp_path / "a" / "metrics.csv")["items_cleared"]
    mean, _, ci = mean_ci(values.tolist())
    assert (ci[1] - ci[0]) / 2 <= 0.05 * mean
    if n > 10:  # it stopped at the first batch that met it
        mean, _, ci = mean_ci(values[: n - 10].tolist())
        assert (ci[1] - ci[0]) / 2 > 0.05 * mean
    assert load_scenario(ROOT / "scenarios" / "kazbat_2003.yaml")


def test_compare_scenario_with_itself_is_exactly_zero(tmp_path):
    s = short(tmp_path)
    res = invoke("compare", s, s, "--out", tmp_path / "c", "--workers", "1", "--reps", "3")
    assert res.exit_code == 0, res.output
    comp = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comp["format"] == "kazsim-comparison/1" and comp["paired"]
    assert comp["differences"] and all(d["diff_mean"] in (0, None) for d in comp["differences"])
    assert all(d["diff_ci95"] in ([0, 0], None) for d in comp["differences"])
    assert comp["inputs_diff"] == []
    html = (tmp_path / "c" / "comparison.html").read_text()
    assert "https://" not in html and html.count("data:image/png;base64,") >= 1


def test_compare_scenario_with_saved_report(tmp_path):
    s = short(tmp_path)
    longer = short(tmp_path, "longer.yaml", "deployments: []\n")
    assert invoke("run", s, "--out", tmp_path / "r", "--workers", "1", "-q").exit_code == 0
    res = invoke("compare", tmp_path / "r" / "report.json", longer, "--out", tmp_path / "c",
                 "--workers", "1")
    assert res.exit_code == 0, res.output
    comp = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comp["paired"]  # the scenario ran with the report's seed and replications
    assert any(i["path"].startswith("deployments") for i in comp["inputs_diff"])
    items = next(d for d in comp["differences"] if d["metric"] == "items_cleared")
    assert items["diff_mean"] < 0 and items["significant"]
    other = invoke("compare", tmp_path / "r" / "report.json", longer, "--seed", "3",
                   "--out", tmp_path / "c2", "--workers", "1", "--format", "json")
    assert json.loads(other.stdout)["paired"] is False


def test_compare_bad_inputs_exit_1(tmp_path):
    s = short(tmp_path)
    notreport = tmp_path / "x.json"
    notreport.write_text('{"a": 1}')
    res = invoke("compare", s, notreport, "--out", tmp_path / "c")
    assert res.exit_code == 1 and "not a kazsim report" in res.stderr
    newer = tmp_path / "y.json"
    newer.write_text('{"format": "kazsim-report/9"}')
    res = invoke("compare", s, newer, "--out", tmp_path / "c")
    assert res.exit_code == 1 and "kazsim-report/9" in res.stderr
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    res = invoke("compare", s, text, "--out", tmp_path / "c")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert not (tmp_path / "c").exists()


def test_compare_runs_to_the_common_horizon_unless_told_to_keep_each_end(tmp_path):
    a = short(tmp_path, end="2004-03-01")
    b = short(tmp_path, "b.yaml", end="2004-02-01")  # the earlier end, second
    res = invoke("compare", a, b, "--out", tmp_path / "c", "--workers", "1", "--reps", "2")
    assert res.exit_code == 0 and "different horizons" not in res.stderr
    comp = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comp["horizon"] == {"start": "2003-08-01", "end": "2004-02-01", "mode": "common",
                               "alike": True}
    assert [(s["end"], s.get("end_as_written")) for s in comp["scenarios"]] == [
        ("2004-02-01", "2004-03-01"), ("2004-02-01", None)]
    assert {d["verdict"] for d in comp["differences"]} <= {"", "unsure", "better", "worse",
                                                           "changed"}

    res = invoke("compare", a, b, "--out", tmp_path / "o", "--workers", "1", "--reps", "2",
                 "--horizon", "own")
    assert res.exit_code == 0 and "different horizons" in res.stderr
    comp = json.loads((tmp_path / "o" / "comparison.json").read_text())
    assert comp["horizon"]["mode"] == "own" and not comp["horizon"]["alike"]
    verdicts = {d["metric"]: d["verdict"] for d in comp["differences"]}
    assert verdicts["items_cleared"] == verdicts["cost_total_usd"] == "horizons differ"
    kinds = {m: metric_info(m).kind for m in verdicts if metric_info(m)}
    assert all(v == "horizons differ" for m, v in verdicts.items()
               if kinds.get(m) != "state" and v), verdicts


def test_a_sweep_file_given_as_a_scenario_says_so(tmp_path):
    sweep = ROOT / "sweeps" / "nco_reform_nolh.yaml"
    for args in (["run", sweep], ["compare", short(tmp_path), sweep]):
        res = invoke(*args, "--out", tmp_path / "never")
        assert res.exit_code == 1
        assert "this is a sweep file, not a scenario: run it with `kazsim sweep" in res.output
        assert not (tmp_path / "never").exists()
