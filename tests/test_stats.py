"""Statistics against hand-computed values and scipy."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from sim.core.results import ReplicationResult
from sim.core.stats import (
    describe,
    mean_ci,
    paired_difference,
    precision_met,
    summarize_metric,
    summarize_series,
    welch_difference,
)


def results(values: dict[str, list[float | None]], seed: int = 1) -> list[ReplicationResult]:
    n = len(next(iter(values.values())))
    return [ReplicationResult(index=i, seed=[seed, i],
                              metrics={k: v[i] for k, v in values.items()}) for i in range(n)]


def test_ci_of_one_to_five_matches_scipy():
    d = describe([1, 2, 3, 4, 5])
    lo, hi = sps.t.interval(0.95, 4, loc=3, scale=sps.sem([1, 2, 3, 4, 5]))
    assert d.mean == 3 and d.sd == pytest.approx(math.sqrt(2.5))
    assert d.ci95 == pytest.approx([lo, hi])
    # by hand: 2.7764 * sqrt(2.5) / sqrt(5) = 1.9632
    assert d.ci95[1] - 3 == pytest.approx(1.9632, abs=1e-4)
    assert (d.p10, d.p50, d.p90, d.min, d.max) == (1.4, 3, 4.6, 1, 5)


def test_constant_single_and_empty():
    assert describe([7, 7, 7]).ci95 == [7, 7]
    one = describe([4])
    assert one.mean == 4 and one.ci95 is None
    empty = describe([None, None])
    assert all(getattr(empty, k) is None
               for k in ("mean", "sd", "ci95", "p10", "p50", "p90", "min", "max"))
    assert empty.n == 0


def test_time_to_event_share_and_stats_over_those_that_happened():
    res = results({"days_to_foc": [100.0, None, 300.0, None]})
    m = summarize_metric(res, "days_to_foc")
    assert m.happened == 0.5
    assert m.mean == 200 and m.n == 2 and m.unit == "days"
    never = summarize_metric(results({"days_to_foc": [None, None]}), "days_to_foc")
    assert never.happened == 0 and never.mean is None
    assert m.time_to_event and not summarize_metric(results({"killed": [0.0, 1.0]}),
                                                    "killed").time_to_event


def test_failed_replications_are_left_out():
    res = results({"killed": [1.0, 3.0, 100.0]})
    res[2].error = "boom"
    assert summarize_metric(res, "killed").mean == 2


def test_series_mean_and_percentiles_ignore_none():
    res = results({"killed": [0.0, 0.0, 0.0]})
    for r, vals in zip(res, ([None, 1.0], [None, 2.0], [None, 3.0])):
        r.dates = ["2003-08-01", "2003-09-01"]
        r.series = {"trust": list(vals)}
    s = summarize_series(res)["trust"]
    assert s.dates == ["2003-08-01", "2003-09-01"]
    assert s.mean == [None, 2.0] and s.p10[1] == pytest.approx(1.2)
    assert s.p90[1] == pytest.approx(2.8)


def test_paired_difference_uses_per_replication_differences():
    base = {0: 10.0, 1: 20.0, 2: 30.0}
    other = {0: 11.0, 1: 21.0, 2: 31.0}
    d = paired_difference(base, other)
    assert d.diff_mean == 1 and d.diff_ci95 == [1, 1]  # constant difference
    w = welch_difference(list(base.values()), list(other.values()))
    assert w.diff_mean == 1
    assert w.diff_ci95[0] < -10 and w.diff_ci95[1] > 10  # unpaired: swamped by spread


def test_welch_matches_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 12), rng.normal(0.5, 3, 20)
    w = welch_difference(list(a), list(b))
    res = sps.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert w.diff_ci95 == pytest.approx([ci.low, ci.high])


def test_precision_rule():
    tight = results({"items_cleared": [100.0, 101.0, 99.0, 100.0]})
    wide = results({"items_cleared": [10.0, 200.0, 50.0, 150.0]})
    assert precision_met(tight, ["items_cleared"], 0.05)
    assert not precision_met(wide, ["items_cleared"], 0.05)
    assert not precision_met(tight[:1], ["items_cleared"], 0.05)  # one value is never enough
    assert mean_ci([2, 2])[2] == (2, 2)
