"""Training courses: cohorts on a cycle, a queue of eligible candidates, seats.

A person joins a course's queue when they become eligible (grade, service, prerequisites,
not yet holding what it grants) and leaves it when seated, or when they stop being
eligible or leave the force. Waits and the queue length are recorded for Little's law.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.force import YEAR
from sim.model.people import GRADE_INDEX, HOME, IN_COURSE

if TYPE_CHECKING:
    from sim.model.world import World
    from sim.scenario.schema import Course


class CourseRunner:
    def __init__(self, world: World, name: str):
        self.w, self.name = world, name
        self.arrivals = 0
        self.reneged: list[float] = []  # queue time of those who left it unseated
        self.length_days = 0.0    # integral of the queue length over time
        self._t = 0.0
        self._length = 0
        self.waits: list[float] = []  # of those seated
        self.trained = 0
        self.cohorts: list[tuple[np.ndarray, float, float]] = []  # (people, start, end)

    @property
    def spec(self) -> Course:
        return self.w.sc.training.courses[self.name]

    def _since(self) -> np.ndarray:
        return self.w.people.column(f"queue:{self.name}")

    def _in_course(self) -> np.ndarray:
        return self.w.people.column(f"seated:{self.name}")

    def eligible(self, now: float) -> np.ndarray:
        c, p = self.spec, self.w.people
        n = p.n
        grades = [GRADE_INDEX[g] for g in c.eligible]
        mask = p.active & p.grade_in(grades)
        mask &= now - p.joined[:n] >= c.min_service_days
        mask &= p.holds_all(c.requires, now)
        if c.grants:
            mask &= ~p.holds(c.grants, now)
        mask &= np.isnan(self._in_course()[:n])
        return mask

    def _integrate(self, now: float) -> None:
        self.length_days += self._length * (now - self._t)
        self._t = now

    def refresh(self) -> None:
        """Bring the queue up to date: new eligibles join, the no-longer-eligible leave."""
        now = self.w.env.now
        self._integrate(now)
        since = self._since()[: self.w.people.n]
        queued = ~np.isnan(since)
        ok = self.eligible(now)
        join = ok & ~queued
        leave = queued & ~ok
        since[join] = now
        self.arrivals += int(join.sum())
        self.reneged.extend((now - since[leave]).tolist())
        since[leave] = np.nan
        self._length = int((~np.isnan(since)).sum())

    def process(self):
        env, sc = self.w.env, self.w.sc
        c = self.spec
        t = sc.day(c.first_at) if c.first_at else 0.0
        if t < 0:  # the cycle began before the scenario: its next cohort is the first run
            t += math.ceil(-t / c.every_days) * c.every_days
        while t < sc.horizon_days:
            if c.until is not None and t > sc.day(c.until):
                return
            yield env.timeout(t - env.now)
            self.start_cohort()
            c = self.spec  # the timeline may have changed seats or cycle
            t += c.every_days

    def seats_now(self) -> int:
        c = self.spec
        if c.promotes_to is None:
            return c.seats
        g = GRADE_INDEX[c.promotes_to]
        p = self.w.people
        vacancies = self.w.force.establishment(self.w.env.now)[g] - p.strength()[g]
        in_training = int((~np.isnan(self._in_course()[: p.n])).sum())
        return int(max(0, min(c.seats, vacancies - in_training)))

    def start_cohort(self) -> None:
        w, p, now = self.w, self.w.people, self.w.env.now
        w.before_change()
        self.refresh()
        since = self._since()[: p.n]
        ready = np.flatnonzero(~np.isnan(since) & (p.state[: p.n] == HOME))
        seats = self.seats_now()
        if seats <= 0 or not len(ready):
            return
        rng = w.streams.get("courses", self.name)
        ready = ready[rng.permutation(len(ready))]
        chosen = ready[np.argsort(since[ready], kind="stable")][:seats]
        self.waits.extend((now - since[chosen]).tolist())
        since[chosen] = np.nan
        self._length -= len(chosen)
        self._in_course()[chosen] = now
        p.state[chosen] = IN_COURSE
        w.ledger.charge_course(self.name, len(chosen))
        w.log("course started", self.name, f"{len(chosen)} seated of {len(ready)} waiting")
        w.env.process(self._finish(chosen, self.spec.days))

    def _finish(self, ids: np.ndarray, days: float):
        start = self.w.env.now
        yield self.w.env.timeout(days)
        w, p, now = self.w, self.w.people, self.w.env.now
        w.before_change()
        self.cohorts.append((ids, start, now))
        self._in_course()[ids] = np.nan
        ids = ids[p.state[ids] == IN_COURSE]
        p.state[ids] = HOME
        c = self.spec
        if c.grants:
            expiry = now + c.valid_years * YEAR if c.valid_years else np.inf
            p.qual(c.grants)[ids] = expiry
        if c.promotes_to and len(ids):
            w.promote(ids, GRADE_INDEX[c.promotes_to])
            w.log("promoted", f"{len(ids)} people", f"to {c.promotes_to}: " + " ".join(f"p{i}" for i in ids[:40]))
        self.trained += len(ids)
        w.log("course finished", self.name, f"{len(ids)} trained")

    def forget(self, ids: np.ndarray) -> None:
        """People who left the force leave the queue and any seat."""
        now = self.w.env.now
        self._integrate(now)
        since = self._since()
        gone = ids[~np.isnan(since[ids])]
        self.reneged.extend((now - since[gone]).tolist())
        since[gone] = np.nan
        self._length -= len(gone)
        self._in_course()[ids] = np.nan

    def queue_stats(self) -> dict[str, float]:
        """Records for Little's law over [0, now]: arrivals, the time-integral of the
        queue length, and the queue times of everyone who left the queue."""
        now = self.w.env.now
        self._integrate(now)
        since = self._since()[: self.w.people.n]
        left = self.waits + self.reneged
        return {"arrivals": self.arrivals, "length_days": self.length_days, "horizon": now,
                "departures": len(left), "sojourn_days": float(sum(left)),
                "still_queued": int((~np.isnan(since)).sum())}
