"""Basic training: recruits are soldiers, in strength, only when they finish it.

Recruits are people of the store from the day they start (they count in `recruited`,
their contract runs, they are paid at the home rate) but in state `basic_training`,
outside strength, courses and call-ups. At most `seats` are in training at once. At
the end each washes out with probability `washout` (and leaves: `separated`) or joins
as a soldier. Attrition and contract ends reach recruits only once they have joined:
washout is their exit (assumption). A change on the timeline applies to cohorts that
start from then on (length, seats) and to those finishing from then on (washout).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, HOME, IN_BASIC, People
from sim.scenario.schema import BasicTraining as BasicTrainingSpec

SOLDIER = GRADE_INDEX["soldier"]
WASHOUT = "washed out of basic training"


class BasicTraining:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"force.recruiting.basic_training.{key}" for key in ("days", "seats", "washout"))

    def __init__(self, spec: BasicTrainingSpec, clock: Clock, people: People,
                 rng: np.random.Generator, log: EventLog,
                 separate: Callable[[np.ndarray, str], None]):
        self.spec, self.clock, self.people, self.rng, self.log = spec, clock, people, rng, log
        self.separate = separate
        self.washouts = 0
        self.joined = 0

    def retune(self, spec: BasicTrainingSpec) -> None:
        self.spec = spec

    def in_training(self) -> int:
        return int(self.people.counts[IN_BASIC].sum())

    def free_seats(self) -> int:
        return max(0, self.spec.seats - self.in_training())

    def enrol(self, count: int, contract_end: float) -> np.ndarray:
        now = self.clock.now
        ids = self.people.add(SOLDIER, count, joined=now, contract_end=contract_end, state=IN_BASIC)
        self.clock.call_at(now + self.spec.days, partial(self._finish, ids))
        self.log("basic training started", f"{count} recruits", f"ids {ids[0]}..{ids[-1]}")
        return ids

    def _finish(self, ids: np.ndarray) -> None:
        ids = ids[self.people.state[ids] == IN_BASIC]
        failed = self.rng.random(len(ids)) < self.spec.washout
        self.people.move(ids[~failed], HOME)
        self.joined += int((~failed).sum())
        self.washouts += int(failed.sum())
        self.log("basic training finished", f"{len(ids)} recruits",
                 f"{int((~failed).sum())} joined as soldiers, {int(failed.sum())} washed out")
        if failed.any():
            self.separate(ids[failed], WASHOUT)
