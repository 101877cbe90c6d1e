"""The labour market: applicants a month and selection among them.

Applicants are Poisson with mean `applicants_per_month`, or, with a `market`, pool x
propensity_per_year / 12 x (pay / civilian wage) ^ pay_elasticity, where pay is the
home soldier's person-day rate x 365 / 12 at the time (a pay rise on the timeline
draws more applicants). Each is accepted at `selection_rate`. Applicants who get no
place in the month's intake go elsewhere: a contract army's applicants do not wait
months for a place (assumption). Applicants are drawn on the recruiting stream and
selection on its own, so a change of the selection rate leaves the applicants as they
were (common random numbers).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.scenario.schema import Recruiting

DAYS_PER_MONTH = 365 / 12  # pay a month from a person-day rate (SPEC)
MONTH = 365.25 / 12        # the model's monthly step


def applicants_per_month(spec: Recruiting, pay_per_month: float) -> float | None:
    """Mean applicants a month; None without a labour market (as many as the intake takes)."""
    if spec.applicants_per_month is not None:
        return spec.applicants_per_month
    m = spec.market
    if m is None or spec.civilian_wage_usd_per_month is None:
        return None
    ratio = pay_per_month / spec.civilian_wage_usd_per_month
    return m.pool * m.propensity_per_year / 12 * ratio ** m.pay_elasticity


class LabourMarket:
    def __init__(self, applicants: np.random.Generator, selection: np.random.Generator,
                 soldier_day_rate: Callable[[], float]):
        self.rng_applicants, self.rng_selection = applicants, selection
        self.soldier_day_rate = soldier_day_rate
        self.applicants = 0
        self.accepted = 0
        self.active = False  # whether any month drew applicants

    def draw(self, spec: Recruiting, dt: float) -> tuple[int, int] | None:
        """Applicants and accepted applicants over `dt` days; None without a market."""
        mean = applicants_per_month(spec, self.soldier_day_rate() * DAYS_PER_MONTH)
        if mean is None:
            return None
        self.active = True
        came = int(self.rng_applicants.poisson(mean * dt / MONTH))
        took = int(self.rng_selection.binomial(came, spec.selection_rate)) if came else 0
        self.applicants += came
        self.accepted += took
        return came, took
