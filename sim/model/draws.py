"""Many draws of one scenario distribution at once (routine taskings are drawn ahead in
blocks): the same distributions as `Dist.sample`, vectorised."""
from __future__ import annotations

import numpy as np

from sim.scenario.dists import Constant, Exponential, Lognormal, Poisson, Triangular, Uniform


def draw_many(dist: object, rng: np.random.Generator, n: int) -> np.ndarray:
    if isinstance(dist, Lognormal):
        mu, sigma = dist.mu_sigma
        return rng.lognormal(mu, sigma, n)
    if isinstance(dist, Exponential):
        return rng.exponential(dist.mean_, n)
    if isinstance(dist, Constant):
        return np.full(n, float(dist.value))
    if isinstance(dist, Uniform):
        return rng.uniform(dist.low, dist.high, n)
    if isinstance(dist, Triangular):
        return rng.triangular(dist.low, dist.mode, dist.high, n)
    if isinstance(dist, Poisson):
        return rng.poisson(dist.mean_, n).astype(float)
    return np.array([dist.sample(rng) for _ in range(n)], float)  # type: ignore[attr-defined]
