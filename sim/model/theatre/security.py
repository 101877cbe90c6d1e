"""Security in theatre: a level in [0, 1] (calm to hostile), set at dates by the
timeline or moved by a regime process (each regime lasts an exponential time of its
mean, then the next is drawn from its transition probabilities).

The level scales three effects stated at level 1 in the scenario, linearly:
- workdays lost to movement restrictions and force protection (the teams' pace),
- the tip rate (people tell less, or more, when fighting grows),
- hostile incidents (IEDs, indirect fire) at a rate per person-day in theatre that does
  not depend on clearance work; each strikes `hostile_harm.people` of those present
  (drawn; one by default), each of whom is killed, or else wounded and evacuated, with
  the chances of `hostile_harm`.
The hostile rate is constant between changes of level or headcount, so incidents are
drawn exactly as a Poisson process redrawn at each change (memoryless), one event each.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Timer
from sim.model.log import EventLog
from sim.model.record import Results
from sim.model.theatre.incidents import struck
from sim.scenario.schema import Security as SecuritySpec


class Security:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(f"security.{k}" for k in (
        "level", "workdays_lost_at_hostile", "tips_at_hostile", "hostile_per_1000_person_days",
        "hostile_harm.people", "hostile_harm.killed", "hostile_harm.wounded"))
    REPORTS: ClassVar[dict[str, float | None]] = {"incidents_hostile": 0.0, "killed_hostile": 0.0}

    def __init__(self, spec: SecuritySpec, clock: Clock, log: EventLog, name: str,
                 regime_rng: np.random.Generator, hostile_rng: np.random.Generator,
                 present: Callable[[], list[int]], changed: Callable[[], None]):
        """`present`: who is in theatre now; `changed`: told when the level changes."""
        self.spec, self.clock, self.log, self.name = spec, clock, log, name
        self.regime_rng, self.rng = regime_rng, hostile_rng
        self.present, self.changed = present, changed
        self.casualty: Callable[[int, bool], None] = lambda pid, killed: None
        self.level = spec.level
        self.regime: str | None = None
        self.incidents = self.killed = self.wounded = 0
        self._headcount = 0
        self._switch = Timer(clock, self._next_regime)
        self._strike = Timer(clock, self._hostile)
        if spec.regimes:  # the starting regime, before any peer listens
            self.regime = spec.initial_regime or next(iter(spec.regimes))
            self.level = spec.regimes[self.regime].level
            self._schedule_switch()

    # -- the level ---------------------------------------------------------------------
    def workday_factor(self) -> float:
        """Share of workdays left after security restrictions."""
        return 1.0 - self.spec.workdays_lost_at_hostile * self.level

    def tip_factor(self) -> float:
        return 1.0 + (self.spec.tips_at_hostile - 1.0) * self.level

    def _set_level(self, level: float) -> None:
        if level != self.level:
            self.level = level
            self.log("security", self.name, f"level {level:.2f}")
            self.changed()
            self._redraw()

    def _schedule_switch(self) -> None:
        assert self.regime is not None
        r = self.spec.regimes[self.regime]
        if r.next:
            self._switch.set(self.clock.now + self.regime_rng.exponential(r.mean_days))

    def _enter(self, regime: str) -> None:
        self.regime = regime
        self._set_level(self.spec.regimes[regime].level)
        self._schedule_switch()

    def _next_regime(self) -> None:
        assert self.regime is not None
        nxt = self.spec.regimes[self.regime].next
        names = list(nxt)
        u, acc = self.regime_rng.random(), 0.0
        choice = names[-1]
        for n in names:
            acc += nxt[n]
            if u < acc:
                choice = n
                break
        self._enter(choice)

    def retune(self, spec: SecuritySpec) -> None:
        """New settings from now on; a timeline level holds until the regime process
        (if any) next moves."""
        old, self.spec = self.spec, spec
        if spec.level != old.level:
            self.level = spec.level
            self.log("security", self.name, f"level {spec.level:.2f}")
        self.changed()
        self._redraw()

    # -- hostile incidents -------------------------------------------------------------
    def recount(self, headcount: int) -> None:
        if headcount != self._headcount:
            self._headcount = headcount
            self._redraw()

    def _rate(self) -> float:
        return self.spec.hostile_per_1000_person_days / 1000.0 * self.level * self._headcount

    def _redraw(self) -> None:
        rate = self._rate()
        if rate > 0:
            self._strike.set(self.clock.now + self.rng.exponential(1.0 / rate))
        else:
            self._strike.cancel()

    def _hostile(self) -> None:
        here = self.present()
        if here:
            self.incidents += 1
            h = self.spec.hostile_harm
            hit = struck(here, h.people.sample(self.rng), self.rng)
            harmed = []
            for pid in hit:
                killed = self.rng.random() < h.killed
                wounded = not killed and self.rng.random() < h.wounded
                harmed.append((pid, killed, wounded))
            self.log("hostile incident", self.name, ", ".join(f"p{pid} " + (
                "killed" if killed else "wounded" if wounded else "unhurt")
                for pid, killed, wounded in harmed) or "nobody struck")
            for pid, killed, wounded in harmed:
                if killed or wounded:
                    self.killed += killed
                    self.wounded += wounded
                    self.casualty(pid, killed)
        self._redraw()

    def report(self, results: Results) -> None:
        results.add("incidents_hostile", self.incidents)
        results.add("killed_hostile", self.killed)
        results.add("killed", self.killed)
        results.add("wounded", self.wounded)
