"""What a stored sweep says: per design point means with 95% CIs, and which factors
matter for each output (Sobol indices, Morris elementary effects, or for grid, LHS and
NOLH designs standardised regression and partial rank correlation coefficients)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.stats import clip_interval, mean_ci
from sim.studies.sweep.store import Store


@dataclass
class PointSummary:
    point: int
    parameters: dict[str, Any]
    unit: list[float]
    n_ok: int = 0
    n_failed: int = 0
    # output -> (mean, lo, hi); None parts where no replication had a value
    outputs: dict[str, tuple[float | None, float | None, float | None]] = field(default_factory=dict)
    clipped: set[str] = field(default_factory=set)  # outputs whose CI was clipped to range


@dataclass
class Sensitivity:
    output: str
    factor: str
    method: str  # sobol | morris | regression
    values: dict[str, float | None]  # e.g. S1, S1_lo, S1_hi, ST, ST_lo, ST_hi

    @property
    def score(self) -> float:
        """The value used to rank factors for this output."""
        key = {"sobol": "ST", "morris": "mu_star", "regression": "SRC"}[self.method]
        v = self.values.get(key)
        return 0.0 if v is None or math.isnan(v) else abs(v)


def summarise_points(store: Store, outputs: list[str]) -> list[PointSummary]:
    """Means and 95% t-intervals per design point (clipped to what each output can
    take), streaming the runs once; holds only one point's values at a time besides
    the summaries."""
    points = {p: PointSummary(p, params, unit) for p, params, unit in store.design()}
    current: int | None = None
    values: dict[str, list[float]] = {}

    def close(point: int) -> None:
        for out in outputs:
            mean, lo, hi = _interval(values.get(out, []))
            if lo is not None and hi is not None:
                (lo, hi), clipped = clip_interval((lo, hi), out)
                if clipped:
                    points[point].clipped.add(out)
            points[point].outputs[out] = (mean, lo, hi)

    for run in store.runs():
        if run.point != current:
            if current is not None:
                close(current)
            current, values = run.point, {}
        summary = points[run.point]
        if run.status != "ok":
            summary.n_failed += 1
            continue
        summary.n_ok += 1
        for out in outputs:
            v = run.metrics.get(out)
            if v is not None and math.isfinite(v):
                values.setdefault(out, []).append(v)
    if current is not None:
        close(current)
    for summary in points.values():
        if not summary.outputs:
            summary.outputs = {out: (None, None, None) for out in outputs}
    return [points[p] for p in sorted(points)]


def _interval(xs: list[float]) -> tuple[float | None, float | None, float | None]:
    if not xs:
        return None, None, None
    mean, _, ci = mean_ci(xs)
    if ci is None:
        return mean, None, None
    return mean, ci[0], ci[1]


def sensitivity(design: str, factors: list[str], points: list[PointSummary],
                outputs: list[str], seed: int = 1) -> list[Sensitivity]:
    """Sensitivity of each output's point means to each factor."""
    unit = np.array([p.unit for p in points], dtype=float).reshape(len(points), len(factors))
    found: list[Sensitivity] = []
    for out in outputs:
        y = np.array([_mean(p, out) for p in points], dtype=float)
        if design == "sobol":
            found += _sobol(out, factors, y, seed)
        elif design == "morris":
            found += _morris(out, factors, unit, y, seed)
        else:
            found += _regression(out, factors, unit, y)
    return found


def _mean(p: PointSummary, out: str) -> float:
    m = p.outputs.get(out, (None, None, None))[0]
    return math.nan if m is None else m


def _problem(factors: list[str]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}


def _finite(v: float) -> float | None:
    """SALib leaves NaN where an index is undefined (sigma of one trajectory): no value."""
    return None if math.isnan(v) else float(v)


def _nan_result(out: str, factors: list[str], method: str, keys: list[str]) -> list[Sensitivity]:
    return [Sensitivity(out, f, method, {k: None for k in keys}) for f in factors]


def _sobol(out: str, factors: list[str], y: np.ndarray, seed: int) -> list[Sensitivity]:
    from SALib.analyze import sobol

    keys = ["S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"]
    if np.isnan(y).any() or np.ptp(y) == 0:
        return _nan_result(out, factors, "sobol", keys)
    res = sobol.analyze(_problem(factors), y, calc_second_order=False, seed=seed)
    return [Sensitivity(out, f, "sobol", {
        "S1": _finite(res["S1"][i]), "S1_lo": _finite(res["S1"][i] - res["S1_conf"][i]),
        "S1_hi": _finite(res["S1"][i] + res["S1_conf"][i]),
        "ST": _finite(res["ST"][i]), "ST_lo": _finite(res["ST"][i] - res["ST_conf"][i]),
        "ST_hi": _finite(res["ST"][i] + res["ST_conf"][i])}) for i, f in enumerate(factors)]


def _morris(out: str, factors: list[str], unit: np.ndarray, y: np.ndarray,
            seed: int) -> list[Sensitivity]:
    from SALib.analyze import morris

    keys = ["mu_star", "mu_star_conf", "mu", "sigma"]
    if np.isnan(y).any():
        return _nan_result(out, factors, "morris", keys)
    res = morris.analyze(_problem(factors), unit, y, num_levels=4, seed=seed)
    return [Sensitivity(out, f, "morris", {k: _finite(res[k][i]) for k in keys})
            for i, f in enumerate(factors)]


def _regression(out: str, factors: list[str], unit: np.ndarray,
                y: np.ndarray) -> list[Sensitivity]:
    """Standardised regression coefficients of a linear metamodel (with its R^2) and
    partial rank correlation coefficients."""
    keys = ["SRC", "PRCC", "R2"]
    keep = ~np.isnan(y)
    x, y = unit[keep], y[keep]
    if len(y) < len(factors) + 2 or np.ptp(y) == 0:
        return _nan_result(out, factors, "regression", keys)
    sx = x.std(axis=0)
    sx[sx == 0] = 1.0
    z = (x - x.mean(axis=0)) / sx
    zy = (y - y.mean()) / y.std()
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), z]), zy, rcond=None)
    fitted = np.column_stack([np.ones(len(y)), z]) @ coef
    r2 = float(1 - ((zy - fitted) ** 2).sum() / (zy ** 2).sum())
    prcc = _prcc(x, y)
    return [Sensitivity(out, f, "regression", {"SRC": float(coef[i + 1]), "PRCC": prcc[i],
                                               "R2": r2}) for i, f in enumerate(factors)]


def _prcc(x: np.ndarray, y: np.ndarray) -> list[float | None]:
    from scipy.stats import rankdata

    rx = np.column_stack([rankdata(c) for c in x.T]) if x.size else x
    ry = rankdata(y)
    out: list[float | None] = []
    for i in range(x.shape[1]):
        others = np.column_stack([np.ones(len(y)), np.delete(rx, i, axis=1)])
        res_x = rx[:, i] - others @ np.linalg.lstsq(others, rx[:, i], rcond=None)[0]
        res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        denom = math.sqrt(float((res_x ** 2).sum() * (res_y ** 2).sum()))
        out.append(float((res_x * res_y).sum() / denom) if denom > 1e-12 else None)
    return out


def ranking(found: list[Sensitivity], output: str) -> list[Sensitivity]:
    return sorted((s for s in found if s.output == output), key=lambda s: -s.score)
