"""Summaries of replication results: means, t-based CIs, percentiles, paired and Welch
differences, and the sequential-precision rule behind `--reps auto`."""
from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from sim.metrics import METRICS
from sim.results import ReplicationResult

_EMPTY = {"mean": None, "sd": None, "ci95": None, "p10": None, "p50": None, "p90": None,
          "min": None, "max": None, "n": 0}


def _t975(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df))


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


def describe(values: Sequence[float | None]) -> dict[str, Any]:
    """Summary of one metric's values across replications, ignoring None."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(x) == 0:
        return dict(_EMPTY)
    mean, sd, ci = mean_ci(x)
    p10, p50, p90 = (float(v) for v in np.percentile(x, [10, 50, 90]))
    return {"mean": mean, "sd": sd if len(x) > 1 else None, "ci95": list(ci) if ci else None,
            "p10": p10, "p50": p50, "p90": p90, "min": float(x.min()), "max": float(x.max()), "n": int(len(x))}


def metric_values(results: Sequence[ReplicationResult], name: str) -> list[float | None]:
    return [r.metrics.get(name) for r in results if r.ok]


def metric_names(results: Sequence[ReplicationResult]) -> list[str]:
    """Catalogue metrics first (in catalogue order), then any others the model reported."""
    seen = {k for r in results for k in r.metrics}
    return [m for m in METRICS if m in seen] + sorted(seen - set(METRICS))


def summarize_metric(results: Sequence[ReplicationResult], name: str,
                     applies: bool = True) -> dict[str, Any]:
    """`describe` plus unit, description and, for time-to-event metrics, `happened`
    (null when the metric does not apply to the scenario)."""
    values = metric_values(results, name)
    out = describe(values)
    info = METRICS.get(name)
    out["unit"] = info.unit if info else ""
    out["description"] = info.description if info else ""
    if info and info.kind == "time_to_event":
        out["happened"] = (sum(v is not None for v in values) / len(values)
                           if values and applies else None)
    return out


def summarize_metrics(results: Sequence[ReplicationResult],
                      not_applicable: Collection[str] = ()) -> dict[str, dict[str, Any]]:
    return {name: summarize_metric(results, name, name not in not_applicable)
            for name in metric_names(results)}


def summarize_series(results: Sequence[ReplicationResult]) -> dict[str, dict[str, Any]]:
    """Per series and date: mean, p10, p90 over replications (None ignored; None if none)."""
    ok = [r for r in results if r.ok and r.dates]
    if not ok:
        return {}
    dates = max((r.dates for r in ok), key=len)
    names = [n for n in dict.fromkeys(k for r in ok for k in r.series)]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        mean: list[float | None] = []
        p10: list[float | None] = []
        p90: list[float | None] = []
        for k in range(len(dates)):
            col = [v for r in ok if k < len(r.series.get(name, ()))
                   and (v := r.series[name][k]) is not None and math.isfinite(v)]
            if col:
                arr = np.asarray(col, dtype=float)
                mean.append(float(arr.mean()))
                lo, hi = np.percentile(arr, [10, 90])
                p10.append(float(lo))
                p90.append(float(hi))
            else:
                mean.append(None)
                p10.append(None)
                p90.append(None)
        out[name] = {"dates": list(dates), "mean": mean, "p10": p10, "p90": p90}
    return out


def paired_difference(base: dict[int, float | None], other: dict[int, float | None]
                      ) -> dict[str, Any]:
    """Differences other - base per replication index present (non-None) in both."""
    keys = sorted(k for k in base.keys() & other.keys()
                  if base[k] is not None and other[k] is not None)
    if not keys:
        return {"diff_mean": None, "diff_ci95": None, "n": 0}
    d = [float(other[k]) - float(base[k]) for k in keys]  # type: ignore[arg-type]
    mean, _, ci = mean_ci(d)
    return {"diff_mean": mean, "diff_ci95": list(ci) if ci else None, "n": len(d)}


def welch_difference(base: Sequence[float | None], other: Sequence[float | None]
                     ) -> dict[str, Any]:
    """Welch's unpaired 95% interval for mean(other) - mean(base)."""
    a = np.asarray([v for v in base if v is not None], dtype=float)
    b = np.asarray([v for v in other if v is not None], dtype=float)
    if len(a) == 0 or len(b) == 0:
        return {"diff_mean": None, "diff_ci95": None, "n": 0}
    (ma, sa, _), (mb, sb, _) = mean_ci(a), mean_ci(b)
    diff = mb - ma
    if len(a) < 2 or len(b) < 2:
        return {"diff_mean": diff, "diff_ci95": None, "n": int(min(len(a), len(b)))}
    va, vb = sa ** 2 / len(a), sb ** 2 / len(b)
    se2 = va + vb
    if se2 == 0.0:
        return {"diff_mean": diff, "diff_ci95": [diff, diff], "n": int(min(len(a), len(b)))}
    df = se2 ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    from scipy.stats import t

    half = float(t.ppf(0.975, df)) * math.sqrt(se2)
    return {"diff_mean": diff, "diff_ci95": [diff - half, diff + half],
            "n": int(min(len(a), len(b)))}


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
