"""NATO-standard kit of the units that would deploy, counted in sets: the share held is
sets in service over sets needed. Purchases raise it when delivered; each set wears out
`life_years` after delivery, so the share falls with age unless kit is renewed."""
from __future__ import annotations

import bisect

from sim.model.clock import Clock
from sim.model.log import EventLog
from sim.scenario.schema import Equipment as EquipmentSpec

YEAR = 365.25


class Equipment:
    def __init__(self, spec: EquipmentSpec, clock: Clock, log: EventLog):
        self.spec, self.clock, self.log = spec, clock, log
        life = spec.life_years * YEAR
        n = spec.nato_sets
        # Sets held at the start are of every age: they wear out evenly over one life.
        self.wear_out = [life * (k + 0.5) / n for k in range(n)]
        self.on_order = 0

    def in_service(self) -> int:
        return len(self.wear_out) - bisect.bisect_right(self.wear_out, self.clock.now)

    def missing(self) -> int:
        """Sets needed that are neither in service nor on order."""
        return max(0, self.spec.sets - self.in_service() - self.on_order)

    def order(self, sets: int, delivery_days: float) -> None:
        self.on_order += sets
        self.clock.call_at(self.clock.now + delivery_days, lambda: self._deliver(sets))

    def _deliver(self, sets: int) -> None:
        self.on_order -= sets
        t = self.clock.now + self.spec.life_years * YEAR
        for _ in range(sets):
            bisect.insort(self.wear_out, t)
        self.log("equipment delivered", f"{sets} sets", f"{self.in_service()} of {self.spec.sets} in service")

    def share(self) -> float | None:
        """NATO-standard share of the kit needed; None if the scenario counts no kit."""
        if self.spec.sets == 0:
            return None
        return min(1.0, self.in_service() / self.spec.sets)
