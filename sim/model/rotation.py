"""Rotations of one deployment: call-up and selection, pre-deployment training, tour,
handover, casualties and replacements.

The first rotation arrives at the deployment's start; each next one arrives
`overlap_days` before the one in theatre is due home, so rotation k arrives at
`start + k * (tour_days - overlap_days)` while nothing changes. People are selected
`select_days` before arrival and train for the last `predeployment_days` of that time.
A rotation is planned when it is called up, with the settings then in force; the
deployment's end cuts short the tour in theatre and stands down rotations that would
arrive on or after it.
"""
from __future__ import annotations

from typing import ClassVar, Protocol

import numpy as np

from sim.core.results import UnfilledPosts
from sim.model.clock import Clock, Meter, Timer
from sim.model.contingent import CALLED, GONE, IN_THEATRE, STOOD_DOWN, Contingent
from sim.model.log import EventLog
from sim.model.people import DEPLOYED, HOME, PREPARING, People
from sim.model.record import Results
from sim.model.selection import Call, select
from sim.model.streams import Streams
from sim.model.tempo import Willingness
from sim.scenario.schema import Deployment

ROTATION_KEYS = ("start", "end", "tour_days", "select_days", "predeployment_days", "overlap_days",
                 "min_dwell_days", "volunteer_prob", "dropout_prob", "replace_casualties",
                 "replacement_days", "contingent", "contingent.<role>.count",
                 "contingent.<role>.grade", "contingent.<role>.requires",
                 *(f"volunteering.{k}" for k in ("per_tour_done", "recent_return_days", "recent_return_factor",
                                                 "after_death", "death_memory_days", "at_hostile")))


class TheatrePort(Protocol):
    """What a rotation tells the theatre it serves."""

    def arrive(self, c: Contingent) -> None: ...
    def depart(self, c: Contingent) -> None: ...
    def member_lost(self, pid: int) -> None: ...
    def roster_changed(self) -> None: ...


class ForcePort(Protocol):
    """What a rotation tells the home force."""

    def separate(self, ids: np.ndarray, reason: str) -> None: ...
    def came_home(self, ids: np.ndarray) -> None: ...


class TourObserver(Protocol):
    """Told of people entering and leaving theatre, before their records change."""

    def entered(self, c: Contingent, ids: np.ndarray, arrival: bool) -> None: ...
    def left(self, c: Contingent, ids: np.ndarray, why: str) -> None: ...


class RotationSchedule:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(f"deployments.<name>.{k}" for k in ROTATION_KEYS)
    REPORTS: ClassVar[dict[str, float | None]] = {
        "rotations": 0.0, "rotations_empty": 0.0, "rotation_fill_rate": None, "rotations_understrength": 0.0,
        "gap_days": 0.0}

    def __init__(self, spec: Deployment, clock: Clock, people: People, streams: Streams,
                 log: EventLog, theatre: TheatrePort, force: ForcePort,
                 observers: list[TourObserver] | None = None, willingness: Willingness | None = None):
        self.spec, self.name = spec, spec.name
        self.clock, self.people, self.log = clock, people, log
        self.theatre, self.force = theatre, force
        self.observers = observers if observers is not None else []
        self.willingness = willingness if willingness is not None else Willingness(people, lambda: 0.0)
        self.rng = {k: streams.get(k, self.name) for k in ("selection", "volunteers", "dropouts")}
        self.rotations = self.required = self.filled = self.understrength = self.empty = 0
        self.unfilled: list[UnfilledPosts] = []
        self.live: list[Contingent] = []         # called up and not yet gone
        self.newest: Contingent | None = None    # the newest contingent in theatre
        self._k = 0
        self._prev: tuple[float, float] | None = None  # planned arrival and departure of the last called up
        self._timers: dict[int, tuple[Timer, Timer, Timer]] = {}  # rotation -> prepare, arrive, depart
        self._call_up = Timer(clock, self._call_up_now)
        self._gap = Meter(clock)
        self._window = Timer(clock, self._update_gap)
        self._days()

    # -- the plan ---------------------------------------------------------------------
    def _days(self) -> None:
        """The deployment's first and end days and the people it asks for (the spec's,
        kept: the series ask at every date)."""
        self.start_day = self.clock.day(self.spec.start)
        self.end_day = self.clock.day(self.spec.end)
        self._required = float(self.spec.required)

    def start(self) -> None:
        self._plan()
        self._update_gap()

    def _next_arrival(self) -> tuple[int, float, float]:
        """(rotation number, arrival, planned departure) of the next rotation."""
        d, k = self.spec, self._k
        if self._prev is None:
            arrive = self.start_day
        else:  # overlap the one before, and always arrive after it did
            arrive = max(self._prev[1] - d.overlap_days, self._prev[0] + 1.0)
        while arrive + d.tour_days <= 0:  # rotations over before the scenario begins
            k += 1
            arrive += max(d.tour_days - d.overlap_days, 1.0)
        return k, arrive, arrive + d.tour_days

    def _plan(self) -> None:
        _, arrive, _ = self._next_arrival()
        if arrive >= self.end_day:
            self._call_up.cancel()
        else:
            self._call_up.set(arrive - self.spec.select_days)

    def _call_up_now(self) -> None:
        # People back from theatre at this same instant are home for the selection.
        self.clock.call_at(self.clock.now, self._select_rotation)

    def _select_rotation(self) -> None:
        k, arrive, depart = self._next_arrival()
        if arrive >= self.end_day:
            return
        now = self.clock.now
        c = Contingent(self.name, k, max(arrive, now), depart, list(self.spec.contingent))
        self._k, self._prev = k + 1, (arrive, depart)
        self.live.append(c)
        self._fill(c, {i: s.count for i, s in enumerate(c.slots)})
        timers = (Timer(self.clock, lambda: self._prepare(c)), Timer(self.clock, lambda: self._arrive(c)),
                  Timer(self.clock, lambda: self._depart(c)))
        self._timers[c.rotation] = timers
        timers[0].set(c.arrive - self.spec.predeployment_days)
        timers[1].set(c.arrive)
        self._plan()

    # -- timeline ---------------------------------------------------------------------
    def retune(self, spec: Deployment) -> None:
        """Settings from now on: the next call-up is re-planned; the end stands down
        rotations that would arrive on or after it and cuts short the tour in theatre."""
        self.spec = spec
        self._days()
        now, end = self.clock.now, self.end_day
        for c in list(self.live):
            timers = self._timers[c.rotation]
            if c.status == CALLED:
                if c.arrive >= end:
                    self._stand_down(c)
                elif timers[0].pending:
                    timers[0].set(c.arrive - spec.predeployment_days)
            elif c.status == IN_THEATRE:
                timers[2].set(max(now, min(c.depart, end)))
        self._plan()
        self._update_gap()

    def _stand_down(self, c: Contingent) -> None:
        for t in self._timers.pop(c.rotation):
            t.cancel()
        going = np.array([pid for pid in c.roles if self.people.state[pid] == PREPARING], int)
        self.people.move(going, HOME)
        self.force.came_home(going)
        c.status = STOOD_DOWN
        self.live.remove(c)
        self.log("stood down", f"{self.name} rotation {c.rotation}", f"{len(going)} home: the deployment ends first")

    # -- selection ----------------------------------------------------------------------
    def _fill(self, c: Contingent, want: dict[int, int], record: bool = True) -> list[int]:
        """Select people for slots, most constrained first; returns the ids chosen."""
        d, now = self.spec, self.clock.now
        call = Call(c.slots, want, d.min_dwell_days, self.willingness.chance(d, now),
                    frozenset(c.roles.keys() | c.excluded), self.willingness.fit())
        chosen, short = select(self.people, call, now, self.rng["volunteers"], self.rng["selection"])
        picked: list[int] = []
        for i, ids in chosen.items():
            for pid in ids:
                c.roles[pid] = c.slots[i].role
                c.slot_of[pid] = i
                c.selected_at[pid] = now
            picked.extend(ids)
        if record:
            for i, (missing, why) in short.items():
                role = c.slots[i].role
                self.unfilled.append(UnfilledPosts(self.name, c.rotation, role, int(missing), why))
                self.log("slot unfilled", f"{self.name} rotation {c.rotation}", f"{role}: {missing} short ({why})")
        if picked:
            self.people.move(picked, PREPARING)
            if self.log.enabled:
                self.log("selected", f"{self.name} rotation {c.rotation}",
                         f"{len(picked)} people: " + " ".join(f"p{i}" for i in picked[:40]))
        return picked

    def _prepare(self, c: Contingent) -> None:
        """Pre-deployment training begins: dropouts go home, and every gap (dropouts,
        people who left the force since selection) is refilled if anyone is eligible."""
        if c.status != CALLED:  # pre-deployment moved to the day of arrival
            return
        p, d = self.people, self.spec
        rng = self.rng["dropouts"]
        gaps: dict[int, int] = {}
        out = [pid for pid in sorted(c.roles) if d.dropout_prob > 0 and rng.random() < d.dropout_prob]
        gone = [pid for pid in c.roles if p.state[pid] != PREPARING and pid not in out]
        for pid in out + gone:
            c.roles.pop(pid)
            c.excluded.add(pid)
            i = c.slot_of.pop(pid)
            gaps[i] = gaps.get(i, 0) + 1
        dropped = np.array([pid for pid in out if p.state[pid] == PREPARING], int)
        p.move(dropped, HOME)
        self.force.came_home(dropped)
        if gaps:
            if out:
                self.log("dropouts", f"{self.name} rotation {c.rotation}", f"{len(out)} dropped out")
            self._fill(c, gaps)

    # -- in theatre ------------------------------------------------------------------------
    def _in_window(self) -> bool:
        return self.start_day <= self.clock.now < self.end_day

    def _update_gap(self) -> None:
        """Days below strength: the newest contingent in theatre short of its slots, or
        nobody there, while the deployment is under way."""
        c = self.newest
        below = c is None or len(c.present) < c.required
        self._gap.set(1.0 if self._in_window() and below else 0.0)
        now = self.clock.now
        nxt = self.start_day if now < self.start_day else self.end_day
        if now < nxt:
            self._window.set(nxt)

    def _arrive(self, c: Contingent) -> None:
        p = self.people
        for pid in [pid for pid in c.roles if p.state[pid] != PREPARING]:
            c.roles.pop(pid)
            c.slot_of.pop(pid)
        ids = np.array(sorted(c.roles), int)
        self.required += c.required
        if not len(ids):
            self._send_nobody(c)
            return
        self._enter(c, ids, arrival=True)
        c.arrived = len(ids)
        c.status = IN_THEATRE
        self.rotations += 1
        self.filled += len(ids)
        if len(ids) < c.required:
            self.understrength += 1
        self.newest = c
        self.theatre.arrive(c)
        self._update_gap()
        self._timers[c.rotation][2].set(min(c.depart, self.end_day))
        self.log("arrived", f"{self.name} rotation {c.rotation}", f"{len(ids)} of {c.required}")

    def _send_nobody(self, c: Contingent) -> None:
        """A call-up that found nobody to send: no contingent goes, the one in theatre
        (if any) keeps working until it leaves; the posts count as unfilled."""
        self.empty += 1
        c.status = GONE
        self.live.remove(c)
        del self._timers[c.rotation]
        self.log("nobody sent", f"{self.name} rotation {c.rotation}", f"0 of {c.required}")

    def _enter(self, c: Contingent, ids: np.ndarray, arrival: bool) -> None:
        for obs in self.observers:
            obs.entered(c, ids, arrival)
        p = self.people
        p.move(ids, DEPLOYED)
        p.tours[ids] += 1
        c.enter(ids.tolist())

    def _depart(self, c: Contingent) -> None:
        p, now = self.people, self.clock.now
        self.theatre.depart(c)
        ids = np.array(sorted(c.present), int)
        for obs in self.observers:
            obs.left(c, ids, "returned")
        c.leave_all()
        c.status = GONE
        self.live.remove(c)
        del self._timers[c.rotation]
        if self.newest is c:
            self.newest = None
        self._update_gap()
        p.move(ids, HOME)
        p.last_return[ids] = now
        self.force.came_home(ids)
        self.log("returned", f"{self.name} rotation {c.rotation}", f"{len(ids)} home")

    def casualty(self, pid: int, killed: bool) -> None:
        """Someone in theatre is killed or wounded (and evacuated home)."""
        c = next((c for c in self.live if pid in c.present), None)
        if c is None:
            return
        ids = np.array([pid])
        for obs in self.observers:
            obs.left(c, ids, "killed" if killed else "wounded")
        c.leave(pid)
        role = c.roles[pid]
        if killed:
            self.force.separate(ids, "killed")
            self.willingness.killed(self.clock.now)
        else:
            self.people.move(ids, HOME)
            self.people.last_return[pid] = self.clock.now
            self.force.came_home(ids)
        self._update_gap()
        self.log("killed" if killed else "wounded, evacuated", f"p{pid}", f"{self.name} {role}")
        self.theatre.member_lost(pid)
        if self.spec.replace_casualties and c.status == IN_THEATRE:
            self._replace(c, c.slot_of[pid])

    def _replace(self, c: Contingent, slot: int) -> None:
        chosen = self._fill(c, {slot: 1}, record=False)
        if chosen:
            pid = chosen[0]
            self.clock.call_at(self.clock.now + self.spec.replacement_days,
                               lambda: self._replacement_arrives(c, pid))

    def _replacement_arrives(self, c: Contingent, pid: int) -> None:
        p = self.people
        if c.status != IN_THEATRE or p.state[pid] != PREPARING or self.clock.now >= min(c.depart, self.end_day):
            if p.state[pid] == PREPARING:
                p.move([pid], HOME)
                self.force.came_home(np.array([pid]))
            return
        self._enter(c, np.array([pid]), arrival=False)
        c.joined[pid] = self.clock.now
        self._update_gap()
        self.theatre.roster_changed()
        self.log("replacement arrived", f"p{pid}", f"{self.name} {c.roles[pid]}")

    # -- results ----------------------------------------------------------------------------
    def required_now(self) -> float:
        return self._required if self.start_day <= self.clock.now < self.end_day else 0.0

    def report(self, results: Results, unfilled: list[UnfilledPosts]) -> None:
        results.add("rotations", self.rotations)
        results.add("rotations_empty", self.empty)
        results.ratio("rotation_fill_rate", self.filled, self.required)
        results.declare({f"rotation_fill_rate.{self.name}": None})
        results.ratio(f"rotation_fill_rate.{self.name}", self.filled, self.required)
        results.add("rotations_understrength", self.understrength)
        results.add("gap_days", self._gap.total())
        unfilled.extend(self.unfilled)
