"""Training courses: cohorts on a cycle, a queue of eligible candidates, seats.

A person joins a course's queue when they become eligible (grade, service, prerequisites,
not yet holding what it grants) and leaves it when seated, or when they stop being
eligible or leave the force. Every stay in the queue is a wait: those seated, those who
left unseated, and those still waiting at the end (censored at the end), so a queue that
seats few shows long waits instead of hiding them.

The queues are brought up to date after each step of the home force (all courses at
once, `Queues`) and before each cohort. Only people whose eligibility may have changed
since the last time are looked at: those in the people store's journal (joined, changed
state, promoted, granted a qualification), those whose service passed a minimum and
those whose qualification expired meanwhile. The courses' queue
entries and seats are two tables of the people store, a column a course, so that one
look serves every course. `Course.check` makes every update also compare with a look
at everyone (tests).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Timer
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, HOME, IN_COURSE, SEPARATED, People, unique
from sim.model.record import Results
from sim.model.streams import Streams
from sim.scenario.schema import Course as CourseSpec

YEAR = 365.25
QUEUE, SEATED = "course queue", "course seats"  # the people store's tables


@dataclass(frozen=True)
class _Rules:
    """The eligibility rules of several courses, as arrays (a column a course)."""
    grades: np.ndarray               # (grade, course): the grade may take the course
    served: np.ndarray | None        # minimum service days (-inf: none); None: no course asks
    quals: list[str]                 # the qualifications the courses require or grant
    requires: list[tuple[int, int]]  # (index in `quals`, course): required
    grants: np.ndarray | None        # the index in `quals` each course grants (len(quals): none)


class Queues:
    """The queues and seats of all courses: in the people store's tables, a column a
    course, the day each person joined its queue (nan: not queued) and the day each was
    seated in a cohort under way (nan: not seated). Updating the queues and forgetting
    leavers is done for several courses in one pass over the few people concerned."""

    def __init__(self, people: People, clock: Clock):
        self.people, self.clock = people, clock
        self.courses: list[Course] = []
        self.version = 0  # of the courses' rules
        self._every = np.arange(0)
        self._cache: dict[tuple[int, ...], _Rules] = {}

    def enrol(self, course: Course) -> int:
        """A course's column."""
        self.courses.append(course)
        width = len(self.courses)
        self._every = np.arange(width)  # every course's column
        self.people.table(QUEUE, width)
        self.people.table(SEATED, width)
        return width - 1

    def refresh_all(self) -> None:
        self.refresh(self.courses)

    def refresh(self, courses: Sequence[Course]) -> None:
        """Bring the queues of `courses` up to date: new eligibles join, the
        no-longer-eligible leave."""
        p, now = self.people, self.clock.now
        looked: Sequence[Course] = [c for c in courses if c._looked is not None]
        if len(looked) == len(courses):
            looked = courses  # (all courses: their columns in order)
        for c in courses:
            c._integrate(now)
            if c._looked is None:
                c._look_at_everyone(now)
        if looked:
            self._update(looked, self._to_look_at(looked), now)
        mark = p.look()
        for c in courses:
            c._looked = mark
            if Course.check:
                since = c._since_col()[: p.n]
                assert np.array_equal(c.eligible(now), since == since), f"course {c.name}: queue out of date"

    @staticmethod
    def _to_look_at(courses: Sequence[Course]) -> np.ndarray:
        """Who may have become eligible for one of `courses` or stopped being since their
        last update (a superset does no harm: the rest stays as it is)."""
        p = courses[0].people
        parts = [p.changed_since(min(c._looked[1] for c in courses if c._looked is not None))]
        for c in courses:
            assert c._looked is not None
            served = c.spec.min_service_days
            if served > 0 or not p.expiring.isdisjoint(c._quals):  # rules that look at dates
                parts += p.crossed(c._looked[0], c._quals, served)
        return parts[0] if len(parts) == 1 else unique(np.concatenate(parts))

    def _update(self, courses: Sequence[Course], ids: np.ndarray, now: float) -> None:
        """Courses' queues where eligibility and membership differ among `ids`."""
        if not len(ids):
            return
        p = self.people
        cols = self._every if courses is self.courses else np.array([c.column for c in courses])
        since = p.tables[QUEUE]
        at = self._cells(since, ids, cols)
        queued = at == at
        differ = self._eligible(courses, cols, ids, now)
        np.not_equal(differ, queued, out=differ)
        if not np.count_nonzero(differ):
            return
        course, row = differ.T.nonzero()  # by course, then by id as a look at everyone would
        was = queued[row, course]
        rows, columns = ids[row], cols[course]
        joins, leaves = ~was, was
        since[rows[joins], columns[joins]] = now
        waits = (now - since[rows[leaves], columns[leaves]]).tolist()
        since[rows[leaves], columns[leaves]] = np.nan
        joined = np.bincount(course[joins], minlength=len(courses)).tolist()
        left = np.bincount(course[leaves], minlength=len(courses)).tolist()
        first = 0
        for c, j, k in zip(courses, joined, left):
            c.arrivals += j
            c._length += j - k
            if k:
                c.reneged.extend(waits[first: first + k])
                first += k

    def _eligible(self, courses: Sequence[Course], cols: np.ndarray, ids: np.ndarray,
                  now: float) -> np.ndarray:
        """`Course.eligible` of each of `courses` (a column each) for `ids` (a row each)."""
        p, rules = self.people, self._rules(courses)
        eligible = rules.grades[p.grade[ids]]
        eligible &= (p.state[ids] < SEPARATED)[:, None]  # in strength
        if rules.served is not None:
            eligible &= p.joined[ids][:, None] <= now - rules.served
        if rules.quals:
            held = np.zeros((len(rules.quals) + 1, len(ids)), bool)  # a row a qualification; the last: none
            for k, q in enumerate(rules.quals):
                arr = p.quals.get(q)
                if arr is not None:
                    np.greater(arr[ids], now, out=held[k])
            for k, j in rules.requires:  # lacks one it requires
                eligible[:, j] &= held[k]
            if rules.grants is not None:  # holds what it grants
                np.greater(eligible, held[rules.grants].T, out=eligible)  # a > b: a and not b
        seated = self._cells(p.tables[SEATED], ids, cols)
        eligible &= seated != seated  # nan: not seated
        return eligible

    def _cells(self, table: np.ndarray, ids: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """`table`'s rows `ids`, columns `cols`."""
        if cols is self._every:
            return table[ids, : len(cols)]
        if len(cols) == 1:
            return table[ids, cols[0]][:, None]
        return table[ids[:, None], cols]

    def _rules(self, courses: Sequence[Course]) -> _Rules:
        """What the courses' eligibility asks, as arrays (worked out again only when a
        course's rules change)."""
        key = (self.version, *(c.column for c in courses))
        rules = self._cache.get(key)
        if rules is None:
            grades = np.array([[g in c._grades for c in courses] for g in range(len(GRADE_INDEX))])
            served = [c.spec.min_service_days for c in courses]
            quals = sorted({q for c in courses for q in (*c.spec.requires, *([c.spec.grants] if c.spec.grants else []))})
            requires = [(quals.index(q), j) for j, c in enumerate(courses) for q in c.spec.requires]
            grants = [quals.index(c.spec.grants) if c.spec.grants else len(quals) for c in courses]
            rules = _Rules(grades,
                           np.array([s if s > 0 else -np.inf for s in served]) if any(s > 0 for s in served) else None,
                           quals, requires,
                           np.array(grants) if any(c.spec.grants for c in courses) else None)
            self._cache[key] = rules
        return rules

    def forget(self, ids: np.ndarray) -> None:
        """People who left the force leave every queue and any seat."""
        p, courses = self.people, self.courses
        if not len(ids) or not courses:
            return
        if any(c._training for c in courses):  # seated in cohorts under way
            table = p.tables[SEATED]
            at = table[ids, : len(courses)]
            held = at == at
            if np.count_nonzero(held):
                row, course = held.nonzero()
                table[ids[row], course] = np.nan
                for c, k in zip(courses, np.bincount(course, minlength=len(courses)).tolist()):
                    c._training -= k
        table = p.tables[QUEUE]
        at = table[ids, : len(courses)]
        held = at == at
        if not np.count_nonzero(held):
            return
        now = self.clock.now
        course, row = held.T.nonzero()  # by course, then in the order of `ids`
        waits = (now - at[row, course]).tolist()
        table[ids[row], course] = np.nan
        first = 0
        for c, k in zip(courses, np.bincount(course, minlength=len(courses)).tolist()):
            if k:
                c._integrate(now)
                c.reneged.extend(waits[first: first + k])
                c._length -= k
                first += k


class Course:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"training.courses.<course>.{key}" for key in (
            "seats", "days", "every_days", "until", "eligible", "min_service_days", "requires",
            "valid_years"))
    REPORTS: ClassVar[dict[str, float | None]] = {
        "course_wait_days_mean": None, "promoted_to_nco": 0.0, "course_graduates": 0.0}
    check: ClassVar[bool] = False  # tests: every update of the queue checked against everyone

    def __init__(self, name: str, spec: CourseSpec, clock: Clock, people: People, streams: Streams,
                 log: EventLog, charge: Callable[[str, int], None],
                 vacancies: Callable[[int], int], queues: Queues | None = None):
        """`queues`: the courses' shared queues (one of its own if None)."""
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
        self.queues = queues if queues is not None else Queues(people, clock)
        self.column = self.queues.enrol(self)  # of the queue and seat tables
        self._set_rules(spec)
        # where the last update of the queue left off (People.look; None: everyone to look at)
        self._looked: tuple[float, int] | None = None

    def _set_rules(self, spec: CourseSpec) -> None:
        self._grades = tuple(sorted({GRADE_INDEX[g] for g in spec.eligible}))
        self._quals = (*spec.requires, *([spec.grants] if spec.grants else []))  # that it looks at

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
        self._set_rules(spec)
        self.queues.version += 1
        self._looked = None  # new rules: look at everyone
        self.refresh()
        self._plan()

    # -- the queue -----------------------------------------------------------------------
    def eligible(self, now: float) -> np.ndarray:
        """Who may join the queue now (a fresh mask over the first `n` rows). For masks,
        `a > b` is `a and not b`."""
        c, p = self.spec, self.people
        n = p.n
        mask = p.active_in(self._grades)
        if c.min_service_days > 0:
            mask &= p.joined[:n] <= now - c.min_service_days
        for q in c.requires:
            mask &= p.holds(q, now)
        if c.grants:
            np.greater(mask, p.holds(c.grants, now), out=mask)
        if self._training:
            seated = self._seated_col()[:n]
            np.greater(mask, seated == seated, out=mask)  # nan != nan: not seated
        return mask

    def _since_col(self) -> np.ndarray:
        return self.people.tables[QUEUE][:, self.column]

    def _seated_col(self) -> np.ndarray:
        return self.people.tables[SEATED][:, self.column]

    def _integrate(self, now: float) -> None:
        self.length_days += self._length * (now - self._t)
        self._t = now

    def refresh(self) -> None:
        """Bring the queue up to date: new eligibles join, the no-longer-eligible leave."""
        self.queues.refresh([self])

    def _look_at_everyone(self, now: float) -> None:
        """`refresh` by a look at everyone (the first time, or under new rules)."""
        since = self._since_col()[: self.people.n]
        queued = since == since  # nan != nan: not queued
        changed = self.eligible(now)
        np.not_equal(changed, queued, out=changed)
        changed = changed.nonzero()[0]
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
        return max(0, self.vacancies(GRADE_INDEX[c.promotes_to]) - self._training)

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
        queued = (since == since).nonzero()[0]
        ready = queued[p.state[queued] == HOME]
        seats = self.seats_now()
        if self.funders and len(ready) > seats:
            seats = self._bought(seats, len(ready))
        if seats <= 0 or not len(ready):
            return
        ready = ready[self.rng.permutation(len(ready))]
        entered = since[ready]
        if seats < len(ready):  # the sort needs only those who queued no later than the last seated
            earliest = (entered <= np.partition(entered, seats - 1)[seats - 1]).nonzero()[0]
            ready, entered = ready[earliest], entered[earliest]
        chosen = ready[np.argsort(entered, kind="stable")][:seats]
        self.waits.extend((now - since[chosen]).tolist())
        since[chosen] = np.nan
        self._length -= len(chosen)
        self._seated_col()[chosen] = now
        self._training += len(chosen)
        p.move(chosen, IN_COURSE)
        self.charge(self.name, len(chosen))
        if self.log.enabled:
            self.log("course started", self.name, f"{len(chosen)} seated of {len(ready)} waiting")
        days = self.spec.days
        self.clock.call_at(now + days, lambda: self._finish(chosen, now))

    def _finish(self, ids: np.ndarray, start: float) -> None:
        p, now = self.people, self.clock.now
        self.cohorts.append((ids, start, now))
        seated = self._seated_col()
        self._training -= int(np.count_nonzero(~np.isnan(seated[ids])))
        seated[ids] = np.nan  # those still in the course go home: in the people journal
        ids = ids[p.state[ids] == IN_COURSE]  # leavers have gone
        p.move(ids, HOME)
        c = self.spec
        if c.grants:
            expiry = now + c.valid_years * YEAR if c.valid_years else np.inf
            p.grant(c.grants, ids, expiry)
        if c.promotes_to and len(ids):
            p.promote(ids, GRADE_INDEX[c.promotes_to])
            if c.promotes_to == "nco":
                self.promoted += len(ids)
            if self.log.enabled:
                self.log("promoted", f"{len(ids)} people",
                         f"to {c.promotes_to}: " + " ".join(f"p{i}" for i in ids[:40]))
        self.trained += len(ids)
        if self.log.enabled:
            self.log("course finished", self.name, f"{len(ids)} trained")

    def forget(self, ids: np.ndarray) -> None:
        """People who left the force leave the queue and any seat (with every other
        course's: the queues are shared)."""
        self.queues.forget(ids)

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
