"""The interoperability index and its parts.

- people: the share of people, in grades that have criteria, who hold every
  qualification their grade's criteria list;
- equipment: the NATO-standard share of the kit the deployable units need;
- exercises: the share of the force with combined-exercise credit.

The index is the weighted mean of the parts that exist (a part with weight 0, or that
the scenario does not define, is left out). The default weights (people 1) make the
index the people share, as before the other parts existed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.people import GRADE_INDEX, People
from sim.model.record import Results
from sim.scenario.schema import Interoperability as InteroperabilitySpec

PARTS = ("people", "equipment", "exercises")
Part = Callable[[], "float | None"]


def _none() -> float | None:
    return None


class Interoperability:
    TIMELINE: ClassVar[tuple[str, ...]] = ("interoperability.criteria.<grade>",)
    REPORTS: ClassVar[dict[str, float | None]] = {
        "interoperability_end": None, **{f"interoperability.{part}": None for part in PARTS}}

    def __init__(self, spec: InteroperabilitySpec, clock: Clock, people: People,
                 equipment: Part = _none, exercises: Part = _none):
        self.spec, self.clock, self.people = spec, clock, people
        self.parts: dict[str, Part] = {"people": self.share, "equipment": equipment,
                                       "exercises": exercises}

    def retune(self, spec: InteroperabilitySpec) -> None:
        self.spec = spec

    def share(self) -> float | None:
        """The people part."""
        p, now = self.people, self.clock.now
        strength = p.strength()
        counted = met = 0
        for grade, quals in self.spec.criteria.items():
            if not quals:
                continue
            g = GRADE_INDEX[grade]
            counted += int(strength[g])
            mask = p.active_in((g,))
            for q in quals:
                mask &= p.holds(q, now)
            met += int(np.count_nonzero(mask))
        return met / counted if counted else None

    def part(self, name: str) -> float | None:
        return self.parts[name]()

    def index(self) -> float | None:
        return self._combine(self.part)

    def values(self) -> list[float | None]:
        """The index and its parts (PARTS order), each part computed once (the series)."""
        parts = {name: self.parts[name]() for name in PARTS}
        return [self._combine(parts.__getitem__), *parts.values()]

    def _combine(self, part: Callable[[str], float | None]) -> float | None:
        """The weighted mean of the parts that exist (asked only for positive weights)."""
        weights = self.spec.weights
        total = weight = 0.0
        for name in PARTS:
            w = getattr(weights, name)
            if w <= 0:
                continue
            value = part(name)
            if value is not None:
                total += w * value
                weight += w
        return total / weight if weight else None

    def report(self, results: Results) -> None:
        results.set("interoperability_end", self.index())
        for name in PARTS:
            results.set(f"interoperability.{name}", self.parts[name]())
