"""Water purification: stations run while enough `water` operators of the contingent in
theatre are present, each producing up to `litres_per_day`. With `people_served` set,
the stations produce what those people need (`litres_per_person_day` each), up to
their capacity; with none, they run at capacity."""
from __future__ import annotations

from typing import ClassVar

from sim.model.clock import Clock, Meter
from sim.model.record import Results
from sim.scenario.schema import Water as WaterSpec


class Water:
    TIMELINE: ClassVar[tuple[str, ...]] = ("water.stations", "water.litres_per_day", "water.operators_per_station",
                                           "water.people_served", "water.litres_per_person_day")
    REPORTS: ClassVar[dict[str, float | None]] = {"water_litres": 0.0}

    def __init__(self, spec: WaterSpec, clock: Clock):
        self.spec = spec
        self.operators = 0
        self.litres = Meter(clock)

    def _update(self) -> None:
        s = self.spec
        stations = min(s.stations, self.operators // s.operators_per_station)
        capacity = stations * s.litres_per_day
        if s.people_served > 0:
            capacity = min(capacity, s.people_served * s.litres_per_person_day)
        self.litres.set(capacity)

    def set_operators(self, n: int) -> None:
        self.operators = n
        self._update()

    def retune(self, spec: WaterSpec) -> None:
        self.spec = spec
        self._update()

    def report(self, results: Results) -> None:
        results.add("water_litres", self.litres.total())
