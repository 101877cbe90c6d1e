"""kazsim's PRIM (sim/studies/discover/prim.py) on cases small enough to follow by hand,
and a frozen case with a paste whose trajectory the GPL `PRIM` package (1.0, the
implementation kazsim used before) gave identically."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.studies.discover.prim import Peeling, _cut


def test_cut_lies_midway_between_distinct_values_and_keeps_ties_together():
    assert _cut(np.arange(20.0), 0.05) == 0.5          # the lowest point alone is peeled
    assert _cut(np.arange(20.0), 0.95) == 18.5         # the highest alone
    # the position falls among equal values: the cut moves to the next distinct value
    assert _cut(np.array([0, 0, 0, 1, 2, 3.0]), 0.05) == 0.5   # all three zeros go
    assert _cut(np.array([0, 1, 2, 3, 3, 3.0]), 0.95) == 2.5   # all three threes go
    assert _cut(np.array([4, 4, 4.0]), 0.05) == 4.0            # nothing to peel


def test_one_factor_is_peeled_one_point_at_a_time_down_to_the_cases():
    """20 points 0..19, the cases are 15..19. Each peel takes the lowest point (5% of at
    most 20 points rounds to one), the density rising each time, until only cases are
    left; peeling a case changes nothing in density and stops it. Nothing is pasted
    back: the next point below is not a case."""
    x = pd.DataFrame({"f": np.arange(20.0)})
    p = Peeling(x, x["f"] >= 15)
    traj = p.trajectory()
    assert len(traj) == 16
    assert [b.low[0] for b in p.boxes] == [0.0, *(k - 0.5 for k in range(1, 16))]
    assert all(b.high[0] == 19.0 for b in p.boxes)
    assert traj.coverage.tolist() == [1.0] * 16
    assert traj.density.tolist() == pytest.approx([5 / (20 - k) for k in range(16)])
    assert traj.mass.tolist() == pytest.approx([(20 - k) / 20 for k in range(16)])
    assert traj.restricted.tolist() == [0.0, *[1.0] * 15]
    # quasi-p of the last box: 5 cases in 5 points drawn from all 20 (5 cases):
    # P(Binomial(5, 0.25) >= 5) = 0.25 ** 5
    (r,) = p.restrictions(15)
    assert (r.factor, r.low, r.high) == ("f", 14.5, 19.0)
    assert r.qp == pytest.approx(0.25 ** 5, rel=1e-12)
    assert p.restrictions(0) == []


def test_mass_min_stops_the_peeling():
    x = pd.DataFrame({"f": np.arange(20.0)})
    p = Peeling(x, x["f"] >= 19, mass_min=0.25)  # never below 5 of the 20 points
    assert p.trajectory().mass.iloc[-1] == 0.25
    assert p.boxes[-1].low[0] == 14.5


# 26 points on a 10 x 10 grid; cases likely where a >= 4 and b <= 6
A = [5, 4, 7, 3, 4, 0, 9, 5, 1, 0, 5, 4, 6, 6, 9, 2, 3, 7, 3, 4, 2, 8, 6, 5, 6, 8]
B = [3, 7, 2, 2, 3, 2, 0, 4, 8, 6, 1, 4, 9, 1, 8, 0, 7, 0, 1, 8, 5, 8, 1, 1, 5, 9]
Y = [0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1]


def test_a_peel_too_far_is_pasted_back():
    """Seven peels (a from below, then a and b from above), then the top of a is pasted
    back to 9: the point (9, 0) is a case. The same trajectory, limit for limit, as the
    PRIM package gave."""
    p = Peeling(pd.DataFrame({"a": A, "b": B}, dtype=float), np.array(Y, dtype=bool))
    limits = [(b.low.tolist(), b.high.tolist()) for b in p.boxes]
    assert limits == [([0, 0], [9, 9]), ([0.5, 0], [9, 9]), ([2.5, 0], [9, 9]),
                      ([3.5, 0], [9, 9]), ([3.5, 0], [8.5, 9]), ([3.5, 0], [7.5, 9]),
                      ([3.5, 0], [7.5, 8.5]), ([3.5, 0], [7.5, 7.5]), ([3.5, 0], [9, 7.5])]
    assert [int(m.sum()) for m in p.members] == [26, 24, 21, 18, 16, 14, 13, 12, 13]
    traj = p.trajectory()
    assert traj.density.iloc[-1] == pytest.approx(9 / 13)
    assert traj.coverage.iloc[-1] == pytest.approx(9 / 11)
    assert [r.factor for r in p.restrictions(7)] == ["a", "b"]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="finite"):
        Peeling(pd.DataFrame({"f": [0.0, np.nan]}), [True, False])
    with pytest.raises(ValueError, match="one case flag per point"):
        Peeling(pd.DataFrame({"f": [0.0, 1.0]}), [True])
