"""One replication's world: the clock, the people, the home force, courses, deployments.

The scenario is read through `world.sc` at every decision, so `timeline:` changes take
effect from their date on.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import simpy

from sim.model.costs import Ledger
from sim.model.courses import CourseRunner
from sim.model.force import HomeForce
from sim.model.people import DEPLOYED, SEPARATED, People
from sim.model.rotation import Rotations
from sim.model.streams import Streams
from sim.scenario.schema import Scenario


def month_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from `start` (inclusive) to `end` (inclusive)."""
    dates, y, m = [start], start.year, start.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        d = dt.date(y, m, 1)
        if d > end:
            break
        dates.append(d)
    if dates[-1] != end:
        dates.append(end)
    return dates


class World:
    def __init__(self, scenario: Scenario, seed: int, index: int, trace: bool = False):
        self.sc = scenario
        self.env = simpy.Environment()
        self.streams = Streams(seed, index)
        self.people = People(max(64, 2 * scenario.force.initial.total))
        self.trace: list[tuple[str, str, str, str]] | None = [] if trace else None
        self.ledger = Ledger(self)
        self.force = HomeForce(self)
        self.courses = {name: CourseRunner(self, name) for name in scenario.training.courses}
        self.rotations = {d.name: Rotations(self, d.name) for d in scenario.deployments}
        self.dwell_days: list[float] = []
        # (person, deployment, rotation, selected, arrived, left theatre), one row a tour
        self.tour_log: list[tuple[int, str, int, float, float, float]] = []
        self.repeat_tours = 0
        self.deployed_ever = np.zeros(0, bool)
        self.dates = month_dates(scenario.start, scenario.end)
        self.series: dict[str, list[float | None]] = {}
        self.warnings: list[str] = []

    # -- shared actions ------------------------------------------------------------
    def log(self, event: str, who: str, details: str = "") -> None:
        if self.trace is not None:
            when = self.sc.start + dt.timedelta(days=self.env.now)
            self.trace.append((when.isoformat(), event, who, details))

    def before_change(self) -> None:
        """Charge the time since the last change at the head count that held during it."""
        self.ledger.advance(self.env.now)
        if len(self.deployed_ever) < len(self.people.grade):
            grown = np.zeros(len(self.people.grade), bool)
            grown[: len(self.deployed_ever)] = self.deployed_ever
            self.deployed_ever = grown

    def separate(self, ids: np.ndarray, reason: str) -> None:
        self.before_change()
        self.people.state[ids] = SEPARATED
        self.force.record_exit(ids, reason)
        for course in self.courses.values():
            course.forget(ids)
        self.log("separated", f"{len(ids)} people", reason)

    def promote(self, ids: np.ndarray, grade: int) -> None:
        old = np.bincount(self.people.grade[ids], minlength=3)
        self.force.promoted_out += old
        self.force.promoted_in[grade] += len(ids)
        self.people.grade[ids] = grade

    def courses_refresh(self) -> None:
        for course in self.courses.values():
            course.refresh()

    def _purchases(self):
        for buy in sorted(self.sc.costs.purchases, key=lambda b: b.at):
            yield self.env.timeout(max(0.0, self.sc.day(buy.at) - self.env.now))
            self.ledger.purchase_usd += buy.usd
            self.log("purchase", buy.item, f"{buy.count} for ${buy.usd:,.0f}")

    def _recorder(self):
        for date in self.dates:
            yield self.env.timeout(max(0.0, self.sc.day(date) - self.env.now))
            self.record()

    def record(self) -> None:
        self.before_change()
        s = self.series
        strength = self.people.strength()
        est = self.force.establishment(self.env.now)
        now = self.env.now
        values: dict[str, float | None] = {
            "strength.officer": float(strength[0]), "strength.nco": float(strength[1]),
            "strength.soldier": float(strength[2]),
            "establishment.officer": float(est[0]), "establishment.nco": float(est[1]),
            "establishment.soldier": float(est[2]),
            "officer_share": self.force.officer_share(),
            "deployed": float(self.people.count_by((DEPLOYED,)).sum()),
            "required": float(sum(r.spec.required for r in self.rotations.values()
                                  if self.sc.day(r.spec.start) <= now < self.sc.day(r.spec.end))),
            "items_cleared_cum": float(sum(r.theatre.items_cleared for r in self.rotations.values())),
            "trust": self._trust(),
            "interoperability": self.interoperability(),
            "cost_cum_usd": self.ledger.total,
        }
        for key, value in values.items():
            s.setdefault(key, []).append(None if value is None else float(value))

    def _trust(self) -> float | None:
        live = [r.theatre.trust for r in self.rotations.values() if r.theatre.current is not None]
        return float(np.mean(live)) if live else None

    def interoperability(self) -> float | None:
        """Share of people, in grades that have criteria, who meet their grade's criteria."""
        from sim.model.people import GRADE_INDEX

        p, now = self.people, self.env.now
        active = p.active
        counted = met = 0
        for grade, quals in self.sc.interoperability.criteria.items():
            if not quals:
                continue
            mask = active & (p.grade[: p.n] == GRADE_INDEX[grade])
            counted += int(mask.sum())
            met += int((mask & p.holds_all(quals, now)).sum())
        return met / counted if counted else None

    # -- run ---------------------------------------------------------------------------
    def run(self) -> None:
        from sim.scenario.timeline import apply_entry

        for entry in [e for e in self.sc.timeline if self.sc.day(e.at) <= 0]:
            self.sc = apply_entry(self.sc, entry)
        self.force.build_initial()
        self.before_change()
        env = self.env
        env.process(self._timeline_after_start())
        env.process(self._purchases())
        env.process(self.force.process())
        self.courses_refresh()
        for course in self.courses.values():
            env.process(course.process())
        for r in self.rotations.values():
            env.process(r.process())
            env.process(r.theatre.process())
        env.process(self._recorder())
        env.run(until=self.sc.horizon_days + 1e-9)
        self.before_change()
        for r in self.rotations.values():
            r.finish()

    def _timeline_after_start(self):
        from sim.scenario.timeline import apply_entry

        for entry in sorted(self.sc.timeline, key=lambda e: e.at):
            at = self.sc.day(entry.at)
            if at <= 0:
                continue
            yield self.env.timeout(at - self.env.now)
            self.before_change()
            for r in self.rotations.values():  # vehicle-days so far, at the old rate
                r.theatre.integrate_fleet()
            self.sc = apply_entry(self.sc, entry)
            self.log("timeline", entry.note or "scenario", ", ".join(f"{k}={v}" for k, v in entry.set.items()))
            for r in self.rotations.values():
                r.theatre.resize_fleet()
                r.theatre.roster_changed()

    def metrics(self) -> dict[str, Any]:
        from sim.model.report_metrics import collect

        return collect(self)
