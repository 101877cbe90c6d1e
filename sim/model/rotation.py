"""Rotations of one deployment: selection, pre-deployment training, tour, handover.

Rotation k arrives at `start + k * (tour_days - overlap_days)`, so it overlaps the
outgoing contingent by `overlap_days`; its people are selected `select_days` before
and train for `predeployment_days` before arrival.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.people import DEPLOYED, GRADE_INDEX, HOME, PREPARING
from sim.model.theatre import Theatre

if TYPE_CHECKING:
    from sim.model.world import World
    from sim.scenario.schema import Slot

REASONS = ("no qualified person", "unavailable", "dwell", "no volunteer")


@dataclass
class Contingent:
    deployment: str
    rotation: int
    arrive: float
    depart: float
    slots: list[Slot]
    roles: dict[int, str] = field(default_factory=dict)   # everyone selected: pid -> role
    slot_of: dict[int, int] = field(default_factory=dict)  # pid -> index of their slot
    excluded: set[int] = field(default_factory=set)       # dropped out: not to be re-selected
    present: set[int] = field(default_factory=set)         # in theatre now
    arrived: int = 0
    joined: dict[int, float] = field(default_factory=dict)  # late arrivals (replacements)
    deployed_usd: float = 0.0
    selected_at: dict[int, float] = field(default_factory=dict)
    _counts: dict[str, int] | None = None

    def in_role(self, role: str) -> list[int]:
        return sorted(p for p in self.present if self.roles[p] == role)

    def count_role(self, role: str) -> int:
        if self._counts is None:  # the roster changes rarely; the theatre asks daily
            self._counts = {}
            for p in self.present:
                self._counts[self.roles[p]] = self._counts.get(self.roles[p], 0) + 1
        return self._counts.get(role, 0)

    def enter(self, ids: list[int]) -> None:
        self.present.update(ids)
        self._counts = None

    def leave(self, pid: int) -> None:
        self.present.discard(pid)
        self._counts = None

    def leave_all(self) -> None:
        self.present = set()
        self._counts = None

    def required_in_role(self, role: str) -> int:
        return sum(s.count for s in self.slots if s.role == role)


class Rotations:
    def __init__(self, world: World, name: str):
        self.w, self.name = world, name
        self.theatre = Theatre(world, name)
        self.rotations = 0
        self.required = 0
        self.filled = 0
        self.understrength = 0
        self.unfilled: list[dict[str, object]] = []
        self.gap_days = 0.0
        self._gap_t = 0.0
        self.first: Contingent | None = None
        self.first_items_day120: float | None = None
        self.first_vehicle_days = 0.0
        self.first_casualties = 0

    @property
    def spec(self):
        return self.w.sc.deployment(self.name)

    # -- schedule ----------------------------------------------------------------------
    def process(self):
        env, sc = self.w.env, self.w.sc
        start, end = sc.day(self.spec.start), min(sc.day(self.spec.end), sc.horizon_days)
        self._gap_t = max(start, 0.0)
        k = 0
        while True:
            d = self.spec
            arrive = start + k * max(d.tour_days - d.overlap_days, 1.0)
            if arrive >= end:
                return
            depart = min(arrive + d.tour_days, end)
            if depart <= 0:  # a rotation over before the scenario begins
                k += 1
                continue
            select_at = max(env.now, arrive - d.select_days)
            yield env.timeout(select_at - env.now)
            # Let people returning at this same instant come home before selection.
            yield env.timeout(0)
            env.process(self._rotation(k, max(arrive, 0.0), depart))
            k += 1

    def _rotation(self, k: int, arrive: float, depart: float):
        w, env, d = self.w, self.w.env, self.spec
        c = Contingent(self.name, k, arrive, depart, list(d.contingent))
        w.before_change()
        self._fill(c, range(len(c.slots)))
        yield env.timeout(max(0.0, arrive - d.predeployment_days - env.now))
        self._dropouts(c)
        yield env.timeout(max(0.0, arrive - env.now))
        self._arrive(c)
        if self.first is None:
            self.first = c
            env.process(self._day120(c))
        yield env.timeout(max(0.0, depart - env.now))
        self._depart(c)

    def _day120(self, c: Contingent):
        start_items = self.theatre.items_cleared
        yield self.w.env.timeout(min(120.0, c.depart - c.arrive))
        self.first_items_day120 = self.theatre.items_cleared - start_items

    # -- selection ---------------------------------------------------------------------
    def _fill(self, c: Contingent, slot_indices: range | list[int], count: dict[int, int] | None = None,
              record: bool = True) -> list[int]:
        """Select people for slots, most constrained first; returns the ids chosen."""
        w, p, now, d = self.w, self.w.people, self.w.env.now, self.spec
        n = p.n
        home = (p.state[:n] == HOME)
        dwell = (now - p.last_return[:n]) >= d.min_dwell_days
        volunteer = w.streams.get("volunteers", self.name).random(n) < d.volunteer_prob
        taken = np.zeros(n, bool)
        taken[list(c.roles.keys() | c.excluded)] = True

        def eligible(slot: Slot) -> np.ndarray:
            grades = [GRADE_INDEX[g] for g in slot.grades]
            return p.active & p.grade_in(grades) & p.holds_all(slot.requires, now)

        want = {i: (count or {}).get(i, c.slots[i].count) for i in slot_indices}
        pools = {i: eligible(c.slots[i]) for i in want}
        order = sorted(want, key=lambda i: (pools[i] & home & dwell & volunteer).sum() / max(want[i], 1))
        order_rng = w.streams.get("selection", self.name)
        chosen_all: list[int] = []
        for i in order:
            slot = c.slots[i]
            cand = np.flatnonzero(pools[i] & home & dwell & volunteer & ~taken)
            cand = cand[order_rng.permutation(len(cand))]
            cand = cand[np.argsort(p.last_return[cand], kind="stable")]  # longest at home first
            pick = cand[: want[i]]
            taken[pick] = True
            for pid in pick.tolist():
                c.roles[pid] = slot.role
                c.slot_of[pid] = i
                c.selected_at[pid] = now
            chosen_all.extend(pick.tolist())
            short = want[i] - len(pick)
            if short and record:
                reason = self._reason(pools[i] & ~taken, home, dwell, short)
                self.unfilled.append({"deployment": self.name, "rotation": c.rotation,
                                      "role": slot.role, "missing": short, "reason": reason})
                w.log("slot unfilled", f"{self.name} rotation {c.rotation}", f"{slot.role}: {short} short ({reason})")
        if chosen_all:
            p.state[chosen_all] = PREPARING
            w.log("selected", f"{self.name} rotation {c.rotation}", f"{len(chosen_all)} people: " + " ".join(f"p{i}" for i in chosen_all[:40]))
        return chosen_all

    @staticmethod
    def _reason(pool: np.ndarray, home: np.ndarray, dwell: np.ndarray, short: int) -> str:
        """The first missing condition that would have filled the slot had it held."""
        if pool.sum() < short:
            return REASONS[0]
        if (pool & home).sum() < short:
            return REASONS[1]
        if (pool & home & dwell).sum() < short:
            return REASONS[2]
        return REASONS[3]

    def _dropouts(self, c: Contingent) -> None:
        d = self.spec
        if d.dropout_prob <= 0 or not c.roles:
            return
        w, p = self.w, self.w.people
        w.before_change()
        rng = w.streams.get("dropouts", self.name)
        out = [pid for pid in sorted(c.roles) if rng.random() < d.dropout_prob]
        gaps: dict[int, int] = {}
        for pid in out:
            c.roles.pop(pid)
            c.excluded.add(pid)
            if p.state[pid] == PREPARING:
                p.state[pid] = HOME
            i = c.slot_of.pop(pid)
            gaps[i] = gaps.get(i, 0) + 1
        if gaps:
            w.log("dropouts", f"{self.name} rotation {c.rotation}", f"{len(out)} dropped out")
            self._fill(c, list(gaps), count=gaps)

    # -- in theatre ----------------------------------------------------------------------
    def _gap_advance(self) -> None:
        now, sc = self.w.env.now, self.w.sc
        lo, hi = sc.day(self.spec.start), min(sc.day(self.spec.end), sc.horizon_days)
        t0, t1 = max(self._gap_t, lo), min(now, hi)
        cur = self.theatre.current
        strength = len(cur.present) if cur is not None else 0
        if t1 > t0 and strength < self.spec.required:
            self.gap_days += t1 - t0
        self._gap_t = max(self._gap_t, now)

    def _arrive(self, c: Contingent) -> None:
        w, p = self.w, self.w.people
        w.before_change()
        self._gap_advance()
        ids = np.array(sorted(pid for pid in c.roles if p.state[pid] == PREPARING), int)
        for pid in [pid for pid in c.roles if pid not in set(ids.tolist())]:
            c.roles.pop(pid)
            c.slot_of.pop(pid)
        self._deploy(ids)
        c.enter(ids.tolist())
        c.arrived = len(ids)
        self.rotations += 1
        required = self.spec.required
        self.required += required
        self.filled += len(ids)
        if len(ids) < required:
            self.understrength += 1
        self.theatre.arrive(c)
        if self.first is None:
            self.first_vehicle_days = -self.theatre.stats.vehicle_days
        w.log("arrived", f"{self.name} rotation {c.rotation}", f"{len(ids)} of {required}")

    def _deploy(self, ids: np.ndarray) -> None:
        """People enter theatre: a repeat tour records the dwell since the last one."""
        w, p = self.w, self.w.people
        repeat = ids[p.tours[ids] > 0]
        w.dwell_days.extend((w.env.now - p.last_return[repeat]).tolist())
        w.repeat_tours += len(repeat)
        p.state[ids] = DEPLOYED
        p.tours[ids] += 1
        w.deployed_ever[ids] = True

    def _depart(self, c: Contingent) -> None:
        w, p, now = self.w, self.w.people, self.w.env.now
        w.before_change()
        self._gap_advance()
        self.theatre.depart(c)
        if c is self.first:
            self.theatre.integrate_fleet()
            self.first_vehicle_days += self.theatre.stats.vehicle_days
        ids = np.array(sorted(c.present), int)
        for pid in ids.tolist():
            self._charge(c, pid)
        if len(ids):
            p.state[ids] = HOME
            p.last_return[ids] = now
        c.leave_all()
        w.log("returned", f"{self.name} rotation {c.rotation}", f"{len(ids)} home")

    def _charge(self, c: Contingent, pid: int) -> None:
        """Charge a person's tour as they leave theatre, and log the tour."""
        arrived = c.joined.get(pid, c.arrive)
        self.w.tour_log.append((pid, self.name, c.rotation, c.selected_at[pid], arrived,
                                self.w.env.now))
        rates = self.w.sc.costs.person_day.deployed
        grade = ("officer", "nco", "soldier")[self.w.people.grade[pid]]
        c.deployed_usd += (self.w.env.now - arrived) * getattr(rates, grade)

    def casualty(self, pid: int, killed: bool) -> None:
        w, p = self.w, self.w.people
        c = self.theatre.current
        w.before_change()
        self._gap_advance()
        owner = c if c is not None and pid in c.present else None
        if owner is None:
            return
        self._charge(owner, pid)
        owner.leave(pid)
        if owner is self.first:
            self.first_casualties += 1
        role = owner.roles[pid]
        if killed:
            w.separate(np.array([pid]), "killed")
        else:
            p.state[pid] = HOME
            p.last_return[pid] = w.env.now
        w.log("killed" if killed else "wounded, evacuated", f"p{pid}", f"{self.name} {role}")
        self.theatre.member_lost(pid)
        if self.spec.replace_casualties:
            w.env.process(self._replace(owner, owner.slot_of[pid]))

    def _replace(self, c: Contingent, i: int):
        w, role = self.w, c.slots[i].role
        chosen = self._fill(c, [i], count={i: 1}, record=False)
        if not chosen:
            return
        yield w.env.timeout(self.spec.replacement_days)
        pid = chosen[0]
        w.before_change()
        if self.theatre.current is not c or w.people.state[pid] != PREPARING or w.env.now >= c.depart:
            if w.people.state[pid] == PREPARING:
                w.people.state[pid] = HOME
            return
        self._gap_advance()
        self._deploy(np.array([pid]))
        c.enter([pid])
        c.joined[pid] = w.env.now
        self.theatre.roster_changed()
        w.log("replacement arrived", f"p{pid}", f"{self.name} {role}")

    def finish(self) -> None:
        w = self.w
        w.before_change()
        self._gap_advance()
        self.theatre.finish()
