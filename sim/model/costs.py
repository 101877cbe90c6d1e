"""Cost ledger: person-days by grade and place, course seats, vehicle-days, purchases.

Person-days are integrated exactly: the ledger is advanced to `now` before any change
to who is where, so each interval is charged at the head count that held during it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.people import DEPLOYED, HOME, IN_COURSE, PREPARING

if TYPE_CHECKING:
    from sim.model.world import World


class Ledger:
    def __init__(self, world: World):
        self.world = world
        self.t = 0.0
        self.home_usd = 0.0
        self.deployed_usd = 0.0
        self.training_usd = 0.0
        self.vehicle_usd = 0.0
        self.purchase_usd = 0.0
        self.deployed_days = np.zeros(3)

    def advance(self, now: float) -> None:
        dt = now - self.t
        if dt <= 0:
            return
        people = self.world.people
        rates = self.world.sc.costs.person_day
        home = people.count_by((HOME, IN_COURSE, PREPARING))
        away = people.count_by((DEPLOYED,))
        self.home_usd += dt * float(np.dot(home, _vec(rates.home)))
        self.deployed_usd += dt * float(np.dot(away, _vec(rates.deployed)))
        self.deployed_days += dt * away
        self.t = now

    def charge_vehicles(self, vehicle_days: float) -> None:
        self.vehicle_usd += vehicle_days * self.world.sc.costs.vehicle_day

    def charge_course(self, course: str, seats: int) -> None:
        self.training_usd += seats * self.world.sc.costs.course_seat.get(course, 0.0)

    @property
    def total(self) -> float:
        return (self.home_usd + self.deployed_usd + self.training_usd + self.vehicle_usd
                + self.purchase_usd)

    @property
    def deployed_total(self) -> float:
        return self.deployed_usd + self.vehicle_usd


def _vec(rates: object) -> np.ndarray:
    return np.array([rates.officer, rates.nco, rates.soldier])  # type: ignore[attr-defined]
