"""Exit codes (SPEC "Exit codes"): 1 only for the user's input, 3 for a crash with a log
file holding the traceback, 130 after Ctrl-C (once or twice) with the resume command."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_cases import ROOT, invoke

import sim.studies.inputs
from sim.core.errors import InputError


def test_a_crash_is_exit_3_with_one_line_naming_a_log_of_the_traceback(tmp_path, monkeypatch):
    def broken(file: str, allow_large: bool) -> list:
        raise ZeroDivisionError("a bug, not the user's input")

    monkeypatch.setattr(sim.studies.inputs, "_validate_one", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n")
    result = invoke("validate", path)
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "ZeroDivisionError" in lines[0] and "Traceback" not in lines[0]
    log = Path(lines[0].rsplit("the traceback is in ", 1)[1])
    assert log.parent == tmp_path
    assert "Traceback" in log.read_text() and "a bug, not the user's input" in log.read_text()


def test_input_errors_raised_anywhere_in_a_command_are_exit_1(tmp_path, monkeypatch):
    def refuse(file: str, allow_large: bool) -> list:
        raise InputError.single("output directory is not writable")

    monkeypatch.setattr(sim.studies.inputs, "_validate_one", refuse)
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n")
    result = invoke("validate", path)
    assert result.exit_code == 1
    assert result.output.strip() == "error: output directory is not writable"


def test_ctrl_c_inside_a_command_is_exit_130_not_aborted(tmp_path, monkeypatch):
    def interrupted(file: str, allow_large: bool) -> list:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.studies.inputs, "_validate_one", interrupted)
    monkeypatch.setattr(signal, "signal", lambda *a: None)  # leave the test runner's handler
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n")
    result = invoke("validate", path)
    assert result.exit_code == 130
    assert "Interrupted" in result.output and "Aborted" not in result.output


SWEEP = """\
scenario: {scenario}
design: grid
levels: 400
replications: 1
seed: 1
factors:
  force.recruiting.per_month: {{low: 1, high: 400, integer: true}}
outputs: [items_cleared]
"""


@pytest.mark.parametrize("gap", [0.02, 0.3])
def test_ctrl_c_twice_during_a_sweep_is_exit_130_with_the_resume_command(tmp_path, gap):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(SWEEP.format(scenario=ROOT / "scenarios" / "kazbat_2003.yaml"))
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "sweep", str(sweep), "--out", str(db),
         "--quiet", "--workers", "2", "--model", "test_sweep_models:slow"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and not db.exists():
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(gap)  # the second arrives while the first is being handled, or after
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "--resume" in text and "Aborted" not in text and "Traceback" not in text
