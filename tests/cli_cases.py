"""Shared helpers for end-to-end CLI tests: a short baseline and an in-process invoke."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def nominal_baseline(tmp_path: Path) -> Path:
    """The shipped baseline without its assumptions: a run of it draws nothing, and a
    scenario extending it declares only the assumptions it writes."""
    bare = tmp_path / "_kazbat_2003_nominal.yaml"
    if not bare.exists():
        bare.write_text(f"extends: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}\nassumptions: null\n")
    return bare


def short(tmp_path: Path, name: str = "short.yaml", extra: str = "",
          end: str = "2004-02-01", reps: int = 3) -> Path:
    """The shipped baseline cut to six months and a few replications, without the
    baseline's assumptions (so a run draws nothing unless `extra` declares some)."""
    bare = nominal_baseline(tmp_path)
    path = tmp_path / name
    path.write_text(f"extends: {bare.name}\n"
                    f"name: short baseline\nend: {end}\nreplications: {reps}\n{extra}")
    return path


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
