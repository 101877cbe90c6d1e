"""The build's one addition to pyproject.toml: the examples travel with the package.

The repository's scenarios/, sweeps/, policies/ and records/ stay the one source. A
build copies them into the package as real files (no links: Windows is supported) under
sim/shipped/, where `kazsim examples` and bare names (`kazsim run kazbat_2003`) find
them; a folder that is absent is left out. The commit the build was made from, when it
is a git checkout, goes in as sim/COMMIT, so an installed copy can say which code it is
(`kazsim --version`, the reports). An sdist carries both the folders (MANIFEST.in) and
the commit, so a wheel built from it has them too. An editable install reads the
checkout's own folders and asks git itself, so it gets no copies.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
EXAMPLES = ("scenarios", "sweeps", "policies", "records")
COMMIT_FILE = "COMMIT"  # at the top of an sdist; sim/COMMIT in the package


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def build_commit() -> str | None:
    """The commit of this source: git's, with "+dirty" when shipped files differ from it;
    else what the sdist it came from recorded; else None."""
    if (ROOT / ".git").exists():
        head = _git("rev-parse", "--short=12", "HEAD")
        if head:
            changed = _git("status", "--porcelain", "--untracked-files=no", "--",
                           "sim", *EXAMPLES, "pyproject.toml", "setup.py")
            return head + ("+dirty" if changed else "")
    recorded = ROOT / COMMIT_FILE
    return recorded.read_text(encoding="utf-8").strip() or None if recorded.is_file() else None


def _ignored(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(".") or n == "__pycache__"]


def ship(source: Path, package: Path, commit: str | None) -> list[str]:
    """Copy the example folders of `source` that exist into `package`/shipped, and the
    commit into `package`/COMMIT; the folders copied."""
    shipped = package / "shipped"
    if shipped.exists():
        shutil.rmtree(shipped)  # a previous build's copy: nothing stale
    copied = [f for f in EXAMPLES if (source / f).is_dir()]
    for folder in copied:
        shutil.copytree(source / folder, shipped / folder, ignore=_ignored)
    (package / COMMIT_FILE).unlink(missing_ok=True)
    if commit:
        (package / COMMIT_FILE).write_text(commit + "\n", encoding="utf-8")
    return copied


class BuildPy(build_py):
    """build_py, then the examples and the commit into the built package."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            ship(ROOT, Path(self.build_lib) / "sim", build_commit())


class Sdist(sdist):
    """sdist, with the commit recorded beside pyproject.toml."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        commit = build_commit()
        if commit:
            target = Path(base_dir) / COMMIT_FILE
            target.unlink(missing_ok=True)  # a hard link to the source's, if any
            target.write_text(commit + "\n", encoding="utf-8")


if __name__ == "__main__":  # as setuptools runs it; a test imports `ship` alone
    setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
