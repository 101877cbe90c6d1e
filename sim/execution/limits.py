"""The work estimate (SPEC "Limits and large inputs"): before anything runs, how long and
how much memory a run, a comparison or a sweep will take, and a refusal (exit 1, the
estimate and the flag) for anything over the limits unless `--allow-large` is given.

The estimate is an upper-leaning sum of what drives the model's cost: events in theatre
(daily steps, tips, vehicles' failures, routine tasks, rotations), courses, and the people
held in the force's arrays, times costs measured on this kind of machine by
`benchmarks/calibrate_limits.py` (see docs/limits.md for how, and how to re-measure).
It is there to stop the absurd (ten million vehicles, a tip rate of a billion a week, a
million replications, a grid of ten million points) before it starts, not to predict
run times; the default limits are about 4 GB and an hour.
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.core.errors import InputError, Problem
from sim.scenario.schema import Scenario

# Costs measured by benchmarks/calibrate_limits.py on the 2-core reference machine.
SECONDS_PER_EVENT = 15e-6  # SimPy event of the model (bare SimPy: ~1.7 us)
SECONDS_PER_PERSON_MONTH = 0.6e-6  # the home force's vectorised monthly step, per row
SECONDS_PER_REPLICATION = 0.1  # set-up and metrics of one replication
BYTES_PER_PERSON = 1_000  # a row of the people arrays, doubling and step temporaries included
BYTES_PER_VEHICLE = 2_000  # a SimPy process and its flag
BYTES_PER_TIP_IN_FLIGHT = 300
BYTES_BASE = 80 << 20  # an interpreter with numpy, SimPy and the model loaded
BYTES_PER_RESULT = 10_000  # one replication's metrics held for the report
BYTES_PER_RESULT_MONTH = 600  # ... and its monthly series
BYTES_PER_DESIGN_CELL = 150  # a factor value of a design point (Python object, unit float)
BYTES_PER_STORED_RUN = 1_500  # a sweep run held in memory for its report

# Events of the model per unit of what drives them (measured, see above).
EVENTS_BASE = 3_000
EVENTS_PER_THEATRE_DAY = 2.0
EVENTS_PER_TIP = 2.5
EVENTS_PER_VEHICLE_CYCLE = 4.0  # a failure and its repair
EVENTS_PER_ROUTINE_TASK = 3.0
EVENTS_PER_COHORT = 15.0  # ~1 event, but ~0.2 ms of selecting people: counted as time
EVENTS_PER_PERSON_ROTATED = 10.0

DEFAULT_MEMORY_BYTES = 4 << 30
DEFAULT_SECONDS = 3600.0


def limits() -> tuple[float, float]:
    """(memory bytes, seconds): the defaults, or KAZSIM_LIMIT_MEMORY_MB / _SECONDS."""
    def env(name: str, default: float, scale: float = 1.0) -> float:
        try:
            value = float(os.environ.get(name, "")) * scale
        except ValueError:
            return default
        return value if math.isfinite(value) and value > 0 else default

    return (env("KAZSIM_LIMIT_MEMORY_MB", DEFAULT_MEMORY_BYTES, 1 << 20),
            env("KAZSIM_LIMIT_SECONDS", DEFAULT_SECONDS))


class TooLarge(InputError):
    """Work over the limits: exit 1 with the estimate and the flag that allows it."""


@dataclass(frozen=True)
class Cost:
    """One replication: events, seconds and peak memory."""

    events: float
    seconds: float
    memory: float


@dataclass(frozen=True)
class Estimate:
    what: str  # "200 replications", "a design of 1,000 points x 10 replications"
    seconds: float
    memory: float
    detail: str = ""

    def over(self) -> list[str]:
        memory, seconds = limits()
        found = []
        if self.seconds > seconds:
            found.append(f"about {duration(self.seconds)} (limit {duration(seconds)})")
        if self.memory > memory:
            found.append(f"about {size(self.memory)} of memory (limit {size(memory)})")
        return found

    def check(self, allow_large: bool, file: str | None = None) -> None:
        """Raise TooLarge if over a limit and not allowed."""
        over = self.over()
        if over and not allow_large:
            detail = f" ({self.detail})" if self.detail else ""
            raise TooLarge([Problem(file, None, "", f"{self.what} would take {' and '.join(over)}"
                                    f"{detail}; add --allow-large to run it anyway")])


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


def size(n: float) -> str:
    for unit, scale in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1024:.0f} kB"


# -- one replication -------------------------------------------------------------------

def replication_cost(sc: Scenario) -> Cost:
    """Events, seconds and peak memory of one replication of `sc` (upper-leaning)."""
    horizon = max(sc.horizon_days, 0.0)
    months = horizon / 30.44 + 1
    events = float(EVENTS_BASE) + months * 4
    memory = float(BYTES_BASE)
    for course in sc.training.courses.values():
        events += EVENTS_PER_COHORT * horizon / course.every_days
    events += 3 * (len(sc.growth) + len(sc.timeline) + len(sc.costs.purchases))
    for d in sc.deployments:
        window = max(0.0, min(sc.day(d.end), horizon) - max(sc.day(d.start), 0.0))
        th = d.theatre
        tips = th.tips.rate_per_week_at_full_trust / 7 * window
        vehicles = th.vehicles.count
        cycles = vehicles * window / (th.vehicles.mtbf_days + th.vehicles.mttr_days)
        leaders = sum(s.count for s in d.contingent if s.role == "team_leader")
        teams = min(leaders, vehicles) if vehicles else 0
        tasks = teams * window * th.workdays_per_week / 7 / th.routine_task_days
        rotations = window / max(d.tour_days - d.overlap_days, 1e-9) + 1
        rotated = rotations * d.required
        events += (EVENTS_PER_THEATRE_DAY * window + EVENTS_PER_TIP * tips
                   + EVENTS_PER_VEHICLE_CYCLE * cycles + vehicles
                   + EVENTS_PER_ROUTINE_TASK * tasks + EVENTS_PER_PERSON_ROTATED * rotated)
        shelf = th.tips.shelf_life_days.mean
        memory += (BYTES_PER_VEHICLE * vehicles + BYTES_PER_PERSON * rotated
                   + BYTES_PER_TIP_IN_FLIGHT * min(tips, tips / max(window, 1.0) * shelf * 2))
    people = people_rows(sc, months)
    memory += BYTES_PER_PERSON * people
    seconds = (SECONDS_PER_REPLICATION + SECONDS_PER_EVENT * events
               + SECONDS_PER_PERSON_MONTH * people * months)
    return Cost(events, seconds, memory)


def people_rows(sc: Scenario, months: float) -> float:
    """Rows the people arrays reach: the largest force, plus everyone recruited (at most
    the recruiting capacity, and at most the whole force replaced every month)."""
    f = sc.force
    peak = max([f.initial.total, f.establishment.total,
                *(g.establishment.total for g in sc.growth)])
    inflow = f.recruiting.per_month * months + f.officer_intake_per_year * months / 12
    return float(peak + min(inflow, peak * months))


def result_bytes(sc: Scenario) -> float:
    months = max(sc.horizon_days, 0.0) / 30.44 + 1
    return BYTES_PER_RESULT + BYTES_PER_RESULT_MONTH * months


def parallel_workers(workers: int | None, tasks: float) -> float:
    return max(1.0, min(float(workers or os.cpu_count() or 1), tasks))


# -- commands --------------------------------------------------------------------------

def estimate_run(sc: Scenario, reps: int, workers: int | None = None,
                 draws: Sequence[Scenario] = (), reps_per_draw: int = 0) -> Estimate:
    """`run`: `reps` replications on `workers` processes, results held for the report;
    and `reps_per_draw` replications of each drawn scenario in `draws`."""
    cost = replication_cost(sc)
    drawn = [replication_cost(d) for d in draws]
    runs = reps + reps_per_draw * len(drawn)
    parallel = parallel_workers(workers, runs)
    seconds = reps * cost.seconds + reps_per_draw * sum(c.seconds for c in drawn)
    peak = max([cost.memory, *(c.memory for c in drawn)])
    what = f"{reps:,} replication{'s' if reps != 1 else ''}"
    if drawn:
        what += f" and {len(drawn):,} draws x {reps_per_draw:,}"
    return Estimate(f"{what} of '{sc.name}'", seconds / parallel,
                    parallel * peak + runs * result_bytes(sc),
                    f"{cost.events:,.0f} events and {size(cost.memory)} a replication")


def estimate_compare(scenarios: Iterable[Scenario], reps: int, workers: int | None = None,
                     draws: Sequence[Sequence[Scenario]] = (), reps_per_draw: int = 0
                     ) -> Estimate:
    """`compare`: each scenario at `reps`, and the drawn scenarios of each (`draws[i]`
    for scenario i, if any) at `reps_per_draw`."""
    parts = [estimate_run(sc, reps, workers, draws[i] if i < len(draws) else (), reps_per_draw)
             for i, sc in enumerate(scenarios)]
    return Estimate(f"comparing {len(parts)} scenarios at {reps:,} replications each"
                    + (f" and their draws x {reps_per_draw:,}" if any(draws) else ""),
                    sum(p.seconds for p in parts), sum(p.memory for p in parts))


def estimate_capacity(scenarios: Sequence[Scenario], searches: int, reps: int, max_reps: int,
                      ceiling: int, workers: int | None = None) -> Estimate:
    """`capacity`: `searches` searches (the scenario's, then one for each contour value),
    each about 2 log2(ceiling) + 3 sizes (doubling, then bisecting up to the force's
    strength) at `reps` replications, and the boundary and its two neighbours re-checked
    up to `max_reps`; a replication costed as the dearest of `scenarios` (given with the
    contingent at the largest size the search may try)."""
    sizes = 2 * math.ceil(math.log2(ceiling + 1)) + 3
    per_search = sizes * reps + 3 * (max_reps - reps)
    costs = [replication_cost(sc) for sc in scenarios]
    dearest = max(costs, key=lambda c: c.seconds) if costs else Cost(0.0, 0.0, 0.0)
    parallel = parallel_workers(workers, reps)
    what = (f"a capacity search of about {sizes} sizes x {reps:,} replications "
            f"(up to {max_reps:,} near the boundary)")
    if searches > 1:
        what += f" for the scenario and each of its {searches - 1:,} contour values"
    return Estimate(what, searches * per_search * dearest.seconds / parallel,
                    parallel * max((c.memory for c in costs), default=0.0),
                    f"{dearest.events:,.0f} events and {size(dearest.memory)} a replication "
                    "at the largest size")
