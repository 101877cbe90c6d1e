"""Observers of rotations: the record of tours (people deployed, repeat tours, dwell)
and the first tour of the first deployment (the seed's calibration facts)."""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.contingent import Contingent
from sim.model.people import People
from sim.model.record import Results

# (person, deployment, rotation, selected, arrived, left theatre), one row a tour
TourRow = tuple[int, str, int, float, float, float]


class Tours:
    """Who deployed, how often, and how long they were home between tours."""

    REPORTS: ClassVar[dict[str, float | None]] = {
        "persons_deployed": 0.0, "repeat_tours": 0.0, "dwell_days_mean": None}

    def __init__(self, clock: Clock, people: People):
        self.clock, self.people = clock, people
        self.dwell_days: list[float] = []
        self.repeat_tours = 0
        self.deployed: set[int] = set()
        self.log: list[TourRow] = []
        self._open: dict[tuple[str, int, int], tuple[float, float]] = {}

    def entered(self, c: Contingent, ids: np.ndarray, arrival: bool) -> None:
        p, now = self.people, self.clock.now
        repeat = ids[p.tours[ids] > 0]
        self.dwell_days.extend((now - p.last_return[repeat]).tolist())
        self.repeat_tours += len(repeat)
        self.deployed.update(ids.tolist())
        for pid in ids.tolist():
            self._open[(c.deployment, c.rotation, pid)] = (c.selected_at[pid], now)

    def left(self, c: Contingent, ids: np.ndarray, why: str) -> None:
        for pid in ids.tolist():
            selected, arrived = self._open.pop((c.deployment, c.rotation, pid))
            self.log.append((pid, c.deployment, c.rotation, selected, arrived, self.clock.now))

    def report(self, results: Results) -> None:
        results.set("persons_deployed", len(self.deployed))
        results.set("repeat_tours", self.repeat_tours)
        results.set("dwell_days_mean", float(np.mean(self.dwell_days)) if self.dwell_days else None)


class FirstTour:
    """The first contingent of one deployment: items its theatre cleared in the first
    120 days, its deployed cost (person-days, and the theatre's vehicle-days while it
    was there), its casualties and its size. Calibration only: the scheduler knows
    nothing of it."""

    REPORTS: ClassVar[dict[str, float | None]] = {
        "first_tour.items_cleared_day120": None, "first_tour.cost_deployed_usd": None,
        "first_tour.casualties": None, "first_tour.deployed": None}

    def __init__(self, clock: Clock, people: People, items_cleared: Callable[[], float],
                 deployed_rate: Callable[[], np.ndarray], fleet_usd: Callable[[], float]):
        self.clock, self.people = clock, people
        self.items_cleared, self.deployed_rate, self.fleet_usd = items_cleared, deployed_rate, fleet_usd
        self.first: Contingent | None = None
        self.items_day120: float | None = None
        self.casualties = 0
        self._items_start = 0.0
        self._person_usd = 0.0
        self._entered: dict[int, float] = {}   # pid -> deployed rate integral on entry
        self._fleet: list[float | None] = [None, None]  # fleet USD at arrival and departure

    def entered(self, c: Contingent, ids: np.ndarray, arrival: bool) -> None:
        if self.first is None and arrival:
            self.first = c
            self._fleet[0] = self.fleet_usd()
            self._items_start = self.items_cleared()
            self.clock.call_at(self.clock.now + min(120.0, c.depart - c.arrive), self._day120)
        if c is self.first:
            rate = self.deployed_rate()
            for pid in ids.tolist():
                self._entered[pid] = rate[self.people.grade[pid]]

    def _day120(self) -> None:
        if self.items_day120 is None:
            self.items_day120 = self.items_cleared() - self._items_start

    def left(self, c: Contingent, ids: np.ndarray, why: str) -> None:
        if c is not self.first:
            return
        rate = self.deployed_rate()
        for pid in ids.tolist():
            self._person_usd += rate[self.people.grade[pid]] - self._entered.pop(pid)
        if why in ("killed", "wounded"):
            self.casualties += len(ids)
        if why == "returned":  # the tour is over (perhaps cut short by the deployment's end)
            self._fleet[1] = self.fleet_usd()
            self._day120()

    def report(self, results: Results) -> None:
        if self.first is None:
            return
        rate = self.deployed_rate()
        person = self._person_usd + sum(rate[self.people.grade[pid]] - r for pid, r in self._entered.items())
        start, end = self._fleet
        fleet = (self.fleet_usd() if end is None else end) - (start or 0.0)
        results.set("first_tour.items_cleared_day120", self.items_day120)
        results.set("first_tour.cost_deployed_usd", person + fleet)
        results.set("first_tour.casualties", self.casualties)
        results.set("first_tour.deployed", self.first.arrived)
