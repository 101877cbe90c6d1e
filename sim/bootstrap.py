"""First-run set-up for `python cli.py ...` and the test command on a fresh machine.

If this interpreter lacks a dependency, the command is run again with a project-local
virtual environment (`.venv` beside pyproject.toml), created and filled the first time
(announced in one line) and reused afterwards. An interpreter that already has every
dependency is used as it is. Standard library only: this runs before anything is
installed, on any Python 3.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
_GUARD = "KAZSIM_BOOTSTRAPPED"

# pyproject.toml's dependencies, by the module each installs (a test keeps them in step)
REQUIREMENTS = {"numpy": "numpy", "simpy": "simpy", "click": "click", "pydantic": "pydantic",
                "PyYAML": "yaml", "rich": "rich", "matplotlib": "matplotlib",
                "scipy": "scipy", "SALib": "SALib", "pandas": "pandas", "optuna": "optuna",
                "scikit-learn": "sklearn"}
TEST_REQUIREMENTS = {"pytest": "pytest", "hypothesis": "hypothesis",
                     "dask[distributed]": "distributed", "pypdf": "pypdf",
                     "setuptools": "setuptools"}  # builds the wheel in tests/test_package.py


def missing(modules: dict[str, str]) -> list[str]:
    """The distributions whose module this interpreter cannot find."""
    out = []
    for dist, module in modules.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(dist)
    return out


def venv_python(venv: Path, windows: bool | None = None) -> Path:
    """The interpreter of a virtual environment (Scripts\\python.exe on Windows)."""
    windows = os.name == "nt" if windows is None else windows
    return venv / "Scripts" / "python.exe" if windows else venv / "bin" / "python"


def _stamp(extras: str) -> str:
    """What the environment was filled from: a change to pyproject.toml refills it."""
    text = (ROOT / "pyproject.toml").read_bytes()
    return hashlib.sha256(text + extras.encode()).hexdigest()


def _say(message: str) -> None:
    print(f"kazsim: {message}", file=sys.stderr, flush=True)


def _venv_available() -> bool:
    """Python's venv module with ensurepip (Debian and Ubuntu ship them apart)."""
    return (importlib.util.find_spec("venv") is not None
            and importlib.util.find_spec("ensurepip") is not None)


def ensure_environment(extras: str = "", rerun: list[str] | None = None) -> None:
    """Return if this interpreter has the dependencies (with `extras`, e.g. "test");
    otherwise set up `.venv` (once) and run this command again in it, never returning.
    `rerun`: how to start this command again (default: this script)."""
    if sys.version_info < (3, 10):  # noqa: UP036 - this runs before the check pip makes
        _say(f"needs Python 3.10 or newer; this is {sys.version.split()[0]}")
        sys.exit(1)
    wanted = {**REQUIREMENTS, **(TEST_REQUIREMENTS if extras == "test" else {})}
    lacking = missing(wanted)
    if not lacking or not (ROOT / "pyproject.toml").is_file():
        return  # all there, or an installed copy (pip saw to its dependencies)
    if os.environ.get(_GUARD):
        _say(f"the environment in {VENV} still lacks {', '.join(lacking)}; delete {VENV} "
             "and run the command again")
        sys.exit(1)
    python = venv_python(VENV)
    stamp = VENV / f".kazsim-{extras or 'run'}"
    if not (python.is_file() and stamp.is_file() and stamp.read_text() == _stamp(extras)):
        _fill(python, extras, lacking, stamp)
    _rerun(python, rerun if rerun is not None else [sys.argv[0]])


def _fill(python: Path, extras: str, lacking: list[str], stamp: Path) -> None:
    if not python.is_file():
        if not _venv_available():
            _say("this Python lacks its venv module, needed to set up the dependencies "
                 "(Debian/Ubuntu: sudo apt install python3-venv); or install them yourself: "
                 "python -m pip install -e .")
            sys.exit(1)
        _say(f"first run: setting up {VENV} with {', '.join(lacking[:3])}"
             f"{' and the rest' if len(lacking) > 3 else ''} (once; later runs reuse it)")
        _check([sys.executable, "-m", "venv", str(VENV)], "creating the environment")
    else:
        _say(f"installing the dependencies of pyproject.toml into {VENV} (once)")
    target = f".[{extras}]" if extras else "."
    _check([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-e", target], "installing the dependencies")
    stamp.write_text(_stamp(extras))


def _check(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, cwd=ROOT)
    except OSError as err:
        _say(f"{what} failed: {err}")
        sys.exit(1)
    if done.returncode != 0:
        _say(f"{what} failed (exit {done.returncode}; pip's messages are above); fix it and "
             "run the command again")
        sys.exit(1)


def _rerun(python: Path, rerun: list[str]) -> None:
    args = [str(python), *rerun, *sys.argv[1:]]
    env = {**os.environ, _GUARD: "1"}
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":  # no exec on Windows: run it and pass its exit code on
        sys.exit(subprocess.run(args, env=env).returncode)
    os.execve(args[0], args, env)
