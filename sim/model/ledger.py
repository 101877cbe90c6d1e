"""Costs: person-days by grade and place, course seats, vehicle-days, purchases.

Person-days and vehicle-days are integrated exactly by whoever holds the level (the
people census, each fleet's meter); the ledger prices them. A rate in force from a
date (timeline) prices the days after it: the days so far are banked at the old rate.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Meter
from sim.model.log import EventLog
from sim.model.people import DEPLOYED, HOME, IN_BASIC, IN_COURSE, PREPARING, STATE_NAMES, People
from sim.model.record import Results
from sim.scenario.schema import Costs, GradeRates

AT_HOME = (HOME, IN_COURSE, PREPARING, IN_BASIC)  # priced at person_day.home


@dataclass
class _FleetAccount:
    meter: Meter
    banked: float = 0.0   # USD before the last change of rate
    mark: float = 0.0     # vehicle-days at that change


def by_grade(rates: GradeRates) -> np.ndarray:
    return np.array([rates.officer, rates.nco, rates.soldier], float)


class Ledger:
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "costs.person_day.home.<grade>", "costs.person_day.deployed.<grade>",
        "costs.course_seat.<course>", "costs.vehicle_day",
    )
    REPORTS: ClassVar[dict[str, float | None]] = dict.fromkeys(
        ("cost_total_usd", "cost_home_usd", "cost_deployed_usd", "cost_training_usd", "cost_purchases_usd"))

    def __init__(self, spec: Costs, clock: Clock, people: People, log: EventLog):
        self.spec, self.clock, self.people, self.log = spec, clock, people, log
        self._rates = self._rate_table(spec)
        self._banked = 0.0                        # person-day cost before the last rate change
        self._mark = np.zeros_like(people.person_days(0.0))
        self._deployed_banked = 0.0
        self.training_usd = 0.0
        self.purchase_usd = 0.0
        self._fleets: list[_FleetAccount] = []
        # Cumulative deployed rate per grade (USD a person-day, integrated over time):
        # what one person deployed from t0 to t1 costs is its difference.
        self._rate_t = clock.now
        self._rate_integral = np.zeros(3)
        for buy in sorted(spec.purchases, key=lambda b: b.at):
            clock.call_at(clock.day(buy.at), partial(self._purchase, buy.usd, buy.item, buy.count))

    @staticmethod
    def _rate_table(spec: Costs) -> np.ndarray:
        table = np.zeros((len(STATE_NAMES), 3))
        for state in AT_HOME:
            table[state] = by_grade(spec.person_day.home)
        table[DEPLOYED] = by_grade(spec.person_day.deployed)
        return table

    # -- what components report -----------------------------------------------------
    def add_fleet(self, meter: Meter) -> None:
        """A theatre fleet's vehicle-days, priced at `vehicle_day`."""
        self._fleets.append(_FleetAccount(meter, 0.0, meter.total()))

    def charge_course(self, course: str, seats: int) -> None:
        self.training_usd += seats * self.spec.course_seat.get(course, 0.0)

    def _purchase(self, usd: float, item: str, count: int) -> None:
        self.purchase_usd += usd
        self.log("purchase", item, f"{count} for ${usd:,.0f}")

    # -- timeline --------------------------------------------------------------------
    def retune(self, spec: Costs) -> None:
        """Rates in force from now: bank what the old ones have cost so far."""
        now = self.clock.now
        days = self.people.person_days(now)
        spent = (days - self._mark) * self._rates
        self._banked += float(spent.sum())
        self._deployed_banked += float(spent[DEPLOYED].sum())
        self._mark = days
        for fleet in self._fleets:
            total = fleet.meter.total(now)
            fleet.banked += (total - fleet.mark) * self.spec.vehicle_day
            fleet.mark = total
        self._advance_rate_integral(now)
        self.spec = spec
        self._rates = self._rate_table(spec)

    def _advance_rate_integral(self, now: float) -> None:
        self._rate_integral += self._rates[DEPLOYED] * (now - self._rate_t)
        self._rate_t = now

    # -- totals ------------------------------------------------------------------------
    def deployed_rate_integral(self) -> np.ndarray:
        """Cost of one person deployed from the start to now, by grade."""
        return self._rate_integral + self._rates[DEPLOYED] * (self.clock.now - self._rate_t)

    def fleet_usd(self, meter: Meter) -> float:
        for f in self._fleets:
            if f.meter is meter:
                return f.banked + (meter.total() - f.mark) * self.spec.vehicle_day
        return 0.0

    def person_day_usd(self) -> tuple[float, float]:
        """(all, deployed) person-day cost so far."""
        spent = (self.people.person_days() - self._mark) * self._rates
        return self._banked + float(spent.sum()), self._deployed_banked + float(spent[DEPLOYED].sum())

    def personnel_usd(self) -> float:
        """What a personnel budget pays, so far: person-days (basic training included)
        and course seats."""
        return self.person_day_usd()[0] + self.training_usd

    def personnel_usd_per_day(self) -> float:
        """Person-day cost a day of everyone in the store now, at the rates in force."""
        return float((self.people.counts * self._rates).sum())

    def home_rate(self, grade: int) -> float:
        return float(self._rates[HOME, grade])

    def vehicle_usd(self) -> float:
        return sum(self.fleet_usd(f.meter) for f in self._fleets)

    def total(self) -> float:
        return self.person_day_usd()[0] + self.vehicle_usd() + self.training_usd + self.purchase_usd

    def report(self, results: Results) -> None:
        people, deployed = self.person_day_usd()
        vehicles = self.vehicle_usd()
        results.set("cost_total_usd", people + vehicles + self.training_usd + self.purchase_usd)
        results.set("cost_home_usd", people - deployed)
        results.set("cost_deployed_usd", deployed + vehicles)
        results.set("cost_training_usd", self.training_usd)
        results.set("cost_purchases_usd", self.purchase_usd)
