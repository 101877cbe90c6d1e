"""Small scenario files for the input-layer tests, and the CLI they are fed to."""
from __future__ import annotations

from pathlib import Path

import click

BASE = """\
name: small
start: 2003-08-01
end: 2005-08-01
force:
  establishment: {officer: 10, nco: 5, soldier: 20}
  qualified:
    eod: {nco: 0.5, soldier: 0.2}
training:
  courses:
    nco_course: {seats: 4, days: 90, every_days: 120, eligible: [soldier], promotes_to: nco}
deployments:
  - name: iraq
    start: 2003-08-15
    end: 2005-01-01
    contingent:
      - {role: commander, grade: officer, count: 1}
      - {role: deminer, grade: [nco, soldier], count: 4, requires: [eod]}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def cli() -> click.Group:
    """The kazsim group; until every command module exists, a group of ours alone."""
    try:
        from sim.cli import main
    except ImportError:
        from sim.cli.inputs import COMMANDS

        return click.Group("kazsim", commands={c.name: c for c in COMMANDS if c.name})
    return main
