"""The interoperability index: the share of people, in grades that have criteria, who
hold every qualification their grade's criteria list."""
from __future__ import annotations

from typing import ClassVar

from sim.model.clock import Clock
from sim.model.people import GRADE_INDEX, People
from sim.model.record import Results
from sim.scenario.schema import Interoperability as InteroperabilitySpec


class Interoperability:
    TIMELINE: ClassVar[tuple[str, ...]] = ("interoperability.criteria.<grade>",)
    REPORTS: ClassVar[dict[str, float | None]] = {"interoperability_end": None}

    def __init__(self, spec: InteroperabilitySpec, clock: Clock, people: People):
        self.spec, self.clock, self.people = spec, clock, people

    def retune(self, spec: InteroperabilitySpec) -> None:
        self.spec = spec

    def share(self) -> float | None:
        p, now = self.people, self.clock.now
        active = p.active
        counted = met = 0
        for grade, quals in self.spec.criteria.items():
            if not quals:
                continue
            mask = active & (p.grade[: p.n] == GRADE_INDEX[grade])
            counted += int(mask.sum())
            met += int((mask & p.holds_all(quals, now)).sum())
        return met / counted if counted else None

    def report(self, results: Results) -> None:
        results.set("interoperability_end", self.share())
