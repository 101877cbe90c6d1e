"""Draws from scenario distributions, cheaper than `Dist.sample` where the model draws
often: `sampler(dist)` gives a function of a generator that yields the same numbers as
`dist.sample` (the same calls on the generator, its parameters worked out once), and
`draw_many` many draws at once (routine taskings are drawn ahead in blocks)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.dists import Constant, Exponential, Lognormal, Poisson, Triangular, Uniform

Sampler = Callable[[np.random.Generator], float]


def sampler(dist: object) -> Sampler:
    if isinstance(dist, Lognormal):
        mu, sigma = dist.mu_sigma
        return lambda rng: rng.lognormal(mu, sigma)
    if isinstance(dist, Exponential):
        mean = dist.mean_
        return lambda rng: rng.exponential(mean)
    if isinstance(dist, Constant):
        value = float(dist.value)
        return lambda rng: value
    return dist.sample  # type: ignore[attr-defined, no-any-return]


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
