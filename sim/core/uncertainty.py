"""What an answer rests on: statistics of runs over draws of the assumptions.

A metric's runs form a grid: row d is a draw (one set of assumption values), column r a
replication, and column r uses the same random numbers in every draw (common random
numbers). A missing value (a failed run, a metric with no value) is NaN.

- `prediction`: the 5th, 50th and 95th percentiles over every run of every draw, the
  90% interval for one realised history.
- `crossed_mean_ci`: the mean over every run and the 95% interval of that estimate.
  The draws and the shared replications are two crossed random factors, so the grand
  mean varies as var(draw)/D + var(replication)/K + var(rest)/(D K). Each part is
  estimated from the two-way analysis of variance (no replication within cells):
  var(mean) = (MS_draws + MS_reps - MS_rest) / (D K), with Satterthwaite's degrees of
  freedom. With one replication per draw, what the replications share is not seen in
  the grid; the nominal scenario's variance over its replications stands in for it
  (an upper bound: it holds the shared part and the rest).
- `first_order_shares`: the share of a run's variance that each assumption explains
  alone (its first-order effect, var(E[Y | X_i]) / var(Y)), and the share of `noise`
  (E[var(Y | X)] / var(Y), the variance within a draw). An assumption's effect is
  estimated from the draw means by a one-way analysis of variance over bins of the
  assumption's values (equal-count bins in rank order, or the choices of a `choice`):
  var(E[Y | bin]) = (MS_between - MS_within) / n0, the random-effects estimator, which
  removes what the rest (other assumptions, noise) adds to the bin means by chance.
  Bins lose what varies inside them: with B bins a linear effect keeps 1 - 1/B^2 of its
  share (97% at the 6 bins of 32 draws). Shares are clipped to [0, 1] and need not sum
  to 1: the rest is interactions between assumptions and estimation error.
- `robust_share`: the share of draws whose mean difference is non-zero and has the
  overall difference's sign.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Protocol, TypeVar

import numpy as np

from sim.core.stats import t_quantile

NOISE = "noise"


@dataclass(frozen=True)
class PredictionInterval:
    """The 5th, 50th and 95th percentiles over every run of every draw."""

    p05: float
    p50: float
    p95: float


@dataclass(frozen=True)
class DriverShare:
    """The share of the variance an assumption explains alone (or `noise`'s)."""

    assumption: str
    share: float


@dataclass(frozen=True)
class MetricUncertainty:
    """One metric over the draws: the mean and its 95% interval over every run, the
    prediction interval and the drivers (largest share first)."""

    mean: float | None
    ci95: list[float] | None
    prediction: PredictionInterval | None
    drivers: list[DriverShare]


def grid(values: Mapping[tuple[int, int], float | None], draws: int, reps: int) -> np.ndarray:
    """Values keyed by (draw, replication) as a draws x reps array, NaN where missing."""
    out = np.full((draws, reps), np.nan)
    for (d, r), v in values.items():
        if v is not None and math.isfinite(v) and 0 <= d < draws and 0 <= r < reps:
            out[d, r] = v
    return out


def prediction(values: np.ndarray) -> PredictionInterval | None:
    """p05, p50, p95 over every value present."""
    x = values[np.isfinite(values)]
    if x.size == 0:
        return None
    p05, p50, p95 = (float(v) for v in np.percentile(x, [5, 50, 95]))
    return PredictionInterval(p05, p50, p95)


def crossed_mean_ci(values: np.ndarray, nominal_var: float | None = None,
                    nominal_n: int = 0) -> tuple[float | None, list[float] | None]:
    """The mean over every value present and its 95% interval (see the module's words).
    The interval uses the draws with every replication present; None when there are
    too few of them."""
    present = values[np.isfinite(values)]
    if present.size == 0:
        return None, None
    mean = float(present.mean())
    if present.min() == present.max():
        return mean, [mean, mean]
    full = values[np.isfinite(values).all(axis=1)]
    d, k = full.shape
    if d < 2:
        return mean, None
    if nominal_var is not None and nominal_n >= 2:
        var, df = _with_nominal(full, nominal_var, nominal_n)
    elif k >= 2:
        var, df = _two_way(full)
    else:
        return mean, None
    var = max(var, float(present.var(ddof=1)) / present.size)  # never below independent runs
    half = t_quantile(0.975, max(df, 1.0)) * math.sqrt(var)
    return mean, [mean - half, mean + half]


def _with_nominal(y: np.ndarray, nominal_var: float, nominal_n: int) -> tuple[float, float]:
    """Variance of the grand mean with the nominal's variance over its replications
    standing in for one run's noise (the part the draws share and the rest):
    MS_draws / (D K) + (s2_nominal - MS_rest) / K, Satterthwaite's degrees of freedom."""
    d, k = y.shape
    rows = y.mean(axis=1)
    ms_a = k * float(rows.var(ddof=1))
    ms_e = 0.0
    if k >= 2:
        rest = y - rows[:, None] - y.mean(axis=0)[None, :] + y.mean()
        ms_e = float((rest ** 2).sum()) / ((d - 1) * (k - 1))
    shared = max(nominal_var - ms_e, 0.0) / k
    a = ms_a / (d * k)
    var = a + shared
    denominator = a ** 2 / (d - 1) + shared ** 2 / (nominal_n - 1)
    return var, var ** 2 / denominator if denominator > 0 else float(d - 1)


def _two_way(y: np.ndarray) -> tuple[float, float]:
    """Variance of the grand mean of a complete draws x reps grid, and its degrees of
    freedom (Satterthwaite)."""
    d, k = y.shape
    m = y.mean()
    rows, cols = y.mean(axis=1), y.mean(axis=0)
    ms_a = k * float(((rows - m) ** 2).sum()) / (d - 1)
    ms_b = d * float(((cols - m) ** 2).sum()) / (k - 1)
    rest = y - rows[:, None] - cols[None, :] + m
    ms_e = float((rest ** 2).sum()) / ((d - 1) * (k - 1))
    total = ms_a + ms_b - ms_e
    if total <= 0:
        return ms_a / (d * k), float(d - 1)
    denominator = (ms_a ** 2 / (d - 1) + ms_b ** 2 / (k - 1)
                   + ms_e ** 2 / ((d - 1) * (k - 1)))
    return total / (d * k), total ** 2 / denominator if denominator > 0 else float(d - 1)


def bins_for(draws: int) -> int:
    """Bins of a continuous assumption's values: about the square root of the draws."""
    return max(2, min(draws // 2, round(math.sqrt(draws))))


def share_floor(draws: int) -> float:
    """The share that an assumption the model ignores stays below in 95% of designs of
    `draws` draws: its bins' sum of squares is then about chi-squared with B - 1
    degrees of freedom (times the variance of a draw's mean), so its estimated share is
    at most (chi2_0.95(B - 1) - (B - 1)) / draws (the quantile by Wilson and
    Hilferty's approximation). About 0.18 at 32 draws, 0.065 at 128: a smaller share
    cannot be told from none."""
    k = bins_for(draws) - 1
    quantile = k * (1 - 2 / (9 * k) + 1.6449 * math.sqrt(2 / (9 * k))) ** 3
    return (quantile - k) / max(draws, 1)


def standout_floor(draws: int, assumptions: int) -> float:
    """The share an assumption needs before a report names it as what a metric rests on:
    the share that the largest of `assumptions` ignored ones stays below in 95% of
    designs of `draws` draws (share_floor's test at 1 - 0.05 / assumptions, Bonferroni).
    Naming the top one of many is a claim about all of them: at 32 draws and 36
    assumptions one ignored assumption in 20 passes share_floor's 19% by chance, so
    with 36 of them one usually does; this floor (47% there, 15% at 128) holds."""
    k = bins_for(draws) - 1
    z = NormalDist().inv_cdf(1 - 0.05 / max(assumptions, 1))
    quantile = k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3
    return (quantile - k) / max(draws, 1)


class Share(Protocol):
    @property
    def assumption(self) -> str: ...  # an assumption's path, or "noise"

    @property
    def share(self) -> float: ...


S = TypeVar("S", bound=Share)


def standing_out(drivers: Sequence[S], floor: float) -> list[S]:
    """The drivers a report may name, largest first: down to the first assumption under
    `floor` (an assumption under the floor could be chance, and so could the order of
    all that follow it). Empty where the largest is such an assumption: no single one
    stands out. Noise is told apart at any share, but named only where it is at least
    the variance that no share accounts for (interactions, estimation error): with few
    draws every assumption's share may be estimated at 0, and a 4% noise is then not
    what the answer rests on."""
    shares = [d for d in drivers if d.share > 0]
    unexplained = 1.0 - sum(d.share for d in shares)
    named = []
    for d in sorted(shares, key=lambda d: -d.share):
        if d.assumption == NOISE:
            if d.share >= unexplained:
                named.append(d)
            continue
        if d.share < floor:
            break
        named.append(d)
    return named


def first_order_shares(design: Mapping[str, Sequence[Any]], values: np.ndarray,
                       categorical: frozenset[str] | set[str] = frozenset(),
                       nominal_var: float | None = None) -> list[DriverShare]:
    """Each assumption's share (`noise` among them), the largest first.
    `design[name][d]` is the value of assumption `name` in draw d; `values` the
    draws x reps grid. `nominal_var` stands in for the variance within a draw when no
    draw has two runs. Empty when the metric does not vary or too few draws have a
    value."""
    present = values[np.isfinite(values)]
    rows = np.isfinite(values).any(axis=1)
    if present.size < 3 or rows.sum() < 4:
        return []
    total = float(present.var(ddof=1))
    if not total > 0:
        return []
    means = _row_means(values)[rows]
    kept = tuple(rows.tolist())
    shares: list[DriverShare] = []
    for name, column in design.items():
        groups = _groups(tuple(column), kept, name in categorical)
        shares.append(DriverShare(name, _clip(_between(means, groups) / total)))
    within = _within(values)
    if within is None:
        within = nominal_var
    if within is not None:
        shares.append(DriverShare(NOISE, _clip(within / total)))
    return sorted(shares, key=lambda s: (-s.share, s.assumption))


@functools.lru_cache(maxsize=1024)
def _groups(column: tuple[Any, ...], kept: tuple[bool, ...], categorical: bool
            ) -> tuple[np.ndarray, ...]:
    """Indices of the draws kept (those with a value) in each bin of an assumption's
    `column`: the same for every metric with values in the same draws, so worked out
    once for them all (read-only)."""
    groups = _bins([v for v, keep in zip(column, kept) if keep], categorical)
    for g in groups:
        g.flags.writeable = False
    return tuple(groups)


def _bins(x: Sequence[Any], categorical: bool) -> list[np.ndarray]:
    """Indices of the draws in each bin of `x`."""
    if categorical:
        keys = [repr(v) for v in x]
        return [np.array([i for i, k in enumerate(keys) if k == key])
                for key in dict.fromkeys(keys)]
    order = np.argsort(np.asarray(x, dtype=float), kind="stable")
    return [part for part in np.array_split(order, bins_for(len(x))) if part.size]


def _between(means: np.ndarray, groups: Sequence[np.ndarray]) -> float:
    """var(E[Y | group]): the variance of the group means less what the spread within
    groups adds to them by chance (the epsilon-squared estimator; the groups of a Latin
    hypercube are a stratified, fixed set, so their spread is a population's)."""
    n, b = len(means), len(groups)
    if b < 2 or n <= b:
        return 0.0
    m = means.mean()
    parts = [means[g] for g in groups]
    centres = [p.mean() for p in parts]
    ss_between = sum(g.size * (c - m) ** 2 for g, c in zip(groups, centres))
    ss_within = sum(float(((p - c) ** 2).sum()) for p, c in zip(parts, centres))
    return max(0.0, (ss_between - (b - 1) * ss_within / (n - b)) / n)


def _within(values: np.ndarray) -> float | None:
    """Mean variance within a draw, over the draws with two or more runs (pooled)."""
    ok = np.isfinite(values)
    n = ok.sum(axis=1)
    rows = n >= 2
    if not rows.any():
        return None
    means = _row_means(values)
    ss = (np.where(ok, values - means[:, None], 0.0) ** 2).sum(axis=1)
    return float(ss[rows].sum() / (n[rows] - 1).sum())


def _row_means(values: np.ndarray) -> np.ndarray:
    """Each draw's mean over the runs present (NaN for a draw with none)."""
    ok = np.isfinite(values)
    n = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, values, 0.0).sum(axis=1) / n


def _clip(share: float) -> float:
    return float(min(1.0, max(0.0, share)))


def robust_share(values: np.ndarray, overall: float | None) -> float | None:
    """The share of draws (with a value) whose mean is non-zero and has the sign of
    `overall`; 0 when `overall` is 0."""
    rows = [r[np.isfinite(r)] for r in values]
    means = [float(r.mean()) for r in rows if r.size]
    if not means or overall is None:
        return None
    if overall == 0:
        return 0.0
    sign = math.copysign(1.0, overall)
    return sum(1 for m in means if m != 0 and math.copysign(1.0, m) == sign) / len(means)


def metric_uncertainty(nominal: Sequence[float | None],
                       runs: Mapping[tuple[int, int], float | None],
                       design: Mapping[str, Sequence[Any]], draws: int, reps: int,
                       categorical: frozenset[str] | set[str] = frozenset()
                       ) -> MetricUncertainty:
    """One metric over the draws: `mean` and `ci95` over every run (`crossed_mean_ci`),
    `prediction` and `drivers`. `nominal`: its values in the nominal scenario's
    replications; `runs`: by (draw, replication)."""
    y = grid(runs, draws, reps)
    nom = np.asarray([v for v in nominal if v is not None and math.isfinite(v)], dtype=float)
    nominal_var = float(nom.var(ddof=1)) if nom.size >= 2 else None
    mean, ci = crossed_mean_ci(y, nominal_var, int(nom.size))
    return MetricUncertainty(mean, ci, prediction(y),
                             first_order_shares(design, y, categorical, nominal_var))
