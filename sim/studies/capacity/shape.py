"""The contingent's shape at any size: its slots' counts scaled so that they sum to the
size exactly and keep the proportions as nearly as whole posts allow.

Largest remainders, one post at a time: going from N - 1 to N people, the new post goes
to the slot furthest below its exact share (`count x N / base`), among those that can
take it and still hold their exact share rounded down or up at every later size (Still's
eligibility test). So every slot always holds its exact share rounded down or up, the
base size gives the shape as written, and no slot ever loses a post as the contingent
grows (largest remainders computed afresh at each size can: staff 2, 1, 2 at 40, 41,
42 people, the Alabama paradox), which keeps the search over sizes honest.

A single-post slot (a commander) stays single until the scale reaches two: below twice
the base size it holds one post and the other slots share the rest in their own
proportions; from there on every slot is scaled alike.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from sim.scenario.schema import Scenario

_EPS = 1e-9


def scaled_counts(counts: list[int], size: int) -> list[int]:
    """Slot counts in the proportions of `counts`, summing to `size` (see above)."""
    if size < 0:
        raise ValueError(f"a contingent of {size} people")
    if sum(counts) <= 0:
        raise ValueError("a contingent with no posts cannot be scaled")
    return list(_Sequence.of(tuple(counts)).at(size))


class _Sequence:
    """The shapes at sizes 0, 1, 2, ... of one base shape, grown one post at a time."""

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def of(counts: tuple[int, ...]) -> _Sequence:
        return _Sequence(counts)

    def __init__(self, counts: tuple[int, ...]):
        self.counts = np.array(counts, dtype=float)
        self.base = int(sum(counts))
        ones = [i for i, c in enumerate(counts) if c == 1]
        # single posts are held single only when other slots can take the rest
        self.singles = ones if len(ones) < sum(c > 0 for c in counts) else []
        rest = tuple(0 if i in self.singles else c for i, c in enumerate(counts))
        self.rest = _Sequence.of(rest) if self.singles else None
        self.shapes: list[tuple[int, ...]] = [tuple(0 for _ in counts)]

    def at(self, size: int) -> tuple[int, ...]:
        while len(self.shapes) <= size:
            self.shapes.append(self._next(len(self.shapes)))
        return self.shapes[size]

    def _next(self, size: int) -> tuple[int, ...]:
        if self.rest is not None and size < 2 * self.base:
            # the single posts first (a contingent of one is its commander), the other
            # slots share the rest in their own proportions
            held = min(len(self.singles), size)
            shape = list(self.rest.at(size - held))
            for k, i in enumerate(self.singles):
                shape[i] = 1 if k < held else 0
            return tuple(shape)
        return _grow(np.array(self.shapes[-1], dtype=float), self.counts, self.base, size)


def _grow(have: np.ndarray, counts: np.ndarray, base: int, size: int) -> tuple[int, ...]:
    """The shape at `size` from the shape at `size - 1`: one post to the slot with the
    largest remainder among those under their exact share rounded up that pass Still's
    test. (A shape that starts above some share, where the single posts rejoin, may
    leave none passing: the largest remainder under its share rounded up then.)"""
    quota = counts * size / base
    open_ = (counts > 0) & (have + 1 <= np.ceil(quota - _EPS))
    order = sorted((int(i) for i in np.flatnonzero(open_)),
                   key=lambda i: (-(quota[i] - have[i]), i))
    for i in order:
        if _keeps_quota(have, counts, base, i, size):
            break
    else:
        i = order[0]
    grown = have.copy()
    grown[i] += 1
    return tuple(int(x) for x in grown)


def _keeps_quota(have: np.ndarray, counts: np.ndarray, base: int, i: int, size: int) -> bool:
    """Still's test: with the post at `size` given to slot `i`, can every slot still hold
    at least its share rounded down at each later size, up to the size at which slot
    `i` itself needs another post?"""
    grown = have.copy()
    grown[i] += 1
    last = math.ceil((grown[i] + 1) * base / counts[i]) + 1
    later = np.arange(size + 1, last + 1, dtype=float)
    floors = np.floor(np.outer(counts, later) / base + _EPS)
    need = np.maximum(floors, grown[:, None]).sum(axis=0)
    waiting = floors[i] <= grown[i]  # the sizes before slot i needs another post
    return bool(np.all(need[waiting] <= later[waiting]))


def with_size(scenario: Scenario, deployment: str, size: int) -> Scenario:
    """`scenario` with `deployment`'s contingent scaled to `size` people."""
    d = scenario.deployment(deployment)
    counts = scaled_counts([s.count for s in d.contingent], size)
    slots = [s.model_copy(update={"count": n}) for s, n in zip(d.contingent, counts)]
    new = d.model_copy(update={"contingent": slots})
    deps = [new if x.name == deployment else x for x in scenario.deployments]
    return scenario.model_copy(update={"deployments": deps})


def shape_at(scenario: Scenario, deployment: str, size: int) -> dict[str, int]:
    """Posts per role at `size` (slots of one role added up)."""
    d = scenario.deployment(deployment)
    out: dict[str, int] = {}
    for slot, n in zip(d.contingent, scaled_counts([s.count for s in d.contingent], size)):
        out[slot.role] = out.get(slot.role, 0) + n
    return out
