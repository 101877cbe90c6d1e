"""A theatre's vehicles: each fails after an exponential time (mean `mtbf_days`) and is
repaired in an exponential time (mean `mttr_days`). A failure shows when the vehicle is
next free: a team finishes the task in hand (its routine tasking, or the cache) first.

The fleet is in service only while a contingent is present: vehicle-days (which the
ledger prices) and their failures run only then. A team without a serviceable vehicle
waits for one, first come first served.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Protocol

import numpy as np

from sim.model.clock import Clock, Meter, Timer
from sim.model.draws import Ahead
from sim.model.record import Results
from sim.scenario.schema import Vehicles

FREE, IN_USE, IN_REPAIR = "free", "in use", "in repair"


class Driver(Protocol):
    """A team, as far as the fleet is concerned."""

    def got_vehicle(self, vehicle: Vehicle) -> None: ...
    def vehicle_failed(self) -> None: ...


@dataclass(eq=False)
class Vehicle:
    number: int
    status: str = FREE
    failed: bool = False      # broke down while in use: to repair when released
    retired: bool = False     # leaves the fleet when released or repaired
    user: Driver | None = None
    failure: Timer | None = None
    repaired_at: float = 0.0


class Fleet:
    TIMELINE: ClassVar[tuple[str, ...]] = ("vehicles.count", "vehicles.mtbf_days", "vehicles.mttr_days")
    REPORTS: ClassVar[dict[str, float | None]] = {"vehicle_availability": None}

    def __init__(self, spec: Vehicles, clock: Clock, rng: np.random.Generator):
        self.spec, self.clock, self.rng = spec, clock, Ahead(rng)
        self.env = clock.env
        self.vehicles: list[Vehicle] = []
        self.waiting: deque[Driver] = deque()
        self.in_service = False
        self.days = Meter(clock)   # vehicle-days in service
        self.down = Meter(clock)   # vehicle-days in repair while in service
        self._numbered = 0
        self.donated = 0           # vehicles delivered by assistance, on top of spec.count
        self.resize(spec.count)

    # -- in service -----------------------------------------------------------------
    def _fleet(self) -> list[Vehicle]:
        return [v for v in self.vehicles if not v.retired]

    def _meters(self) -> None:
        live = down = 0
        if self.in_service:
            for v in self.vehicles:
                if not v.retired:
                    live += 1
                    down += v.status == IN_REPAIR
        self.days.set(live)
        self.down.set(down)

    def serve(self, on: bool) -> None:
        """In service while a contingent is present; stored (no cost, no wear) otherwise."""
        if on == self.in_service:
            return
        self.in_service = on
        for v in self.vehicles:
            if on:
                self._arm(v)
            elif v.failure is not None:
                v.failure.cancel()
        self._meters()

    def _arm(self, v: Vehicle) -> None:
        """Draw the vehicle's next failure (memoryless: a fresh draw is exact)."""
        if v.failure is None:
            v.failure = Timer(self.clock, partial(self._fails, v))
        if self.in_service and v.status != IN_REPAIR and not v.failed:
            v.failure.set(self.env._now + self.rng.exponential(self.spec.mtbf_days))
        else:
            v.failure.cancel()

    def _fails(self, v: Vehicle) -> None:
        if v.status == FREE:
            self._repair(v)
        elif v.status == IN_USE and v.user is not None:
            v.failed = True
            v.user.vehicle_failed()

    def _repair(self, v: Vehicle) -> None:
        v.status, v.failed = IN_REPAIR, False
        self._meters()
        self.clock.call_at(self.env._now + self.rng.exponential(self.spec.mttr_days), partial(self._repaired, v))

    def _repaired(self, v: Vehicle) -> None:
        v.status = FREE
        if v.retired:
            self.vehicles.remove(v)
        else:
            self._arm(v)
            self._hand_out(v)
        self._meters()

    # -- teams ------------------------------------------------------------------------
    def acquire(self, team: Driver) -> Vehicle | None:
        """A free serviceable vehicle for `team`, or None (the team waits in line and is
        given one by `got_vehicle` when one is free)."""
        if not self.waiting and self.in_service:
            v = next((v for v in self.vehicles if v.status == FREE and not v.retired), None)
            if v is not None:
                v.status, v.user = IN_USE, team
                return v
        self.waiting.append(team)
        return None

    def cancel(self, team: Driver) -> None:
        if team in self.waiting:
            self.waiting.remove(team)

    def release(self, v: Vehicle) -> None:
        v.user = None
        if v.retired:
            v.status = FREE
            if v.failure is not None:
                v.failure.cancel()
            self.vehicles.remove(v)
            self._meters()
        elif v.failed:
            self._repair(v)
        else:
            v.status = FREE
            self._hand_out(v)

    def _hand_out(self, v: Vehicle) -> None:
        if self.in_service and self.waiting and v.status == FREE and not v.retired:
            team = self.waiting.popleft()
            v.status, v.user = IN_USE, team
            team.got_vehicle(v)

    def _hand_out_all(self) -> None:
        for v in list(self.vehicles):
            self._hand_out(v)

    # -- timeline ---------------------------------------------------------------------
    def resize(self, count: int) -> None:
        live = self._fleet()
        for _ in range(count - len(live)):
            self._numbered += 1
            v = Vehicle(self._numbered)
            self.vehicles.append(v)
            self._arm(v)
        if count < len(live):  # retire those free first, then in repair, then in use
            order = {FREE: 0, IN_REPAIR: 1, IN_USE: 2}
            for v in sorted(live, key=lambda v: order[v.status])[: len(live) - count]:
                v.retired = True
                if v.status == FREE:
                    if v.failure is not None:
                        v.failure.cancel()
                    self.vehicles.remove(v)
        self._meters()
        self._hand_out_all()

    def retune(self, spec: Vehicles) -> None:
        old, self.spec = self.spec, spec
        if spec.mtbf_days != old.mtbf_days:
            for v in self._fleet():
                self._arm(v)
        if spec.count + self.donated != len(self._fleet()):
            self.resize(spec.count + self.donated)

    def deliver(self, count: int) -> None:
        """Vehicles bought by an assistance programme join the fleet."""
        self.donated += count
        self.resize(len(self._fleet()) + count)

    # -- results ----------------------------------------------------------------------
    def report(self, results: Results) -> None:
        results.ratio("vehicle_availability", self.days.total() - self.down.total(), self.days.total())
