"""Combined exercises (Steppe Eagle and the like): on each date, the participants each
grade sends are drawn from the people of that grade at home that day, so an exercise
competes with courses and deployments for the same people. Participants are away for
the exercise's length (counted as training) and hold a `combined_exercise` credit for
`credit_years` from its end; without repetition the credit lapses.

An exercise that an assistance programme pays for sends only the participants paid
for (`funders`); one nobody pays for is paid at home and sends everyone asked for.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, GRADE_NAMES, HOME, IN_COURSE, People
from sim.model.record import Results
from sim.model.streams import Streams
from sim.scenario.schema import Exercise as ExerciseSpec

YEAR = 365.25
CREDIT = "combined_exercise"


class Exercises:
    REPORTS: ClassVar[dict[str, float | None]] = {"exercise_participants": 0.0}

    def __init__(self, specs: dict[str, ExerciseSpec], clock: Clock, people: People,
                 streams: Streams, log: EventLog):
        self.specs, self.clock, self.people, self.log = specs, clock, people, log
        self.rng = {name: streams.get("exercises", name) for name in specs}
        self.funders: dict[str, list[Callable[[int], int]]] = {name: [] for name in specs}
        self.participants = 0

    def start(self) -> None:
        for name, spec in self.specs.items():
            t = self.clock.day(spec.at)
            if t < 0 and spec.every_days:  # a series begun before the start: its last and next
                last = t + (-t // spec.every_days) * spec.every_days
                if last < 0:
                    self._held_before(name, last)
                t = last if last >= 0 else last + spec.every_days
            elif t < 0:
                self._held_before(name, t)
            self._plan(name, t)

    def _held_before(self, name: str, t: float) -> None:
        """An exercise held before the start: its participants, drawn from the force at
        the start, keep the credit they earned then until it lapses."""
        spec = self.specs[name]
        lapses = t + spec.days + spec.credit_years * YEAR
        if lapses <= 0:
            return
        ids = self._draw(name, [getattr(spec.participants, g) for g in GRADE_NAMES])
        self.people.grant(CREDIT, ids, np.fmax(self.people.qual(CREDIT)[ids], lapses))
        self.log("exercise", name, f"{len(ids)} took part before the start")

    def _draw(self, name: str, asked: list[int]) -> np.ndarray:
        """Participants at home, grade by grade, as many as asked or there are."""
        p = self.people
        chosen: list[np.ndarray] = []
        for grade, count in zip(GRADE_NAMES, asked):
            if count <= 0:
                continue
            pool = ((p.state[: p.n] == HOME) & (p.grade[: p.n] == GRADE_INDEX[grade])).nonzero()[0]
            chosen.append(self.rng[name].permutation(pool)[:count])
        return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)

    def _plan(self, name: str, t: float) -> None:
        spec = self.specs[name]
        if t < 0 or (spec.until is not None and t > self.clock.day(spec.until)):
            return
        self.clock.call_at(t, partial(self._hold, name))

    def _hold(self, name: str) -> None:
        spec, p, now = self.specs[name], self.people, self.clock.now
        asked = [getattr(spec.participants, g) for g in GRADE_NAMES]
        ids = self._draw(name, asked)
        if self.funders[name]:  # only those paid for go
            paid = 0
            for fund in self.funders[name]:
                paid += fund(len(ids) - paid)
            ids = ids[:paid]
        if len(ids):
            p.move(ids, IN_COURSE)
            self.participants += len(ids)
            self.clock.call_at(now + spec.days, partial(self._back, ids, spec.credit_years))
        self.log("exercise", name, f"{len(ids)} took part of {sum(asked)} asked")
        if spec.every_days:
            self._plan(name, now + spec.every_days)

    def _back(self, ids: np.ndarray, credit_years: float) -> None:
        p, now = self.people, self.clock.now
        ids = ids[p.state[ids] == IN_COURSE]  # leavers have gone
        p.move(ids, HOME)
        p.grant(CREDIT, ids, np.fmax(p.qual(CREDIT)[ids], now + credit_years * YEAR))

    def share(self) -> float | None:
        """Share of the force holding exercise credit; None if no exercise is planned."""
        if not self.specs:
            return None
        p = self.people
        active = p.active
        total = int(np.count_nonzero(active))
        return int(np.count_nonzero(active & p.holds(CREDIT, self.clock.now))) / total if total else None

    def report(self, results: Results) -> None:
        results.add("exercise_participants", self.participants)
