"""The home force: establishment, recruiting, contracts, attrition, officer release, FOC.

Flows that need no interaction are applied in monthly vectorised steps over the people
arrays (PERFORMANCE.md: a 30-day numpy step is ~25x cheaper than daily ticks).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.people import GRADE_INDEX, GRADE_NAMES, HOME

if TYPE_CHECKING:
    from sim.model.world import World

YEAR = 365.25
MONTH = YEAR / 12
SHARE_TOLERANCE = 0.01  # the officer-share target counts as met within one percentage point


def _vec(g: object) -> np.ndarray:
    return np.array([getattr(g, name) for name in GRADE_NAMES], float)


class HomeForce:
    def __init__(self, world: World):
        self.w = world
        self.recruited = np.zeros(3, int)
        self.separated = np.zeros(3, int)
        self.killed = np.zeros(3, int)
        self.promoted_in = np.zeros(3, int)
        self.promoted_out = np.zeros(3, int)
        self.start_strength = np.zeros(3, int)
        self.exits: dict[str, int] = {}
        self.foc_day: float | None = None
        self.target_met_day: float | None = None
        self._carry = {"soldier": 0.0, "officer": 0.0, "release": 0.0}

    # -- set-up ---------------------------------------------------------------
    def build_initial(self) -> None:
        sc, people = self.w.sc, self.w.people
        rng = self.w.streams.get("initial_force")
        f = sc.force
        for g, name in enumerate(GRADE_NAMES):
            count = getattr(f.initial, name)
            served = rng.exponential(getattr(f.initial_service_years, name) * YEAR + 1e-9, count)
            remaining = rng.uniform(0, max(getattr(f.contract_years, name), 1e-9) * YEAR, count)
            ids = people.add(g, count, joined=-served, contract_end=remaining)
            for q, shares in f.qualified.items():
                held = rng.random(count) < getattr(shares, name)
                people.qual(q)[ids[held]] = np.inf
        self.start_strength = people.strength().copy()

    # -- establishment ----------------------------------------------------------
    def base_establishment(self, t: float) -> np.ndarray:
        sc = self.w.sc
        est = _vec(sc.force.establishment)
        for step in sorted(sc.growth, key=lambda s: s.at):
            if sc.day(step.at) <= t:
                est = _vec(step.establishment)
        return est

    def establishment(self, t: float) -> np.ndarray:
        """Authorised posts by grade at day t, with restructuring's post conversions."""
        base = self.base_establishment(t)
        r = self.w.sc.restructure
        if r is None or base.sum() == 0:
            return base
        begin = self.w.sc.day(r.begin) if r.begin else 0.0
        by = self.w.sc.day(r.by)
        start = self.base_establishment(begin)
        s0 = start[0] / start.sum() if start.sum() else 0.0
        frac = 1.0 if by <= begin else min(max((t - begin) / (by - begin), 0.0), 1.0)
        share = s0 + (r.target_officer_share - s0) * frac
        officers = min(base[0], round(share * base.sum()))
        moved = base[0] - officers
        return np.array([officers, base[1] + moved, base[2]])

    # -- the monthly step -------------------------------------------------------
    def process(self):
        env = self.w.env
        self.check_milestones()
        while True:
            yield env.timeout(MONTH)
            self.step(MONTH)

    def step(self, dt: float) -> None:
        w = self.w
        w.before_change()
        self._attrition(dt)
        self._contract_ends()
        self._release_officers(dt)
        self._recruit(dt)
        w.courses_refresh()
        self.check_milestones()

    def _home(self, g: int) -> np.ndarray:
        p = self.w.people
        return np.flatnonzero((p.state[: p.n] == HOME) & (p.grade[: p.n] == g))

    def _attrition(self, dt: float) -> None:
        rng = self.w.streams.get("attrition")
        rates = _vec(self.w.sc.force.attrition_per_year)
        for g in range(3):
            ids = self._home(g)
            p = 1 - math.exp(-rates[g] * dt / YEAR)
            leave = ids[rng.random(len(ids)) < p]
            if len(leave):
                self.w.separate(leave, "attrition")

    def _contract_ends(self) -> None:
        w, people, now = self.w, self.w.people, self.w.env.now
        rng = w.streams.get("contracts")
        f = w.sc.force
        est = self.establishment(now)
        strength = people.strength()
        for g, name in enumerate(GRADE_NAMES):
            ids = self._home(g)
            ending = ids[people.contract_end[ids] <= now]
            if not len(ending):
                continue
            stay = ending[rng.random(len(ending)) < getattr(f.reenlist, name)]
            posts = int(max(0, est[g] - (strength[g] - len(ending))))
            if len(stay) > posts:
                stay = rng.permutation(stay)[:posts]
            people.contract_end[stay] += getattr(f.contract_years, name) * YEAR
            leave = np.setdiff1d(ending, stay)
            if len(leave):
                w.separate(leave, "contract end")

    def _release_officers(self, dt: float) -> None:
        r = self.w.sc.restructure
        if r is None:
            return
        people, now = self.w.people, self.w.env.now
        surplus = int(people.strength()[0] - self.establishment(now)[0])
        self._carry["release"] += r.officer_release_per_year * dt / YEAR
        if surplus <= 0:
            self._carry["release"] %= 1.0
            return
        ids = self._home(0)
        n = min(surplus, int(self._carry["release"]), len(ids))
        if n <= 0:
            return
        self._carry["release"] -= n
        soonest = ids[np.argsort(people.contract_end[ids], kind="stable")][:n]
        self.w.separate(soonest, "released (restructuring)")

    def _recruit(self, dt: float) -> None:
        w, now = self.w, self.w.env.now
        f = w.sc.force
        est = self.establishment(now)
        strength = w.people.strength()
        intake = {
            "soldier": f.recruiting.per_month * dt / MONTH,
            "officer": f.officer_intake_per_year * dt / YEAR,
        }
        for name, amount in intake.items():
            g = GRADE_INDEX[name]
            self._carry[name] += amount
            n = min(int(self._carry[name]), int(max(0, est[g] - strength[g])))
            self._carry[name] = self._carry[name] % 1.0  # capacity unused this month is gone
            if n > 0:
                years = getattr(f.contract_years, name)
                ids = w.people.add(g, n, joined=now, contract_end=now + years * YEAR)
                self.recruited[g] += n
                w.log("recruited", f"{n} {name}s", f"ids {ids[0]}..{ids[-1]}")

    # -- milestones -------------------------------------------------------------
    def check_milestones(self) -> None:
        now, sc, people = self.w.env.now, self.w.sc, self.w.people
        strength = people.strength()
        if self.foc_day is None:
            last_step = max((sc.day(s.at) for s in sc.growth), default=0.0)
            if now >= last_step and self._at_foc(strength):
                self.foc_day = now
                self.w.log("foc reached", "force", f"strength {strength.tolist()}")
        r = sc.restructure
        share = self.officer_share()
        if (r is not None and self.target_met_day is None and share is not None
                and share <= r.target_officer_share + SHARE_TOLERANCE):
            self.target_met_day = now
            self.w.log("officer share target met", "force", f"{share:.3f}")

    def _at_foc(self, strength: np.ndarray) -> bool:
        foc = self.w.sc.force.foc
        est = self.establishment(self.w.env.now)
        if np.any(strength < foc.fill * est - 1e-9):
            return False
        total = strength.sum()
        for q, share in foc.qualified.items():
            held = int(self.w.people.holds(q, self.w.env.now)[self.w.people.active].sum())
            if total == 0 or held / total < share:
                return False
        return True

    def officer_share(self) -> float | None:
        s = self.w.people.strength()
        return float(s[0] / s.sum()) if s.sum() else None

    def record_exit(self, ids: np.ndarray, reason: str) -> None:
        g = np.bincount(self.w.people.grade[ids], minlength=3)
        self.separated += g
        if reason == "killed":
            self.killed += g
        self.exits[reason] = self.exits.get(reason, 0) + len(ids)


