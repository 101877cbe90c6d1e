"""Policy search under chance constraints, with optuna as the optimiser.

The search is replayed, not restored: optuna runs in memory with a seeded sampler, and
every candidate's replications come from the evaluation store when it holds them. A
resumed search therefore asks the same candidates in the same order as an uninterrupted
one, runs only the replications the store lacks, and ends with the same answer.

Candidates are asked in batches of a fixed size (independent of the worker count), so
the answer does not depend on where the replications ran either.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from sim.studies.optimize.evaluate import Metrics, Model, evaluate
from sim.studies.optimize.policy import (
    Constraint,
    LoadedPolicy,
    Objective,
    Settings,
    Shares,
    Value,
)
from sim.studies.optimize.store import EvaluationStore, candidate_key
from sim.studies.sweep.spec import Range

if TYPE_CHECKING:  # optuna is imported when a search runs
    from optuna.distributions import BaseDistribution

Params = dict[str, float]  # a trial's coordinates: a range's value, a choice's index
Space = dict[str, "BaseDistribution"]

BATCH = 4  # candidates asked before their results are told
STALE_BATCHES = 25  # batches asking only known candidates: the space is exhausted


class ConstraintJson(TypedDict):
    expr: str
    estimate: float
    ci95: list[float]
    p: float
    met: bool
    replications: int


class CandidateJson(TypedDict):
    levers: Settings
    objectives: dict[str, float | None]
    constraints: list[ConstraintJson]
    replications: int
    failed: int
    rerun: bool
    candidate: int


class SearchJson(TypedDict):
    """optimize.json (without what the report adds)."""

    best: CandidateJson | None
    pareto: list[CandidateJson]
    evaluations: int
    candidates: int
    sampler: str
    objectives: list[dict[str, str]]
    constraints: list[str]


@dataclass
class ConstraintEstimate:
    expr: str
    p: float
    met: int
    replications: int

    @property
    def estimate(self) -> float:
        return self.met / self.replications if self.replications else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        """Wilson score interval (SciPy's binomtest)."""
        if not self.replications:
            return 0.0, 1.0
        from scipy.stats import binomtest

        ci = binomtest(self.met, self.replications).proportion_ci(0.95, method="wilson")
        return float(ci.low), float(ci.high)

    @property
    def ok(self) -> bool:
        return self.estimate >= self.p - 1e-12

    def to_dict(self) -> ConstraintJson:
        lo, hi = self.ci95
        return {"expr": self.expr, "estimate": self.estimate, "ci95": [lo, hi],
                "p": self.p, "met": self.ok, "replications": self.replications}


@dataclass
class Candidate:
    number: int  # order of first appearance in the search
    settings: Settings
    runs: list[Metrics | None] = field(default_factory=list)  # None: a failed replication
    rerun: bool = False
    params: Params = field(default_factory=dict)  # the optimiser's coordinates

    def objective(self, name: str) -> float | None:
        """The mean over replications (nulls left out), or a lever's own value (None for
        a choice that is not a number)."""
        if name in self.settings:
            return _number(self.settings[name])
        values = [v for m in self.runs if m is not None and (v := m.get(name)) is not None]
        return sum(values) / len(values) if values else None

    def constraints(self, constraints: list[Constraint]) -> list[ConstraintEstimate]:
        return [ConstraintEstimate(c.expr, c.p, sum(c.met(m) for m in self.runs),
                                   len(self.runs)) for c in constraints]

    def feasible(self, constraints: list[Constraint], objectives: list[Objective]) -> bool:
        return (all(e.ok for e in self.constraints(constraints))
                and all(self.objective(o.name) is not None for o in objectives))

    def to_dict(self, constraints: list[Constraint], objectives: list[Objective]
                ) -> CandidateJson:
        return {"levers": dict(self.settings),
                "objectives": {o.name: self.objective(o.name) for o in objectives},
                "constraints": [e.to_dict() for e in self.constraints(constraints)],
                "replications": len(self.runs), "failed": sum(m is None for m in self.runs),
                "rerun": self.rerun, "candidate": self.number}


@dataclass
class SearchResult:
    policy: LoadedPolicy
    candidates: list[Candidate]
    best: Candidate | None
    pareto: list[Candidate]
    evaluations: int  # model replications in the store
    sampler: str

    def to_json(self) -> SearchJson:
        cons = self.policy.spec.parsed_constraints()
        objs = self.policy.spec.objectives
        return {"best": self.best.to_dict(cons, objs) if self.best else None,
                "pareto": [c.to_dict(cons, objs) for c in self.pareto],
                "evaluations": self.evaluations, "candidates": len(self.candidates),
                "sampler": self.sampler,
                "objectives": [{o.sense: o.name} for o in objs],
                "constraints": self.policy.spec.constraints}

    def table(self) -> Any:
        """Every candidate: levers, objectives, constraint estimates (a DataFrame)."""
        import pandas as pd

        cons = self.policy.spec.parsed_constraints()
        rows = []
        for c in self.candidates:
            row: dict[str, object] = {"candidate": c.number, **c.settings}
            for o in self.policy.spec.objectives:
                row[o.name] = c.objective(o.name)
            for e in c.constraints(cons):
                row[e.expr] = e.estimate
            row["replications"] = len(c.runs)
            row["feasible"] = c.feasible(cons, self.policy.spec.objectives)
            rows.append(row)
        return pd.DataFrame(rows)


def search(policy: LoadedPolicy, store: EvaluationStore, model: Model = None,
           workers: int | None = None, scheduler: str | None = None,
           on_run: Callable[[], None] | None = None) -> SearchResult:
    """Search the levers within the budget, then re-run the best candidates."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    spec = policy.spec
    cons = spec.parsed_constraints()
    space = _space(policy)
    sampler, name = _sampler(policy, space)
    study = optuna.create_study(directions=[o.sense for o in spec.objectives], sampler=sampler)
    grid = _grid(space) if name == "exhaustive" else None
    by_key: dict[str, Candidate] = {}
    search_budget = spec.budget - spec.rerun_reserve()
    # integer and choice levers keep a quarter of the search for polishing the best
    polish = len(spec.objectives) == 1 and any(
        not isinstance(d, optuna.distributions.FloatDistribution) for d in space.values())
    sampled_budget = search_budget - (search_budget // 4 if polish and name != "exhaustive"
                                      else 0)
    used = 0
    stale = 0
    while stale < STALE_BATCHES:
        batch: list[tuple[Any, Candidate]] = []
        fresh: list[Candidate] = []
        for _ in range(BATCH):
            if used + spec.replications > sampled_budget:
                break
            if grid is not None:
                params = next(grid, None)
                if params is None:
                    break
                trial = None
            else:
                trial = study.ask(space)
                params = dict(trial.params)
            settings = _decode(policy, params)
            key = candidate_key(settings)
            if key not in by_key:
                by_key[key] = Candidate(len(by_key), settings, params=params)
                fresh.append(by_key[key])
                used += spec.replications
            batch.append((trial, by_key[key]))
        if not batch:
            break
        stale = 0 if fresh else stale + 1
        _evaluate(policy, store, fresh, spec.replications, model, workers, scheduler, on_run)
        for trial, c in batch:
            if trial is not None:
                _tell(study, trial, c, cons, spec.objectives)
    if polish:
        _polish(policy, space, by_key, search_budget - used, store, model, workers,
                scheduler, on_run)
    candidates = sorted(by_key.values(), key=lambda c: c.number)
    best, pareto = _select(policy, candidates, cons, store, model, workers, scheduler, on_run)
    return SearchResult(policy, candidates, best, pareto, store.count(), name)


def _evaluate(policy: LoadedPolicy, store: EvaluationStore, fresh: list[Candidate], n: int,
              model: Model, workers: int | None, scheduler: str | None,
              on_run: Callable[[], None] | None) -> None:
    runs = evaluate(policy, store, [(c.settings, n) for c in fresh], model, workers,
                    scheduler, on_run)
    for c, r in zip(fresh, runs):
        c.runs = r


def _polish(policy: LoadedPolicy, space: Space, by_key: dict[str, Candidate],
            left: int, store: EvaluationStore, model: Model, workers: int | None,
            scheduler: str | None, on_run: Callable[[], None] | None) -> None:
    """A pattern search from the best feasible candidate: its untried neighbours, one step
    along each integer or choice lever, until none is better or the budget is spent. A
    sampler may stop a step short of a constraint's edge; this closes that step."""
    spec = policy.spec
    cons = spec.parsed_constraints()
    key = _better(spec.objectives)
    while True:
        feasible = [c for c in by_key.values() if c.feasible(cons, spec.objectives)]
        if not feasible:
            return
        best = min(feasible, key=key)
        fresh = []
        for params in _neighbours(space, best.params):
            settings = _decode(policy, params)
            k = candidate_key(settings)
            if k in by_key or left < spec.replications:
                continue
            by_key[k] = Candidate(len(by_key), settings, params=params)
            fresh.append(by_key[k])
            left -= spec.replications
        if not fresh:
            return
        _evaluate(policy, store, fresh, spec.replications, model, workers, scheduler, on_run)
        if min([best, *(c for c in fresh if c.feasible(cons, spec.objectives))],
               key=key) is best:
            return


def _neighbours(space: Space, params: Params) -> list[Params]:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    out = []
    for name, d in space.items():
        if isinstance(d, IntDistribution):
            low, high = d.low, d.high
        elif isinstance(d, CategoricalDistribution):
            low, high = 0, len(d.choices) - 1
        else:
            continue
        for step in (-1, 1):
            if low <= params[name] + step <= high:
                out.append({**params, name: params[name] + step})
    return out


def _tell(study: Any, trial: Any, c: Candidate, cons: list[Constraint],
          objectives: list[Objective]) -> None:
    import optuna

    values = [c.objective(o.name) for o in objectives]
    for i, e in enumerate(c.constraints(cons)):
        trial.set_constraint(f"c{i}", e.p - e.estimate)  # feasible at zero or less
    if any(v is None or not math.isfinite(v) for v in values):
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    else:
        study.tell(trial, values)


def _space(policy: LoadedPolicy) -> Space:
    """optuna distributions: ranges, choices (by index), shares (a weight each)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    space: Space = {}
    for name, lever in policy.spec.levers.items():
        if isinstance(lever, Range):
            space[name] = (IntDistribution(int(lever.low), int(lever.high)) if lever.integer
                           else FloatDistribution(lever.low, lever.high))
        elif isinstance(lever, Shares):
            for path in lever.shares:
                space[f"{name}[{path}]"] = FloatDistribution(0.0, 1.0)
        else:
            space[name] = CategoricalDistribution(list(range(len(lever))))
    return space


def _finite_size(space: Space) -> int | None:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    size = 1
    for d in space.values():
        if isinstance(d, IntDistribution):
            size *= d.high - d.low + 1
        elif isinstance(d, CategoricalDistribution):
            size *= len(d.choices)
        else:
            return None
    return size


def _sampler(policy: LoadedPolicy, space: Space) -> tuple[Any, str]:
    """Every combination when the search budget covers them all; else TPE (one objective)
    or NSGA-II (several), both aware of the constraints."""
    import optuna

    spec = policy.spec
    size = _finite_size(space)
    if size is not None and size * spec.replications <= spec.budget - spec.rerun_reserve():
        return None, "exhaustive"  # enumerated in order by _grid
    if len(spec.objectives) == 1:
        return optuna.samplers.TPESampler(seed=spec.seed, n_startup_trials=8), "tpe"
    return optuna.samplers.NSGAIISampler(seed=spec.seed, population_size=8), "nsga2"


def _grid(space: Space) -> Iterator[Params]:
    """Every combination of a finite space (of whole numbers and choices), in order."""
    import itertools

    from optuna.distributions import CategoricalDistribution, IntDistribution

    names = list(space)
    axes = [range(d.low, d.high + 1) if isinstance(d, IntDistribution)
            else range(len(d.choices)) if isinstance(d, CategoricalDistribution)  # by index
            else [] for d in space.values()]
    for combo in itertools.product(*axes):
        yield dict(zip(names, combo))


def _decode(policy: LoadedPolicy, params: Params) -> Settings:
    """A trial's parameters as scenario settings (path -> value)."""
    settings: Settings = {}
    for name, lever in policy.spec.levers.items():
        if isinstance(lever, Range):
            settings[name] = int(params[name]) if lever.integer else float(params[name])
        elif isinstance(lever, Shares):
            weights = [float(params[f"{name}[{p}]"]) for p in lever.shares]
            settings.update(zip(lever.shares, split_total(weights, lever.total, lever.integer)))
        else:
            settings[name] = lever[int(params[name])]
    return settings


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def split_total(weights: list[float], total: float, integer: bool) -> list[float]:
    """`total` in proportion to `weights` (equal shares if all are zero); whole numbers
    by largest remainder, so they still sum to `total`."""
    s = sum(weights)
    raw = [total * w / s for w in weights] if s > 0 else [total / len(weights)] * len(weights)
    if not integer:
        return raw
    floors = [math.floor(x) for x in raw]
    left = int(round(total)) - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [int(v) for v in floors]


def _better(objectives: list[Objective]) -> Callable[[Candidate], tuple[float, ...]]:
    """A sort key: smaller is better on each objective (maximised ones negated)."""
    def key(c: Candidate) -> tuple[float, ...]:
        out = []
        for o in objectives:
            v = c.objective(o.name)
            v = math.inf if v is None else v
            out.append(v if o.sense == "minimize" else -v)
        return (*out, c.number)
    return key


def pareto_front(candidates: list[Candidate], objectives: list[Objective]) -> list[Candidate]:
    """The candidates no other candidate beats on every objective (ties kept once)."""
    key = _better(objectives)
    k = len(objectives)
    front: list[Candidate] = []
    seen: set[tuple[float, ...]] = set()
    for c in sorted(candidates, key=key):
        kc = key(c)[:k]
        if kc in seen:
            continue
        if not any(all(a <= b for a, b in zip(key(f)[:k], kc)) for f in front):
            front.append(c)
            seen.add(kc)
    return front


def _select(policy: LoadedPolicy, candidates: list[Candidate], cons: list[Constraint],
            store: EvaluationStore, model: Model, workers: int | None,
            scheduler: str | None, on_run: Callable[[], None] | None
            ) -> tuple[Candidate | None, list[Candidate]]:
    """Ranking and selection: the best feasible candidates (the front's members for
    several objectives) are re-run with more replications; the best is chosen on those."""
    spec = policy.spec
    objs = spec.objectives
    feasible = [c for c in candidates if c.feasible(cons, objs)]
    if len(objs) == 1:
        contenders = sorted(feasible, key=_better(objs))[:spec.rerun_candidates]
    else:
        contenders = pareto_front(feasible, objs)[:spec.rerun_candidates]
    if contenders and spec.final_replications > spec.replications:
        _evaluate(policy, store, contenders, spec.final_replications, model, workers,
                  scheduler, on_run)
        for c in contenders:
            c.rerun = True
    if len(objs) == 1:
        pool = [c for c in (contenders or feasible) if c.feasible(cons, objs)]
        best = min(pool, key=_better(objs)) if pool else None
        return best, ([best] if best else [])
    front = pareto_front([c for c in candidates if c.feasible(cons, objs)], objs)
    return (front[0] if front else None), front
