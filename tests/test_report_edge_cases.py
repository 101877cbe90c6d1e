"""Reports and comparisons at their edges: directories that hold no report, unwritable outputs, file modes, non-finite thresholds, constant values, one replication, damaged reports, unreachable schedulers."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cli_cases import invoke, short

from sim.core.stats import describe, welch_difference
from sim.core.thresholds import parse_threshold
from sim.report.document import to_markdown


def test_run_will_not_replace_a_directory_that_holds_no_report(tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.txt").write_text("precious")
    res = invoke("run", short(tmp_path, reps=2), "--out", mine, "--workers", "1", "-q")
    assert res.exit_code == 1 and "report.json" in res.stderr
    assert (mine / "chapter1.txt").read_text() == "precious"
    res = invoke("compare", short(tmp_path, reps=2), short(tmp_path, "b.yaml", reps=2), "--out", mine,
                 "--workers", "1", "-q")
    assert res.exit_code == 1 and (mine / "chapter1.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_kazbat_2003_nominal.yaml", "b.yaml", "short.yaml",
                                                           "thesis"]  # the first: short()'s baseline


def test_unwritable_out_or_trace_is_an_input_error_before_running(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    res = invoke("run", short(tmp_path, reps=2), "--out", afile / "rep", "--workers", "1", "-q")
    assert res.exit_code == 1 and "not a directory" in res.stderr
    res = invoke("run", short(tmp_path, reps=2), "--out", tmp_path / "rep", "--workers", "1", "-q",
                 "--trace", afile / "trace.csv")
    assert res.exit_code == 1 and "not a directory" in res.stderr
    assert not (tmp_path / "rep").exists()  # nothing written


def test_report_directory_and_trace_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        res = invoke("run", short(tmp_path, reps=2), "--out", tmp_path / "rep", "--workers", "1", "-q",
                     "--trace", tmp_path / "trace.csv")
    finally:
        os.umask(old)
    assert res.exit_code == 0
    assert stat.S_IMODE((tmp_path / "rep").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "trace.csv").stat().st_mode) == 0o644


def test_failed_rename_leaves_no_temporary_directory(tmp_path, monkeypatch):
    from sim.report import atomic

    target = tmp_path / "rep"
    target.mkdir()
    (target / "report.json").write_text("{}")
    real = os.replace

    def refuse(src, dst):
        if Path(src) == target:
            raise OSError(16, "Device or resource busy")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(OSError), atomic.atomic_dir(target, "report.json") as tmp:
        (tmp / "report.json").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
    assert (target / "report.json").read_text() == "{}"


@pytest.mark.parametrize("text", ["killed <= inf", "killed >= nan", "killed < 1e999"])
def test_threshold_must_be_a_finite_number(text):
    with pytest.raises(ValueError, match="finite"):
        parse_threshold(text)


def test_non_finite_threshold_is_an_input_error(tmp_path):
    res = invoke("run", short(tmp_path, extra="thresholds: ['killed <= inf']\n", reps=2),
                 "--out", tmp_path / "rep", "--workers", "1", "-q")
    assert res.exit_code == 1 and "thresholds.0" in res.stderr
    assert not (tmp_path / "rep").exists()


def test_constant_values_have_a_zero_width_interval_at_the_value():
    d = describe([0.1, 0.1, 0.1])
    assert d.mean == 0.1 and d.sd == 0 and d.ci95 == [0.1, 0.1]
    assert d.min <= d.mean <= d.max
    w = welch_difference([0.1] * 3, [0.3] * 3)
    assert w.diff_ci95 == [w.diff_mean, w.diff_mean]


def test_one_replication_has_no_standard_deviation():
    d = describe([4.0])
    assert d.mean == 4 and d.sd is None and d.ci95 is None


def test_reps_auto_stops_when_a_metric_has_no_value(tmp_path):
    res = invoke("run", short(tmp_path, reps=2), "--out", tmp_path / "a", "--workers", "1",
                 "--reps", "auto", "--metric", "officer_share_target_met_days",
                 "--max-reps", "30")
    assert res.exit_code == 0
    run = json.loads((tmp_path / "a" / "report.json").read_text())["run"]
    assert run["replications"] == 10 and not run["reps_auto"]["met"]
    assert run["reps_auto"]["no_values"] == ["officer_share_target_met_days"]
    assert "no value" in res.stdout and "cap 30 reached" not in res.stdout


def test_markdown_table_cells_stay_on_one_line():
    md = to_markdown([("table", ["input", "value"], [["description", "two\nlines"]])])
    assert md.splitlines() == ["| input | value |", "|---|---|", "| description | two lines |"]


def test_compare_malformed_report_is_an_input_error(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"format": "kazsim-report/1", "scenario": {}, "run": {},
                               "metrics": {}, "replications": []}))
    res = invoke("compare", bad, short(tmp_path, reps=2), "--out", tmp_path / "c", "-q")
    assert res.exit_code == 1 and "scenario.name" in res.stderr
    assert not (tmp_path / "c").exists()


def test_unreachable_scheduler_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import sim.studies.run
    from sim.execution.executor import ExecutorError

    def unreachable(*_a, **_k):
        raise ExecutorError("cannot reach the Dask scheduler at tcp://nowhere:1")

    monkeypatch.setattr(sim.studies.run, "run_replications", unreachable)
    for cmd in (["run", short(tmp_path, reps=2)], ["compare", short(tmp_path, reps=2), short(tmp_path, reps=2)]):
        res = invoke(*cmd, "--scheduler", "tcp://nowhere:1", "--out", tmp_path / "r", "-q")
        assert res.exit_code == 1 and "cannot reach the Dask scheduler" in res.stderr
    assert not (tmp_path / "r").exists()
