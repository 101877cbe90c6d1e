"""The two-command set-up (sim/bootstrap.py): an interpreter with every dependency runs
as is; one without sets up .venv once (announced in one line) and reruns itself there;
a missing venv module is one line; Windows paths for the environment's interpreter."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import sim.bootstrap as boot

ROOT = Path(__file__).resolve().parents[1]


def test_requirements_are_those_of_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*?)\]", text, re.S | re.M).group(1)
    names = {re.split(r"[<>=\[]", d.strip().strip('"'))[0] for d in deps.split(",") if d.strip()}
    assert names == set(boot.REQUIREMENTS)
    test = re.search(r"^test = \[(.*)\]$", text, re.M).group(1)
    names = {re.split(r"[<>=]", d.strip().strip('"'))[0] for d in test.split(",") if d.strip()}
    assert names == set(boot.TEST_REQUIREMENTS)


def test_an_environment_that_has_everything_is_used_as_it_is(monkeypatch):
    monkeypatch.setattr(boot, "_rerun", lambda *a: pytest.fail("must not rerun"))
    boot.ensure_environment("test")  # this interpreter runs the suite: it has them all


def test_venv_interpreter_paths():
    assert boot.venv_python(Path("v"), windows=True) == Path("v") / "Scripts" / "python.exe"
    assert boot.venv_python(Path("v"), windows=False) == Path("v") / "bin" / "python"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A project folder whose interpreter lacks a dependency; commands recorded."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.setattr(boot, "ROOT", tmp_path)
    monkeypatch.setattr(boot, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(boot, "REQUIREMENTS", {**boot.REQUIREMENTS, "nonexistent": "no_such_mod"})
    monkeypatch.delenv(boot._GUARD, raising=False)
    calls: list[list[str]] = []

    def run(command, cwd=None, env=None):
        calls.append([str(c) for c in command])
        if command[1:3] == ["-m", "venv"]:
            python = boot.venv_python(Path(command[3]))
            python.parent.mkdir(parents=True)
            python.write_text("")
        return subprocess.CompletedProcess(command, 0)

    reruns: list[list[str]] = []
    monkeypatch.setattr(boot.subprocess, "run", run)
    monkeypatch.setattr(boot, "_rerun", lambda python, rerun: reruns.append([str(python), *rerun]))
    return tmp_path, calls, reruns


def test_first_run_sets_up_the_environment_once_and_reruns_in_it(fresh, capsys):
    root, calls, reruns = fresh
    boot.ensure_environment(rerun=["cli.py"])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "first run: setting up" in err[0] and "nonexistent" in err[0]
    assert calls[0][1:3] == ["-m", "venv"]
    assert calls[1][1:] == ["-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-e", "."]
    python = str(boot.venv_python(root / ".venv"))
    assert reruns == [[python, "cli.py"]]
    boot.ensure_environment(rerun=["cli.py"])  # the second time: reused, silently
    assert capsys.readouterr().err == "" and len(calls) == 2 and len(reruns) == 2
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '2'\n")
    boot.ensure_environment(rerun=["cli.py"])  # pyproject changed: filled again, said once
    assert "installing" in capsys.readouterr().err and len(calls) == 3


def test_test_command_installs_the_test_extra(fresh):
    _, calls, _ = fresh
    boot.ensure_environment("test", rerun=["run_tests.py"])
    assert calls[1][-2:] == ["-e", ".[test]"]


def test_a_missing_venv_module_is_one_line(fresh, monkeypatch, capsys):
    monkeypatch.setattr(boot, "_venv_available", lambda: False)
    with pytest.raises(SystemExit) as exit_:
        boot.ensure_environment()
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 1 and len(err) == 1 and "python3-venv" in err[0]


def test_cli_py_help_runs_in_this_environment():
    done = subprocess.run([sys.executable, "cli.py", "--help"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "Usage: kazsim" in done.stdout
