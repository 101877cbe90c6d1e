"""Clearance teams at work: routine taskings, caches reported by tips, vehicles and
interpreters.

A team is a leader and `deminers_per_team` deminers of the contingent in theatre. It
needs a serviceable vehicle for any task. With no tip ready for it, it runs routine
taskings of `routine_task_days` workdays each. Routine taskings are drawn ahead in
blocks (their yields and whether each ends in an incident), and the block is one event:
it ends at its first incident, at the end of the tasking in hand when the vehicle
breaks down, or when a tip takes the team off it; the taskings done are credited then,
the one in hand for the part done. A tip that needs an interpreter waits until one is
free, and the teams meanwhile keep to their routine work.

Work stops when a team stands down (its contingent leaves or is relieved, a member is
lost, the teams re-form): the part done is credited, the vehicle goes back to the
fleet, and a cache not finished goes back to the head of the queue for the next team.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Meter, Timer
from sim.model.contingent import Contingent
from sim.model.draws import draw_many
from sim.model.log import EventLog
from sim.model.people import GRADE_INDEX, People
from sim.model.record import Results
from sim.model.theatre.fleet import Fleet, Vehicle
from sim.model.theatre.incidents import Incidents
from sim.model.theatre.ordnance import Ordnance
from sim.model.theatre.tips import Tip, TipBook
from sim.scenario.schema import Theatre as TheatreSpec

BLOCK = 16  # routine taskings drawn at a time
ROUTINE_KEYS = ("routine_items_per_team_day", "routine_task_days", "workdays_per_week")


@dataclass(eq=False, slots=True)
class Block:
    """Routine taskings drawn ahead: task k runs from start + k x days to the next."""

    start: float
    days: float              # calendar days a tasking takes
    workdays: float
    yields: list[float]      # items a team-day of each tasking
    risks: list[float]       # exponential draws: a tasking of n items ends in an incident if n x rate exceeds it
    rate: float              # incidents per item while the block runs
    end: int                 # taskings until the block ends
    incident: bool           # whether its last tasking ends in an incident
    access: float = 1.0      # share of a tasking's yield still within reach

    def at(self, k: int) -> float:
        return self.start + k * self.days


@dataclass(eq=False, slots=True)
class Phase:
    """A stretch of work on a cache at one rate, with or without an interpreter."""

    start: float
    workdays: float
    rate: float           # items a workday
    interpreter: bool


@dataclass(eq=False, slots=True)
class Team:
    number: int
    leader: int
    deminers: list[int]
    work: Work
    active: bool = True
    vehicle: Vehicle | None = None
    block: Block | None = None
    tip: Tip | None = None
    tip_items: float = 0.0   # items of this cache this team has cleared
    spare: tuple[list[float], list[float]] | None = None  # routine draws not used yet
    phase: Phase | None = None
    timer: Timer | None = field(default=None, repr=False)

    @property
    def members(self) -> list[int]:
        return [self.leader, *self.deminers]

    # the fleet's side of the team
    def got_vehicle(self, vehicle: Vehicle) -> None:
        self.work.got_vehicle(self, vehicle)

    def vehicle_failed(self) -> None:
        self.work.vehicle_failed(self)


class Work:
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "doctrine.leaders", "deminers_per_team", *ROUTINE_KEYS, "items_per_team_day",
        "tip_needs_interpreter_days")
    REPORTS: ClassVar[dict[str, float | None]] = {
        "team_days_worked": 0.0, "workdays_lost": 0.0, "incidents": 0.0, "killed": 0.0, "wounded": 0.0}

    def __init__(self, spec: TheatreSpec, clock: Clock, people: People, fleet: Fleet,
                 ordnance: Ordnance, book: TipBook, incidents: Incidents,
                 on_incident: Callable[[], None], log: EventLog, name: str,
                 rng: np.random.Generator):
        self.spec, self.clock, self.people, self.fleet = spec, clock, people, fleet
        self.env = clock.env
        self.ordnance, self.book, self.incidents = ordnance, book, incidents
        self.on_incident, self.log, self.name, self.rng = on_incident, log, name, rng
        self.casualty: Callable[[int, bool], None] = lambda pid, killed: None
        self.teams: list[Team] = []
        self.ready: list[Tip] = []
        self.interpreters = 0
        self.interpreters_busy = 0
        self.contingent: Contingent | None = None
        self._numbered = 0
        self.team_days = 0.0
        self.incident_count = self.killed = self.wounded = 0
        self.credits: list[tuple[float, float, int]] | None = None  # (time, items, rotation) when audited
        # Pace: the share of calendar workdays spent clearing, after security
        # restrictions (`security`) and other tasks (`tasked`); 1 when neither applies.
        self.security, self.tasked, self.pace = 1.0, 0.0, 1.0
        self.available = Meter(clock)  # team-workdays a day left after security
        self.lost = Meter(clock)       # team-workdays a day lost to security
        self.on_available: Callable[[float], None] = lambda per_day: None  # the other tasks

    def _credit(self, items: float, routine: bool) -> float:
        """Items cleared: a routine yield is capped by what is left unclaimed."""
        if routine:
            items = self.ordnance.clear_routine(items)
        else:
            self.ordnance.clear_cache(items)
        if self.credits is not None and items > 0:
            assert self.contingent is not None, "items cleared with no contingent in theatre"
            self.credits.append((self.env._now, items, self.contingent.rotation))
        return items

    def _calendar(self, workdays: float) -> float:
        return workdays * 7.0 / (self.spec.workdays_per_week * self.pace)

    def _remeter(self) -> None:
        per_day = len(self.teams) * self.spec.workdays_per_week / 7.0
        self.available.set(per_day * self.security)
        self.lost.set(per_day * (1.0 - self.security))
        self.on_available(per_day * self.security)

    def set_pace(self, security: float, tasked: float) -> None:
        """Security leaves `security` of the workdays, other tasks take `tasked` of
        those. Work under way is credited at the old pace (a part tasking's incident is
        not drawn) and resumes at the new one."""
        if (security, tasked) == (self.security, self.tasked):
            return
        for team in list(self.teams):
            if team.block is not None:
                team.timer.cancel()  # type: ignore[union-attr]
                self._settle(team, risk=False)
            elif team.tip is not None and team.phase is not None:
                team.timer.cancel()  # type: ignore[union-attr]
                self._credit_phase(team, complete=False)
        self.security, self.tasked = security, tasked
        self.pace = security * (1.0 - tasked)
        self._remeter()
        for team in list(self.teams):
            if not team.active:
                continue
            if team.tip is not None:
                self._tip_phase(team)
            elif team.block is None and team.vehicle is not None:
                self._next_task(team)

    # -- the roster -------------------------------------------------------------------
    def staff(self, contingent: Contingent | None) -> None:
        """The contingent whose teams work from now on (None: nobody)."""
        if contingent is not self.contingent:
            for team in list(self.teams):
                self.stand_down(team)
            self.contingent = contingent
        self.reform()

    def set_interpreters(self, n: int) -> None:
        self.interpreters = n
        self.dispatch()

    def reform(self) -> None:
        """Teams whose leader may no longer lead stand down; new teams form from the
        members of the contingent in theatre who are in none."""
        c = self.contingent
        allowed = {GRADE_INDEX["officer"]} | (
            {GRADE_INDEX["nco"]} if self.spec.doctrine.leaders == "nco" else set())
        grades = self.people.grade
        for team in list(self.teams):
            if grades[team.leader] not in allowed or len(team.deminers) != self.spec.deminers_per_team:
                self.stand_down(team)
        if c is None:
            return
        busy = {pid for team in self.teams for pid in team.members}
        leaders = [p for p in c.in_role("team_leader") if p not in busy and grades[p] in allowed]
        deminers = [p for p in c.in_role("deminer") if p not in busy]
        k = self.spec.deminers_per_team
        while leaders and len(deminers) >= k:
            self._numbered += 1
            team = Team(self._numbered, leaders.pop(0), [deminers.pop(0) for _ in range(k)], self)
            team.timer = Timer(self.clock, partial(self._timer, team))
            self.teams.append(team)
            self._remeter()
            self._next_task(team)

    def member_lost(self, pid: int) -> None:
        for team in list(self.teams):
            if pid in team.members:
                self.stand_down(team)
        self.reform()

    def stand_down(self, team: Team) -> None:
        """The team stops: the part done is credited, the vehicle returned, an
        unfinished cache goes back to the head of the queue."""
        if not team.active:
            return
        team.active = False
        self.teams.remove(team)
        self._remeter()
        assert team.timer is not None
        team.timer.cancel()
        if team.block is not None:
            self._settle(team, risk=False)
        if team.tip is not None:
            tip = self._tip_progress(team)
            self.ready.insert(0, tip)
        if team.vehicle is not None:
            vehicle, team.vehicle = team.vehicle, None
            self.fleet.release(vehicle)
        else:
            self.fleet.cancel(team)
        self.dispatch()

    # -- the next task --------------------------------------------------------------
    def got_vehicle(self, team: Team, vehicle: Vehicle) -> None:
        team.vehicle = vehicle
        self._next_task(team)

    def _next_task(self, team: Team) -> None:
        while team.active and team.vehicle is not None and team.vehicle.failed:
            vehicle, team.vehicle = team.vehicle, None
            self.fleet.release(vehicle)  # to repair
        if not team.active:
            return
        if team.vehicle is None:
            team.vehicle = self.fleet.acquire(team)
            if team.vehicle is None:
                return  # waits in line; got_vehicle resumes it
        i = self._pick() if self.ready else None
        if i is not None:
            self._start_tip(team, self.ready.pop(i))
        else:
            self._start_routine(team)

    def _needs_interpreter(self, tip: Tip) -> bool:
        if tip.started:
            return tip.interpreter_days > 0
        return min(tip.left / self.spec.items_per_team_day, self.spec.tip_needs_interpreter_days) > 0

    def _pick(self) -> int | None:
        """The first tip in the queue a team can take now (lost tips dropped)."""
        now, i = self.env._now, 0
        while i < len(self.ready):
            tip = self.ready[i]
            if not tip.started and tip.expires <= now:
                del self.ready[i]
                self.book.lose(tip)
                continue
            if self.interpreters_busy < self.interpreters or not self._needs_interpreter(tip):
                return i
            i += 1
        return None

    def ready_tip(self, tip: Tip) -> None:
        """A tip may be acted on (approved, or needing no approval)."""
        self.ready.append(tip)
        self.dispatch()

    def dispatch(self) -> None:
        """Take teams off routine work for the tips they can act on now."""
        while self.ready:
            for team in self.teams:
                if team.block is not None:
                    break
            else:
                return  # no team on routine work
            if self._pick() is None:
                return
            team.timer.cancel()  # type: ignore[union-attr]
            self._settle(team, risk=True)
            self._next_task(team)

    # -- routine taskings ---------------------------------------------------------------
    def _start_routine(self, team: Team) -> None:
        spec, now = self.spec, self.env._now
        spare = team.spare
        if not spare or not spare[0]:
            drawn = draw_many(spec.routine_items_per_team_day, self.rng, BLOCK)
            spare = team.spare = (np.maximum(drawn, 0.0).tolist(), self.rng.exponential(1.0, BLOCK).tolist())
        yields, risks = spare
        workdays = spec.routine_task_days
        days = workdays * 7.0 / (spec.workdays_per_week * self.pace)  # _calendar
        rate, until = self.incidents.rate(team.leader, now + days)
        end = len(yields)
        if until < now + end * days:  # the leader's qualification lapses: a new block then
            end = max(1, int((until - now) / days))
        k_access = spec.ordnance_access_exponent
        access = self.ordnance.share_left ** k_access if k_access else 1.0
        per_item = workdays * rate * access
        incident = False
        for k in range(end):  # a few numbers: a loop beats numpy's per-call cost
            if yields[k] * per_item > risks[k]:
                end, incident = k + 1, True
                break
        team.block = Block(now, days, workdays, yields, risks, rate, end, incident, access)
        team.timer.set(now + end * days)  # type: ignore[union-attr]  # the block's at(end)

    def vehicle_failed(self, team: Team) -> None:
        """The team's vehicle broke down: it finishes the tasking in hand, then hands the
        vehicle in (a cache is finished first)."""
        b = team.block
        if b is None or not team.active:
            return
        k = max(1, int(np.ceil((self.env._now - b.start) / b.days - 1e-9)))
        if k < b.end:
            b.end, b.incident = k, False
            team.timer.set(b.at(k))  # type: ignore[union-attr]

    def _settle(self, team: Team, risk: bool) -> None:
        """Credit the taskings done, and the one in hand for the part done (its incident
        drawn on the items handled when `risk`); the draws of taskings not begun are
        kept for the team's next routine work. The block was drawn on the routine
        yields; when less ordnance is left than they hold, an incident is drawn on the
        items the last tasking actually cleared (none on empty ground)."""
        b = team.block
        assert b is not None
        team.block = None
        full, items, workdays, part = self._progress(b)
        last, used = None, full  # the tasking whose incident is drawn, and its items
        drawn = False  # the block ended at its incident tasking, drawn when it began
        if part is not None:
            if risk:
                last = (full, part)
            used = full + 1
        elif b.incident and full == b.end:
            last, drawn = (full - 1, b.yields[full - 1] * b.workdays * b.access), True
        team.spare = (b.yields[used:], b.risks[used:])
        cleared = self._credit(items, routine=True)
        self.team_days += workdays
        if last is None:
            return
        k, planned = last
        if cleared < items:  # short of ordnance: the last tasking got what was left
            planned = max(0.0, planned - (items - cleared))
        elif drawn:
            planned = np.inf  # drawn when the block began, on these same items
        if planned > 0 and planned * b.rate > b.risks[k]:
            self._incident(team)

    def _progress(self, b: Block) -> tuple[int, float, float, float | None]:
        """Taskings of the block finished by now; items and workdays handled, the one in
        hand for the part done; the items of that part (None if none is in hand)."""
        now = self.env._now
        full = min(b.end, int((now - b.start) / b.days + 1e-9))
        items = sum(b.yields[:full]) * b.workdays * b.access
        workdays = full * b.workdays
        part = None
        if full < b.end:
            frac = (now - b.at(full)) / b.days
            if frac > 0:
                part = b.yields[full] * b.workdays * frac * b.access
                items += part
                workdays += b.workdays * frac
        return full, items, workdays, part

    def _timer(self, team: Team) -> None:
        if team.block is not None:
            self._settle(team, risk=True)
        elif team.tip is not None:
            self._tip_phase_done(team)
            return
        if team.active:
            self._next_task(team)

    # -- caches -------------------------------------------------------------------------
    def _start_tip(self, team: Team, tip: Tip) -> None:
        spec = self.spec
        if not tip.started:
            tip.interpreter_days = min(tip.left / spec.items_per_team_day, spec.tip_needs_interpreter_days)
        self.book.start(tip)
        team.tip, team.tip_items = tip, 0.0
        self._tip_phase(team)

    def _tip_phase(self, team: Team) -> None:
        """Work on the cache: first the workdays that need an interpreter, then the rest."""
        tip, spec, now = team.tip, self.spec, self.env._now
        assert tip is not None
        work = tip.left / spec.items_per_team_day
        interpreter = tip.interpreter_days > 0
        workdays = min(work, tip.interpreter_days) if interpreter else work
        if interpreter:
            self.interpreters_busy += 1
        team.phase = Phase(now, workdays, spec.items_per_team_day, interpreter)
        team.timer.set(now + workdays * 7.0 / (spec.workdays_per_week * self.pace))  # type: ignore[union-attr]

    def _credit_phase(self, team: Team, complete: bool) -> None:
        """Credit the part of the cache cleared in the phase under way, and end it."""
        tip, ph = team.tip, team.phase
        assert tip is not None and ph is not None
        done, items = self._phase_progress(tip, ph, complete)
        tip.left -= items
        team.tip_items += items
        self._credit(items, routine=False)
        self.team_days += done
        if ph.interpreter:
            tip.interpreter_days = max(0.0, tip.interpreter_days - done)
            self.interpreters_busy -= 1
        team.phase = None

    def _phase_progress(self, tip: Tip, ph: Phase, complete: bool) -> tuple[float, float]:
        """Workdays done in the phase, and the items of the cache they cleared."""
        done = ph.workdays if complete else min(
            ph.workdays, (self.env._now - ph.start) * self.spec.workdays_per_week * self.pace / 7.0)
        items = min(tip.left, done * ph.rate)
        if complete and ph.workdays * ph.rate >= tip.left * (1 - 1e-12):
            items = tip.left  # the phase was to finish the cache
        return done, items

    def _tip_progress(self, team: Team) -> Tip:
        """Stop work on the cache: credit the part cleared; the rest is for another team."""
        self._credit_phase(team, complete=False)
        tip, team.tip = team.tip, None
        assert tip is not None
        return tip

    def _tip_phase_done(self, team: Team) -> None:
        freed = team.phase is not None and team.phase.interpreter
        self._credit_phase(team, complete=True)
        tip = team.tip
        assert tip is not None
        if tip.left > 0:
            self._tip_phase(team)
        else:
            team.tip = None
            self._risk(team, team.tip_items)
            if team.active:
                self._next_task(team)
        if freed:
            self.dispatch()

    def _risk(self, team: Team, items: float) -> None:
        if items <= 0:
            return
        rate, _ = self.incidents.rate(team.leader, self.env._now)
        if items * rate > self.incidents.rng.exponential():
            self._incident(team)

    def _incident(self, team: Team) -> None:
        self.incident_count += 1
        self.on_incident()
        killed, wounded = self.incidents.harm(team.members)
        self.killed += len(killed)
        self.wounded += len(wounded)
        self.log("incident", f"team {team.number}", f"{len(killed)} killed, {len(wounded)} wounded")
        for pid in killed + wounded:
            self.casualty(pid, pid in killed)

    # -- timeline -------------------------------------------------------------------------
    def retune(self, spec: TheatreSpec, restart_routine: bool) -> None:
        """Teams re-form if who may lead or their size changed; routine work under way
        restarts at once under new routine or incident settings. A cache under way is
        finished as it was planned."""
        old, self.spec = self.spec, spec
        self._remeter()
        if (spec.doctrine.leaders, spec.deminers_per_team) != (old.doctrine.leaders, old.deminers_per_team):
            self.reform()
        if restart_routine:
            for team in self.teams:
                team.spare = None  # drawn under the old settings
            for team in [t for t in self.teams if t.block is not None]:
                if team.active and team.block is not None:
                    team.timer.cancel()  # type: ignore[union-attr]
                    self._settle(team, risk=True)
                    self._next_task(team)

    def uncredited(self) -> float:
        """Items of routine taskings finished by now but not yet credited."""
        now, total = self.env._now, 0.0
        for team in self.teams:
            b = team.block
            if b is not None:
                full = min(b.end, int((now - b.start) / b.days + 1e-9))
                total += sum(b.yields[:full]) * b.workdays * b.access
        return min(total, self.ordnance.unclaimed)

    # -- the end ----------------------------------------------------------------------------
    def close(self) -> None:
        """At the end of the run: credit the work under way."""
        for team in list(self.teams):
            if team.block is not None:
                self._settle(team, risk=False)
            if team.tip is not None:
                self.ready.insert(0, self._tip_progress(team))

    def as_closed(self, ordnance: Ordnance) -> float:
        """Team-days worked as closing now would count them, the work in hand credited
        to `ordnance` (a copy) as `close` would; nothing of the run changes."""
        days = self.team_days
        for team in self.teams:
            if team.block is not None:
                _, items, workdays, _ = self._progress(team.block)
                ordnance.clear_routine(items)
                days += workdays
            if team.tip is not None:
                assert team.phase is not None
                done, items = self._phase_progress(team.tip, team.phase, complete=False)
                ordnance.clear_cache(items)
                days += done
        return days

    def report(self, results: Results, team_days: float | None = None) -> None:
        results.add("team_days_worked", self.team_days if team_days is None else team_days)
        results.add("workdays_lost", self.lost.total())
        results.add("incidents", self.incident_count)
        results.add("killed", self.killed)
        results.add("wounded", self.wounded)


