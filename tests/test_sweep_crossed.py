"""Sweep files with `uncertainties:` and `levers:`: the design crosses a design over the
one with a design over the other (scenarios x policies)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

BASE = Path(__file__).parent.parent / "scenarios" / "kazbat_2003.yaml"
CROSSED = f"""scenario: {BASE}
design: lhs
points: 6
replications: 1
uncertainties:
  deployments.iraq.volunteer_prob: {{low: 0.3, high: 0.9}}
  force.attrition_per_year.soldier: {{low: 0.04, high: 0.12}}
levers:
  force.recruiting.per_month: [5, 10, 20]
  training.courses.nco_course.seats: {{low: 5, high: 20, integer: true}}
levels: 2
outputs: [rotation_fill_rate]
"""


def dry_run(tmp_path, text: str):
    (tmp_path / "s.yaml").write_text(text)
    return CliRunner().invoke(main, ["sweep", str(tmp_path / "s.yaml"), "--dry-run"])


def test_every_lever_setting_meets_the_same_uncertainty_design(tmp_path):
    result = dry_run(tmp_path, CROSSED)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    head, body = rows[0], rows[1:]
    assert head == ["deployments.iraq.volunteer_prob", "force.attrition_per_year.soldier",
                    "force.recruiting.per_month", "training.courses.nco_course.seats"]
    assert len(body) == 6 * 3 * 2
    policies = {}
    for r in body:
        policies.setdefault((r[2], r[3]), []).append((r[0], r[1]))
    assert set(policies) == {(a, b) for a in ("5", "10", "20") for b in ("5", "20")}
    scenarios = list(policies.values())
    assert all(s == scenarios[0] for s in scenarios) and len(set(scenarios[0])) == 6


@pytest.mark.parametrize("change,message", [
    (("levers:\n  force.recruiting.per_month: [5, 10, 20]\n  training.courses.nco_course."
      "seats: {low: 5, high: 20, integer: true}\n", ""), "both `uncertainties` and `levers`"),
    (("design: lhs", "design: sobol"), "crossed uncertainties x levers"),
    (("levers:\n", "levers:\n  deployments.iraq.volunteer_prob: [0.5, 0.6]\n"),
     "not both"),
    (("levers:\n  force.recruiting.per_month: [5, 10, 20]", "levers:\n  force.nothing: [1, 2]"),
     "levers.force.nothing"),
])
def test_malformed_groups_are_refused(tmp_path, change, message):
    result = dry_run(tmp_path, CROSSED.replace(*change))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
