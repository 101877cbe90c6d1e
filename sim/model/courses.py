"""Training courses: cohorts on a cycle, a queue of eligible candidates, seats.

A person joins a course's queue when they become eligible (grade, service, prerequisites,
not yet holding what it grants) and leaves it when seated, or when they stop being
eligible or leave the force. Every stay in the queue is a wait: those seated, those who
left unseated, and those still waiting at the end (censored at the end), so a queue that
seats few shows long waits instead of hiding them.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Timer
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, HOME, IN_COURSE, People
from sim.model.record import Results
from sim.model.streams import Streams
from sim.scenario.schema import Course as CourseSpec

YEAR = 365.25


class Course:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"training.courses.<course>.{key}" for key in (
            "seats", "days", "every_days", "until", "eligible", "min_service_days", "requires",
            "valid_years"))
    REPORTS: ClassVar[dict[str, float | None]] = {
        "course_wait_days_mean": None, "promoted_to_nco": 0.0, "course_graduates": 0.0}

    def __init__(self, name: str, spec: CourseSpec, clock: Clock, people: People, streams: Streams,
                 log: EventLog, charge: Callable[[str, int], None],
                 vacancies: Callable[[int], int]):
        self.name, self.spec = name, spec
        self.clock, self.people, self.log = clock, people, log
        self.rng = streams.get("courses", name)
        self.charge, self.vacancies = charge, vacancies
        self.arrivals = 0
        self.waits: list[float] = []    # queue time of those seated
        self.reneged: list[float] = []  # queue time of those who left it unseated
        self.length_days = 0.0          # integral of the queue length over time
        self._t = 0.0
        self._length = 0
        self.trained = 0
        self.promoted = 0
        self.cohorts: list[tuple[np.ndarray, float, float]] = []  # (people, start, end)
        self._training = 0  # seated in cohorts not yet finished
        self._timer = Timer(clock, self._cohort)
        self._last: float | None = None  # start of the last cohort
        self.funders: list[Callable[[int], int]] = []  # assistance: seats wanted -> seats paid

    # -- the cycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.refresh()
        self._plan()

    def _plan(self) -> None:
        c, clock = self.spec, self.clock
        if self._last is None:
            t = clock.day(c.first_at) if c.first_at else 0.0
            if t < clock.now:  # the cycle began before: its next cohort is the first run
                t += math.ceil((clock.now - t) / c.every_days) * c.every_days
        else:
            t = max(self._last + c.every_days, clock.now)
        if c.until is not None and t > clock.day(c.until):
            self._timer.cancel()
        else:
            self._timer.set(t)

    def _cohort(self) -> None:
        self._last = self.clock.now
        self.start_cohort()
        self._plan()

    def retune(self, spec: CourseSpec) -> None:
        """Seats, length and eligibility from now on; the cycle continues from the last
        cohort with the new interval."""
        self.spec = spec
        self.refresh()
        self._plan()

    # -- the queue -----------------------------------------------------------------------
    def eligible(self, now: float) -> np.ndarray:
        c, p = self.spec, self.people
        n = p.n
        mask = p.active_in(tuple(sorted(GRADE_INDEX[g] for g in c.eligible)))
        if c.min_service_days > 0:
            mask &= p.joined[:n] <= now - c.min_service_days
        for q in c.requires:
            mask &= p.holds(q, now)
        if c.grants:
            mask &= ~p.holds(c.grants, now)
        if self._training:
            mask &= np.isnan(self._seated_col()[:n])
        return mask

    def _since_col(self) -> np.ndarray:
        return self.people.column(f"queue:{self.name}")  # the store may have grown

    def _seated_col(self) -> np.ndarray:
        return self.people.column(f"seated:{self.name}")

    def _integrate(self, now: float) -> None:
        self.length_days += self._length * (now - self._t)
        self._t = now

    def refresh(self) -> None:
        """Bring the queue up to date: new eligibles join, the no-longer-eligible leave."""
        now = self.clock.now
        self._integrate(now)
        since = self._since_col()[: self.people.n]
        queued = ~np.isnan(since)
        changed = np.flatnonzero(self.eligible(now) != queued)
        if not len(changed):
            return
        was = queued[changed]
        join, leave = changed[~was], changed[was]
        since[join] = now
        self.arrivals += len(join)
        self.reneged.extend((now - since[leave]).tolist())
        since[leave] = np.nan
        self._length += len(join) - len(leave)

    def _room(self) -> int | None:
        """Promotions the grade above has room for (None: not a promotion course)."""
        c = self.spec
        if c.promotes_to is None:
            return None
        in_training = int((~np.isnan(self._seated_col()[: self.people.n])).sum())
        return max(0, self.vacancies(GRADE_INDEX[c.promotes_to]) - in_training)

    def seats_now(self) -> int:
        room = self._room()
        return self.spec.seats if room is None else int(min(self.spec.seats, room))

    def _bought(self, seats: int, ready: int) -> int:
        """Seats assistance pays for beyond the course's own, for those still waiting."""
        room = self._room()
        wanted = min(ready, ready if room is None else room) - seats
        for fund in self.funders:
            if wanted <= 0:
                break
            got = fund(wanted)
            seats, wanted = seats + got, wanted - got
        return seats

    def open_between(self, first: float, last: float, seats: int) -> None:
        """A training team: the course runs its cycle afresh from `first` with `seats`,
        no cohort after `last`."""
        self._last = None
        self.retune(self.spec.model_copy(update={"seats": seats, "first_at": self.clock.date(first),
                                                 "until": self.clock.date(last)}))

    def start_cohort(self) -> None:
        p, now = self.people, self.clock.now
        self.refresh()
        since = self._since_col()[: p.n]
        ready = np.flatnonzero(~np.isnan(since) & (p.state[: p.n] == HOME))
        seats = self.seats_now()
        if self.funders and len(ready) > seats:
            seats = self._bought(seats, len(ready))
        if seats <= 0 or not len(ready):
            return
        ready = ready[self.rng.permutation(len(ready))]
        chosen = ready[np.argsort(since[ready], kind="stable")][:seats]
        self.waits.extend((now - since[chosen]).tolist())
        since[chosen] = np.nan
        self._length -= len(chosen)
        self._seated_col()[chosen] = now
        self._training += len(chosen)
        p.move(chosen, IN_COURSE)
        self.charge(self.name, len(chosen))
        self.log("course started", self.name, f"{len(chosen)} seated of {len(ready)} waiting")
        days = self.spec.days
        self.clock.call_at(now + days, lambda: self._finish(chosen, now))

    def _finish(self, ids: np.ndarray, start: float) -> None:
        p, now = self.people, self.clock.now
        self.cohorts.append((ids, start, now))
        seated = self._seated_col()
        self._training -= int((~np.isnan(seated[ids])).sum())
        seated[ids] = np.nan
        ids = ids[p.state[ids] == IN_COURSE]  # leavers have gone
        p.move(ids, HOME)
        c = self.spec
        if c.grants:
            expiry = now + c.valid_years * YEAR if c.valid_years else np.inf
            p.qual(c.grants)[ids] = expiry
        if c.promotes_to and len(ids):
            p.promote(ids, GRADE_INDEX[c.promotes_to])
            if c.promotes_to == "nco":
                self.promoted += len(ids)
            self.log("promoted", f"{len(ids)} people", f"to {c.promotes_to}: " + " ".join(f"p{i}" for i in ids[:40]))
        self.trained += len(ids)
        self.log("course finished", self.name, f"{len(ids)} trained")

    def forget(self, ids: np.ndarray) -> None:
        """People who left the force leave the queue and any seat."""
        seated = self._seated_col()
        freed = ids[~np.isnan(seated[ids])]
        if len(freed):
            seated[freed] = np.nan
            self._training -= len(freed)
        since = self._since_col()
        gone = ids[~np.isnan(since[ids])]
        if not len(gone):
            return
        now = self.clock.now
        self._integrate(now)
        self.reneged.extend((now - since[gone]).tolist())
        since[gone] = np.nan
        self._length -= len(gone)

    # -- results -------------------------------------------------------------------------
    def queue_length(self) -> float:
        return float(self._length)

    def still_waiting(self) -> np.ndarray:
        """Queue times so far of those still in the queue."""
        since = self._since_col()[: self.people.n]
        return self.clock.now - since[~np.isnan(since)]

    def queue_stats(self) -> dict[str, float]:
        """Records for Little's law over [0, now]: arrivals, the time-integral of the
        queue length, and the queue times of everyone who left the queue."""
        self._integrate(self.clock.now)
        left = self.waits + self.reneged
        return {"arrivals": self.arrivals, "length_days": self.length_days, "horizon": self.clock.now,
                "departures": len(left), "sojourn_days": float(sum(left)),
                "still_queued": len(self.still_waiting())}

    def report(self, results: Results) -> None:
        waiting = self.still_waiting()
        total = sum(self.waits) + sum(self.reneged) + float(waiting.sum())
        count = len(self.waits) + len(self.reneged) + len(waiting)
        results.set(f"course_wait_days_mean.{self.name}", total / count if count else None)
        results.mean("course_wait_days_mean", total, count)
        results.add("promoted_to_nco", self.promoted)
        results.add("course_graduates", self.trained)
