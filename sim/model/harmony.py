"""Harmony: how hard the deployments work each person.

The boots-on-ground to dwell ratio: days in theatre over days at home, each person
counted from their first arrival to the end of their observation (their last return if
they left the force, the end of the run otherwise), pooled over the people who deployed
(a mean weighted by time: one person back on the last day does not count as an
infinite ratio); and whether each person they breached the separated-service
cap, more than `cap_days` in theatre within any `window_days` (the UK's individual
harmony guideline: 415 days in 30 months). The most days in any window is reached by a
window that starts at an arrival or ends at a departure, so only those are checked.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.contingent import Contingent
from sim.model.people import SEPARATED, People
from sim.model.record import Results
from sim.scenario.schema import Harmony as HarmonySpec


def most_days_in_window(spans: list[tuple[float, float]], window: float) -> float:
    """The most days covered by `spans` (disjoint (start, end)) within any window."""
    best = 0.0
    for lo in [s for s, _ in spans] + [e - window for _, e in spans]:
        hi = lo + window
        best = max(best, sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in spans))
    return best


class Harmony:
    REPORTS: ClassVar[dict[str, float | None]] = {"bog_dwell_ratio_mean": None, "harmony_breach_share": None}

    def __init__(self, spec: HarmonySpec, clock: Clock, people: People):
        self.spec, self.clock, self.people = spec, clock, people
        self.spans: dict[int, list[tuple[float, float]]] = {}
        self._since: dict[int, float] = {}

    # a TourObserver
    def entered(self, c: Contingent, ids: np.ndarray, arrival: bool) -> None:
        for pid in ids.tolist():
            self._since[pid] = self.clock.now

    def left(self, c: Contingent, ids: np.ndarray, why: str) -> None:
        for pid in ids.tolist():
            self.spans.setdefault(pid, []).append((self._since.pop(pid), self.clock.now))

    def report(self, results: Results) -> None:
        now = self.clock.now
        people = sorted(set(self.spans) | set(self._since))
        if not people:
            return
        bog_total = dwell_total = 0.0
        breaches = 0
        cap, window = self.spec.cap_days, self.spec.window_days
        for pid in people:
            s = self.spans.get(pid, [])
            if pid in self._since:  # still in theatre
                s = [*s, (self._since[pid], now)]
            bog = sum(e - b for b, e in s)
            end = s[-1][1] if self.people.state[pid] == SEPARATED else now
            bog_total += bog
            dwell_total += max((end - s[0][0]) - bog, 0.0)
            if bog > cap and most_days_in_window(s, window) > cap:  # no breach without cap days in all
                breaches += 1
        results.set("bog_dwell_ratio_mean", bog_total / dwell_total if dwell_total > 0 else None)
        results.set("harmony_breach_share", breaches / len(people))
