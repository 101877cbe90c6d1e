"""Work in theatre: clearance teams, tips and approvals, trust, vehicles, incidents, water.

One `Theatre` per deployment lives for the whole deployment; contingents come and go.
Teams are SimPy processes that compete for vehicles and interpreters; a tip waits for
an officer's approval where doctrine demands it, and perishes at the end of its shelf
life if no team has started on it.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.model.people import GRADE_INDEX

if TYPE_CHECKING:
    from sim.model.rotation import Contingent
    from sim.model.world import World
    from sim.scenario.schema import Theatre as TheatreSpec

BIG = 10**9
LEADER_QUALIFICATION = "eod"  # incidents are rarer under a leader who holds it


@dataclass
class Tip:
    reported: float
    size: float
    expires: float
    queued: float = 0.0


@dataclass
class Team:
    number: int
    leader: int
    deminers: list[int]
    active: bool = True
    state: str = "idle"  # idle | routine | switching | tip
    proc: simpy.Process | None = None

    @property
    def members(self) -> list[int]:
        return [self.leader, *self.deminers]


@dataclass
class Flag:
    active: bool = True
    busy: bool = False
    proc: simpy.Process | None = None
    request: simpy.events.Event | None = None


@dataclass
class TheatreStats:
    items_routine: float = 0.0
    items_caches: float = 0.0
    tips_received: int = 0
    tips_lost: int = 0
    items_lost: float = 0.0
    waits: list[float] = field(default_factory=list)
    approval_waits: list[float] = field(default_factory=list)
    team_days: float = 0.0
    incidents: int = 0
    killed: int = 0
    wounded: int = 0
    water_litres: float = 0.0
    vehicle_days: float = 0.0
    vehicle_down_days: float = 0.0


class Theatre:
    def __init__(self, world: World, name: str):
        self.w, self.name = world, name
        self._cached: tuple[object, ...] = (None, None, None)
        self.env = world.env
        spec = self.spec
        self.stock0 = spec.ordnance_stock
        self.stock = spec.ordnance_stock
        self.trust = spec.trust.initial
        self.stats = TheatreStats()
        self.current: Contingent | None = None
        self.teams: list[Team] = []
        self._team_no = 0
        self.tips: deque[Tip] = deque()
        self.approvals = simpy.Store(self.env)
        self.approvers: list[Flag] = []
        self.fleet = simpy.Container(self.env, capacity=BIG, init=0)
        self.vehicles: list[Flag] = []
        self.interpreters = simpy.Container(self.env, capacity=BIG, init=0)
        self._interp_present = 0
        self._fleet_t = 0.0
        sc = world.sc  # work stops at the deployment's end or the run's, whichever is first
        self.window = (sc.day(self.deployment.start), min(sc.day(self.deployment.end), sc.horizon_days))

    @property
    def deployment(self):
        sc = self.w.sc
        if self._cached[0] is not sc:  # the timeline swaps in a new scenario object
            d = sc.deployment(self.name)
            self._cached = (sc, d, d.theatre)
        return self._cached[1]

    @property
    def spec(self) -> TheatreSpec:
        if self._cached[0] is not self.w.sc:
            return self.deployment.theatre  # refreshes the cache
        return self._cached[2]  # type: ignore[return-value]

    def _rng(self, subsystem: str) -> np.random.Generator:
        return self.w.streams.get(subsystem, self.name)

    def _days(self, workdays: float) -> float:
        return workdays * 7.0 / self.spec.workdays_per_week

    @property
    def items_cleared(self) -> float:
        return self.stats.items_routine + self.stats.items_caches

    # -- the deployment window --------------------------------------------------
    def process(self):
        """Daily: trust grows, tips arrive at random times in the day, water flows."""
        env = self.env
        start, end = self.window
        yield env.timeout(max(0.0, start - env.now))
        self.resize_fleet()
        rng = self._rng("tips")
        while env.now < end:
            day_end = min(env.now + 1.0, end)
            span = day_end - env.now
            self._grow_trust(span)
            self._purify(span)
            tips = rng.poisson(self._tip_rate() * span)
            if tips:
                base = env.now
                for t in np.sort(rng.random(tips)) * span:
                    yield env.timeout(base + t - env.now)
                    self._tip_arrives()
            yield env.timeout(day_end - env.now)
        self.integrate_fleet()
        for v in self.vehicles:
            v.active = False

    def _tip_rate(self) -> float:
        if self.current is None or not self.current.present or self.stock0 <= 0:
            return 0.0
        tips = self.spec.tips
        return tips.rate_per_week_at_full_trust / 7.0 * self.trust * self.stock / self.stock0

    def _grow_trust(self, span: float) -> None:
        c = self.current
        if c is None or not c.present:
            return
        t = self.spec.trust
        need = max(1, c.required_in_role("interpreter"))
        cover = min(1.0, self._interp_present / need)
        factor = t.without_interpreters + (1 - t.without_interpreters) * cover
        self.trust = min(1.0, self.trust + t.growth_per_day * factor * span)

    def _purify(self, span: float) -> None:
        c = self.current
        if c is None:
            return
        water = self.spec.water
        operators = c.count_role("water")
        stations = min(water.stations, operators // water.operators_per_station)
        self.stats.water_litres += stations * water.litres_per_day * span

    # -- contingents -------------------------------------------------------------
    def arrive(self, contingent: Contingent) -> None:
        old = self.current
        spec = self.spec.trust
        if old is not None:
            overlap = self.deployment.overlap_days if old.present else 0.0
            loss = spec.handover_loss * 0.5 ** (overlap / spec.overlap_halving_days)
            self.trust *= 1 - loss
            self.w.log("handover", self.name, f"rotation {contingent.rotation}, trust x{1 - loss:.2f}")
            for team in self.teams:
                team.active = False
            self.teams = []
        self.current = contingent
        self.roster_changed()

    def depart(self, contingent: Contingent) -> None:
        if self.current is contingent:
            for team in self.teams:
                team.active = False
            self.teams = []
            self.current = None
            self._set_interpreters()
            self._set_approvers()

    def member_lost(self, pid: int) -> None:
        """A casualty or an evacuation: that team stands down and teams re-form."""
        for team in list(self.teams):
            if pid in team.members:
                team.active = False
                self.teams.remove(team)
        self.roster_changed()

    def roster_changed(self) -> None:
        self._set_interpreters()
        self._set_approvers()
        self.form_teams()

    def form_teams(self) -> None:
        c = self.current
        if c is None:
            return
        spec = self.spec
        allowed = {GRADE_INDEX["officer"]} | (
            {GRADE_INDEX["nco"]} if spec.doctrine.leaders == "nco" else set())
        busy = {pid for team in self.teams for pid in team.members}
        grades = self.w.people.grade
        leaders = [p for p in c.in_role("team_leader") if p not in busy and grades[p] in allowed]
        deminers = [p for p in c.in_role("deminer") if p not in busy]
        k = spec.deminers_per_team
        while leaders and len(deminers) >= k:
            self._team_no += 1
            team = Team(self._team_no, leaders.pop(0), [deminers.pop(0) for _ in range(k)])
            team.proc = self.env.process(self._team(team))
            self.teams.append(team)

    def _set_interpreters(self) -> None:
        present = self.current.count_role("interpreter") if self.current else 0
        change = present - self._interp_present
        if change > 0:
            self.interpreters.put(change)
        elif change < 0:
            self.env.process(self._withdraw(self.interpreters, -change))
        self._interp_present = present

    def _withdraw(self, pool: simpy.Container, n: int):
        yield pool.get(n)

    def _set_approvers(self) -> None:
        c = self.current
        n = 0
        if c is not None:
            officer_only = self.spec.doctrine.authority == "officer"
            heads = c.in_role("commander") + c.in_role("staff")
            if officer_only:
                heads = [p for p in heads if self.w.people.grade[p] == GRADE_INDEX["officer"]]
            n = len(heads)
        live = [a for a in self.approvers if a.active]
        while len(live) < n:
            flag = Flag()
            flag.proc = self.env.process(self._approver(flag))
            live.append(flag)
        for flag in sorted(live, key=lambda f: f.busy)[n:]:
            flag.active = False
            if not flag.busy and flag.proc is not None and flag.proc.is_alive:
                flag.proc.interrupt("retired")
        self.approvers = [a for a in live if a.active]

    # -- tips and approvals ---------------------------------------------------------
    def _tip_arrives(self) -> None:
        spec, now = self.spec, self.env.now
        size = min(spec.cache_items.sample(self._rng("caches")), self.stock)
        shelf = spec.tips.shelf_life_days.sample(self._rng("tips"))
        tip = Tip(reported=now, size=size, expires=now + shelf, queued=now)
        self.stats.tips_received += 1
        d = spec.doctrine
        if d.authority == "officer" or size > d.approval_threshold_items:
            self.approvals.put(tip)
        else:
            self._ready(tip)

    def _approver(self, flag: Flag):
        rng = self._rng("approvals")
        while flag.active:
            req = self.approvals.get()
            try:
                tip = yield req
            except simpy.Interrupt:
                req.cancel()
                return
            now = self.env.now
            if tip.expires <= now:
                self._lose(tip)
                continue
            self.stats.approval_waits.append(now - tip.queued)
            flag.busy = True
            yield self.env.timeout(self.spec.approval_days.sample(rng))
            flag.busy = False
            self._ready(tip)

    def _ready(self, tip: Tip) -> None:
        self.tips.append(tip)
        switching = sum(1 for t in self.teams if t.state == "switching")
        if len(self.tips) > switching:
            routine = [t for t in self.teams if t.state == "routine" and t.proc is not None]
            if routine:
                team = routine[0]
                team.state = "switching"
                team.proc.interrupt("tip")  # type: ignore[union-attr]

    def _lose(self, tip: Tip) -> None:
        self.stats.tips_lost += 1
        self.stats.items_lost += tip.size
        self.w.log("tip lost", self.name, f"cache of {tip.size:.0f} items, reported "
                   f"{self.env.now - tip.reported:.1f} d before, perished")

    def _next_tip(self) -> Tip | None:
        now = self.env.now
        while self.tips:
            tip = self.tips.popleft()
            if tip.expires > now:
                return tip
            self._lose(tip)
        return None

    # -- teams ---------------------------------------------------------------------
    def _team(self, team: Team):
        env = self.env
        while team.active and env.now < self.window[1]:
            req = self.fleet.get(1)
            try:
                yield req
            except simpy.Interrupt:
                req.cancel()
                if req.triggered:
                    self.fleet.put(1)
                continue
            try:
                # Task after task on the same vehicle while nobody waits for one (a
                # breakdown waits as a get too): the same as handing it back and taking
                # it again, without the events.
                while team.active and env.now < self.window[1]:
                    tip = self._next_tip()
                    if tip is not None:
                        yield from self._clear_tip(team, tip)
                    else:
                        yield from self._routine(team)
                    if self.fleet.get_queue:
                        break
            finally:
                self.fleet.put(1)

    def _routine(self, team: Team):
        spec, env = self.spec, self.env
        team.state = "routine"
        start, days = env.now, spec.routine_task_days
        planned = self._days(days)
        try:
            yield env.timeout(min(planned, max(self.window[1] - env.now, 0.0)))
            done = (env.now - start) / planned
        except simpy.Interrupt:
            done = (env.now - start) / planned
        if team.state == "routine":
            team.state = "idle"
        rate = spec.routine_items_per_team_day.sample(self._rng("routine"))
        items = min(max(rate, 0.0) * days * done, self.stock)
        self.stock -= items
        self.stats.items_routine += items
        self.stats.team_days += days * done
        self._risk(team, items)

    def _clear_tip(self, team: Team, tip: Tip):
        env, spec = self.env, self.spec
        team.state = "tip"
        work = tip.size / spec.items_per_team_day
        with_interp = min(work, spec.tip_needs_interpreter_days)
        if with_interp > 0:
            req = self.interpreters.get(1)
            got = yield req | env.timeout(max(tip.expires - env.now, 0.0))
            if req not in got:
                req.cancel()
                self._lose(tip)
                team.state = "idle"
                return
        if tip.expires <= env.now:
            if with_interp > 0:
                self.interpreters.put(1)
            self._lose(tip)
            team.state = "idle"
            return
        self.stats.waits.append(env.now - tip.reported)
        self.w.log("task started", f"team {team.number}", f"cache of {tip.size:.0f} items, waited {env.now - tip.reported:.1f} d")
        yield env.timeout(self._days(with_interp))
        if with_interp > 0:
            self.interpreters.put(1)
        yield env.timeout(self._days(work - with_interp))
        items = min(tip.size, self.stock)
        self.stock -= items
        self.stats.items_caches += items
        self.stats.team_days += work
        team.state = "idle"
        self._risk(team, items)

    def _risk(self, team: Team, items: float) -> None:
        """A task may end in an incident; its chance grows with the items handled."""
        if items <= 0 or not team.active:
            return
        spec = self.spec
        qualified = self.w.people.holds_one(LEADER_QUALIFICATION, team.leader, self.env.now)
        rate = (spec.incident_per_1000_items.qualified if qualified
                else spec.incident_per_1000_items.unqualified)
        rng = self._rng("incidents")
        if rng.random() >= 1 - math.exp(-items / 1000 * rate):
            return
        self.stats.incidents += 1
        self.trust *= 1 - spec.trust.incident_loss
        harm = spec.incident_harm
        hurt = self._rng("casualties")
        killed, wounded = [], []
        for pid in team.members:
            if hurt.random() < harm.killed:
                killed.append(pid)
            elif hurt.random() < harm.wounded:
                wounded.append(pid)
        self.stats.killed += len(killed)
        self.stats.wounded += len(wounded)
        self.w.log("incident", f"team {team.number}", f"{len(killed)} killed, {len(wounded)} wounded")
        for pid in killed + wounded:
            self.w.rotations[self.name].casualty(pid, killed=pid in killed)

    # -- vehicles --------------------------------------------------------------------
    def integrate_fleet(self) -> None:
        now = min(self.env.now, self.window[1])
        live = sum(1 for v in self.vehicles if v.active)
        days = live * max(0.0, now - self._fleet_t)
        self.stats.vehicle_days += days
        self.w.ledger.charge_vehicles(days)
        self._fleet_t = now

    def resize_fleet(self) -> None:
        """Match the fleet to the scenario's current vehicle count (timeline may change it)."""
        if not self.window[0] <= self.env.now < self.window[1]:
            return
        self.integrate_fleet()
        want = self.spec.vehicles.count
        live = [v for v in self.vehicles if v.active]
        for _ in range(want - len(live)):
            flag = Flag()
            flag.proc = self.env.process(self._vehicle(flag))
            self.vehicles.append(flag)
            self.fleet.put(1)
        for flag in live[want:]:
            flag.active = False
            if not flag.busy:  # one in repair simply is not put back
                self.env.process(self._withdraw(self.fleet, 1))
        self.vehicles = [v for v in self.vehicles if v.active]

    def _vehicle(self, flag: Flag):
        rng, env = self._rng("vehicles"), self.env
        while flag.active:
            yield env.timeout(rng.exponential(self.spec.vehicles.mtbf_days))
            if not flag.active:
                return
            yield self.fleet.get(1)  # it breaks down when next it is free
            if not flag.active:  # retired while waiting: its withdrawal takes a unit already
                self.fleet.put(1)
                return
            flag.busy = True
            repair = rng.exponential(self.spec.vehicles.mttr_days)
            self.stats.vehicle_down_days += min(repair, max(self.window[1] - env.now, 0.0))
            yield env.timeout(repair)
            flag.busy = False
            if flag.active:
                self.fleet.put(1)

    def finish(self) -> None:
        """Close the books at the end of the run."""
        self.integrate_fleet()
        now = self.env.now
        for tip in self.tips:
            if tip.expires <= now:
                self._lose(tip)
        self.tips = deque(t for t in self.tips if t.expires > now)
        waiting = self.approvals.items  # perished waiting for an approver who never came
        for tip in waiting:
            if tip.expires <= now:
                self._lose(tip)
        waiting[:] = [t for t in waiting if t.expires > now]
