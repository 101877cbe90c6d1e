"""NCO acceptance as leaders: a state in [0, 1], the share of the team-leader authority
that doctrine grants which is used in theatre ("a doctrine change on paper is not a
change in practice"). It closes the gap to 1 at a rate of
per_year + nco_share_weight x (NCOs / strength) + abroad_weight x (share of NCOs holding
a qualification from a course held abroad), stepped weekly. The default (1, no growth)
is today's behaviour: doctrine is practice from its date.
"""
from __future__ import annotations

import math

import numpy as np

from sim.model.clock import Clock
from sim.model.people import GRADE_INDEX, People
from sim.scenario.schema import Acceptance as AcceptanceSpec

YEAR = 365.25
STEP_DAYS = 7.0


class NcoAcceptance:
    def __init__(self, spec: AcceptanceSpec, clock: Clock, people: People,
                 abroad_quals: tuple[str, ...]):
        self.spec, self.clock, self.people, self.abroad_quals = spec, clock, people, abroad_quals
        self.level = spec.initial

    @property
    def grows(self) -> bool:
        s = self.spec
        return self.level < 1 and (s.per_year > 0 or s.nco_share_weight > 0 or s.abroad_weight > 0)

    def start(self) -> None:
        if self.grows:
            self.clock.call_at(self.clock.now + STEP_DAYS, self._step)

    def rate(self) -> float:
        """Growth rate a year at the force's state now."""
        s, p, now = self.spec, self.people, self.clock.now
        strength = p.strength()
        total, ncos = float(strength.sum()), float(strength[GRADE_INDEX["nco"]])
        rate = s.per_year + (s.nco_share_weight * ncos / total if total else 0.0)
        if s.abroad_weight and ncos and self.abroad_quals:
            nco = p.active & (p.grade[: p.n] == GRADE_INDEX["nco"])
            abroad = nco & False
            for q in self.abroad_quals:
                abroad |= nco & p.holds(q, now)
            rate += s.abroad_weight * int(np.count_nonzero(abroad)) / ncos
        return rate

    def _step(self) -> None:
        self.level = 1.0 - (1.0 - self.level) * math.exp(-self.rate() * STEP_DAYS / YEAR)
        self.clock.call_at(self.clock.now + STEP_DAYS, self._step)

    def value(self) -> float:
        return self.level
