"""The whole mission (scenarios/kazbat_2003_2008.yaml) against its in-sample facts only:
more than 3 million items by 10 September 2005 (Xinhua) and the seed's first-tour facts.
Nothing after September 2005 is a target (MODEL.md, "Validation")."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.execution.runner import run_replications
from sim.scenario.loader import load_scenario

MISSION = Path(__file__).resolve().parent.parent / "scenarios" / "kazbat_2003_2008.yaml"
REPS = 20


def items_on(dates: list[str], cum: list[float], day: dt.date) -> float:
    """Items cleared by `day`, linear between the monthly series points around it."""
    xs = [dt.date.fromisoformat(d).toordinal() for d in dates]
    return float(np.interp(day.toordinal(), xs, cum))


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    sc = load_scenario(MISSION).scenario
    out = run_replications(sc, range(REPS), workers=2)
    assert all(r.error is None for r in out)
    return out


def test_more_than_three_million_items_by_10_september_2005(results) -> None:  # type: ignore[no-untyped-def]
    by = [items_on(r.dates, r.series["items_cleared_cum"], dt.date(2005, 9, 10)) for r in results]
    assert np.mean(by) == pytest.approx(3_000_000, rel=0.15)


def test_the_seeds_first_tour_facts_still_hold(results) -> None:  # type: ignore[no-untyped-def]
    def values(metric: str) -> np.ndarray:
        return np.array([r.metrics[metric] for r in results], float)
    assert (values("first_tour.deployed") <= 25).all() and values("first_tour.deployed").mean() > 24.5
    assert values("first_tour.items_cleared_day120").mean() == pytest.approx(400_000, rel=0.15)
    assert values("first_tour.cost_deployed_usd").mean() == pytest.approx(98_000, rel=0.05)
    assert (values("first_tour.casualties") == 0).mean() >= 0.6
    assert values("officer_share_start") == pytest.approx(0.40, abs=0.02)


def test_the_fourth_rotation_ends_at_the_end_of_august_2005() -> None:
    sc = load_scenario(MISSION).scenario
    d = sc.deployment("iraq")
    fourth_home = d.start + dt.timedelta(days=3 * (d.tour_days - d.overlap_days) + d.tour_days)
    assert dt.date(2005, 8, 15) <= fourth_home <= dt.date(2005, 9, 5)
