"""PRIM, the patient rule induction method (Friedman and Fisher 1999), as scenario
discovery uses it (Bryant and Lempert 2010): a box of the factor space is peeled down, a
small share of its points at a time, towards where the cases of interest are dense; what
improves it is pasted back; each restriction of a box is judged by its quasi-p value.

kazsim's own implementation (MIT), written from the papers and the conventions of RAND's
sdtoolkit and EMA Workbench, so that discovery depends on no copyleft package:

- a peel removes `peel_alpha` of the box's points from the top or the bottom of one
  factor; the new limit lies midway between the two distinct values around that share
  (so that points with equal values go together);
- the peel chosen is the one with the largest gain in density per point given up
  ("lenient 1", Friedman and Fisher's eq. 14.5), ties going to the box with fewer
  restricted factors, then to the first factor; peeling stops when no peel gains or
  the box would hold less than `mass_min` of the points;
- pasting then widens a restricted limit by `paste_alpha` of the points beyond it while
  that raises the density.

Factors are numbers (the caller gives discrete levels by their index); boxes are closed
(a point on a limit is inside).
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05


@dataclass(frozen=True)
class Limits:
    """A box: the lowest and highest value of each factor it keeps."""

    low: np.ndarray
    high: np.ndarray

    def inside(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(((x >= self.low) & (x <= self.high)).all(axis=1))

    def replaced(self, factor: int, low: float | None = None,
                 high: float | None = None) -> Limits:
        lo, hi = self.low.copy(), self.high.copy()
        if low is not None:
            lo[factor] = low
        if high is not None:
            hi[factor] = high
        return Limits(lo, hi)

    def restricted(self, whole: Limits) -> list[int]:
        """The factors whose range this box narrows, in column order."""
        return [int(j) for j in np.flatnonzero((self.low != whole.low)
                                              | (self.high != whole.high))]


@dataclass(frozen=True)
class Restriction:
    factor: str
    low: float
    high: float
    qp: float  # quasi-p value: the chance of the box's density without this restriction


class Peeling:
    """The peeling and pasting trajectory of one PRIM box over points `x` (DataFrame:
    one column per factor) whose cases of interest are `y` (booleans)."""

    def __init__(self, x: Any, y: Any, peel_alpha: float = PEEL_ALPHA,
                 paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN):
        self.factors = [str(c) for c in x.columns]
        self.x = x.to_numpy(dtype=float)
        self.y = np.asarray(y, dtype=bool)
        if self.x.ndim != 2 or len(self.x) != len(self.y) or not len(self.y):
            raise ValueError("PRIM needs one case flag per point, and points")
        if not np.isfinite(self.x).all():
            raise ValueError("PRIM needs finite factor values")
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min
        self.whole = Limits(self.x.min(axis=0), self.x.max(axis=0))
        self.boxes: list[Limits] = [self.whole]
        self.members: list[np.ndarray] = [np.ones(len(self.y), dtype=bool)]
        self._grow()

    # -- the trajectory ------------------------------------------------------------------

    def trajectory(self) -> Any:
        """Each box of the trajectory: coverage, density, mean, restricted, mass."""
        import pandas as pd

        hits_all = int(self.y.sum())
        rows = []
        for box, members in zip(self.boxes, self.members):
            n, hits = int(members.sum()), int(self.y[members].sum())
            rows.append({"coverage": hits / hits_all if hits_all else 0.0,
                         "density": hits / n, "mean": hits / n,
                         "restricted": float(len(box.restricted(self.whole))),
                         "mass": n / len(self.y)})
        return pd.DataFrame(rows, columns=["coverage", "density", "mean", "restricted", "mass"])

    def restrictions(self, i: int) -> list[Restriction]:
        """The restricted factors of trajectory box `i`, most significant first. A factor's
        quasi-p value is the chance that a box as large as this one, drawn from the box
        without that restriction, holds at least as many cases (one-sided binomial)."""
        from scipy.stats import binom

        box, members = self.boxes[i], self.members[i]
        n, hits = int(members.sum()), int(self.y[members].sum())
        out = []
        for j in box.restricted(self.whole):
            wider = box.replaced(j, self.whole.low[j], self.whole.high[j]).inside(self.x)
            density = self.y[wider].sum() / wider.sum()
            out.append(Restriction(self.factors[j], float(box.low[j]), float(box.high[j]),
                                   float(binom.sf(hits - 1, n, density))))
        return sorted(out, key=lambda r: r.qp)  # stable: ties keep column order

    # -- peeling and pasting --------------------------------------------------------------

    def _grow(self) -> None:
        for step in (self._peels, self._pastes):
            while True:
                best = self._best(step())
                if best is None:
                    break
                self.boxes.append(best[1])
                self.members.append(best[2])

    def _best(self, candidates: Iterator[tuple[Limits, np.ndarray, bool]]
              ) -> tuple[float, Limits, np.ndarray] | None:
        """The candidate of largest gain (ties: fewer restricted factors, then the first
        made), if it is an admissible step: it gains, stays above the minimum mass, and
        (a paste) raises the density."""
        old = self.members[-1]
        n_old, hits_old = int(old.sum()), int(self.y[old].sum())
        best: tuple[float, int, Limits, np.ndarray, bool] | None = None
        for box, members, pasting in candidates:
            n, hits = int(members.sum()), int(self.y[members].sum())
            gain = _gain(n_old, hits_old, n, hits)
            free = len(self.factors) - len(box.restricted(self.whole))
            if best is None or (gain, free) > (best[0], best[1]):
                best = (gain, free, box, members, pasting)
        if best is None:
            return None
        gain, _, box, members, pasting = best
        n = int(members.sum())
        grows = n > n_old and self.y[members].sum() / n > hits_old / n_old
        if gain > 0 and n / len(self.y) >= self.mass_min and (grows if pasting else n < n_old):
            return gain, box, members
        return None

    def _peels(self) -> Iterator[tuple[Limits, np.ndarray, bool]]:
        box, members = self.boxes[-1], self.members[-1]
        for j in range(len(self.factors)):
            values = self.x[members, j]
            top = _cut(values, 1 - self.peel_alpha)
            yield box.replaced(j, high=top), members & (self.x[:, j] <= top), False
            bottom = _cut(values, self.peel_alpha)
            yield box.replaced(j, low=bottom), members & (self.x[:, j] >= bottom), False

    def _pastes(self) -> Iterator[tuple[Limits, np.ndarray, bool]]:
        box = self.boxes[-1]
        for j in box.restricted(self.whole):
            # the points the box leaves out below (then above) its limit on j alone
            below = box.replaced(j, low=self.whole.low[j], high=box.low[j]).inside(self.x)
            low = (_cut(self.x[below, j], 1 - self.paste_alpha) if below.any()
                   else self.whole.low[j])
            wider = box.replaced(j, low=low)
            yield wider, wider.inside(self.x), True
            above = box.replaced(j, low=box.high[j], high=self.whole.high[j]).inside(self.x)
            high = (_cut(self.x[above, j], self.paste_alpha) if above.any()
                    else self.whole.high[j])
            wider = box.replaced(j, high=high)
            yield wider, wider.inside(self.x), True


def _gain(n_old: int, hits_old: int, n: int, hits: int) -> float:
    """The change in density per point given up or taken in ("lenient 1")."""
    before = hits_old / n_old
    after = hits / n if n else 0.0
    return 0.0 if after == before else (after - before) / abs(n_old - n)


def _cut(values: np.ndarray, share: float) -> float:
    """Where to cut `values` to leave out about `share` of them below (share < 0.5 keeps
    what is above) or above (share > 0.5 keeps what is below): midway between the two
    distinct values around that position, so that equal values stay together."""
    s = np.sort(values)
    position = (len(s) - 1) * share
    lo, hi = math.floor(position), math.ceil(position)
    if s[lo] == s[hi]:
        if share > 0.5:  # step down to the next smaller value, if any
            lo = max(int(np.searchsorted(s, s[hi], side="left")) - 1, 0)
        else:  # step up to the next larger value, if any
            hi = min(int(np.searchsorted(s, s[lo], side="right")), len(s) - 1)
    return float((s[lo] + s[hi]) / 2)
