"""Incidents during clearance: a task of n items ends in an incident with probability
1 - exp(-n/1000 x rate), that is, when n/1000 x rate exceeds an exponential draw
of mean 1 (the form used here: draws made ahead serve any task size), the rate depending on whether the team leader holds the
scenario's `leader_qualification`. An incident strikes `incident_harm.people` of the
team (drawn, capped at the team: the whole team when the draw reaches its size); each
struck is then killed, or else wounded, with the chances of `incident_harm`."""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.model.draws import Ahead
from sim.model.people import People
from sim.scenario.schema import Theatre as TheatreSpec


class Incidents:
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "incident_per_1000_items.qualified", "incident_per_1000_items.unqualified",
        "incident_harm.people", "incident_harm.killed", "incident_harm.wounded", "leader_qualification")

    def __init__(self, spec: TheatreSpec, people: People, rng: np.random.Generator,
                 casualties: np.random.Generator):
        self.people, self.rng, self.casualties = people, Ahead(rng), casualties
        self.retune(spec)

    def retune(self, spec: TheatreSpec) -> None:
        self.spec = spec
        r = spec.incident_per_1000_items
        self._qualified, self._unqualified = r.qualified / 1000.0, r.unqualified / 1000.0

    def rate(self, leader: int, at: float) -> tuple[float, float]:
        """Incidents per item of a task ending at `at` under `leader`, and until when
        that rate holds (the leader's qualification may expire)."""
        held = self.people.quals.get(self.spec.leader_qualification)
        if held is not None:
            expiry = float(held[leader])
            if expiry > at:  # nan (not held) compares False
                return self._qualified, expiry
        return self._unqualified, np.inf

    def harm(self, members: list[int]) -> tuple[list[int], list[int]]:
        """Who of the team is killed, who wounded."""
        h = self.spec.incident_harm
        killed, wounded = [], []
        for pid in struck(members, h.people.sample(self.casualties), self.casualties):
            if self.casualties.random() < h.killed:
                killed.append(pid)
            elif self.casualties.random() < h.wounded:
                wounded.append(pid)
        return killed, wounded


def struck(present: list[int], drawn: float, rng: np.random.Generator) -> list[int]:
    """The people an incident strikes: `drawn` rounded to a whole number and capped at
    those present; everyone present (in their order, no draw) when it reaches them all,
    else a random choice of that many."""
    n = int(round(drawn))
    if n >= len(present):
        return list(present)
    if n <= 0:
        return []
    if n == 1:
        return [present[int(rng.integers(len(present)))]]
    return [present[i] for i in sorted(rng.choice(len(present), size=n, replace=False))]
