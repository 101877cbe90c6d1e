"""`python cli.py` leaves with os._exit after the command (sim.cli.app.run_and_exit): the
exit code and every line of output must be what an ordinary exit gives."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_cases import ROOT

import sim.cli.app


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_a_run_piped_gives_all_its_output_and_exit_0(tmp_path):
    done = cli("run", "scenarios/kazbat_2003.yaml", "--reps", "1", "--draws", "0", "--out", str(tmp_path / "r"),
               "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["report"] == str(tmp_path / "r")  # flushed, whole
    assert (tmp_path / "r" / "figures" / "strength.svg").is_file()
    assert "leaked" not in done.stderr and "Traceback" not in done.stderr


def test_exit_codes_are_kept(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nreplications: -3\n")
    refused = cli("run", str(bad), "--out", str(tmp_path / "r"))
    assert refused.returncode == 1 and "replications" in refused.stderr + refused.stdout
    assert cli("run").returncode == 2
    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("kazsim")


@pytest.mark.parametrize("code,expected", [(None, 0), (0, 0), (4, 4), ("a message", 1)])
def test_run_and_exit_passes_on_the_commands_exit(monkeypatch, capsys, code, expected):
    def command(prog_name: str) -> None:
        raise SystemExit(code)

    left: list[int] = []
    monkeypatch.setattr(sim.cli.app, "main", command)
    monkeypatch.setattr(sim.cli.app.os, "_exit", left.append)
    sim.cli.app.run_and_exit("kazsim")
    assert left == [expected]
    assert ("a message" in capsys.readouterr().err) == (code == "a message")


def test_the_command_and_the_figure_server_collect_garbage_less_often(monkeypatch):
    import gc

    from sim.core.gc_policy import YOUNG_OBJECTS

    before = gc.get_threshold()
    monkeypatch.setattr(sim.cli.app, "main", lambda prog_name: None)
    monkeypatch.setattr(sim.cli.app.os, "_exit", lambda code: None)
    try:
        gc.set_threshold(700, 10, 10)
        sim.cli.app.run_and_exit("kazsim")
        assert gc.get_threshold()[0] == YOUNG_OBJECTS
    finally:
        gc.set_threshold(*before)
    server = subprocess.run([sys.executable, "-c", "import gc, sim.report.draw_server; "
                             "print(gc.get_threshold()[0])"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert server.stdout.strip() == str(YOUNG_OBJECTS)


@pytest.mark.parametrize("args", [["schema", "--timeline-paths"], ["examples", "--list"]])
def test_a_reader_that_stops_early_is_no_crash(args):
    """`kazsim ... | head -1`: the reader closes the pipe before the command is done
    writing. That ends the command quietly (exit 0), not as a crash with a log file."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line
    try:
        done = subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
