"""Draws from scenario distributions, cheaper than `Dist.sample` where the model draws
often: `sampler(dist)` gives a function of a generator that yields the same numbers as
`dist.sample` (the same calls on the generator, its parameters worked out once), and
`draw_many` many draws at once (routine taskings are drawn ahead in blocks)."""
from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np

from sim.scenario.dists import Constant, Exponential, Lognormal, Poisson, Triangular, Uniform

Sampler = Callable[[], float]


def sampler(dist: object, rng: np.random.Generator | Ahead) -> Sampler:
    """`dist.sample(rng)` as a function of nothing, its parameters worked out once; `rng`
    a generator or an `Ahead` (other kinds of distribution are drawn from the generator
    itself, after an `Ahead` is put back in step)."""
    if isinstance(dist, Lognormal):
        mu, sigma = dist.mu_sigma
        return partial(rng.lognormal, mu, sigma)
    if isinstance(dist, Exponential):
        return partial(rng.exponential, dist.mean_)
    if isinstance(dist, Constant):
        return repeat(float(dist.value)).__next__

    def direct() -> float:
        gen = rng
        if isinstance(gen, Ahead):
            gen.sync()
            gen = gen.rng
        return float(dist.sample(gen))  # type: ignore[attr-defined]
    return direct


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


class Ahead:
    """One generator's draws, taken from blocks drawn ahead: the same numbers, in the
    same order, as calling the generator once a draw (numpy fills an array with the
    variates it would have given one by one, and the exponential and lognormal draws
    are the standard ones scaled as numpy scales them). A block holds standard
    variates of one kind; asking for another kind first puts the generator back where
    one-at-a-time draws would have left it, so any mix stays exact (a stream that
    mixes kinds at every draw gains nothing)."""

    BLOCK = 64
    EXPONENTIAL, NORMAL, UNIFORM = range(3)

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._fill = (rng.standard_exponential, rng.standard_normal, rng.random)
        self._kind = -1
        self._block: list[float] = []
        self._used = 0
        self._state: Any = None  # the generator's, before the block

    def _take(self, kind: int) -> float:
        if kind != self._kind:
            self.sync()
            self._kind = kind
        used = self._used
        if used == len(self._block):
            self._state = self.rng.bit_generator.state
            self._block, used = self._fill[kind](self.BLOCK).tolist(), 0
        self._used = used + 1
        return self._block[used]

    def sync(self) -> None:
        """Leave the generator where one-at-a-time draws would have, for direct use."""
        if self._kind >= 0 and self._used < len(self._block):
            self.rng.bit_generator.state = self._state
            if self._used:
                self._fill[self._kind](self._used)
        self._kind, self._block, self._used = -1, [], 0

    # The draws: `_take` inlined where the kind is that of the block in hand (the cost of
    # a draw is the point of this class).
    def exponential(self, scale: float = 1.0) -> float:
        used = self._used
        if self._kind == 0 and used < len(self._block):
            self._used = used + 1
            return scale * self._block[used]
        return scale * self._take(self.EXPONENTIAL)

    def lognormal(self, mu: float, sigma: float) -> float:
        used = self._used
        if self._kind == 1 and used < len(self._block):
            self._used = used + 1
            x = mu + sigma * self._block[used]
        else:
            x = mu + sigma * self._take(self.NORMAL)
        try:
            return math.exp(x)
        except OverflowError:  # numpy gives inf
            return math.inf

    def random(self) -> float:
        used = self._used
        if self._kind == 2 and used < len(self._block):
            self._used = used + 1
            return self._block[used]
        return self._take(self.UNIFORM)
