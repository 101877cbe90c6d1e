"""Summaries of replication results: means, t-based CIs, percentiles, paired and Welch
differences, and the sequential-precision rule behind `--reps auto`.

Student's t quantiles are computed here (no scipy.stats: importing it costs half a
second at every start-up of `run`)."""
from __future__ import annotations

import functools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.metrics import METRICS, bounds, metric_info
from sim.core.results import ReplicationResult


@dataclass(frozen=True)
class Summary:
    """One metric's values across replications: None (and n 0) where there is none."""

    mean: float | None = None
    sd: float | None = None
    ci95: list[float] | None = None
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None
    n: int = 0
    clipped: bool = False  # the CI was clipped to the metric's possible range


@dataclass(frozen=True)
class MetricStats(Summary):
    """`Summary` with what the catalogue says of the metric; `happened` (the share of
    replications in which a time-to-event metric's event came; None where the metric
    does not apply) only when `time_to_event`."""

    unit: str = ""
    description: str = ""
    label: str = ""
    time_to_event: bool = False
    happened: float | None = None


@dataclass(frozen=True)
class SeriesStats:
    """One series over replications, per date: mean, 10th and 90th percentiles."""

    dates: list[str]
    mean: list[float | None]
    p10: list[float | None]
    p90: list[float | None]


@dataclass(frozen=True)
class DifferenceCI:
    """mean(other) - mean(base) with its 95% interval, over `n` replications (paired) or
    the smaller sample (Welch); None where it cannot be told."""

    diff_mean: float | None
    diff_ci95: list[float] | None
    n: int


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction
    (modified Lentz), on the side where the fraction converges fast."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1.0 - x)
    ln_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                + a * math.log(x) + b * math.log1p(-x))
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(ln_front) * f / a


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` (> 0, not necessarily whole) degrees of freedom."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t: bisection on `t_cdf` (exact to ~1e-12)."""
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * max(1.0, hi):
            break
    return (lo + hi) / 2


def _t975(df: float) -> float:
    return t_quantile(0.975, df)


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a share of `k` in `n` trials;
    (0, 1) when there is no trial."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k <= 0 else max(0.0, centre - half)
    hi = 1.0 if k >= n else min(1.0, centre + half)
    return lo, hi


def share_at_least(k: int, n: int, p: float) -> float:
    """How sure `k` successes in `n` trials make us that the true share is at least `p`:
    the posterior probability under Jeffreys' prior, Beta(k + 1/2, n - k + 1/2)."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return 1.0 - _betainc(k + 0.5, n - k + 0.5, p)


def clip_interval(ci: Sequence[float], name: str) -> tuple[list[float], bool]:
    """`ci` clipped to what metric `name` can take (a share to [0, 1], a count to >= 0);
    and whether clipping changed it."""
    lo, hi = bounds(name)
    a, b = float(ci[0]), float(ci[1])
    ca = a if lo is None else max(a, lo)
    cb = b if hi is None else min(b, hi)
    if lo is not None:
        cb = max(cb, lo)
    if hi is not None:
        ca = min(ca, hi)
    return [ca, cb], (ca, cb) != (a, b)


def mean_ci(values: Sequence[float] | np.ndarray) -> tuple[float, float, tuple[float, float] | None]:
    """Mean, sample SD and t-based 95% CI; CI None for n=1, [x, x] for a constant."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n and x.min() == x.max():  # exactly the value: a float mean may be off by an ulp
        mean = float(x[0])
        return mean, 0.0, (mean, mean) if n > 1 else None
    mean = float(x.mean())
    if n < 2:
        return mean, 0.0, None
    sd = float(x.std(ddof=1))
    half = _t975(n - 1) * sd / math.sqrt(n)
    return mean, sd, (mean - half, mean + half)


def describe(values: Sequence[float | None], name: str | None = None) -> Summary:
    """Summary of one metric's values across replications, ignoring None and non-finite
    values. With the metric's `name`, the CI is clipped to the metric's possible range
    and `clipped` says whether that changed it."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(x) == 0:
        return Summary()
    mean, sd, ci = mean_ci(x)
    p10, p50, p90 = (float(v) for v in np.percentile(x, [10, 50, 90]))
    interval, clipped = (list(ci) if ci else None), False
    if name is not None and ci is not None:
        interval, clipped = clip_interval(ci, name)
    return Summary(mean, sd if len(x) > 1 else None, interval, p10, p50, p90,
                   float(x.min()), float(x.max()), int(len(x)), clipped)


def metric_values(results: Sequence[ReplicationResult], name: str) -> list[float | None]:
    return [r.metrics.get(name) for r in results if r.ok]


def metric_names(results: Sequence[ReplicationResult]) -> list[str]:
    """Catalogue metrics first (in catalogue order), then any others the model reported."""
    seen = {k for r in results for k in r.metrics}
    return [m for m in METRICS if m in seen] + sorted(seen - set(METRICS))


def summarize_metric(results: Sequence[ReplicationResult], name: str,
                     applies: bool = True) -> MetricStats:
    """`describe` plus unit, description and, for time-to-event metrics, `happened`
    (null when the metric does not apply to the scenario)."""
    values = metric_values(results, name)
    info = metric_info(name)
    event = bool(info and info.kind == "time_to_event")
    return MetricStats(
        **vars(describe(values, name)), unit=info.unit if info else "",
        description=info.description if info else "",
        label=info.label if info and info.label else name, time_to_event=event,
        happened=(sum(v is not None for v in values) / len(values)
                  if event and values and applies else None))


def summarize_metrics(results: Sequence[ReplicationResult],
                      not_applicable: Collection[str] = ()) -> dict[str, MetricStats]:
    return {name: summarize_metric(results, name, name not in not_applicable)
            for name in metric_names(results)}


def summarize_series(results: Sequence[ReplicationResult]) -> dict[str, SeriesStats]:
    """Per series and date: mean, p10, p90 over replications (None and non-finite values
    ignored; None where no replication has a value). One array operation per series."""
    ok = [r for r in results if r.ok and r.dates]
    if not ok:
        return {}
    dates = max((r.dates for r in ok), key=len)
    names = [n for n in dict.fromkeys(k for r in ok for k in r.series)]
    out: dict[str, SeriesStats] = {}
    for name in names:
        grid = np.full((len(ok), len(dates)), np.nan)
        for i, r in enumerate(ok):
            values = r.series.get(name, ())
            row = np.array([np.nan if v is None else v for v in values[:len(dates)]], float)
            grid[i, :len(row)] = row
        grid[~np.isfinite(grid)] = np.nan
        seen = ~np.isnan(grid).all(axis=0)
        mean = np.full(len(dates), np.nan)
        lo = np.full(len(dates), np.nan)
        hi = np.full(len(dates), np.nan)
        if seen.any():
            cols = grid[:, seen]
            gaps = np.isnan(cols).any()  # nanpercentile goes column by column: avoid it
            mean[seen] = np.nanmean(cols, axis=0) if gaps else cols.mean(axis=0)
            lo[seen], hi[seen] = (np.nanpercentile if gaps else np.percentile)(
                cols, [10, 90], axis=0)
        out[name] = SeriesStats(list(dates), _list(mean), _list(lo), _list(hi))
    return out


def _list(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values]


def paired_difference(base: dict[int, float | None], other: dict[int, float | None]
                      ) -> DifferenceCI:
    """Differences other - base per replication index present (non-None) in both."""
    pairs = [(b, o) for k in sorted(base.keys() & other.keys())
             if (b := base[k]) is not None and (o := other[k]) is not None]
    if not pairs:
        return DifferenceCI(None, None, 0)
    d = [float(o) - float(b) for b, o in pairs]
    mean, _, ci = mean_ci(d)
    return DifferenceCI(mean, list(ci) if ci else None, len(d))


def welch_difference(base: Sequence[float | None], other: Sequence[float | None]
                     ) -> DifferenceCI:
    """Welch's unpaired 95% interval for mean(other) - mean(base)."""
    a = np.asarray([v for v in base if v is not None], dtype=float)
    b = np.asarray([v for v in other if v is not None], dtype=float)
    if len(a) == 0 or len(b) == 0:
        return DifferenceCI(None, None, 0)
    (ma, sa, _), (mb, sb, _) = mean_ci(a), mean_ci(b)
    diff, n = mb - ma, int(min(len(a), len(b)))
    if len(a) < 2 or len(b) < 2:
        return DifferenceCI(diff, None, n)
    va, vb = sa ** 2 / len(a), sb ** 2 / len(b)
    se2 = va + vb
    if se2 == 0.0:
        return DifferenceCI(diff, [diff, diff], n)
    df = se2 ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = _t975(df) * math.sqrt(se2)
    return DifferenceCI(diff, [diff - half, diff + half], n)


def no_values(results: Sequence[ReplicationResult], metrics: Sequence[str]) -> list[str]:
    """The metrics that are None in every replication that did not fail (or all failed):
    no number of further replications can measure their precision."""
    return [m for m in metrics if all(v is None for v in metric_values(results, m))]


def precision_met(results: Sequence[ReplicationResult], metrics: Sequence[str],
                  precision: float) -> bool:
    """True when every metric's CI half-width is within `precision` x |mean|.

    A metric with fewer than two values is not yet precise; a constant one is.
    """
    for name in metrics:
        values = [v for v in metric_values(results, name) if v is not None]
        if len(values) < 2:
            return False
        mean, _, ci = mean_ci(values)
        assert ci is not None
        if (ci[1] - ci[0]) / 2 > precision * abs(mean):
            return False
    return True
