"""Authorised posts by grade over time: the initial establishment, dated growth steps,
and restructuring's conversion of officer posts into NCO posts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from sim.scenario.schema import GradeCounts, GrowthStep, Restructure


def counts(g: GradeCounts) -> np.ndarray:
    return np.array([g.officer, g.nco, g.soldier], float)


class Establishment:
    """`at(t)`: posts by grade on day t. `day` turns a date into a day."""

    def __init__(self, initial: GradeCounts, growth: list[GrowthStep],
                 restructure: Restructure | None, day: Callable[[dt.date], float]):
        self.day = day
        self.initial = counts(initial)
        self.steps = sorted(((day(s.at), counts(s.establishment)) for s in growth), key=lambda s: s[0])
        self.restructure = restructure
        self._last: tuple[float, np.ndarray, Restructure | None, np.ndarray] | None = None

    def base(self, t: float) -> np.ndarray:
        """Posts before conversions: the last growth step on or before t, else the
        initial establishment."""
        est = self.initial
        for at, step in self.steps:
            if at <= t:
                est = step
        return est

    def officer_share_target(self, t: float) -> float | None:
        """The officer share of posts that restructuring asks for on day t."""
        r = self.restructure
        if r is None:
            return None
        begin = self.day(r.begin) if r.begin else 0.0
        by = self.day(r.by)
        start = self.base(begin)
        s0 = start[0] / start.sum() if start.sum() else 0.0
        frac = 1.0 if by <= begin else min(max((t - begin) / (by - begin), 0.0), 1.0)
        return float(s0 + (r.target_officer_share - s0) * frac)

    def at(self, t: float) -> np.ndarray:
        """Posts by grade on day t (read-only; the last answer is kept: the force and the
        series ask for the same day several times)."""
        last = self._last
        if last is not None and last[0] == t and last[1] is self.initial and last[2] is self.restructure:
            return last[3]
        posts = self._at(t)
        posts.flags.writeable = False
        self._last = (t, self.initial, self.restructure, posts)
        return posts

    def _at(self, t: float) -> np.ndarray:
        base = self.base(t)
        share = self.officer_share_target(t)
        if share is None or base.sum() == 0:
            return base.copy()
        officers = min(base[0], round(share * base.sum()))
        moved = base[0] - officers
        return np.array([officers, base[1] + moved, base[2]])
