"""Draws of a scenario's assumptions: the design, the drawn scenarios and their tasks.

Any study that propagates what nobody knows uses this (run, compare, hindcast):

    sc = loaded.scenario
    draws = plan_draws(sc, count_draws("auto", bool(sc.assumptions)), 2, seed, loaded.file)
    tasks = nominal_tasks + (draws.tasks() if draws else [])   # one pass on the execution path
    results = run_all(tasks, workers, scheduler)               # results carry `draw`
    report = build_report(loaded, results, seed, ..., uncertainty=draws.info())
    found = summarise(results, draws.info(), lambda r: my_reading(r))  # any value of a run

The design is a Latin hypercube: each assumption's column cuts [0, 1) into as many
equal strata as there are draws and takes one uniform point in each, in a random order
of its own; the point's quantile of the assumption's distribution is the drawn value.
A column's order and points come from the seed and the assumption's key (its path and
distribution) alone, so two scenarios that share an assumption draw the same values
for it in every draw (`compare`), and a scenario's draws do not change when another
assumption is added. Draw d's replication r uses the same random numbers as the
nominal's replication r (common random numbers): what differs between draws is the
assumptions, not the dice. Each draw's scenario is the validated nominal with the drawn
values put in and validated once (a combination that makes no valid scenario is
refused before anything runs).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.errors import InputError, Problem
from sim.core.results import ReplicationResult
from sim.core.uncertainty import MetricUncertainty, metric_uncertainty
from sim.execution.runner import Task
from sim.report.model import AssumptionInfo, DrawValues, Uncertainty
from sim.scenario.assumptions import Declared, declared, with_values
from sim.scenario.schema import Scenario

AUTO_DRAWS = 32  # `--draws auto` when the scenario declares assumptions
REPS_PER_DRAW = 2  # `--reps-per-draw` default
DESIGN_TAG = 0x5EED_D4A5  # keeps the design's streams apart from the replications'


def count_draws(draws: int | str | None, declares: bool, what: str = "the scenario") -> int:
    """The number of draws that `--draws` asks for: None or "auto" is AUTO_DRAWS when
    `declares` (assumptions to draw) and 0 otherwise; a number of draws for a scenario
    with nothing to draw is refused."""
    if draws is None or draws == "auto":
        return AUTO_DRAWS if declares else 0
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise InputError.single(f"draws: expected a whole number >= 0 or 'auto', found {draws!r}")
    if draws > 0 and not declares:
        raise InputError.single(f"draws: {what} declares no `assumptions:`, so there is "
                                "nothing to draw; use --draws 0 or add assumptions")
    return draws


def check_reps_per_draw(reps: Any) -> int:
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise InputError.single(f"reps_per_draw: expected a positive whole number, found {reps!r}")
    return reps


def unit_column(key: str, draws: int, seed: int) -> np.ndarray:
    """One column of the Latin hypercube: a point in each of `draws` equal strata of
    [0, 1), in an order drawn from the seed and the assumption's key."""
    entropy = [seed, DESIGN_TAG, int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")]
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    return (rng.permutation(draws) + rng.random(draws)) / draws


@dataclass(frozen=True)
class DrawPlan:
    """The draws of one scenario: each draw's assumption values and validated scenario,
    the replications of each, and the seed of both the design and the replications."""

    assumptions: tuple[Declared, ...]
    values: tuple[dict[str, Any], ...]
    scenarios: tuple[Scenario, ...]
    reps_per_draw: int
    seed: int

    @property
    def draws(self) -> int:
        return len(self.values)

    @property
    def runs(self) -> int:
        return self.draws * self.reps_per_draw

    def tasks(self, reads: tuple[dt.date, ...] = ()) -> list[Task]:
        """Draw d's replication r for every d and r: the nominal's seeds, draw by draw;
        `reads`: dates at which each also reads its metrics (a hindcast's)."""
        return [Task(sc, r, self.seed, draw=d, reads=reads)
                for d, sc in enumerate(self.scenarios) for r in range(self.reps_per_draw)]

    def info(self) -> Uncertainty:
        """What the report records of the draws (report.json `uncertainty`)."""
        return Uncertainty(
            draws=self.draws, replications_per_draw=self.reps_per_draw, design="lhs",
            assumptions=[AssumptionInfo(path=a.path, distribution=a.distribution(),
                                        nominal=a.nominal, source=a.source)
                         for a in self.assumptions],
            draw_values=[DrawValues(draw=d, values=v) for d, v in enumerate(self.values)])


def plan_draws(sc: Scenario, draws: int, reps_per_draw: int, seed: int,
               file: str | None = None) -> DrawPlan | None:
    """The draws of `sc`'s assumptions (None for 0 draws); InputError, naming the draw
    and its values, if a drawn combination is not a valid scenario."""
    if draws <= 0:
        return None
    found = declared(sc)
    columns = {a.path: [a.value_at(u) for u in unit_column(a.key, draws, seed)]
               for a in found}
    values = tuple({path: column[d] for path, column in columns.items()}
                   for d in range(draws))
    return DrawPlan(tuple(found), values, tuple(_scenario(sc, d, v, file)
                                                for d, v in enumerate(values)),
                    reps_per_draw, seed)


def _scenario(sc: Scenario, d: int, values: dict[str, Any], file: str | None) -> Scenario:
    try:
        return with_values(sc, values)
    except InputError as err:
        drawn = ", ".join(f"{p}={v:g}" if isinstance(v, float) else f"{p}={v}"
                          for p, v in values.items())
        raise InputError([Problem(file, None, p.path, f"draw {d} ({drawn}): {p.message}; "
                                  "narrow the ranges that combine into it")
                          for p in err.problems]) from None


def summarise(results: Sequence[ReplicationResult], info: Uncertainty,
              value: Callable[[ReplicationResult], float | None]) -> MetricUncertainty:
    """Any value read from each run (a metric, a metric at a date) over the draws:
    `mean` and `ci95` over every run of every draw, `prediction` (p05, p50, p95) and
    `drivers` (`sim.core.uncertainty.metric_uncertainty`); failed runs left out."""
    nominal = [value(r) for r in results if r.ok and r.draw is None]
    runs = {(r.draw, r.index): value(r) for r in results if r.ok and r.draw is not None}
    return metric_uncertainty(nominal, runs, info.design_columns(), info.draws,
                              info.replications_per_draw, info.categorical())
