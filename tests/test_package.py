"""kazsim as others get it: a wheel built from this source, installed into a fresh virtual
environment outside the checkout (reusing the dependencies installed here: no network),
runs `kazsim examples`, a shipped scenario by its bare name, and says its version and
the commit it was built from."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import sim
from sim.bootstrap import venv_python

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "CITATION.cff",
           "CHANGELOG.md", "sim", "scenarios", "sweeps", "policies", "records")


def _setup_module():
    spec = importlib.util.spec_from_file_location("kazsim_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not as __main__: setup() is not called
    return module


def _run(args, cwd, env=None, check=True):
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _copy_source(target: Path) -> None:
    """The files a build reads, and nothing of this checkout's build leftovers."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "shipped", "COMMIT")
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, target / name)


def _git_commit(repo: Path) -> str | None:
    """Make `repo` a git checkout of one commit; its short hash (None without git)."""
    if shutil.which("git") is None:
        return None
    git = ["git", "-C", str(repo), "-c", "user.name=kazsim test", "-c",
           "user.email=test@kazsim.invalid", "-c", "commit.gpgsign=false"]
    _run([*git, "init", "-q"], repo)
    _run([*git, "add", "-A"], repo)
    _run([*git, "commit", "-q", "-m", "source of the wheel test"], repo)
    return _run([*git, "rev-parse", "--short=12", "HEAD"], repo).stdout.strip()


def _dependency_paths() -> list[str]:
    """Where this interpreter finds kazsim's dependencies: every import path but the
    checkout itself and any that holds a `sim` package, so the new environment can only
    import kazsim from the wheel (the checkout's own .venv, where `run_tests.py` puts
    the dependencies, is kept: an editable install there is a finder its .pth files
    register, and those are not read from a path added this way)."""
    out = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.is_dir() and path != ROOT and not (path / "sim").exists():
            out.append(str(path))
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the environment's python, its kazsim command, the commit built from, the wheel)."""
    from importlib.metadata import version

    from packaging.version import Version

    if Version(version("setuptools")) < Version("77"):
        pytest.fail(f"this environment's setuptools {version('setuptools')} cannot build kazsim "
                    "without the network (pyproject.toml needs 77 or newer; the [test] extra "
                    "asks for it): python -m pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("package")
    src = tmp / "src"
    src.mkdir()
    _copy_source(src)
    commit = _git_commit(src)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--quiet", "--wheel-dir", tmp / "dist", src], tmp)
    (wheel,) = (tmp / "dist").glob("kazsim-*.whl")
    env_dir = tmp / "env"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = venv_python(env_dir)
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                tmp).stdout.strip()
    Path(site, "kazsim-test-dependencies.pth").write_text("\n".join(_dependency_paths()) + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
          "--no-index", "--quiet", wheel], tmp)
    scripts = python.parent
    kazsim = scripts / ("kazsim.exe" if os.name == "nt" else "kazsim")
    return python, kazsim, commit, wheel


@pytest.fixture
def clean_env():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_the_wheel_holds_the_examples_and_the_licence(installed):
    import zipfile

    names = zipfile.ZipFile(installed[3]).namelist()
    for folder in ("scenarios", "sweeps", "policies", "records"):
        shipped = sorted(n.split("sim/shipped/", 1)[1] for n in names
                         if n.startswith(f"sim/shipped/{folder}/"))
        here = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts) \
            if (ROOT / folder).is_dir() else []
        assert shipped == here, folder
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(installed[3]).read(metadata).decode()
    assert "License-Expression: MIT" in text and "Requires-Dist: PRIM" not in text
    assert f"Version: {sim.__version__}" in text


def test_installed_kazsim_copies_the_examples_and_runs_one_by_name(installed, tmp_path,
                                                                   clean_env):
    python, kazsim, commit, _ = installed
    where = _run([python, "-c", "import sim; print(sim.__file__)"], tmp_path, clean_env)
    assert Path(where.stdout.strip()).is_relative_to(python.parent.parent), where.stdout

    work = tmp_path / "study"
    done = _run([kazsim, "examples", work], tmp_path, clean_env)
    assert "Copied" in done.stdout
    for rel in ("scenarios/kazbat_2003.yaml", "sweeps/fill_discovery.yaml",
                "policies/nco_reform_cheapest.yaml"):
        assert (work / rel).read_bytes() == (ROOT / rel).read_bytes()
    again = _run([kazsim, "examples", work], tmp_path, clean_env)
    assert "Nothing to copy" in again.stdout

    run = _run([kazsim, "run", "kazbat_2003", "--reps", "2", "--draws", "0", "--set", "end=2003-10-01",
                "--workers", "1", "--quiet", "--out", tmp_path / "report"], tmp_path, clean_env)
    assert "using the shipped scenario" in run.stderr
    used = run.stderr.split("using the shipped scenario ", 1)[1].strip()
    assert Path(used).is_relative_to(python.parent.parent) and used.endswith("kazbat_2003.yaml")
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["scenario"]["file"] == used
    assert report["run"]["replications"] == 2 and report["run"]["version"] == sim.__version__
    assert report["run"]["commit"] == commit
    # the copied-out sweep still finds its base scenario (../scenarios/kazbat_2003.yaml)
    _run([kazsim, "validate", "sweeps/fill_discovery.yaml"], work, clean_env)

    version = _run([kazsim, "--version"], tmp_path, clean_env).stdout.strip()
    assert version == f"kazsim {sim.__version__}" + (f" (commit {commit})" if commit else "")


def test_the_build_leaves_out_a_folder_that_is_absent(tmp_path):
    source = tmp_path / "src"
    (source / "scenarios").mkdir(parents=True)
    (source / "scenarios" / "a.yaml").write_text("name: a\n")
    (source / "scenarios" / "__pycache__").mkdir()
    (source / "scenarios" / ".hidden.yaml").write_text("x")
    package = tmp_path / "build" / "sim"
    (package / "shipped" / "stale").mkdir(parents=True)
    copied = _setup_module().ship(source, package, "abc123")
    assert copied == ["scenarios"]
    files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    assert files == ["COMMIT", "shipped/scenarios/a.yaml"]
    assert (package / "COMMIT").read_text() == "abc123\n"
    assert _setup_module().ship(source, package, None) == ["scenarios"]
    assert not (package / "COMMIT").exists()  # no commit known: none claimed


def test_version_shows_the_commit_of_a_checkout():
    from click.testing import CliRunner

    from sim.cli import main
    from sim.report import provenance

    provenance.git_commit.cache_clear()
    commit = provenance.git_commit()
    out = CliRunner().invoke(main, ["--version"]).output.strip()
    if (ROOT / ".git").exists() and shutil.which("git"):
        assert commit and out == f"kazsim {sim.__version__} (commit {commit})"
        assert commit == _run(["git", "rev-parse", "--short=12", "HEAD"], ROOT).stdout.strip() \
            + ("+dirty" if commit.endswith("+dirty") else "")
    else:  # an unpacked source without git: no commit is claimed
        assert out == f"kazsim {sim.__version__}"


def test_an_installed_copy_reads_the_commit_it_was_built_from(tmp_path, monkeypatch):
    from sim.report import provenance

    (tmp_path / "sim").mkdir()
    monkeypatch.setattr(provenance, "ROOT", tmp_path)  # no .git here
    monkeypatch.setattr(provenance, "BUILT_FROM", tmp_path / "sim" / "COMMIT")
    provenance.git_commit.cache_clear()
    try:
        assert provenance.git_commit() is None
        provenance.git_commit.cache_clear()
        (tmp_path / "sim" / "COMMIT").write_text("0123456789ab\n")
        assert provenance.git_commit() == "0123456789ab"
    finally:
        provenance.git_commit.cache_clear()


def test_one_version_everywhere():
    """sim/core/version.py is the one source: pyproject reads it; the citation and the top
    of the changelog must name the same."""
    import re

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "sim.core.version.__version__"}
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(r'^version: "?([\w.]+)"?$', citation, re.M).group(1) == sim.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(r"^## (\S+)", changelog, re.M).group(1) == sim.__version__
