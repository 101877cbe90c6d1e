"""Nearly orthogonal Latin hypercubes (after Cioppa and Lucas, 2007).

Each design has n = 2^m + 1 runs; every column is a permutation of the n equally spaced
levels -(n-1)/2 .. (n-1)/2, and no two columns correlate by more than 0.03 in absolute
value, so main effects can be estimated almost independently from few runs.

The columns are found by a seeded annealing search (swap two entries of a column; the
penalty counts only the dot products over the limit), so a size always gives the same
design; each size is built once per process (well under a second).
"""
from __future__ import annotations

import math
from functools import cache

import numpy as np

# (runs, most factors), as in Cioppa and Lucas' table.
SIZES = ((17, 7), (33, 11), (65, 16), (129, 22))
MAX_CORRELATION = 0.03
_SEED = 20070101
_STEPS = 300_000


def runs_for(factors: int) -> int:
    """The smallest NOLH that holds `factors` columns."""
    for runs, most in SIZES:
        if factors <= most:
            return runs
    raise ValueError(f"a NOLH holds at most {SIZES[-1][1]} factors; use design: lhs")


def nolh(factors: int) -> np.ndarray:
    """The smallest NOLH for `factors`: an (n, factors) array of integer levels centred on 0."""
    runs = runs_for(factors)
    return _design(runs, dict(SIZES)[runs])[:, :factors].copy()


def max_abs_correlation(design: np.ndarray) -> float:
    if design.shape[1] < 2:
        return 0.0
    corr = np.corrcoef(design, rowvar=False)
    np.fill_diagonal(corr, 0.0)
    return float(np.abs(corr).max())


@cache
def _design(runs: int, columns: int) -> np.ndarray:
    for attempt in range(20):  # restarts; the first nearly always succeeds
        design = _search(np.random.default_rng(_SEED + 1000 * attempt + runs), runs, columns)
        if design is not None:
            design.setflags(write=False)
            return design
    raise RuntimeError(f"NOLH search failed for {runs} runs")  # pragma: no cover


def _search(rng: np.random.Generator, runs: int, columns: int) -> np.ndarray | None:
    half = (runs - 1) // 2
    levels = np.arange(-half, half + 1)
    design = np.stack([rng.permutation(levels) for _ in range(columns)], axis=1)
    limit = MAX_CORRELATION * float((levels ** 2).sum())  # correlation = dot / sum of squares
    dots = design.T @ design
    np.fill_diagonal(dots, 0)

    def penalty(row: np.ndarray) -> float:
        over = np.maximum(np.abs(row) - limit, 0)
        return float((over * over).sum()) + 1e-3 * float((row * row).sum())

    start_temp = 0.05 * float((levels ** 2).sum())
    for step in range(_STEPS):
        if step % 128 == 0 and np.abs(dots).max() <= limit:
            return design
        c = int(rng.integers(columns))
        col = design[:, c]
        a, b = (int(i) for i in rng.integers(runs, size=2))
        if a == b:
            continue
        change = (col[b] - col[a]) * (design[a] - design[b])  # swap rows a and b of column c
        change[c] = 0
        new = dots[c] + change
        delta = penalty(new) - penalty(dots[c])
        temp = start_temp * (1 - step / _STEPS) + 1e-9
        if delta > 0 and rng.random() >= math.exp(-delta / temp):
            continue
        col[a], col[b] = col[b], col[a]
        dots[c] = new
        dots[:, c] = new
    return None


def capacity(factors: int) -> int:
    """The most runs `stacked` gives: one copy per column of the full-width design."""
    runs = runs_for(factors)
    return runs * dict(SIZES)[runs]


def stacked(factors: int, points: int) -> np.ndarray:
    """At least `points` runs: copies of the NOLH with its columns rotated (copy k gives
    factor j the column j+k of the full-width design), so each copy adds new combinations."""
    base = nolh(factors)
    runs = base.shape[0]
    width = dict(SIZES)[runs]
    full = _design(runs, width)
    copies = min(max(1, math.ceil(points / runs)), width)
    blocks = [base] + [full[:, [(j + k) % width for j in range(factors)]] for k in range(1, copies)]
    return np.vstack(blocks)
