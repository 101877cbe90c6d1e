"""Security assistance: programmes from abroad (IMET, EIPC, bilateral) as budgets over
time that buy what the model already knows.

Each programme receives `usd_per_year` at its start and on each anniversary before its
end (the last part-year pro rata) and spends only what it holds, first come first
served: course seats as cohorts start (up to `seats_per_cohort`, as many as it can pay
for), a training team (the course runs only while a team is paid for), vehicles that
join a theatre's fleet when delivered, NATO-standard kit at each tranche, and exercise
participants. What it cannot pay for is not bought (seats unbought are counted).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from sim.model.clock import Clock
from sim.model.log import EventLog
from sim.model.record import Results
from sim.scenario.schema import Programme as ProgrammeSpec
from sim.scenario.schema import SeatBuy

YEAR = 365.25
MONTH = YEAR / 12


def anniversary(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def tranches(spec: ProgrammeSpec) -> list[tuple[dt.date, float]]:
    """(date, share of a year's budget) of each payment: a year's budget at the start
    and each anniversary before the end; the last part-year gets its share of days."""
    out, k = [], 0
    while (at := anniversary(spec.start, k)) < spec.end:
        following = anniversary(spec.start, k + 1)
        share = min(1.0, (spec.end - at).days / (following - at).days)
        out.append((at, share))
        k += 1
    return out


@dataclass
class Ports:
    """What assistance can reach: each peer as a callable."""

    open_course: Callable[[str, float, float], None]    # course, first day, last day
    add_vehicles: Callable[[str, int], None]            # deployment, vehicles delivered
    equipment_missing: Callable[[], int]                # sets needed, not held or on order
    order_equipment: Callable[[int, float], None]       # sets, delivery days


class Wallet:
    """One programme's money."""

    def __init__(self, name: str, spec: ProgrammeSpec):
        self.name, self.spec = name, spec
        self.received = self.spent = 0.0

    @property
    def balance(self) -> float:
        return self.received - self.spent

    def buy(self, wanted: int, price: float) -> int:
        """As many of `wanted` as the balance pays for, paid."""
        if wanted <= 0:
            return 0
        got = min(wanted, math.floor(self.balance / price + 1e-9)) if price > 0 else wanted
        got = max(0, got)
        self.spent += got * price
        return got


class Assistance:
    TIMELINE: ClassVar[tuple[str, ...]] = ("assistance.<programme>.usd_per_year",)
    REPORTS: ClassVar[dict[str, float | None]] = {
        "assistance_received_usd": 0.0, "assistance_spent_usd": 0.0,
        "assistance_seats_bought": 0.0, "assistance_seats_unbought": 0.0,
        "assistance_usd_per_point": None}

    def __init__(self, specs: dict[str, ProgrammeSpec], clock: Clock, log: EventLog, ports: Ports):
        self.clock, self.log, self.ports = clock, log, ports
        self.wallets = {name: Wallet(name, spec) for name, spec in specs.items()}
        self.seats_bought = self.seats_unbought = 0
        self.index_start: float | None = None

    def retune(self, programme: str, spec: ProgrammeSpec) -> None:
        """A new yearly budget: tranches from now on are paid at it."""
        self.wallets[programme].spec = spec

    # -- what peers ask for ----------------------------------------------------------
    def seat_funder(self, programme: str, buy: SeatBuy) -> Callable[[int], int]:
        """For a course: seats wanted beyond its own -> seats this programme pays for."""
        wallet = self.wallets[programme]

        def fund(wanted: int) -> int:
            wanted = min(wanted, buy.seats_per_cohort)
            if not self._open(wallet) or wanted <= 0:
                return 0
            got = wallet.buy(wanted, buy.price_usd)
            self.seats_bought += got
            self.seats_unbought += wanted - got
            if got:
                self.log("assistance", programme, f"{got} seats on {buy.course} of {wanted} wanted")
            return got
        return fund

    def participant_funder(self, programme: str, usd_per_participant: float) -> Callable[[int], int]:
        wallet = self.wallets[programme]
        return lambda wanted: wallet.buy(wanted, usd_per_participant) if self._open(wallet) else 0

    def _open(self, wallet: Wallet) -> bool:
        c = self.clock
        return c.day(wallet.spec.start) <= c.now < c.day(wallet.spec.end)

    # -- the budget over time --------------------------------------------------------
    def start(self, index_now: float | None) -> None:
        self.index_start = index_now
        clock = self.clock
        for w in self.wallets.values():
            s = w.spec
            for at, share in tranches(s):
                if clock.day(at) >= 0:
                    clock.call_at(clock.day(at), partial(self._tranche, w, share))
            for team in s.teams:
                clock.call_at(max(0.0, clock.day(team.at)), partial(self._team, w, team.course,
                                                                    team.months, team.usd))
            for v in s.vehicles:
                clock.call_at(max(0.0, clock.day(v.at)), partial(self._vehicles, w, v.deployment,
                                                                 v.count, v.price_usd, v.delivery_days))

    def _tranche(self, w: Wallet, share: float) -> None:
        amount = w.spec.usd_per_year * share  # the budget in force on the day
        w.received += amount
        self.log("assistance", w.name, f"${amount:,.0f} received")
        e = w.spec.equipment
        if e is not None:
            got = w.buy(min(e.sets_per_year, self.ports.equipment_missing()), e.price_usd)
            if got:
                self.ports.order_equipment(got, e.delivery_days)
                self.log("assistance", w.name, f"{got} sets of NATO-standard kit ordered")

    def _team(self, w: Wallet, course: str, months: float, usd: float) -> None:
        if not self._open(w) or w.buy(1, usd) == 0:
            self.log("assistance", w.name, f"no money for the {course} training team")
            return
        now = self.clock.now
        self.ports.open_course(course, now, now + months * MONTH)
        self.log("assistance", w.name, f"training team runs {course} for {months:g} months")

    def _vehicles(self, w: Wallet, deployment: str, count: int, price: float, delivery: float) -> None:
        got = w.buy(count, price) if self._open(w) else 0
        if got:
            self.clock.call_at(self.clock.now + delivery, partial(self.ports.add_vehicles, deployment, got))
        self.log("assistance", w.name, f"{got} of {count} vehicles bought for {deployment}")

    # -- results ---------------------------------------------------------------------
    def report(self, results: Results, index_end: float | None) -> None:
        received = sum(w.received for w in self.wallets.values())
        spent = sum(w.spent for w in self.wallets.values())
        results.add("assistance_received_usd", received)
        results.add("assistance_spent_usd", spent)
        results.add("assistance_seats_bought", self.seats_bought)
        results.add("assistance_seats_unbought", self.seats_unbought)
        gain = None if index_end is None or self.index_start is None else index_end - self.index_start
        results.set("assistance_usd_per_point",
                    spent / (100 * gain) if spent > 0 and gain is not None and gain > 0 else None)

    def spent(self) -> float:
        return sum(w.spent for w in self.wallets.values())
