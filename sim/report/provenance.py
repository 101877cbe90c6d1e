"""How a result was made: the command line, the `--set` overrides, the code's commit,
the software and machine it ran on."""
from __future__ import annotations

import functools
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.core.version import __version__
from sim.report.model import finite

# the libraries whose versions a result depends on (the model, its numbers, its figures)
LIBRARIES = ("simpy", "numpy", "pydantic", "matplotlib", "scipy")

ROOT = Path(__file__).resolve().parents[2]
BUILT_FROM = ROOT / "sim" / "COMMIT"  # written by the build (setup.py) into an installed copy


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the checkout kazsim runs from (with "+dirty" when files differ from
    it); in an installed copy, the commit it was built from, if the build knew it; else
    None (or when git is missing)."""
    if not (ROOT / ".git").exists():
        try:
            return BUILT_FROM.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                "--untracked-files=no", "--", "sim"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def command_line(argv: Sequence[str] | None = None) -> str:
    """This process's command line as a user would retype it: `kazsim` then the arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    return " ".join(shlex.quote(a) for a in ["kazsim", *args])


def override_texts(origins: Mapping[Any, Any]) -> list[str]:
    """The `--set PATH=VALUE` texts a scenario was loaded with, in the order applied,
    read from where the loader says each key came from."""
    out: list[str] = []
    for where in origins.values():
        source = where[0] if isinstance(where, tuple) and where else None
        if isinstance(source, str) and source.startswith("--set "):
            text = source[len("--set "):]
            if text not in out:
                out.append(text)
    return out


def override_paths(texts: Sequence[str]) -> dict[str, str]:
    """Dotted path -> the override text that set it."""
    return {t.partition("=")[0].strip(): t for t in texts}


def api_command(function: str, *args: Any, **options: Any) -> str:
    """How a Python API call is recorded where a CLI run records its command line: the
    call itself, re-runnable after `import sim` (`sim.compare(['a.yaml', 'b.yaml'],
    reps=3)`); options left at None are left out, a path is written as text and a tuple
    as a list."""
    shown = ", ".join([*(repr(_plain(a)) for a in args),
                       *(f"{k}={_plain(v)!r}" for k, v in options.items() if v is not None)])
    return f"sim.{function}({shown})"


class Code(str):
    """Python source that `api_command` writes as it is (not quoted)."""

    def __repr__(self) -> str:
        return str(self)


def scenario_source(file: str, overrides: Sequence[str] = ()) -> Any:
    """A scenario argument as a re-runnable call writes it: its path, or, when it was
    loaded with overrides, `sim.load_scenario(path, set=[...])`."""
    if not overrides:
        return file
    return Code(f"sim.load_scenario({file!r}, set={list(overrides)!r})")


def _plain(v: Any) -> Any:
    """A value as Python source writes it: paths as text, tuples as lists."""
    if isinstance(v, Code):
        return v
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


@functools.lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """What the run ran on: Python, the platform, the machine's cores and the versions
    of the libraries in `LIBRARIES` (from their installed metadata, nothing imported)."""
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "cores": os.cpu_count(), "libraries": versions}


def provenance(loaded: Any, replications: int, seed: int, started: str, wall_seconds: float,
               command: str | None, failed: Sequence[Any] = ()) -> dict[str, Any]:
    """The `scenario` and `run` sections of report.json, for the reports of other studies
    (hindcast, verify): the scenario's name, file, sha256, start, end and resolved
    input; the replications, seed, version, commit, start time, wall time, failures,
    command line and `--set` overrides. `loaded` is a LoadedScenario."""
    sc = loaded.scenario
    return {
        "scenario": {"name": sc.name, "file": str(loaded.file), "sha256": loaded.sha256,
                     "start": sc.start.isoformat(), "end": sc.end.isoformat(),
                     "resolved": finite(sc.model_dump(mode="json"))},
        "run": {"replications": replications, "seed": seed, "version": __version__,
                "commit": git_commit(), "started": started, "wall_seconds": round(wall_seconds, 3),
                "failed": [{"index": r.index, "error": r.error} for r in failed],
                "command": command, "overrides": override_texts(getattr(loaded, "origins", {})),
                **environment()},
    }
