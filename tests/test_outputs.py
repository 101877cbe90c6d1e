"""Issue 12's list and issue 11's output items: provenance, intervals in range, compare's
CSV and table, tidy tables and store, sweep options, figures, results never lost."""
from __future__ import annotations

import json
import math
import sqlite3

import pandas as pd
import pytest
from cli_cases import ROOT, invoke, short

from sim.core.metrics import HEADLINE, METRICS, SERIES, label, series_info
from sim.core.results import ReplicationResult

SCENARIO = ROOT / "scenarios" / "kazbat_2003.yaml"


def test_every_catalogued_metric_and_series_has_a_real_label():
    for name, info in METRICS.items():
        assert info.label and info.label != name, name
        assert info.better in ("higher", "lower", ""), name
    for name in SERIES:
        info = series_info(name)
        assert info is not None and info.label and info.unit, name
    assert label("course_queue.nco_course") == "Candidates waiting for nco course"


def test_provenance_records_the_command_overrides_horizon_and_commit(tmp_path):
    out = tmp_path / "r"
    res = invoke("run", short(tmp_path, reps=2), "--out", out, "--workers", "1", "-q",
                 "--set", "deployments.iraq.volunteer_prob=0.5")
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    run = report["run"]
    assert run["overrides"] == ["deployments.iraq.volunteer_prob=0.5"]
    assert "--set deployments.iraq.volunteer_prob=0.5" in run["command"]
    assert run["command"].startswith("kazsim run")
    assert report["scenario"]["start"] == "2003-08-01" and report["scenario"]["end"] == "2004-02-01"
    assert "commit" in run  # None outside a git checkout
    inputs = {i["path"]: i for i in report["assumptions"]["non_default_inputs"]}
    assert inputs["deployments.iraq.volunteer_prob"]["set_by"] == \
        "deployments.iraq.volunteer_prob=0.5"
    md = (out / "report.md").read_text()
    assert "--set deployments.iraq.volunteer_prob=0.5" in md and "Command:" in md


def test_compare_states_the_horizon_and_writes_a_csv_and_a_table_with_both_means(tmp_path):
    a = short(tmp_path, reps=2)
    b = short(tmp_path, "b.yaml", extra="deployments: []\n", reps=2)
    res = invoke("compare", a, b, "--out", tmp_path / "c", "--workers", "1",
                 "--set", "end=2004-03-01")
    assert res.exit_code == 0, res.output
    comp = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comp["command"].startswith("kazsim compare")
    assert {(s["start"], s["end"]) for s in comp["scenarios"]} == {("2003-08-01", "2004-03-01")}
    assert comp["scenarios"][1]["overrides"] == ["end=2004-03-01"]
    assert "2004-03-01" in (tmp_path / "c" / "comparison.md").read_text()
    csv = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert {"scenario", "metric", "unit", "baseline_mean", "mean", "diff_mean", "diff_low",
            "diff_high", "significant"} <= set(csv.columns)
    items = csv[csv.metric == "items_cleared"].iloc[0]
    assert items["unit"] == "items" and items["mean"] < items["baseline_mean"]
    assert "baseline" in res.stdout and "items" in res.stdout  # both means and units
    assert "1 input" in res.stdout or "inputs differ" in res.stdout


def test_relative_change_is_hidden_on_a_tiny_base_and_direction_decides_the_colour():
    from sim.report.model import Report
    from sim.studies.compare.comparison import difference

    def rep(values_killed, values_cost, seed=1):
        reps = [{"index": i, "seed": [seed, i], "metrics": {"killed": k, "cost_total_usd": c}}
                for i, (k, c) in enumerate(zip(values_killed, values_cost))]
        mean = lambda v: sum(v) / len(v)  # noqa: E731
        return Report.model_validate({
            "scenario": {"name": "x", "resolved": {}}, "run": {"replications": 4, "seed": seed},
            "metrics": {"killed": {"mean": mean(values_killed)},
                        "cost_total_usd": {"mean": mean(values_cost)}},
            "replications": reps})

    base = rep([0, 1, 0, 0.5], [100.0, 110.0, 120.0, 130.0])
    other = rep([0, 1.5, 0.5, 1], [90.0, 99.0, 108.0, 117.0])
    killed = difference(base, other, "killed", True)
    assert not killed.relative_shown  # 0.375 killed on average: +100% means nothing
    cost = difference(base, other, "cost_total_usd", True)
    assert cost.relative_shown and cost.significant and cost.verdict == "better"  # a saving


def test_intervals_stay_inside_what_is_possible():
    from sim.core.stats import describe

    share = describe([1.0, 1.0, 0.99, 1.0], "rotation_fill_rate")
    assert share.ci95 is not None and share.ci95[1] == 1.0 and share.clipped
    count = describe([0.0, 0.0, 3.0], "killed")
    assert count.ci95 is not None and count.ci95[0] == 0.0 and count.clipped
    plain = describe([10.0, 11.0, 12.0], "items_cleared")
    assert not plain.clipped


def test_sweep_point_intervals_stay_inside_what_is_possible(tmp_path):
    from sim.studies.sweep.analysis import summarise_points
    from sim.studies.sweep.store import Run, Store

    with Store(tmp_path / "s.db") as store:
        store.initialise({"spec": json.dumps({"outputs": ["items_cleared"]})}, ["a"],
                         [[1.0]], [[0.0]])
        for r, v in enumerate([10.0, 5_000_000.0]):
            store.add(Run(0, r, 1, {"a": 1.0}, {"items_cleared": v}, "ok", None, 0.0))
        (point,) = summarise_points(store, ["items_cleared"])
    mean, lo, hi = point.outputs["items_cleared"]
    assert lo == 0.0 and hi > mean and "items_cleared" in point.clipped


def test_tidy_tables_and_a_store_that_pandas_reads_as_numbers(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"""scenario: {SCENARIO}
design: grid
levels: 2
replications: 2
seed: 3
factors:
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
outputs: [items_cleared, cost_total_usd]
series: [deployed, items_cleared_cum]
""")
    db, rep = tmp_path / "s.db", tmp_path / "rep"
    res = invoke("sweep", sweep, "--out", db, "--report", rep, "--workers", "1", "-q",
                 "--model", "test_sweep_models:linear")
    assert res.exit_code == 0, res.output
    runs = pd.read_csv(rep / "runs.csv")
    assert runs["seed"].dtype.kind == "i" and set(runs["seed"]) == {3}
    with sqlite3.connect(db) as con:
        long = pd.read_sql("SELECT * FROM metrics", con)
        wide = pd.read_sql("SELECT * FROM outcomes", con)
        series = pd.read_sql("SELECT * FROM series", con)
    assert long["value"].dtype.kind == "f" and wide["items_cleared"].dtype.kind == "f"
    assert len(wide) == 4 and set(series["series"]) == {"deployed", "items_cleared_cum"}
    assert len(series) == 4 * 2 * 3  # runs x series x dates


def test_sweep_takes_set_seed_reps_and_prints_json(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"""scenario: {SCENARIO}
design: grid
levels: 2
replications: 3
seed: 3
factors:
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
outputs: [items_cleared]
""")
    db = tmp_path / "s.db"
    res = invoke("sweep", sweep, "--out", db, "--workers", "1", "--format", "json",
                 "--seed", "9", "--reps", "2", "--model", "test_sweep_models:linear",
                 "--set", "deployments.iraq.volunteer_prob=0.3")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["seed"] == 9 and doc["replications"] == 2 and doc["runs"] == {"ok": 4, "failed": 0}
    assert doc["overrides"] == ["deployments.iraq.volunteer_prob=0.3"]
    # the stand-in reads volunteer_prob: 0.3 from --set, so y = a + 6 + noise
    assert all(abs(p["outputs"]["items_cleared"]["mean"] - p["parameters"][
        "force.recruiting.per_month"] - 6) < 3 for p in doc["points"])
    again = invoke("sweep", sweep, "--out", db, "--workers", "1", "--resume", "-q",
                   "--seed", "9", "--reps", "2", "--model", "test_sweep_models:linear")
    assert again.exit_code == 1 and "--set overrides differ" in again.output
    bad = invoke("sweep", sweep, "--out", tmp_path / "t.db", "--set", "nope.key=1", "-q")
    assert bad.exit_code == 1 and "nope" in bad.output


def test_the_sweep_report_reads_like_the_run_report(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"""scenario: {SCENARIO}
design: grid
levels: 3
replications: 2
seed: 3
factors:
  force.recruiting.per_month: {{low: 0.3, high: 0.9}}
  deployments.iraq.volunteer_prob: [0.4, 0.6, 0.8]
outputs: [items_cleared, cost_total_usd]
""")
    rep = tmp_path / "rep"
    res = invoke("sweep", sweep, "--out", tmp_path / "s.db", "--report", rep, "--workers", "1",
                 "-q", "--model", "test_sweep_models:linear")
    assert res.exit_code == 0, res.output
    html = (rep / "sweep.html").read_text()
    md = (rep / "sweep.md").read_text()
    assert "KAZBAT 2003-04 baseline" in md.splitlines()[0]  # the scenario's name
    assert 'title="deployments.iraq.volunteer_prob"' in html  # full path on hover
    assert "| volunteer probability | deployments.iraq.volunteer_prob |" in md  # legend table
    assert md.index("## Findings") < md.index("## Results per design point")  # the big table last
    assert "e+0" not in md and "0.6000000000000001" not in md  # numbers formatted like run
    assert "SRC (standardised regression coefficient)" in md and "R² of the linear" in md
    for name in ("main_effects_items_cleared", "heatmap_items_cleared",
                 "sensitivity_items_cleared"):
        assert (rep / "figures" / f"{name}.png").is_file()
        assert (rep / "figures" / f"{name}.svg").is_file()


def test_figures_are_slide_ready(tmp_path):
    from sim.report.draw import DPI, compact

    assert DPI >= 150
    assert compact(8_150_000) == "8.15M" and compact(350_000) == "350k"
    assert compact(2_500_000, "USD") == "$2.5M" and compact(0.4, "share") == "40%"
    res = invoke("run", short(tmp_path, reps=2), "--out", tmp_path / "r", "--workers", "1", "-q")
    assert res.exit_code == 0
    svg = (tmp_path / "r" / "figures" / "items_cleared.svg").read_text()
    assert "Items cleared (cumulative)" in svg and "items_cleared_cum" not in svg
    hist = (tmp_path / "r" / "figures" / "histograms.svg").read_text()
    assert "replications" in hist  # histograms have a y label


def test_deployed_figure_draws_the_handovers_from_min_and_max():
    from sim.report.figures import _deployed
    from sim.report.model import SeriesSummary

    dates = ["2003-08-01", "2003-09-01", "2003-10-01"]
    s = lambda v: SeriesSummary(dates=dates, mean=v, p10=v, p90=v)  # noqa: E731
    job = _deployed({"deployed": s([25.0, 25.0, 25.0]), "deployed.min": s([0.0, 25.0, 25.0]),
                     "deployed.max": s([25.0, 50.0, 25.0]), "required": s([25.0] * 3)})
    labels = [line["label"] for line in job.spec["panels"][0]["lines"]]
    assert labels[:2] == ["most in theatre in the month", "fewest in theatre in the month"]
    assert job.spec["panels"][0]["lines"][0]["mean"] == [25.0, 50.0, 25.0]


def test_forest_colours_follow_each_metrics_desirable_direction():
    from sim.report.figures import forest_figure

    rows = [{"scenario": "b", "metric": "cost_total_usd", "baseline_mean": 100.0,
             "diff_ci95": [-12.0, -9.0], "relative": -0.108, "verdict": "better"},
            {"scenario": "b", "metric": "killed", "baseline_mean": 10.0,
             "diff_ci95": [1.0, 3.0], "relative": 0.2, "verdict": "worse"}]
    job = forest_figure(rows, several=False)
    assert [r["verdict"] for r in job.spec["rows"]] == ["better", "worse"]
    assert job.spec["rows"][0]["label"] == "Total cost"


# -- issue 11: never lose a computed result -----------------------------------------------

def test_a_failure_while_drawing_figures_still_writes_the_results(tmp_path, monkeypatch):
    import sim.report.writer

    def broken(report):
        raise ValueError("Too many bins for data range")

    monkeypatch.setattr(sim.report.writer, "report_figures", broken)
    out = tmp_path / "r"
    res = invoke("run", short(tmp_path, reps=2), "--out", out, "--workers", "1", "-q")
    assert res.exit_code == 3
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "figure" in lines[0] and "the traceback is in" in lines[0]
    for name in ("report.json", "metrics.csv", "series.csv", "report.md", "report.html"):
        assert (out / name).is_file(), name
    assert json.loads((out / "report.json").read_text())["run"]["replications"] == 2


def test_one_broken_figure_costs_only_itself(tmp_path):
    from sim.report.render import FigureJob, render

    good = FigureJob("good", "", "histograms", {"panels": [{"title": "t", "unit": "items",
                                                            "values": [1.0, 2.0, 3.0]}]})
    bad = FigureJob("bad", "", "no_such_drawer", {})
    done = render([good, bad], tmp_path, workers=1)
    assert [j.name for j in done.drawn] == ["good"] and [j.name for j, _ in done.failed] == ["bad"]
    assert (tmp_path / "good.png").is_file() and (tmp_path / "good.svg").is_file()


def test_series_csv_fields_are_written_as_the_csv_module_writes_them(tmp_path):
    import csv
    import io

    from sim.report.tables import write_series_csv

    runs = [ReplicationResult(index=i, seed=[1, i], draw=draw, dates=["2003-08-01", "2003-09-01"],
                              series={"a,b": [1.0, None], 'q"x': [math.nan, 2.5], "": [0.1, 3.0]})
            for i, draw in ((0, None), (1, 4))]
    write_series_csv(tmp_path / "series.csv", runs)
    expected = io.StringIO(newline="")
    w = csv.writer(expected)
    w.writerow(["series", "date", "replication", "value", "draw"])
    for r in runs:
        for name, values in r.series.items():
            for date, v in zip(r.dates, values):
                w.writerow([name, date, r.index, "" if v is None or math.isnan(v) else repr(v),
                            "nominal" if r.draw is None else r.draw])
    assert (tmp_path / "series.csv").read_bytes() == expected.getvalue().encode()
    rows = list(csv.reader(io.StringIO((tmp_path / "series.csv").read_text(), newline="")))
    assert rows[1] == ["a,b", "2003-08-01", "0", "1.0", "nominal"]
    assert rows[-1] == ["", "2003-09-01", "1", "3.0", "4"]


def test_one_worker_draws_the_figures_in_this_process(tmp_path, monkeypatch):
    import sim.report.render
    from sim.report.render import FigureJob, start_render

    def no_pool():
        raise AssertionError("--workers 1 started figure workers")
    monkeypatch.setattr(sim.report.render, "_get_pool", no_pool)
    jobs = [FigureJob(name, "", "histograms", {"panels": [{"title": "t", "unit": "items",
                                                           "values": [1.0, 2.0, 3.0]}]})
            for name in ("one", "two")]
    drawing = start_render(jobs, tmp_path, workers=1)
    assert not list(tmp_path.iterdir())  # nothing drawn before the caller waits
    done = drawing.wait()
    assert [j.name for j in done.drawn] == ["one", "two"] and not done.failed
    assert (tmp_path / "two.png").is_file()


def test_workers_1_on_the_command_line_starts_no_figure_process(tmp_path, monkeypatch):
    import sim.report.render

    def refused():
        raise AssertionError("--workers 1 started a figure process")
    monkeypatch.setattr(sim.report.render, "_context", refused)  # the fork server
    monkeypatch.setattr(sim.report.render, "_get_pool", refused)  # the figure workers
    out = tmp_path / "r"
    res = invoke("run", short(tmp_path, reps=2), "--out", out, "--workers", "1", "-q")
    assert res.exit_code == 0, res.output
    assert (out / "figures" / "strength.png").is_file()


def test_non_finite_values_are_null_in_json(tmp_path):
    from sim.report.model import dumps

    text = dumps({"a": math.nan, "b": [1.0, math.inf, -math.inf], "c": {"d": math.nan}})
    assert json.loads(text) == {"a": None, "b": [1.0, None, None], "c": {"d": None}}


def test_a_run_with_non_finite_results_keeps_them_as_null(tmp_path, monkeypatch):
    import sim.execution.runner

    def odd(scenario, index, seed=None, trace=False):
        return ReplicationResult(index=index, seed=[seed, index],
                                 metrics={"items_cleared": math.nan, "killed": math.inf,
                                          "wounded": 1.0},
                                 dates=["2003-08-01", "2003-09-01"],
                                 series={"trust": [math.nan, 0.5], "deployed": [math.inf, 3.0]})

    monkeypatch.setattr(sim.execution.runner, "run_replication", odd)
    out = tmp_path / "r"
    res = invoke("run", short(tmp_path, reps=2), "--out", out, "--workers", "1", "-q")
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["replications"][0]["metrics"]["items_cleared"] is None
    assert report["metrics"]["wounded"]["mean"] == 1.0


def test_a_metric_constant_but_for_rounding_draws_its_histogram(tmp_path):
    from sim.report.draw import draw_histograms, histogram_edges

    values = [1000.0, 1000.0000000000001, 999.9999999999999, 1000.0]
    edges = histogram_edges(values, 5)
    assert len(edges) == 2 and edges[0] < 999.9 and edges[1] > 1000.1
    draw_histograms({"panels": [{"title": "t", "unit": "USD/item", "values": values}]})
    res = invoke("run", SCENARIO, "--reps", "2", "--draws", "0", "--out", tmp_path / "r", "--workers", "1",
                 "-q", "--set", "end=2004-02-01",
                 "--set", "deployments.iraq.theatre.ordnance_stock=1000")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "figures" / "histograms.png").is_file()


# -- CLI odds and ends -------------------------------------------------------------------------

def test_run_on_a_saved_report_says_it_is_a_report(tmp_path):
    out = tmp_path / "r"
    assert invoke("run", short(tmp_path, reps=2), "--out", out, "--workers", "1",
                  "-q").exit_code == 0
    res = invoke("run", out / "report.json", "--out", tmp_path / "x")
    assert res.exit_code == 1
    assert "this is a saved kazsim report" in res.stderr and res.stderr.count("\n") <= 2


def test_progress_lines_in_a_pipe(tmp_path):
    res = invoke("run", short(tmp_path, reps=3), "--out", tmp_path / "r", "--workers", "1")
    assert res.exit_code == 0
    lines = [line for line in res.stderr.splitlines() if "replications done" in line]
    assert lines and lines[-1].startswith("short baseline: 3/3 replications done")


def test_progress_display_rate_in_a_pipe():
    import io

    from sim.cli.progress import ProgressDisplay

    buf = io.StringIO()
    with ProgressDisplay("run", "replications", stream=buf, every=3600) as bar:
        for k in range(1, 101):
            bar(k, 100)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("run: 1/100") and "100/100" in lines[1]


def test_headline_metrics_are_catalogued():
    assert all(m in METRICS for m in HEADLINE)


@pytest.mark.parametrize("old", [True])
def test_compare_reads_a_report_written_by_an_earlier_version(tmp_path, old):
    # kazsim-report/1 as the first version wrote it: no start/end/command/overrides
    from sim.report.model import load_report

    report = {"format": "kazsim-report/1",
              "scenario": {"name": "old", "file": "o.yaml", "sha256": "",
                           "resolved": {"start": "2003-08-01", "end": "2005-08-01"}},
              "run": {"replications": 2, "seed": 1, "version": "0.1.0", "started": "",
                      "wall_seconds": 1.0, "failed": []},
              "metrics": {"items_cleared": {"mean": 1.5, "sd": 0.7, "ci95": [0, 8], "p10": 1,
                                            "p50": 1.5, "p90": 2, "min": 1, "max": 2, "n": 2,
                                            "unit": "items", "description": "d"}},
              "series": {}, "replications": [{"index": 0, "seed": [1, 0],
                                              "metrics": {"items_cleared": 1.0}},
                                             {"index": 1, "seed": [1, 1],
                                              "metrics": {"items_cleared": 2.0}}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(report))
    loaded = load_report(path)
    assert loaded.horizon == ("2003-08-01", "2005-08-01")
    assert json.loads(loaded.dump()) == report  # written back as it was
    res = invoke("compare", path, path, "--out", tmp_path / "c", "-q")
    assert res.exit_code == 0, res.output


def test_compare_draws_people_deployed_as_the_most_in_each_interval():
    """A handover between two sampling dates shows in the comparison's overlay too."""
    from sim.report.figures import overlay_figure
    from sim.report.model import SeriesSummary

    dates = ["2004-01-01", "2004-02-01", "2004-03-01"]
    series = {"deployed": SeriesSummary(dates=dates, mean=[25.0, 25.0, 25.0]),
              "deployed.max": SeriesSummary(dates=dates, mean=[25.0, 50.0, 25.0])}
    job = overlay_figure([("a", series), ("b", series)], ["deployed"])
    (panel,) = job.spec["panels"]
    assert panel["title"] == "Most people deployed in the interval"
    assert max(panel["lines"][0]["mean"]) == 50.0
    older = {"deployed": series["deployed"]}  # a report written before deployed.max
    assert overlay_figure([("a", older)], ["deployed"]).spec["panels"][0]["title"] == "People deployed"
