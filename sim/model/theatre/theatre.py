"""One deployment's theatre: the contingents that come and go, and the parts they drive
(teams at work, tips and approvals, trust, the fleet, water, the ordnance stock).

The newest contingent in theatre does the work; the one it relieves stays until it
leaves (the overlap softens the handover's loss of trust) but no longer works. Nothing
happens here while no contingent is present: no tips, no trust growth, no fleet in
service, no cost. Local people tell only a contingent they can talk to: no tip is
received while the contingent in theatre has nobody in the interpreter role.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import ClassVar

from sim.model.clock import Clock
from sim.model.contingent import Contingent
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, People
from sim.model.record import Results
from sim.model.streams import Streams
from sim.model.theatre.approvals import Approvals
from sim.model.theatre.fleet import Fleet
from sim.model.theatre.incidents import Incidents
from sim.model.theatre.ordnance import Ordnance
from sim.model.theatre.security import Security
from sim.model.theatre.tasks import Tasks
from sim.model.theatre.tips import Tip, TipBook, TipSource
from sim.model.theatre.trust import Trust
from sim.model.theatre.water import Water
from sim.model.theatre.work import ROUTINE_KEYS, Work
from sim.scenario.schema import Theatre as TheatreSpec

PARTS = (Work, Approvals, TipSource, Trust, Fleet, Water, Incidents, Security, Tasks)


class Theatre:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"deployments.<name>.theatre.{key}" for part in PARTS for key in part.TIMELINE)

    def __init__(self, name: str, spec: TheatreSpec, clock: Clock, people: People,
                 streams: Streams, log: EventLog):
        self.name, self.spec, self.clock, self.people, self.log = name, spec, clock, people, log
        rng = {k: streams.get(k, name) for k in ("tips", "caches", "approvals", "vehicles",
                                                   "incidents", "routine", "casualties")}
        self.ordnance = Ordnance(spec.ordnance_stock)
        self.trust = Trust(spec.trust, clock)
        self.book = TipBook(clock, self.ordnance, log, name)
        self.fleet = Fleet(spec.vehicles, clock, rng["vehicles"])
        self.water = Water(spec.water, clock)
        self.incidents = Incidents(spec, people, rng["incidents"], rng["casualties"])
        self.work = Work(spec, clock, people, self.fleet, self.ordnance, self.book, self.incidents,
                         self.trust.incident, log, name, rng["routine"])
        self.approvals = Approvals(spec, clock, self.book, self.work.ready_tip, rng["approvals"])
        self.tips = TipSource(spec.tips, spec.cache_items, clock, self.ordnance, self.trust.value,
                              self.book, self._route, rng["tips"], rng["caches"])
        self.closed = False                      # the books closed at the end
        self.current: Contingent | None = None   # the newest contingent in theatre
        self.present: list[Contingent] = []      # every contingent in theatre
        # theatre over time: security and other tasks (neutral unless the scenario sets them)
        self.tasks = Tasks(spec.tasks, clock)
        if spec.tasks:
            self.work.on_available = self.tasks.teams
        self.security = Security(spec.security, clock, log, name, streams.get("security", name),
                                 streams.get("hostile", name), self._everyone, self._security_changed)
        self._security_changed()

    def _everyone(self) -> list[int]:
        return sorted(p for c in self.present for p in c.present)

    def _security_changed(self) -> None:
        """The security level or its effects changed: the teams' pace, the tip rate and
        the tasks' role time follow."""
        self.work.set_pace(self.security.workday_factor(), self.tasks.team_share)
        self.tips.set_factor(self.security.tip_factor())
        self._recount_tasks()

    def _recount_tasks(self) -> None:
        roles = self.tasks.roles
        if roles:
            c = self.current
            here = c is not None and bool(c.present)
            per_day = self.spec.workdays_per_week / 7.0 * self.security.workday_factor()
            self.tasks.people({r: c.count_role(r) if here and c is not None else 0 for r in roles}, per_day)

    def on_casualty(self, fn: Callable[[int, bool], None]) -> None:
        """Who to tell of a team member killed or wounded (pid, killed): the rotation."""
        self.work.casualty = fn
        self.security.casualty = fn

    def _route(self, tip: Tip) -> None:
        if self.approvals.needs_approval(tip):
            self.approvals.submit(tip)
        else:
            self.work.ready_tip(tip)

    # -- contingents ---------------------------------------------------------------------
    def arrive(self, c: Contingent) -> None:
        old = self.current
        if old is not None:
            overlap = max(0.0, old.depart - self.clock.now) if old.present else 0.0
            kept = self.trust.handover(overlap)
            self.log("handover", self.name, f"rotation {c.rotation}, trust x{kept:.2f}")
        self.current = c
        self.present.append(c)
        self._serve()
        self.work.staff(c)
        self._recount()

    def depart(self, c: Contingent) -> None:
        if c in self.present:
            self.present.remove(c)
        if self.current is c:
            self.current = None
            self.work.staff(None)
        self._recount()
        self._serve()

    def member_lost(self, pid: int) -> None:
        self.work.member_lost(pid)
        self._recount()
        self._serve()

    def roster_changed(self) -> None:
        self._serve()
        self.work.reform()
        self._recount()

    def _serve(self) -> None:
        self.fleet.serve(any(c.present for c in self.present))

    def _recount(self) -> None:
        c = self.current
        here = c is not None and bool(c.present)
        interpreters = c.count_role("interpreter") if c is not None else 0
        approvers = 0
        if c is not None:
            heads = c.in_role("commander") + c.in_role("staff")
            if self.approvals.officers_only:
                heads = [p for p in heads if self.people.grade[p] == GRADE_INDEX["officer"]]
            approvers = len(heads)
        self.trust.set_cover(interpreters / max(1, c.required_in_role("interpreter"))
                             if here and c is not None else None)
        self.water.set_operators(c.count_role("water") if c is not None else 0)
        self.tips.switch(here and interpreters > 0)  # tips travel through a shared language
        self.approvals.set_approvers(approvers)
        self.work.set_interpreters(interpreters)
        self.security.recount(sum(len(x.present) for x in self.present))
        self._recount_tasks()

    # -- timeline ------------------------------------------------------------------------
    def retune(self, spec: TheatreSpec) -> None:
        """Settings from now on, handed to the parts whose settings changed."""
        old, self.spec = self.spec, spec
        if spec.trust != old.trust:
            self.trust.retune(spec.trust)
        if (spec.tips, spec.cache_items) != (old.tips, old.cache_items):
            self.tips.retune(spec.tips, spec.cache_items)
        if spec.vehicles != old.vehicles:
            self.fleet.retune(spec.vehicles)
        if spec.water != old.water:
            self.water.retune(spec.water)
        self.incidents.retune(spec)
        if spec.security != old.security:
            self.security.retune(spec.security)
        if spec.tasks != old.tasks:
            self.tasks.retune(spec.tasks)
            self._security_changed()  # the teams' pace follows the tasks' share
        self.approvals.retune(spec)
        incident_keys = ("incident_per_1000_items", "incident_harm", "leader_qualification")
        restart = any(getattr(spec, k) != getattr(old, k) for k in (*ROUTINE_KEYS, *incident_keys))
        self.work.retune(spec, restart_routine=restart)
        self._recount()

    # -- results -------------------------------------------------------------------------
    def items_cleared(self) -> float:
        """Items cleared so far, routine taskings finished but not yet credited included."""
        return self.ordnance.cleared + self.work.uncredited()

    def ordnance_remaining(self) -> float:
        return self.ordnance.remaining - self.work.uncredited()

    def trust_now(self) -> float | None:
        return self.trust.value() if self.current is not None and self.current.present else None

    def close(self) -> None:
        """At the end of the run: work under way credited, tips accounted for."""
        self.work.close()
        self.book.close(self.work.ready, list(self.approvals.queue), self.approvals.busy)
        self.closed = True

    def report(self, results: Results) -> None:
        """The theatre's metrics; before the close (a reading at a date inside the run),
        as closing now would leave them, on copies of the books: the run goes on as if
        nobody had looked."""
        if self.closed:
            self.ordnance.report(results)
            self.book.report(results)
            self.work.report(results)
        else:
            ordnance = copy.copy(self.ordnance)
            team_days = self.work.as_closed(ordnance)
            self.book.as_closed(self.work.ready, list(self.approvals.queue), self.approvals.busy,
                                ordnance).report(results)
            ordnance.report(results)
            self.work.report(results, team_days)
        self.fleet.report(results)
        self.water.report(results)
        self.security.report(results)
        self.tasks.report(results)

    def security_now(self) -> float:
        return self.security.level
