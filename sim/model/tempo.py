"""Tempo and people: volunteering with memory, and retention shaped by deployments.

A person's chance to volunteer at a call-up is the deployment's `volunteer_prob` times
factors of their history and the theatre's state: tours already done, whether they are
just back, deaths in the deployment within the memory window, and the security level.
With every factor neutral it is the baseline's independent draw at `volunteer_prob`.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.people import People
from sim.scenario.schema import Deployment, Retention


class Willingness:
    """Who volunteers at a call-up of one deployment."""

    def __init__(self, people: People, security: Callable[[], float], medical_share: float = 0.0,
                 medical: np.random.Generator | None = None):
        self.people, self.security = people, security
        self.medical_share, self.medical = medical_share, medical
        self.deaths: list[float] = []

    def fit(self) -> np.ndarray | None:
        """Who is medically deployable at this call-up (None: everyone)."""
        if self.medical_share <= 0 or self.medical is None:
            return None
        return self.medical.random(self.people.n) >= self.medical_share

    def killed(self, now: float) -> None:
        """A member of the deployment was killed in theatre."""
        self.deaths.append(now)

    def chance(self, spec: Deployment, now: float) -> float | np.ndarray:
        """The volunteering chance: one number (neutral), or one per person."""
        v = spec.volunteering
        if v.neutral:
            return spec.volunteer_prob
        p, n = self.people, self.people.n
        factor = np.ones(n)
        if v.per_tour_done:
            factor *= np.maximum(0.0, 1.0 + v.per_tour_done * p.tours[:n])
        if v.recent_return_days > 0 and v.recent_return_factor != 1:
            factor[(now - p.last_return[:n]) < v.recent_return_days] *= v.recent_return_factor
        recent = sum(1 for t in self.deaths if now - t <= v.death_memory_days)
        factor *= (1.0 - v.after_death) ** recent
        factor *= 1.0 - v.at_hostile * self.security()
        return np.minimum(1.0, spec.volunteer_prob * factor)


def reenlist_chance(base: float, spec: Retention, tours: np.ndarray) -> float | np.ndarray:
    """Re-enlistment chance of people with `tours` done (one number while neutral)."""
    if spec.per_tour_done == 0:
        return base
    return np.clip(base * (1.0 + spec.per_tour_done * tours), 0.0, 1.0)
