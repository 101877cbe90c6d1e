"""Design points of a sweep: each a row of unit coordinates in [0, 1] per factor and the
matching values in the factors' own units (ranges scaled, integers rounded, discrete
levels picked by the coordinate's bin)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.studies.sweep.nolh import stacked
from sim.studies.sweep.spec import Range, SweepSpec


@dataclass(frozen=True)
class DesignMatrix:
    factors: list[str]
    unit: np.ndarray  # (points, factors), in [0, 1]
    values: list[list[Any]]  # (points, factors), in factor units

    def __len__(self) -> int:
        return len(self.values)


def problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem over unit coordinates."""
    names = list(spec.factors)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def build(spec: SweepSpec) -> DesignMatrix:
    names = list(spec.factors)
    unit = _crossed(spec) if spec.levers else _unit(spec)
    values = [[to_value(spec.factors[n], u) for n, u in zip(names, row)] for row in unit]
    return DesignMatrix(names, unit, values)


def to_value(factor: Range | list[Any], u: float) -> Any:
    if isinstance(factor, list):
        return factor[min(int(u * len(factor)), len(factor) - 1)]
    value = factor.low + u * (factor.high - factor.low)
    if factor.integer:
        return int(round(value))
    return clean(float(value))


def clean(value: float) -> float:
    """`value` without the noise of binary arithmetic: a value within 1e-12 (relative) of
    a decimal of at most ten significant digits is that decimal (0.1 + 0.5 * 0.4 is 0.3,
    not 0.30000000000000004); any other value, a Latin hypercube's, is kept as it is."""
    short = float(f"{value:.10g}")
    return short if abs(short - value) <= 1e-12 * max(abs(value), 1e-300) else value


def _unit(spec: SweepSpec) -> np.ndarray:
    k = len(spec.factors)
    if spec.design == "grid":
        axes = []
        for factor in spec.factors.values():
            n = len(factor) if isinstance(factor, list) else spec.levels
            # discrete levels sit in the middle of their bins, so to_value picks each once
            axes.append((np.arange(n) + 0.5) / n if isinstance(factor, list)
                        else np.linspace(0.0, 1.0, n))
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, k)
    if spec.design == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, seed=spec.seed).random(spec.points or 1)
    if spec.design == "nolh":
        levels = stacked(k, spec.points or 0).astype(float)
        half = levels.max()
        return (levels + half) / (2 * half)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem(spec), _pow2(spec.points or 1),
                                       calc_second_order=False, seed=spec.seed))
    if spec.design == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem(spec), spec.points or 1, num_levels=4,
                                        seed=spec.seed))
    raise ValueError(spec.design)  # pragma: no cover - the spec's Literal forbids it


def _crossed(spec: SweepSpec) -> np.ndarray:
    """Every lever row with every uncertainty row (scenarios x policies), levers outer."""
    over_u = spec.model_copy(update={"factors": spec.uncertainties, "levers": {}})
    over_l = spec.model_copy(update={"factors": spec.levers, "levers": {},
                                     "design": spec.lever_design, "points": spec.lever_points})
    u, lv = _unit(over_u), _unit(over_l)
    return np.array([[*row_u, *row_l] for row_l in lv for row_u in u], dtype=float)


def _pow2(n: int) -> int:
    """Sobol sequences balance only at powers of two."""
    return 1 << max(0, (n - 1).bit_length())


def to_csv(design: DesignMatrix) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(design.factors)
    writer.writerows(design.values)
    return out.getvalue()
