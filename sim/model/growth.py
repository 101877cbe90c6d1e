"""What held growth back: each day of the growth period, from the first growth step to
the end or to full operational capability (FOC) if that comes first, goes to one cause,
the first stage of the pipeline that held growth back that day (SPEC "Force supply and
budget"). A stage held growth back when it set the month's intake below the vacancies
(the tightest limit; among equal limits the first in SPEC order), except that selection
counts as applicants when there were fewer applicants than vacancies.

The home force decides its intake once a month; the cause found at a monthly decision
holds for the days up to the next one. The days between the first growth step and the
first decision after it go to that decision's cause (the cause found before the step
answered the old establishment).
"""
from __future__ import annotations

from typing import ClassVar

from sim.model.record import Results

CAUSES = ("applicants", "selection", "intake", "basic_training", "budget", "courses", "officers",
          "nothing")


def binding(limits: dict[str, int], taken: int, need: int) -> set[str]:
    """The stages that held an intake of `taken` below `need`: those whose limit it met
    (relaxing any other would have changed nothing). Selection is the applicants' fault
    when there were fewer applicants than posts: accepting all would not have filled them."""
    if taken >= need:
        return set()
    held = {stage for stage, cap in limits.items() if cap <= taken}
    if "selection" in held and limits.get("applicants", need) < need:
        held = (held - {"selection"}) | {"applicants"}
    return held


def first_cause(causes: set[str]) -> str:
    return next((c for c in CAUSES if c in causes), "nothing")


class GrowthLimits:
    REPORTS: ClassVar[dict[str, float | None]] = {f"growth_limited_by.{c}": None for c in CAUSES}

    def __init__(self, begin: float | None):
        self.begin = begin                         # the first growth step (None: no growth)
        self.spans: list[tuple[float, float, str]] = []
        self._given = begin                        # days before this have a cause

    def under_way(self, now: float) -> bool:
        return self.begin is not None and now >= self.begin

    def note(self, now: float, until: float, cause: str) -> None:
        """A monthly decision at `now`, the next at `until`: the days to then go to `cause`."""
        if self._given is None or self.begin is None or now < self.begin or until <= self._given:
            return
        self.spans.append((self._given, until, cause))
        self._given = until

    def shares(self, end: float) -> dict[str, float] | None:
        days = dict.fromkeys(CAUSES, 0.0)
        for lo, hi, cause in self.spans:
            days[cause] += max(0.0, min(hi, end) - lo)
        total = sum(days.values())
        return {c: d / total for c, d in days.items()} if total > 0 else None

    def report(self, results: Results, end: float) -> None:
        shares = self.shares(end)
        for c in CAUSES:
            results.set(f"growth_limited_by.{c}", None if shares is None else shares[c])
