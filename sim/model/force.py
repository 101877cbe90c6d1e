"""The home force: recruiting, contracts, attrition, officer release, milestones.

Flows that need no interaction are applied in monthly vectorised steps over the people
arrays (PERFORMANCE.md: a 30-day numpy step is ~25x cheaper than daily ticks). They
apply to everyone in the force, wherever they are: someone at home or in a course
leaves at once; someone selected for a tour or deployed serves it out and leaves on
return (or on evacuation, or when the rotation is stood down), so that a contingent is
never thinned by paperwork.

Intake runs through the supply pipeline when the scenario has one (SPEC "Force supply
and budget"): applicants and selection (`supply`), the `per_month` ceiling, basic-
training seats (`basic_training`) and the personnel budget (`budget`). Each stage is a
limit on the month's intake; without them the intake is min(per_month, vacancies).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np

from sim.model.basic_training import BasicTraining
from sim.model.budget import PersonnelBudget
from sim.model.clock import Clock
from sim.model.establishment import Establishment, counts
from sim.model.growth import GrowthLimits, binding, first_cause
from sim.model.log import EventLog
from sim.model.people import (
    DEPLOYED,
    GRADE_INDEX,
    GRADE_NAMES,
    HOME,
    IN_BASIC,
    PREPARING,
    SEPARATED,
    People,
)
from sim.model.record import Results
from sim.model.streams import Streams
from sim.model.supply import LabourMarket
from sim.model.tempo import reenlist_chance
from sim.scenario.schema import Force, GradeRates, GradeShares, Restructure

YEAR = 365.25
MONTH = YEAR / 12
SHARE_TOLERANCE = 0.01  # the officer-share target counts as met within one percentage point
OFFICER, NCO, SOLDIER = (GRADE_INDEX[g] for g in GRADE_NAMES)

Leavers = Callable[[np.ndarray], None]


def _vec(g: GradeRates | GradeShares) -> np.ndarray:
    return np.array([g.officer, g.nco, g.soldier], float)


class HomeForce:
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "force.establishment.<grade>", "force.contract_years.<grade>", "force.reenlist.<grade>",
        "force.attrition_per_year.<grade>", "force.recruiting.per_month",
        "force.officer_intake_per_year", "force.retention.per_tour_done", "force.foc.fill", "force.foc.qualified.<qualification>",
        "restructure.target_officer_share", "restructure.by", "restructure.officer_release_per_year",
        "force.recruiting.applicants_per_month", "force.recruiting.selection_rate",
        "force.recruiting.civilian_wage_usd_per_month",
        *(f"force.recruiting.market.{k}" for k in ("pool", "propensity_per_year", "pay_elasticity")),
        *BasicTraining.TIMELINE,
    )
    REPORTS: ClassVar[dict[str, float | None]] = {**dict.fromkeys((
        "strength_end", *(f"strength_end.{g}" for g in GRADE_NAMES), "officer_share_end",
        "establishment_fill_end", "days_to_foc", "officer_share_target_met_days", "recruited",
        "separated", "officers_released", "officer_share_start", "applicants",
        "basic_training_washouts", "in_basic_training_end")), **GrowthLimits.REPORTS}

    def __init__(self, spec: Force, establishment: Establishment, clock: Clock, people: People,
                 streams: Streams, log: EventLog, last_growth_day: float = 0.0,
                 first_growth_day: float | None = None, budget: PersonnelBudget | None = None,
                 home_rate: Callable[[int], float] = lambda grade: 0.0):
        """`home_rate(grade)`: a person's cost a day at home (the pay the labour market
        weighs against civilian wages; what the budget pays for a newcomer)."""
        self.spec, self.establishment = spec, establishment
        self.clock, self.people, self.streams, self.log = clock, people, streams, log
        self.last_growth_day = last_growth_day
        self.budget, self.home_rate = budget, home_rate
        self.supply = LabourMarket(streams.get("recruits"), streams.get("enlistment"),
                                   lambda: home_rate(SOLDIER))
        bt = spec.recruiting.basic_training
        self.basic_training = None if bt is None else BasicTraining(
            bt, clock, people, streams.get("basic_training"), log, self.separate)
        self.growth = GrowthLimits(first_growth_day)
        self._held: dict[int, set[str]] = {OFFICER: set(), SOLDIER: set()}  # binding stages
        self.on_leave: list[Leavers] = []            # told of everyone who leaves the force
        self.after_step: list[Callable[[], None]] = []  # after each monthly step
        self.recruited = np.zeros(3, int)
        self.separated = np.zeros(3, int)            # alive: contracts, attrition, release
        self.killed = np.zeros(3, int)
        self.released = 0
        self.start_strength = np.zeros(3, int)
        self.exits: dict[str, int] = {}
        self.foc_day: float | None = None
        self.target_met_day: float | None = None
        self._carry = {"soldier": 0.0, "officer": 0.0, "release": 0.0}
        self._leavers: list[np.ndarray] | None = None  # during the monthly step

    # -- set-up ---------------------------------------------------------------
    def build_initial(self) -> None:
        rng = self.streams.get("initial_force")
        f, people = self.spec, self.people
        for g, name in enumerate(GRADE_NAMES):
            count = getattr(f.initial, name)
            served = rng.exponential(getattr(f.initial_service_years, name) * YEAR + 1e-9, count)
            remaining = rng.uniform(0, max(getattr(f.contract_years, name), 1e-9) * YEAR, count)
            ids = people.add(g, count, joined=-served, contract_end=remaining)
            for q, shares in f.qualified.items():
                held = rng.random(count) < getattr(shares, name)
                people.grant(q, ids[held], np.inf)
        self._expire_initial()
        self.start_strength = people.strength().copy()

    def _expire_initial(self) -> None:
        """Qualifications held at the start lapse within their validity unless refreshed
        (a stream of their own: the draws of the initial force stay as they were)."""
        valid = self.spec.qualification_valid_years
        if not valid:
            return
        rng, people = self.streams.get("skills"), self.people
        for q in sorted(valid):
            if q in people.quals:
                held = np.flatnonzero(people.qual(q)[: people.n] == np.inf)
                people.grant(q, held, rng.uniform(0, valid[q] * YEAR, len(held)))

    def start(self) -> None:
        self.check_milestones()
        self._next = MONTH
        self.clock.call_at(self._next, self._monthly)

    def _monthly(self) -> None:
        self.step(MONTH)
        self._next += MONTH
        self.clock.call_at(self._next, self._monthly)

    # -- timeline ---------------------------------------------------------------
    def retune(self, spec: Force, restructure: Restructure | None) -> None:
        self.spec = spec
        if self.basic_training is not None and spec.recruiting.basic_training is not None:
            self.basic_training.retune(spec.recruiting.basic_training)
        self.establishment.initial = counts(spec.establishment)
        self.establishment.restructure = restructure

    @property
    def restructure(self) -> Restructure | None:
        return self.establishment.restructure

    # -- the monthly step -------------------------------------------------------
    def step(self, dt: float) -> None:
        # `on_leave` hears once, after all of the step's leavers (the same instant; nothing
        # between asks the listeners), rather than once per reason
        self._leavers = []
        try:
            stayers = self._stayers()
            going = self._attrition(stayers, dt)
            self.leave(stayers[going], "attrition")
            self.leave(self._contract_ends(stayers[~going]), "contract end")
            self._release_officers(dt)
        finally:
            leavers, self._leavers = self._leavers, None
        if leavers:
            ids = leavers[0] if len(leavers) == 1 else np.concatenate(leavers)
            for tell in self.on_leave:
                tell(ids)
        self._recruit(dt)
        for hook in self.after_step:
            hook()
        self.check_milestones()
        now = self.clock.now
        if self.foc_day is None and self.growth.under_way(now):
            self.growth.note(now, now + dt, self.holding_back())

    def _stayers(self) -> np.ndarray:
        """Everyone in the force who has not already decided to leave."""
        p = self.people
        return ((p.state[: p.n] < SEPARATED) & np.isnan(p.leaving[: p.n])).nonzero()[0]

    def _attrition(self, stayers: np.ndarray, dt: float) -> np.ndarray:
        """Which of `stayers` leave by attrition in a step of `dt` days (a mask)."""
        rng = self.streams.get("attrition")
        chance = 1 - np.exp(-_vec(self.spec.attrition_per_year) * dt / YEAR)  # by grade
        return rng.random(len(stayers)) < chance[self.people.grade[stayers]]

    def _contract_ends(self, stayers: np.ndarray) -> np.ndarray:
        """Contracts ending now: re-enlistment where a post exists; the rest leave."""
        people, now = self.people, self.clock.now
        rng = self.streams.get("contracts")
        f = self.spec
        est = self.establishment.at(now)
        strength = people.strength()
        leaving: list[np.ndarray] = []
        ending_all = stayers[people.contract_end[stayers] <= now]
        for g, name in enumerate(GRADE_NAMES):
            ending = ending_all[people.grade[ending_all] == g]
            if not len(ending):
                continue
            stays = rng.random(len(ending)) < reenlist_chance(getattr(f.reenlist, name), f.retention,
                                                              people.tours[ending])
            posts = int(max(0, est[g] - (strength[g] - len(ending))))
            if np.count_nonzero(stays) > posts:
                keep = rng.permutation(np.flatnonzero(stays))[:posts]
                stays[:] = False
                stays[keep] = True
            people.contract_end[ending[stays]] += getattr(f.contract_years, name) * YEAR
            leaving.append(ending[~stays])
        return np.concatenate(leaving) if leaving else np.zeros(0, np.int64)

    def _release_officers(self, dt: float) -> None:
        r = self.restructure
        if r is None:
            return
        people, now = self.people, self.clock.now
        surplus = int(people.strength()[0] - self.establishment.at(now)[0])
        self._carry["release"] += r.officer_release_per_year * dt / YEAR
        if surplus <= 0:
            self._carry["release"] %= 1.0
            return
        n = people.n
        ids = np.flatnonzero((people.grade[:n] == 0) & (people.state[:n] == HOME) & np.isnan(people.leaving[:n]))
        n = min(surplus, int(self._carry["release"]), len(ids))
        if n <= 0:
            return
        self._carry["release"] -= n
        soonest = ids[np.argsort(people.contract_end[ids], kind="stable")][:n]
        self.released += n
        self.separate(soonest, "released (restructuring)")

    def _recruit(self, dt: float) -> None:
        """The month's intake of soldiers, then of academy officers."""
        f = self.spec
        soldiers = self._intake(SOLDIER, f.recruiting.per_month * dt / MONTH, dt)
        officers = self._intake(OFFICER, f.officer_intake_per_year * dt / YEAR, dt)
        if self.budget is not None:
            self.budget.note_unfunded(soldiers + officers, dt)

    def _intake(self, g: int, amount: float, dt: float) -> int:
        """Take in recruits of grade `g`: the vacancies not already filled (or in basic
        training), limited by every stage of the pipeline the scenario has. Returns the
        vacancies the budget could not pay."""
        now, f, name = self.clock.now, self.spec, GRADE_NAMES[g]
        bt = self.basic_training if g == SOLDIER else None
        need = int(max(0, self.establishment.at(now)[g] - self.people.strength()[g]
                       - (bt.in_training() if bt is not None else 0)))
        self._carry[name] += amount
        limits = {"intake" if g == SOLDIER else "officers": int(self._carry[name])}
        self._carry[name] %= 1.0  # capacity unused this month is gone
        if g == SOLDIER:
            drawn = self.supply.draw(f.recruiting, dt)
            if drawn is not None:
                limits["applicants"], limits["selection"] = drawn
            if bt is not None:
                limits["basic_training"] = bt.free_seats()
        if self.budget is not None:
            limits["budget"] = self.budget.affordable(self.home_rate(g))
        n = max(0, min(need, *limits.values()))
        self._held[g] = binding(limits, n, need)
        if n > 0:
            end = now + getattr(f.contract_years, name) * YEAR
            if bt is not None:
                bt.enrol(n, end)
            else:
                ids = self.people.add(g, n, joined=now, contract_end=end)
                if self.log.enabled:
                    self.log("recruited", f"{n} {name}s", f"ids {ids[0]}..{ids[-1]}")
            self.recruited[g] += n
        return max(0, need - limits["budget"]) if "budget" in limits else 0

    def holding_back(self) -> str:
        """What holds growth back now, after the month's intake: the first stage, in SPEC
        order, that kept a grade short of `foc.fill` of its posts; courses for NCO posts
        (filled only by promotion) and for qualifications; else nothing."""
        strength = self.people.strength()
        short = strength < self.spec.foc.fill * self.establishment.at(self.clock.now) - 1e-9
        causes: set[str] = set()
        if short[SOLDIER]:
            in_basic = self.people.counts[IN_BASIC].sum()
            causes |= self._held[SOLDIER] or ({"basic_training"} if in_basic else set())
        if short[NCO] or not self._qualified():
            causes.add("courses")
        if short[OFFICER]:
            causes |= self._held[OFFICER]
        return first_cause(causes)

    # -- leaving ----------------------------------------------------------------
    def leave(self, ids: np.ndarray, reason: str) -> None:
        """People decide to leave: at once, or, if they are selected for a tour or on one,
        when they come home from it."""
        if not len(ids):
            return
        p = self.people
        committed = (p.state[ids] == DEPLOYED) | (p.state[ids] == PREPARING)
        away = ids[committed]
        if len(away):
            p.leaving[away] = self.clock.now
            for pid in away.tolist():
                p.leaving_reason[pid] = reason
            if self.log.enabled:
                self.log("leaves on return", f"{len(away)} people", reason)
        self.separate(ids[~committed], reason)

    def came_home(self, ids: np.ndarray) -> None:
        """People back from theatre: those who decided to leave while away go now."""
        ids = np.asarray(ids, dtype=np.int64)
        p = self.people
        going = ids[~np.isnan(p.leaving[ids])]
        if not len(going):
            return
        p.leaving[going] = np.nan
        reasons = [p.leaving_reason.pop(pid) for pid in going.tolist()]
        for reason in dict.fromkeys(reasons):
            self.separate(going[[r == reason for r in reasons]], reason)

    def separate(self, ids: np.ndarray, reason: str) -> None:
        if not len(ids):
            return
        grades = np.bincount(self.people.grade[ids], minlength=3)
        self.people.move(ids, SEPARATED)
        if reason == "killed":
            self.killed += grades
        else:
            self.separated += grades
        self.exits[reason] = self.exits.get(reason, 0) + len(ids)
        if self._leavers is not None:  # in the monthly step: told at its end
            self._leavers.append(ids)
        else:
            for hook in self.on_leave:
                hook(ids)
        if self.log.enabled:
            self.log("separated", f"{len(ids)} people", reason)

    # -- milestones -------------------------------------------------------------
    def vacancies(self, grade: int) -> int:
        return int(self.establishment.at(self.clock.now)[grade] - self.people.strength()[grade])

    def check_milestones(self) -> None:
        now, people = self.clock.now, self.people
        strength = people.strength()
        if self.foc_day is None and now >= self.last_growth_day and self._at_foc(strength):
            self.foc_day = now
            self.log("foc reached", "force", f"strength {strength.tolist()}")
        r = self.restructure
        share = self.officer_share()
        if (r is not None and self.target_met_day is None and share is not None
                and share <= r.target_officer_share + SHARE_TOLERANCE):
            self.target_met_day = now
            self.log("officer share target met", "force", f"{share:.3f}")

    def _at_foc(self, strength: np.ndarray) -> bool:
        est = self.establishment.at(self.clock.now)
        return not np.any(strength < self.spec.foc.fill * est - 1e-9) and self._qualified()

    def _qualified(self) -> bool:
        """Whether the force meets every `foc.qualified` share."""
        now = self.clock.now
        total = self.people.strength().sum()
        active = self.people.active
        for q, share in self.spec.foc.qualified.items():
            held = int(np.count_nonzero(self.people.holds(q, now)[active]))
            if total == 0 or held / total < share:
                return False
        return True

    def officer_share(self) -> float | None:
        s = self.people.strength()
        return float(s[0] / s.sum()) if s.sum() else None

    # -- results -------------------------------------------------------------------
    def report(self, results: Results, warnings: list[str]) -> None:
        strength = self.people.strength()
        est = self.establishment.at(self.clock.now)
        results.set("strength_end", int(strength.sum()))
        for g, name in enumerate(GRADE_NAMES):
            results.set(f"strength_end.{name}", int(strength[g]))
        results.set("officer_share_end", self.officer_share())
        results.set("establishment_fill_end", float(strength.sum() / est.sum()) if est.sum() else None)
        results.set("days_to_foc", self.foc_day)
        results.set("officer_share_target_met_days", self.target_met_day)
        results.set("recruited", int(self.recruited.sum()))
        results.set("separated", int(self.separated.sum()))
        results.set("in_basic_training_end", int(self.people.counts[IN_BASIC].sum()))
        results.set("applicants", self.supply.applicants if self.supply.active else None)
        bt = self.basic_training
        results.set("basic_training_washouts", bt.washouts if bt is not None else None)
        self.growth.report(results, self.clock.now)
        start = self.start_strength
        results.set("officer_share_start", float(start[0] / start.sum()) if start.sum() else None)
        r = self.restructure
        results.set("officers_released", self.released if r is not None else None)
        if r is not None and r.officer_release_per_year > 0 and self.released == 0:
            warnings.append(
                f"restructure.officer_release_per_year is {r.officer_release_per_year:g} a year, "
                "but no officer surplus arose at home before the end: no officer was released "
                "(natural outflow kept pace with the conversion of posts)")
