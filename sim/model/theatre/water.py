"""Water purification: stations run while enough `water` operators of the contingent in
theatre are present, each producing `litres_per_day`."""
from __future__ import annotations

from typing import ClassVar

from sim.model.clock import Clock, Meter
from sim.model.record import Results
from sim.scenario.schema import Water as WaterSpec


class Water:
    TIMELINE: ClassVar[tuple[str, ...]] = ("water.stations", "water.litres_per_day", "water.operators_per_station")
    REPORTS: ClassVar[dict[str, float | None]] = {"water_litres": 0.0}

    def __init__(self, spec: WaterSpec, clock: Clock):
        self.spec = spec
        self.operators = 0
        self.litres = Meter(clock)

    def _update(self) -> None:
        s = self.spec
        stations = min(s.stations, self.operators // s.operators_per_station)
        self.litres.set(stations * s.litres_per_day)

    def set_operators(self, n: int) -> None:
        self.operators = n
        self._update()

    def retune(self, spec: WaterSpec) -> None:
        self.spec = spec
        self._update()

    def report(self, results: Results) -> None:
        results.add("water_litres", self.litres.total())
