"""Sweeps at their edges: errors with file:line and key path instead of tracebacks or
sweeps where every run fails, resume refusing stale stores, clean messages for a bad
--out or Dask scheduler, and reports that survive any discrete levels."""
from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli.sweep import sweep, sweep_report

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "kazbat_2003.yaml"
MODEL = ["--quiet", "--model", "test_sweep_models:linear"]
SMALL = """design: grid
levels: 2
replications: 1
factors:
  force.recruiting.per_month: {low: 5, high: 15, integer: true}
outputs: [items_cleared]
"""


def write_sweep(tmp_path: Path, body: str, scenario: Path = SCENARIO) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"scenario: {scenario}\n" + body)
    return path


@pytest.mark.parametrize("body,line,key", [
    # one discrete level: named at its own line, not at line 1 without a key
    ("design: grid\nfactors:\n  deployments.iraq.volunteer_prob: [0.5]\n"
     "outputs: [items_cleared]\n", 4, "factors.deployments.iraq.volunteer_prob"),
    # neither a range nor a list: one error, without pydantic's union member names
    ("design: grid\nfactors:\n  force.recruiting.per_month: 5\noutputs: [items_cleared]\n",
     4, "factors.force.recruiting.per_month"),
    ("design: lhs\nfactors:\n  force.recruiting.per_month: {low: 5, high: 15}\n"
     "outputs: [items_cleared]\n", 2, "design"),
    ("design: grid\nfactors:\n  force.recruiting.per_month: {low: 5, high: .inf}\n"
     "outputs: [items_cleared]\n", 4, "factors.force.recruiting.per_month.high"),
    # rounding 0.5 .. 1.5 gives 0 and 2, both outside the range
    ("design: grid\nfactors:\n  force.recruiting.per_month: {low: 0.5, high: 1.5, integer: true}\n"
     "outputs: [items_cleared]\n", 4, "factors.force.recruiting.per_month"),
    # a range written onto a mapping, or fractions onto a whole-number field: every run fails
    ("design: grid\nfactors:\n  force.recruiting: {low: 5, high: 15}\noutputs: [items_cleared]\n",
     4, "factors.force.recruiting"),
    ("design: grid\nfactors:\n  training.courses.nco_course.seats: {low: 10, high: 40}\n"
     "outputs: [items_cleared]\n", 4, "factors.training.courses.nco_course.seats"),
    ("design: grid\nlevels: 1\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "outputs: [items_cleared]\n", 3, "levels"),
    ("design: grid\nseed: -1\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "outputs: [items_cleared]\n", 3, "seed"),
    # 3 factors: at most 7 rotated copies of the 17-run NOLH
    ("design: nolh\npoints: 200\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "  deployments.iraq.volunteer_prob: [0.4, 0.6]\n  deployments.iraq.select_days: [30, 60]\n"
     "outputs: [items_cleared]\n", 3, "points"),
    ("design: lhs\npoints: 3\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "  deployments.iraq.volunteer_prob: [0.4, 0.6]\noutputs: [items_cleared]\n", 3, "points"),
    ("design: morris\npoints: 1\nfactors:\n  force.recruiting.per_month: [1, 2]\n"
     "outputs: [items_cleared]\n", 3, "points"),
], ids=["one-level", "scalar", "no-points", "infinite", "fractional-integer",
        "range-on-mapping", "range-on-whole-number", "grid-levels", "negative-seed", "nolh-too-many",
        "lhs-too-few", "morris-one"])
def test_bad_factors_and_sizes_are_errors_with_line_and_key(tmp_path, body, line, key):
    path = write_sweep(tmp_path, body)
    result = CliRunner().invoke(sweep, [str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert f"{path}:{line}: {key}:" in result.output
    assert "function-after" not in result.output and "valid list" not in result.output


def test_resume_refuses_when_a_scenario_the_base_extends_has_changed(tmp_path):
    parent = tmp_path / "parent.yaml"
    shutil.copy(SCENARIO, parent)
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\n")
    path = write_sweep(tmp_path, SMALL, scenario=child)
    db = tmp_path / "r.db"
    assert CliRunner().invoke(sweep, [str(path), "--out", str(db), *MODEL]).exit_code == 0
    # a change inside the baseline's range for it (a value outside it is refused on its own)
    parent.write_text(parent.read_text().replace("volunteer_prob: 0.6", "volunteer_prob: 0.7"))
    again = CliRunner().invoke(sweep, [str(path), "--out", str(db), "--resume", *MODEL])
    assert again.exit_code == 1 and "different sweep" in again.output


def test_resume_refuses_a_store_whose_design_differs(tmp_path):
    # the same spec builds another design after a SciPy/SALib/NumPy upgrade
    path = write_sweep(tmp_path, SMALL.replace("replications: 1", "replications: 2"))
    db = tmp_path / "r.db"
    assert CliRunner().invoke(sweep, [str(path), "--out", str(db), *MODEL]).exit_code == 0
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM runs WHERE replication = 1")
        con.execute("""UPDATE design SET parameters = '{"force.recruiting.per_month": 6}'
                       WHERE point = 0""")
    again = CliRunner().invoke(sweep, [str(path), "--out", str(db), "--resume", *MODEL])
    assert again.exit_code == 1 and "design" in again.output


def test_an_out_file_that_is_not_a_sweep_store_is_refused_cleanly(tmp_path):
    path = write_sweep(tmp_path, SMALL)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    for command, args in ((sweep, [str(path), "--out", str(text), *MODEL]),
                          (sweep_report, [str(text)])):
        result = CliRunner().invoke(command, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "not a kazsim sweep database" in result.output
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE mine (x)")
    result = CliRunner().invoke(sweep, [str(path), "--out", str(foreign), *MODEL])
    assert result.exit_code == 1 and "not a kazsim sweep database" in result.output
    with sqlite3.connect(foreign) as con:
        assert con.execute("SELECT name FROM sqlite_master").fetchall() == [("mine",)]


def test_scheduler_problems_are_messages_not_tracebacks(tmp_path, monkeypatch):
    import dask
    import dask.distributed  # noqa: F401 - its defaults first, or the set below replaces them

    path = write_sweep(tmp_path, SMALL)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        for i, address in enumerate(("no-port-here", "tcp://127.0.0.1:9")):
            result = CliRunner().invoke(sweep, [str(path), "--out", str(tmp_path / f"{i}.db"),
                                                "--scheduler", address, *MODEL])
            assert result.exit_code == 1, result.output
            assert isinstance(result.exception, SystemExit)
            assert f"Dask scheduler at {address}" in result.output
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    result = CliRunner().invoke(sweep, [str(path), "--out", str(tmp_path / "x.db"),
                                        "--scheduler", "local", *MODEL])
    assert result.exit_code == 1 and "kazsim[distributed]" in result.output
    assert not (tmp_path / "x.db").exists()  # nothing written


def test_report_takes_mapping_levels_and_orders_numeric_levels(tmp_path):
    from sim.studies.sweep.report import _levels

    path = write_sweep(tmp_path, """design: grid
replications: 2
factors:
  force.recruiting.per_month: [1, 1.5, 2, 10]
  deployments.iraq.theatre.approval_days: [{dist: constant, value: 1}, 3]
outputs: [items_cleared]
""")
    db, report = tmp_path / "m.db", tmp_path / "rep"
    result = CliRunner().invoke(sweep, [str(path), "--out", str(db), "--report", str(report),
                                        *MODEL])
    assert result.exit_code == 0, result.output
    assert (report / "figures" / "heatmap_items_cleared.png").is_file()
    assert _levels([10, 1.5, {"a": 1}, 2, 1, 10]) == [1, 1.5, 2, 10, {"a": 1}]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # SALib's own division by zero
def test_indices_that_salib_leaves_nan_are_blank(tmp_path):
    from SALib.sample import morris as morris_sample

    from sim.studies.sweep.analysis import PointSummary, sensitivity

    factors = ["a", "b"]
    problem = {"num_vars": 2, "names": factors, "bounds": [[0.0, 1.0]] * 2}
    unit = morris_sample.sample(problem, 1, num_levels=4, seed=1)  # one trajectory: no sigma
    points = [PointSummary(i, {}, list(u), 1, 0, {"y": (float(u @ [1, 2]), None, None)})
              for i, u in enumerate(unit)]
    found = sensitivity("morris", factors, points, ["y"])
    assert all(s.values["sigma"] is None for s in found)
    assert not any(isinstance(v, float) and np.isnan(v) for s in found for v in s.values.values())


def test_ctrl_c_on_a_local_dask_cluster_stops_without_worker_tracebacks(tmp_path):
    import os
    import signal
    import subprocess
    import time

    path = write_sweep(tmp_path, SMALL.replace("levels: 2", "levels: 200"))
    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "sweep", str(path), "--out", str(db), "--quiet",
         "--scheduler", "local", "--workers", "2", "--model", "test_sweep_models:slow"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and not (db.exists() and len(_runs(db)) >= 4):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "Traceback" not in err.decode() and "--resume" in err.decode()


def _runs(db: Path) -> list[tuple]:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT point FROM runs").fetchall()
    except sqlite3.OperationalError:  # the store is being created
        return []
