"""The personnel budget: money a calendar year for what the costs already charge (pay at
home, in courses, in basic training and deployed; course seats).

The year's projected spend is what it has spent so far plus the person-day cost of
everyone in the store now, at the rates in force, to the year's end (course seats to
come are not projected). New intake (recruits and academy officers) starts only while
the projection, with the newcomers paid to the year's end, stays within the year's
budget, and while a year of everyone's pay, newcomers included, does too: a post is
funded for a year, so money left late in a year of underspending does not take on
people the next year's budget cannot pay. People already serving, promotions and
re-enlistment go on regardless. A run that starts in the middle of a year has that
part of the year's money for the year's projection. A budget changed on the timeline
is the year's budget from its date.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from sim.model.clock import Clock
from sim.model.record import Results
from sim.scenario.schema import Budget

MANY = 10**12  # "no limit" when a newcomer costs nothing


class PersonnelBudget:
    TIMELINE: ClassVar[tuple[str, ...]] = ("force.budget.personnel_usd_per_year",)
    REPORTS: ClassVar[dict[str, float | None]] = {"vacancies_unfunded": None}

    def __init__(self, spec: Budget, clock: Clock, spent: Callable[[], float],
                 per_day: Callable[[], float]):
        self.spec, self.clock = spec, clock
        self.spent, self.per_day = spent, per_day
        self._mark = 0.0  # spent at the start of the budget year
        first, self._end = self._year_bounds()
        self._length = self._end - first
        self._share = (self._end - clock.now) / self._length  # of the first year
        clock.call_first_at(self._end, self._new_year)
        self._unfunded = 0.0  # vacancies the budget could not pay, integrated over days
        self._days = 0.0

    def _year_bounds(self) -> tuple[float, float]:
        year = self.clock.date(self.clock.now).year
        return self.clock.day(dt.date(year, 1, 1)), self.clock.day(dt.date(year + 1, 1, 1))

    def _new_year(self) -> None:
        self._mark = self.spent()
        self._share = 1.0
        first, self._end = self._year_bounds()
        self._length = self._end - first
        self.clock.call_first_at(self._end, self._new_year)

    def retune(self, spec: Budget) -> None:
        self.spec = spec

    # -- what the force asks -------------------------------------------------------------
    def year_budget(self) -> float:
        return self.spec.personnel_usd_per_year * self._share

    def projected(self) -> float:
        """The year's spend: so far, plus everyone now in the store to the year's end."""
        return self.spent() - self._mark + self.per_day() * (self._end - self.clock.now)

    def affordable(self, usd_per_day: float) -> int:
        """How many more people, each costing `usd_per_day`, the budget can pay: for the
        rest of this year within the year's money, and for a year within a year's."""
        if usd_per_day <= 0:
            return MANY
        year = self.year_budget() - self.projected()
        posts = self.spec.personnel_usd_per_year - self.per_day() * self._length
        rest = self._end - self.clock.now
        n = min(year / (usd_per_day * rest), posts / (usd_per_day * self._length))
        return int(min(max(n, 0.0) + 1e-9, MANY))

    def used_share(self) -> float | None:
        """The year's projected spend over its budget (above 1: over budget)."""
        money = self.year_budget()
        return self.projected() / money if money > 0 else None

    def note_unfunded(self, posts: int, days: float) -> None:
        """Vacancies the budget could not pay over the `days` that follow."""
        self._unfunded += posts * days
        self._days += days

    def report(self, results: Results) -> None:
        results.set("vacancies_unfunded", self._unfunded / self._days if self._days else 0.0)
