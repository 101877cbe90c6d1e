"""Shared helpers for end-to-end CLI tests: a short baseline and an in-process invoke."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def short(tmp_path: Path, name: str = "short.yaml", extra: str = "",
          end: str = "2004-02-01", reps: int = 3) -> Path:
    """The shipped baseline cut to six months and a few replications."""
    path = tmp_path / name
    path.write_text(f"extends: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}\n"
                    f"name: short baseline\nend: {end}\nreplications: {reps}\n{extra}")
    return path


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
