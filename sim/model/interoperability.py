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
from sim.model.people import GRADE_INDEX, SEPARATED, People
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
    check: ClassVar[bool] = False  # tests: every update of the people part checked against everyone

    def __init__(self, spec: InteroperabilitySpec, clock: Clock, people: People,
                 equipment: Part = _none, exercises: Part = _none):
        self.spec, self.clock, self.people = spec, clock, people
        self.parts: dict[str, Part] = {"people": self.share, "equipment": equipment,
                                       "exercises": exercises}
        self.retune(spec)

    def retune(self, spec: InteroperabilitySpec) -> None:
        self.spec = spec
        self._criteria = [(GRADE_INDEX[g], tuple(q)) for g, q in spec.criteria.items() if q]
        self._quals = {q for _, quals in self._criteria for q in quals}
        # who meets their grade's criteria, as last looked (People.look), kept up to
        # date from the people journal rather than by looking at everyone each time
        self._meets: np.ndarray | None = None
        self._met = 0
        self._looked = (0.0, 0)

    def _meeting(self, ids: np.ndarray | None) -> np.ndarray:
        """Who of `ids` (None: everyone) is in the force and meets their grade's criteria."""
        p, now = self.people, self.clock.now
        rows = slice(0, p.n) if ids is None else ids
        active = p.state[rows] < SEPARATED  # in strength
        grade = p.grade[rows]
        meets = np.zeros(len(grade), bool)
        for g, quals in self._criteria:
            mask = active & (grade == g)
            for q in quals:
                arr = p.quals.get(q)
                mask &= arr[rows] > now if arr is not None else False
            meets |= mask
        return meets

    def share(self) -> float | None:
        """The people part."""
        if not self._criteria:
            return None
        p = self.people
        strength = p.strength()
        counted = sum(int(strength[g]) for g, _ in self._criteria)
        if self._meets is None:
            self._meets = np.zeros(len(p.grade), bool)
            self._meets[: p.n] = self._meeting(None)
            self._met = int(np.count_nonzero(self._meets))
        else:
            ids = p.differ_since(self._looked, self._quals)
            if len(self._meets) < p.n:
                self._meets = np.concatenate([self._meets, np.zeros(len(p.grade) - len(self._meets), bool)])
            meets = self._meeting(ids)
            self._met += int(np.count_nonzero(meets)) - int(np.count_nonzero(self._meets[ids]))
            self._meets[ids] = meets
        self._looked = p.look()
        if self.check:
            assert self._met == int(np.count_nonzero(self._meeting(None))), "people part out of date"
        return self._met / counted if counted else None

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
