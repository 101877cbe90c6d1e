"""One replication, wired in one place: who is built from what, who tells whom, which
component owns which timeline paths, which series are recorded.

Components know only what they are handed (the clock, their random streams, the event
log, the people store, a peer or a callback); nothing reaches through a hub. To add a
component, see docs/ARCHITECTURE.md ("Adding a component").
"""
from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from functools import partial
from typing import ClassVar

from sim.core.results import UnfilledPosts
from sim.model.acceptance import NcoAcceptance
from sim.model.assistance import Assistance, Ports
from sim.model.budget import PersonnelBudget
from sim.model.clock import Clock
from sim.model.courses import Course, Queues
from sim.model.equipment import Equipment
from sim.model.establishment import Establishment
from sim.model.exercises import Exercises
from sim.model.force import HomeForce
from sim.model.harmony import Harmony
from sim.model.interoperability import PARTS, Interoperability
from sim.model.ledger import Ledger
from sim.model.log import EventLog, Row
from sim.model.people import DEPLOYED, GRADE_NAMES, People
from sim.model.record import Recorder, Results, Value
from sim.model.rotation import RotationSchedule, TourObserver
from sim.model.streams import Streams
from sim.model.tempo import Willingness
from sim.model.theatre.fleet import Fleet
from sim.model.theatre.ordnance import Ordnance
from sim.model.theatre.security import Security
from sim.model.theatre.tasks import Tasks
from sim.model.theatre.theatre import Theatre
from sim.model.theatre.tips import TipBook
from sim.model.theatre.water import Water
from sim.model.theatre.work import Work
from sim.model.timeline import ChangeBus
from sim.model.tours import FirstTour, Tours
from sim.scenario.schema import Scenario
from sim.scenario.timeline import dated_states, initial_scenario

# Components that report metrics (those that accept timeline changes: sim.model.retunable).
REPORTERS = (HomeForce, PersonnelBudget, Ledger, Course, Interoperability, RotationSchedule, Tours,
             FirstTour, Ordnance, TipBook, Work, Fleet, Water, Exercises, Assistance, Security, Tasks,
             Harmony)


def month_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from `start` (inclusive) to `end` (inclusive)."""
    dates, y, m = [start], start.year, start.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        d = dt.date(y, m, 1)
        if d > end:
            break
        dates.append(d)
    if dates[-1] != end:
        dates.append(end)
    return dates


class Replication:
    REPORTS: ClassVar[dict[str, Value]] = {"cost_per_item_usd": None}

    def __init__(self, scenario: Scenario, seed: int, index: int, trace: bool = False,
                 audit: bool = False):
        """`audit` keeps a record of every clearance (time, items, rotation) for tests."""
        self.source = scenario
        sc = self.scenario = initial_scenario(scenario)
        clock = self.clock = Clock(sc.start)
        log = self.log = EventLog(clock, trace)
        streams = Streams(seed, index)
        # room for twice the largest establishment: the store seldom has to grow
        posts = max([sc.force.initial.total, *(sum(s.establishment.model_dump().values()) for s in sc.growth)])
        people = self.people = People(lambda: clock.env._now, max(64, 2 * posts))
        ledger = self.ledger = Ledger(sc.costs, clock, people, log)
        self.establishment = Establishment(sc.force.establishment, sc.growth, sc.restructure, clock.day)
        growth_days = [clock.day(s.at) for s in sc.growth]
        self.budget = None if sc.force.budget is None else PersonnelBudget(
            sc.force.budget, clock, ledger.personnel_usd, ledger.personnel_usd_per_day)
        force = self.force = HomeForce(sc.force, self.establishment, clock, people, streams, log,
                                       max(growth_days, default=0.0), min(growth_days, default=None),
                                       self.budget, ledger.home_rate)
        self.equipment = Equipment(sc.equipment, clock, log)
        self.exercises = Exercises(sc.exercises, clock, people, streams, log)
        self.interoperability = Interoperability(sc.interoperability, clock, people,
                                                 self.equipment.share, self.exercises.share)
        # A course run by an assistance training team has no seats until a team is paid for.
        team_run = {t.course for p in sc.assistance.values() for t in p.teams}
        queues = Queues(people, clock)  # all courses' queues, brought up to date together
        self.courses = {name: Course(name, spec.model_copy(update={"seats": 0}) if name in team_run else spec,
                                     clock, people, streams, log, ledger.charge_course, force.vacancies,
                                     queues)
                        for name, spec in sc.training.courses.items()}
        force.on_leave.append(queues.forget)
        force.after_step.append(queues.refresh_all)
        self.tours = Tours(clock, people)
        self.harmony = Harmony(sc.harmony, clock, people)
        self.first_tour: FirstTour | None = None
        self.theatres: dict[str, Theatre] = {}
        self.schedules: dict[str, RotationSchedule] = {}
        for d in sc.deployments:
            theatre = Theatre(d.name, d.theatre, clock, people, streams, log)
            if audit:
                theatre.work.credits = []
            ledger.add_fleet(theatre.fleet.days)
            observers: list[TourObserver] = [self.tours, self.harmony]
            if self.first_tour is None:
                self.first_tour = FirstTour(clock, people, theatre.items_cleared,
                                            ledger.deployed_rate_integral,
                                            partial(ledger.fleet_usd, theatre.fleet.days))
                observers.append(self.first_tour)
            schedule = RotationSchedule(d, clock, people, streams, log, theatre, force, observers,
                                        Willingness(people, theatre.security_now, sc.force.medically_non_deployable,
                                                    streams.get("medical", d.name)))
            theatre.on_casualty(schedule.casualty)
            self.theatres[d.name], self.schedules[d.name] = theatre, schedule
        self.acceptance = NcoAcceptance(
            sc.acceptance, clock, people,
            tuple(sorted({c.grants for c in sc.training.courses.values() if c.abroad and c.grants})))
        for theatre in self.theatres.values():
            theatre.approvals.acceptance = self.acceptance.value
        self.assistance = self._assist(sc)
        self.bus = self._subscribe(ChangeBus(clock, log))
        self.recorder = self._track(Recorder())
        self.warnings: list[str] = []

    # -- wiring ------------------------------------------------------------------------
    def _assist(self, sc: Scenario) -> Assistance:
        courses, theatres, equipment = self.courses, self.theatres, self.equipment
        seats = {name: spec.seats for name, spec in sc.training.courses.items()}
        ports = Ports(
            open_course=lambda name, first, last: courses[name].open_between(first, last, seats[name]),
            add_vehicles=lambda name, n: theatres[name].fleet.deliver(n),
            equipment_missing=equipment.missing, order_equipment=equipment.order)
        assistance = Assistance(sc.assistance, self.clock, self.log, ports)
        for name, programme in sc.assistance.items():
            for buy in programme.seats:
                courses[buy.course].funders.append(assistance.seat_funder(name, buy))
            for ex in programme.exercises:
                self.exercises.funders[ex.exercise].append(
                    assistance.participant_funder(name, ex.usd_per_participant))
        return assistance

    def _subscribe(self, bus: ChangeBus) -> ChangeBus:
        force, ledger, interop = self.force, self.ledger, self.interoperability

        def courses(name: str) -> Callable[[Scenario], None]:
            return lambda s: self.courses[name].retune(s.training.courses[name])

        def rotations(name: str) -> Callable[[Scenario], None]:
            return lambda s: self.schedules[name].retune(s.deployment(name))

        def theatre(name: str) -> Callable[[Scenario], None]:
            return lambda s: self.theatres[name].retune(s.deployment(name).theatre)

        bus.subscribe("force", HomeForce.TIMELINE, lambda s: force.retune(s.force, s.restructure))
        bus.subscribe("costs", Ledger.TIMELINE, lambda s: ledger.retune(s.costs))
        budget = self.budget
        if budget is not None:
            bus.subscribe("budget", PersonnelBudget.TIMELINE,
                          lambda s: budget.retune(s.force.budget) if s.force.budget else None)
        bus.subscribe("interoperability", Interoperability.TIMELINE,
                      lambda s: interop.retune(s.interoperability))
        for name in self.courses:
            bus.subscribe(f"course {name}", Course.TIMELINE, courses(name), course=name)
        for name in self.assistance.wallets:
            bus.subscribe(f"assistance {name}", Assistance.TIMELINE,
                          partial(lambda n, s: self.assistance.retune(n, s.assistance[n]), name),
                          programme=name)
        for name in self.schedules:
            bus.subscribe(f"rotations {name}", RotationSchedule.TIMELINE, rotations(name), name=name)
            bus.subscribe(f"theatre {name}", Theatre.TIMELINE, theatre(name), name=name)
        return bus

    def _track(self, rec: Recorder) -> Recorder:
        p, est, clock = self.people, self.establishment, self.clock

        def census() -> list[Value]:
            strength = p.strength().tolist()
            total = sum(strength)
            low, high = p.deployed_range()
            posts = est.at(clock.now).tolist()
            filled = sum(posts)
            return [*map(float, strength), strength[0] / total if total else None,
                    float(sum(p.counts[DEPLOYED].tolist())), float(low), float(high),
                    *posts, total / filled if filled else None]
        rec.track_group([*(f"strength.{g}" for g in GRADE_NAMES), "officer_share", "deployed",
                         "deployed.min", "deployed.max", *(f"establishment.{g}" for g in GRADE_NAMES),
                         "establishment_fill"], census)
        rec.track("budget_used_share", self.budget.used_share if self.budget else lambda: None)
        rec.track("required", lambda: 0.0)
        rec.track("items_cleared_cum", lambda: 0.0)
        rec.track("ordnance_remaining", lambda: 0.0)
        rec.track("trust", lambda: None, combine="mean")
        rec.track("security", lambda: None, combine="mean")
        for name, schedule in self.schedules.items():
            theatre = self.theatres[name]
            rec.track("required", schedule.required_now)
            rec.track("items_cleared_cum", theatre.items_cleared)
            rec.track("ordnance_remaining", theatre.ordnance_remaining)
            rec.track("trust", theatre.trust_now, combine="mean")
            rec.track("security", theatre.security_now, combine="mean")
        interop = self.interoperability
        rec.track_group(["interoperability", *(f"interoperability.{part}" for part in PARTS)],
                        interop.values)
        rec.track("nco_acceptance", self.acceptance.value)
        rec.track("assistance_spent_cum_usd", self.assistance.spent)
        rec.track("cost_cum_usd", self.ledger.total)
        for name, course in self.courses.items():
            rec.track(f"course_queue.{name}", course.queue_length)
        return rec

    # -- run ---------------------------------------------------------------------------
    def run(self, reads: Sequence[dt.date] = ()) -> None:
        """Run to the end. At each date of `reads` (inside the run) the metrics are read
        as a run ended that day would report them (`readings`, by ISO date): counts to
        the date, states on it, ratios and means over the window to it; the reading
        changes nothing, so the run goes on exactly as without it.

        Python's cyclic garbage collector is paused meanwhile: the run makes little
        cyclic garbage (it is freed with the replication), and a collection in the
        middle of it would walk every long-lived object of the process (the scenario,
        the modules) for nothing, about 5% of a run."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._run(reads)
        finally:
            if collecting:
                gc.enable()

    def _run(self, reads: Sequence[dt.date]) -> None:
        sc, clock, env = self.scenario, self.clock, self.clock.env
        self.force.build_initial()
        self.force.start()
        self.assistance.start(self.interoperability.index())  # money of day 0 before its cohorts
        for course in self.courses.values():
            course.start()
        # at the same instant, call-ups select in priority order (a stable sort: as listed)
        for schedule in sorted(self.schedules.values(), key=lambda s: s.spec.priority):
            schedule.start()
        self.exercises.start()
        self.acceptance.start()
        self.bus.schedule(dated_states(self.source))
        self.dates = month_dates(sc.start, sc.end)
        # A series value at a date is the state at the start of that day; a reading by a
        # date, like the end, comes after what happens at the day's start (the 1e-9).
        stops = sorted([(clock.day(d), "sample", d) for d in self.dates]
                       + [(clock.day(d) + 1e-9, "read", d) for d in set(reads) if sc.start <= d <= sc.end])
        self.readings: dict[str, dict[str, Value]] = {}
        for at, what, date in stops:
            if at > env.now:
                clock.run(at)
            if what == "sample":
                self.recorder.sample()
            else:
                self.readings[date.isoformat()] = self._report([])[0]
        if sc.horizon_days + 1e-9 > env.now:
            clock.run(sc.horizon_days + 1e-9)  # what happens on the last day itself
        for theatre in self.theatres.values():
            theatre.close()

    @property
    def events(self) -> int:
        return next(self.clock.env._eid)  # events scheduled so far (SimPy's counter)

    @property
    def trace(self) -> list[Row] | None:
        return self.log.rows

    def results(self) -> tuple[dict[str, Value], list[UnfilledPosts]]:
        """Metrics, and the contingent shortfalls."""
        return self._report(self.warnings)

    def _report(self, warnings: list[str]) -> tuple[dict[str, Value], list[UnfilledPosts]]:
        results, unfilled = Results(), []  # type: tuple[Results, list[UnfilledPosts]]
        for kind in (*REPORTERS, Replication):
            results.declare(kind.REPORTS)
        self.force.report(results, warnings)
        if self.budget is not None:
            self.budget.report(results)
        self.ledger.report(results)
        self.interoperability.report(results)
        self.exercises.report(results)
        self.assistance.report(results, self.interoperability.index())
        for course in self.courses.values():
            course.report(results)
        self.tours.report(results)
        self.harmony.report(results)
        if self.first_tour is not None:
            self.first_tour.report(results)
        for name, schedule in self.schedules.items():
            schedule.report(results, unfilled)
            self.theatres[name].report(results)
        items, total = results.get("items_cleared"), results.get("cost_total_usd")
        results.set("cost_per_item_usd", total / items if items and total is not None else None)
        return results.metrics(), unfilled
