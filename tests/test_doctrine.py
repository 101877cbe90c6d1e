"""Officer-led, officer-approved work against an NCO-led contingent with team-leader
authority: same people, same tips, same caches (common random numbers)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.execution.runner import run_replications
from sim.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "kazbat_2003.yaml"
NCO_LED = (
    "deployments.iraq.contingent.team_leader.grade=nco",
    "deployments.iraq.theatre.doctrine.leaders=nco",
    "deployments.iraq.theatre.doctrine.authority=team_leader",
    # Enough NCOs hold EOD to lead six teams a rotation; the force is otherwise the same.
    "force.qualified.eod.nco=1.0",
)
REPS = 60


def paired_ci(a, b):
    d = np.asarray(b, float) - np.asarray(a, float)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() - half, d.mean() + half


@pytest.fixture(scope="module")
def pair():
    officer = load_scenario(BASELINE).scenario
    nco = load_scenario(BASELINE, overrides=NCO_LED).scenario
    a = run_replications(officer, range(REPS), workers=2)
    b = run_replications(nco, range(REPS), workers=2)
    return ({k: [r.metrics[k] for r in a] for k in a[0].metrics},
            {k: [r.metrics[k] for r in b] for k in b[0].metrics})


def test_team_leader_authority_cuts_waits(pair):
    officer, nco = pair
    # Only caches above the threshold still go up to an officer, so the approval queue
    # all but empties and tips reach teams sooner.
    assert paired_ci(officer["approval_wait_days_mean"], nco["approval_wait_days_mean"])[1] < 0
    lo, hi = paired_ci(officer["task_wait_days_mean"], nco["task_wait_days_mean"])
    assert hi < 0


def test_shorter_waits_lose_fewer_tips_and_clear_more_items(pair):
    officer, nco = pair
    # Tips perish at the end of their shelf life: every day saved saves caches.
    assert paired_ci(officer["tips_lost"], nco["tips_lost"])[1] < 0
    assert paired_ci(officer["items_lost"], nco["items_lost"])[1] < 0
    lo, hi = paired_ci(officer["items_cleared"], nco["items_cleared"])
    assert lo > 0
