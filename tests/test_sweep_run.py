"""Running sweeps: same runs on every executor, crash-safe resume, failed points stored,
Sobol on an unused factor, and an end-to-end sweep of the real model."""
from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli.sweep import sweep, sweep_report

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "kazbat_2003.yaml"
GRID = """design: grid
levels: 3
replications: 3
seed: 7
factors:
  force.recruiting.per_month: {low: 5, high: 15, integer: true}
  deployments.iraq.volunteer_prob: [0.4, 0.6, 0.8]
outputs: [items_cleared, cost_total_usd, days_to_foc]
"""


def write_sweep(tmp_path: Path, body: str = GRID) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(f"scenario: {SCENARIO}\n" + body)
    return path


def stored(db: Path, with_wall: bool = False) -> list[tuple]:
    """Each run with its parameters and metrics, as comparable tuples."""
    columns = "r.point, r.replication, r.seed, d.parameters, r.status, r.error"
    if with_wall:
        columns += ", r.wall_seconds"
    with sqlite3.connect(db) as con:
        runs = con.execute(f"SELECT {columns} FROM runs r JOIN design d USING (point) "
                           "ORDER BY r.point, r.replication").fetchall()
        metrics = con.execute("SELECT point, replication, metric, value FROM metrics "
                              "ORDER BY point, replication, metric").fetchall()
    by_run: dict = {}
    for p, r, m, v in metrics:
        by_run.setdefault((p, r), []).append((m, v))
    return [(*row, tuple(by_run.get(row[:2], ()))) for row in runs]


def run_cli(*args: str) -> object:
    return CliRunner().invoke(sweep, [*args, "--quiet", "--model", "test_sweep_models:linear"])


def test_same_runs_with_one_two_workers_and_dask(tmp_path):
    path = write_sweep(tmp_path)
    results = []
    for i, extra in enumerate((["--workers", "1"], ["--workers", "2"],
                               ["--scheduler", "local", "--workers", "2"])):
        db = tmp_path / f"r{i}.db"
        result = run_cli(str(path), "--out", str(db), *extra)
        assert result.exit_code == 0, result.output
        results.append(stored(db))
    assert len(results[0]) == 9 * 3
    assert results[0] == results[1] == results[2]
    # common random numbers: replication r has the seeds [7, r] at every design point
    assert {row[2] for row in results[0]} == {7}


def test_killed_sweep_resumes_to_the_same_runs_without_redoing_any(tmp_path):
    path = write_sweep(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    killed = tmp_path / "killed.db"
    cmd = [sys.executable, str(ROOT / "cli.py"), "sweep", str(path), "--out", str(killed), "--workers", "1", "--quiet",
           "--model", "test_sweep_models:slow"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if killed.exists() and len(stored(killed)) >= 8:
                break
        except sqlite3.OperationalError:
            pass  # the store is being created
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = stored(killed, with_wall=True)
    assert 8 <= len(before) < 27
    resumed = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    after = stored(killed, with_wall=True)
    assert set(before) <= set(after)  # stored runs untouched (wall times too): none redone
    full = tmp_path / "full.db"
    assert run_cli(str(path), "--out", str(full), "--workers", "1").exit_code == 0
    assert stored(killed) == stored(full)


def test_resume_refuses_a_store_of_another_sweep(tmp_path):
    path = write_sweep(tmp_path)
    db = tmp_path / "r.db"
    assert run_cli(str(path), "--out", str(db), "--workers", "1").exit_code == 0
    again = run_cli(str(path), "--out", str(db), "--workers", "1")
    assert again.exit_code == 1 and "--resume" in again.output
    # the message names what differs: the file is unchanged, --reps is not
    reps = run_cli(str(path), "--out", str(db), "--workers", "1", "--resume", "--reps", "4")
    assert reps.exit_code == 1 and "at replications: stored 3, now 4" in reps.output
    path.write_text(path.read_text().replace("seed: 7", "seed: 8"))
    other = run_cli(str(path), "--out", str(db), "--workers", "1", "--resume")
    assert other.exit_code == 1 and "different sweep" in other.output and "seed: stored 7, now 8" in other.output


def test_failing_points_are_stored_as_failed_and_the_rest_complete(tmp_path):
    body = GRID.replace("[0.4, 0.6, 0.8]", "[0.4, 0.8, 1.5]")  # 1.5: not a probability
    path = write_sweep(tmp_path, body)
    db = tmp_path / "f.db"
    report = tmp_path / "report"
    result = CliRunner().invoke(sweep, [str(path), "--out", str(db), "--workers", "2", "--quiet",
                                        "--report", str(report),
                                        "--model", "test_sweep_models:fails_at_high_b"])
    assert result.exit_code == 3
    rows = stored(db)
    by_prob: dict[str, set[str]] = {}
    for row in rows:
        prob = row[3].split('"deployments.iraq.volunteer_prob": ')[1].rstrip("}")
        by_prob.setdefault(prob, set()).add(row[4])
    assert by_prob == {"0.4": {"ok"}, "0.8": {"failed"}, "1.5": {"failed"}}
    errors = {row[5].splitlines()[0] for row in rows if row[4] == "failed"}
    assert any("synthetic failure at volunteer_prob=0.8" in e for e in errors)
    assert any("invalid scenario at this design point" in e for e in errors)
    with open(report / "runs.csv") as f:
        runs = list(csv.DictReader(f))
    assert len(runs) == 27 and {r["status"] for r in runs} == {"ok", "failed"}


def test_sobol_total_index_of_an_unread_factor_includes_zero(tmp_path):
    path = write_sweep(tmp_path, """design: sobol
points: 64
replications: 2
seed: 5
factors:
  force.recruiting.per_month: {low: 5, high: 15}
  deployments.iraq.volunteer_prob: {low: 0.2, high: 0.9}
  deployments.iraq.select_days: {low: 30, high: 90}
outputs: [items_cleared]
""")
    db, report = tmp_path / "s.db", tmp_path / "rep"
    assert run_cli(str(path), "--out", str(db), "--workers", "2").exit_code == 0
    result = CliRunner().invoke(sweep_report, [str(db), "--report", str(report), "--quiet"])
    assert result.exit_code == 0, result.output
    with open(report / "sensitivity.csv") as f:
        rows = {r["factor"]: r for r in csv.DictReader(f)}
    unread = rows["deployments.iraq.select_days"]
    assert float(unread["ST_lo"]) <= 0 <= float(unread["ST_hi"])
    for used in ("force.recruiting.per_month", "deployments.iraq.volunteer_prob"):
        assert float(rows[used]["ST_lo"]) > 0
    assert rows["deployments.iraq.volunteer_prob"]["rank"] == "1"


def test_report_files_and_columns(tmp_path):
    path = write_sweep(tmp_path)
    db, report = tmp_path / "g.db", tmp_path / "rep"
    result = run_cli(str(path), "--out", str(db), "--workers", "1", "--report", str(report))
    assert result.exit_code == 0, result.output
    for name in ("runs.csv", "points.csv", "sensitivity.csv", "sweep.md", "sweep.html",
                 "figures/heatmap_items_cleared.png", "figures/main_effects_items_cleared.png",
                 "figures/sensitivity_items_cleared.png"):
        assert (report / name).is_file(), name
    with open(report / "runs.csv") as f:
        header = next(csv.reader(f))
    assert header == ["point", "replication", "seed", "force.recruiting.per_month",
                      "deployments.iraq.volunteer_prob", "items_cleared", "cost_total_usd",
                      "days_to_foc", "status", "error"]
    with open(report / "points.csv") as f:
        points = list(csv.DictReader(f))
    assert len(points) == 9
    first = points[0]
    assert float(first["items_cleared_lo"]) < float(first["items_cleared_mean"]) \
        < float(first["items_cleared_hi"])
    assert first["days_to_foc_mean"] == ""  # never happened: no value, no crash
    with open(report / "sensitivity.csv") as f:
        sens = list(csv.DictReader(f))
    assert {"SRC", "PRCC", "R2"} <= set(sens[0])
    assert "data:image/png;base64," in (report / "sweep.html").read_text()
    assert "A full-factorial grid design of 9 points over 2 factors" in (report / "sweep.md").read_text()
    # The report is one directory, replaced as a whole by a later report of the sweep;
    # a directory holding anything else is refused before anything runs.
    (report / "stale.txt").write_text("from an earlier report")
    result = CliRunner().invoke(sweep_report, [str(db), "--report", str(report), "--quiet"])
    assert result.exit_code == 0, result.output
    assert not (report / "stale.txt").exists() and (report / "points.csv").is_file()
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("mine")
    result = run_cli(str(path), "--out", str(tmp_path / "other.db"), "--report", str(mine))
    assert result.exit_code == 1 and "holds files but no points.csv" in result.output
    assert not (tmp_path / "other.db").exists()
    assert [f.name for f in mine.iterdir()] == ["chapter1.tex"]


@pytest.mark.slow
def test_real_model_end_to_end(tmp_path):
    path = tmp_path / "real.yaml"
    path.write_text(f"""scenario: {SCENARIO}
design: grid
levels: 2
replications: 2
seed: 3
factors:
  deployments.iraq.volunteer_prob: {{low: 0.4, high: 0.8}}
outputs: [items_cleared, rotation_fill_rate]
""")
    db, report = tmp_path / "real.db", tmp_path / "rep"
    from sim.cli import main  # the whole `kazsim` command group

    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(db), "--workers", "1",
                                       "--report", str(report)])
    assert result.exit_code == 0, result.output
    rows = stored(db)
    assert len(rows) == 4 and {r[4] for r in rows} == {"ok"}
    assert "Sensitivity of items_cleared" in result.output
    with open(report / "points.csv") as f:
        assert len(list(csv.DictReader(f))) == 2


def test_shipped_example_sweep_is_valid():
    from sim.studies.sweep.design import build
    from sim.studies.sweep.spec import load_sweep

    for path in (ROOT / "sweeps").glob("*.yaml"):
        assert len(build(load_sweep(path).spec)) > 0


def test_memory_stays_flat_as_runs_accumulate(tmp_path):
    import tracemalloc

    from test_sweep_models import linear

    from sim.studies.sweep.execute import prepare, run_sweep

    path = write_sweep(tmp_path, GRID.replace("levels: 3", "levels: 40")
                       .replace("replications: 3", "replications: 4"))
    prepared = prepare(path)
    seen: list[int] = []
    tracemalloc.start()
    with prepared.open_store(str(tmp_path / "m.db"), resume=False) as opened:
        run_sweep(prepared, opened.store, model=linear, workers=1,
                  on_run=lambda run: seen.append(tracemalloc.get_traced_memory()[0]))
    tracemalloc.stop()
    assert len(seen) == 40 * 3 * 4
    growth = seen[-1] - seen[100]  # after 100 runs, then 380 more
    assert growth < 200_000, growth


@pytest.mark.parametrize("design,extra,columns", [
    ("morris", "points: 6", {"mu_star", "sigma"}),
    ("lhs", "points: 12", {"SRC", "PRCC", "R2"}),
    ("nolh", "", {"SRC", "PRCC", "R2"}),
])
def test_sensitivity_ranks_the_stronger_factor_first(tmp_path, design, extra, columns):
    # linear: y = a + 20 b, so b (range 0.7 -> effect 14) beats a (range 10 -> effect 10)
    # and the unread factor comes last
    path = write_sweep(tmp_path, f"""design: {design}
{extra}
replications: 2
factors:
  force.recruiting.per_month: {{low: 5, high: 15}}
  deployments.iraq.volunteer_prob: {{low: 0.2, high: 0.9}}
  deployments.iraq.select_days: {{low: 30, high: 90}}
outputs: [items_cleared]
""")
    db, report = tmp_path / "s.db", tmp_path / "rep"
    assert run_cli(str(path), "--out", str(db), "--workers", "1",
                   "--report", str(report)).exit_code == 0
    with open(report / "sensitivity.csv") as f:
        rows = list(csv.DictReader(f))
    assert columns <= set(rows[0])
    assert [r["factor"] for r in rows] == ["deployments.iraq.volunteer_prob",
                                           "force.recruiting.per_month",
                                           "deployments.iraq.select_days"]



def test_design_points_run_at_their_nominal_without_checking_the_ranges_again(tmp_path, monkeypatch):
    # the base scenario's assumptions' ranges are checked once, when the sweep loads it;
    # a point runs at its nominal values (never drawn), so its ranges are not checked
    # again (the baseline's dozens cost about a third of a second a point)
    from sim.scenario import assumptions
    from sim.studies.sweep.execute import point_scenario, prepare

    calls = []
    check = assumptions.check
    monkeypatch.setattr(assumptions, "check", lambda *a: calls.append(a) or check(*a))
    prepared = prepare(write_sweep(tmp_path))
    assert prepared.sweep.raw.get("assumptions") and calls  # the base's ranges: checked
    before = len(calls)
    d = prepared.design
    points = [point_scenario(prepared.sweep, dict(zip(d.factors, row))) for row in d.values[:3]]
    assert len(calls) == before
    assert [p.force.recruiting.per_month for p in points] == [d.values[i][0] for i in range(3)]
