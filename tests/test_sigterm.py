"""SIGTERM (how a batch scheduler or `kill` ends a job) stops a command as Ctrl-C does:
what is done is kept, workers and the figure server stopped, temporaries removed, exit
143 (SPEC "Exit codes"); and helper processes cannot outlive the command however it
ends."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_files import BASE
from test_sweep_run import stored

from sim.cli.sweep import sweep

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="counts processes through /proc")
ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
SWEEP = f"""scenario: {ROOT / "scenarios" / "kazbat_2003.yaml"}
design: grid
levels: 40
replications: 1
seed: 3
factors:
  force.recruiting.per_month: {{low: 1, high: 40, integer: true}}
outputs: [items_cleared]
"""


def _session(leader: int) -> list[int]:
    """The live processes of the session `leader` started (its workers, its servers),
    wherever they have been re-parented."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == leader and fields[0] != "Z":
            found.append(int(entry))
    return found


def _wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "the command never got there"
        time.sleep(0.02)


def _terminate(proc: subprocess.Popen) -> tuple[int, str, float]:
    """SIGTERM to the command alone (not its workers); its exit code, its stderr, and
    how long until none of its processes is left."""
    began = time.time()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    while _session(proc.pid) and time.time() - began < 30:
        time.sleep(0.05)
    return proc.returncode, err.decode(), time.time() - began


def _runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:  # being created
        return 0


def test_sigterm_inside_a_command_is_exit_143_with_its_message(tmp_path, monkeypatch):
    import sim.studies.inputs
    from sim.cli import main
    from sim.core.errors import Terminated

    def terminated(file: str, allow_large: bool) -> list:
        raise Terminated

    monkeypatch.setattr(sim.studies.inputs, "_validate_one", terminated)
    monkeypatch.setattr(signal, "signal", lambda *a: None)  # leave the test runner's handlers
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 143
    assert result.output.strip() == "Terminated (SIGTERM)."


def test_sigterm_to_a_sweep_stops_its_workers_keeps_its_runs_and_resumes(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP)
    db = tmp_path / "s.db"
    cmd = [sys.executable, str(ROOT / "cli.py"), "sweep", str(path), "--out", str(db),
           "--quiet", "--workers", "2", "--model", "test_sweep_models:slow"]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    _wait_for(lambda: _runs(db) >= 4)
    assert len(_session(proc.pid)) >= 3  # the command and its two workers
    code, err, seconds = _terminate(proc)
    assert code == 143, err
    assert seconds < 5 and not _session(proc.pid), "processes left behind"
    assert "Terminated (SIGTERM)" in err and "Traceback" not in err
    assert "Resume with:" in err and err.rstrip().endswith("--resume")
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept = stored(db, with_wall=True)
    assert 4 <= len(kept) < 40
    assert not Path(f"{db}.lock").exists()
    resumed = subprocess.run([*cmd, "--resume"], env=ENV, capture_output=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert set(kept) <= set(stored(db, with_wall=True))  # nothing lost, nothing redone
    full = tmp_path / "full.db"
    done = CliRunner().invoke(sweep, [str(path), "--out", str(full), "--workers", "1", "--quiet",
                                      "--model", "test_sweep_models:linear"])
    assert done.exit_code == 0, done.output
    assert stored(db) == stored(full)


def test_sigterm_while_figures_are_drawn_keeps_the_earlier_report_and_no_process(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(BASE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text('{"earlier": true}')  # an earlier report, to be kept
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "run", str(scenario), "--reps", "2",
         "--workers", "2", "--quiet", "--out", str(out)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    _wait_for(lambda: any(tmp_path.glob(".out.tmp-*/figures/*.png")) or proc.poll() is not None)
    assert proc.poll() is None, "the figures were drawn before the test could look"
    code, err, seconds = _terminate(proc)
    assert code == 143, err
    assert seconds < 5 and not _session(proc.pid), "processes left behind"
    assert "Terminated (SIGTERM)" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.yaml"]  # no temporaries
    assert (out / "report.json").read_text() == '{"earlier": true}'
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


def test_workers_and_the_figure_server_end_with_a_killed_command(tmp_path):
    # SIGKILL cannot be handled: the helpers notice on their own. A sweep with --report
    # starts the figure server and its workers first thing, beside its own workers.
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.replace("levels: 40", "levels: 400"))  # still running when killed
    db = tmp_path / "s.db"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "sweep", str(path), "--out", str(db), "--quiet",
         "--workers", "2", "--report", str(tmp_path / "report"),
         "--model", "test_sweep_models:slow"],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # the command, two sweep workers, and (more than one core) multiprocessing's resource
    # tracker, the fork server and two figure workers
    expected = 7 if (os.cpu_count() or 1) > 1 else 3
    _wait_for(lambda: _runs(db) >= 1 and len(_session(proc.pid)) >= expected)
    proc.kill()
    proc.wait()
    began = time.time()
    while _session(proc.pid) and time.time() - began < 10:
        time.sleep(0.05)
    assert not _session(proc.pid), "processes left behind"
