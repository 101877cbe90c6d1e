"""Every shipped scenario runs, and its headline numbers fall in the ranges that
docs/scenarios.md documents (the table is read from the page itself)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.execution.runner import run_replications
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
REPS = {"brigade": 2}


def documented() -> list[tuple[str, str, float, float]]:
    rows = []
    for line in (ROOT / "docs" / "scenarios.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (ROOT / "scenarios" / f"{cells[0]}.yaml").exists():
            rows.append((cells[0], cells[1], float(cells[2]), float(cells[3])))
    return rows


ROWS = documented()


@pytest.fixture(scope="module")
def means():  # type: ignore[no-untyped-def]
    out = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(path).scenario
        results = run_replications(sc, range(REPS.get(path.stem, 4)), workers=1)
        assert all(r.error is None for r in results), path
        out[path.stem] = {k: [r.metrics[k] for r in results] for k in results[0].metrics}
    return out


def test_every_shipped_scenario_has_documented_ranges():
    shipped = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    assert shipped == {name for name, *_ in ROWS}
    assert len(ROWS) >= 20


@pytest.mark.parametrize("name, metric, low, high", ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_headline_within_documented_range(means, name, metric, low, high):
    value = float(np.mean(means[name][metric]))
    assert low <= value <= high, f"{name} {metric} = {value:.4g}, documented [{low:g}, {high:g}]"


def test_each_variant_moves_its_number_the_documented_way(means):
    assert np.mean(means["hmmwv"]["items_cleared"]) > np.mean(means["kazbat_2003"]["items_cleared"])
    assert np.mean(means["nco_reform_fast"]["officer_share_end"]) < np.mean(means["nco_reform"]["officer_share_end"])
    assert np.mean(means["no_volunteers_shortfall"]["rotation_fill_rate"]) < \
        np.mean(means["kazbat_2003"]["rotation_fill_rate"])
    for metric in ("interoperability.exercises", "interoperability_end"):
        assert np.mean(means["steppe_eagle_annual"][metric]) > np.mean(means["assistance_2003"][metric])
