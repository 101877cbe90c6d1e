"""Policy search under chance constraints, with optuna as the optimiser.

The search is replayed, not restored: optuna runs in memory with a seeded sampler, and
every candidate's replications come from the evaluation store when it holds them. A
resumed search therefore asks the same candidates in the same order as an uninterrupted
one, runs only the replications the store lacks, and ends with the same answer.

Candidates are asked in batches of a fixed size (independent of the worker count), so
the answer does not depend on where the replications ran either.
"""
from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from sim.core.input_labels import input_labels
from sim.core.stats import mean_ci
from sim.scenario.paths import PathError, get_path
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


class VersusJson(TypedDict):
    difference: float
    ci95: list[float] | None
    pairs: int


class _CandidateJson(TypedDict):
    levers: Settings
    objectives: dict[str, float | None]
    constraints: list[ConstraintJson]
    feasible: bool
    replications: int
    failed: int
    rerun: bool
    candidate: int
    tied_with_best: bool
    reference: bool


class CandidateJson(_CandidateJson, total=False):
    versus_best: VersusJson


class SearchJson(TypedDict):
    """optimize.json (without what the report adds)."""

    best: CandidateJson | None
    tied_with_best: list[CandidateJson]
    reference: CandidateJson | None
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


@dataclass(frozen=True)
class Versus:
    """A candidate's objective against the best's, paired replication by replication on
    their common replications (the same seeds): the mean difference (candidate - best)
    and its 95% CI (None with fewer than two pairs)."""
    difference: float
    ci95: tuple[float, float] | None
    pairs: int

    @property
    def tied(self) -> bool:
        """The two cannot be told apart: the CI holds 0 (or there is no CI to say)."""
        return self.ci95 is None or self.ci95[0] <= 0.0 <= self.ci95[1]

    def to_dict(self) -> VersusJson:
        return {"difference": self.difference,
                "ci95": list(self.ci95) if self.ci95 else None, "pairs": self.pairs}


@dataclass
class Candidate:
    number: int  # order of first appearance in the search
    settings: Settings
    runs: list[Metrics | None] = field(default_factory=list)  # None: a failed replication
    rerun: bool = False
    params: Params = field(default_factory=dict)  # the optimiser's coordinates
    reference: bool = False  # the base scenario's own lever settings
    versus_best: Versus | None = None  # set on feasible candidates once a best is chosen

    @property
    def tied_with_best(self) -> bool:
        return self.versus_best is not None and self.versus_best.tied

    def values(self, name: str) -> list[float | None]:
        """Replication by replication: the objective `name` (a metric, or a lever's own
        value), None where a replication failed or the metric is null."""
        if name in self.settings:
            return [self.objective(name)] * len(self.runs)
        return [None if m is None else m.get(name) for m in self.runs]

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
        out = CandidateJson(
            levers=dict(self.settings),
            objectives={o.name: self.objective(o.name) for o in objectives},
            constraints=[e.to_dict() for e in self.constraints(constraints)],
            feasible=self.feasible(constraints, objectives),
            replications=len(self.runs), failed=sum(m is None for m in self.runs),
            rerun=self.rerun, candidate=self.number,
            tied_with_best=self.tied_with_best, reference=self.reference)
        if self.versus_best is not None:
            out["versus_best"] = self.versus_best.to_dict()
        return out


@dataclass
class SearchResult:
    policy: LoadedPolicy
    candidates: list[Candidate]
    best: Candidate | None
    pareto: list[Candidate]
    evaluations: int  # model replications in the store
    sampler: str
    reference: Candidate | None = None  # the base scenario's own settings, where in the space
    provenance: dict[str, Any] = field(default_factory=dict)  # how the search was made

    @property
    def labels(self) -> dict[str, str]:
        """Human labels of the lever paths (and of a shares lever's paths)."""
        paths = list(self.candidates[0].settings) if self.candidates else []
        return input_labels(paths)

    @property
    def ties(self) -> list[Candidate]:
        """The best and every candidate that cannot be told apart from it, best first."""
        if self.best is None:
            return []
        key = _better(self.policy.spec.objectives)
        return [self.best, *sorted((c for c in self.candidates
                                    if c.tied_with_best and c is not self.best), key=key)]

    def __repr__(self) -> str:
        spec = self.policy.spec
        best = ("no feasible candidate" if self.best is None else
                "best " + ", ".join(f"{k}={v!r}" for k, v in self.best.settings.items()))
        tied = f" ({len(self.ties)} tie)" if len(self.ties) > 1 else ""
        return (f"<SearchResult {self.policy.file}: {len(self.candidates)} candidates, "
                f"{self.evaluations} of {spec.budget} replications; {best}{tied}>")

    def to_json(self) -> SearchJson:
        cons = self.policy.spec.parsed_constraints()
        objs = self.policy.spec.objectives
        return {"best": self.best.to_dict(cons, objs) if self.best else None,
                "tied_with_best": [c.to_dict(cons, objs) for c in self.ties[1:]],
                "reference": self.reference.to_dict(cons, objs) if self.reference else None,
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
            row["rerun"] = c.rerun
            row["tied_with_best"] = c.tied_with_best
            row["best"] = c is self.best
            row["reference"] = c.reference
            rows.append(row)
        return pd.DataFrame(rows)


R = TypeVar("R", bound="SearchResult")


def search(policy: LoadedPolicy, store: EvaluationStore, model: Model = None,
           workers: int | None = None, scheduler: str | None = None,
           on_run: Callable[[], None] | None = None,
           result_type: type[R] = SearchResult) -> R:  # type: ignore[assignment]
    """Search the levers within the budget, then re-run the best candidates and their
    close contenders; `result_type`: the class of the result (a `SearchResult`)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    spec = policy.spec
    cons = spec.parsed_constraints()
    space = _space(policy)
    reference = reference_settings(policy)
    reserve = spec.rerun_reserve() + (spec.final_replications if reference else 0)
    sampler, name = _sampler(policy, space, reserve)
    study = optuna.create_study(directions=[o.sense for o in spec.objectives], sampler=sampler)
    grid = _grid(space) if name == "exhaustive" else None
    by_key: dict[str, Candidate] = {}
    search_budget = spec.budget - reserve
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
    run = _Runner(policy, store, model, workers, scheduler, on_run)
    ref = None
    if reference is not None:  # the scenario as written, on the same seeds, at full length
        key = candidate_key(reference)
        if key not in by_key:
            by_key[key] = Candidate(len(by_key), reference)
        ref = by_key[key]
        ref.reference = True
        if len(ref.runs) < spec.final_replications:
            run([ref], spec.final_replications)
    candidates = sorted(by_key.values(), key=lambda c: c.number)
    best, pareto = _select(policy, candidates, cons, run)
    return result_type(policy, candidates, best, pareto, store.count(), name, ref)


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


def _sampler(policy: LoadedPolicy, space: Space, reserve: int) -> tuple[Any, str]:
    """Every combination when the search budget (less `reserve`, kept for re-runs) covers
    them all; else TPE (one objective) or NSGA-II (several), both aware of the
    constraints."""
    import optuna

    spec = policy.spec
    size = _finite_size(space)
    if size is not None and size * spec.replications <= spec.budget - reserve:
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


class _Runner:
    """Runs candidates to a number of replications (what the store lacks only)."""

    def __init__(self, policy: LoadedPolicy, store: EvaluationStore, model: Model,
                 workers: int | None, scheduler: str | None,
                 on_run: Callable[[], None] | None):
        self.policy, self.store, self.model = policy, store, model
        self.workers, self.scheduler, self.on_run = workers, scheduler, on_run

    def __call__(self, candidates: list[Candidate], n: int) -> None:
        _evaluate(self.policy, self.store, candidates, n, self.model, self.workers,
                  self.scheduler, self.on_run)


def reference_settings(policy: LoadedPolicy) -> Settings | None:
    """The base scenario's own value of every lever, when each lies in the lever's space
    (a range's bounds, one of its choices, shares that add up to the total): the policy
    the scenario already has, to compare the best against. None otherwise."""
    try:
        resolved = policy.scenario({}).model_dump(mode="json", by_alias=True)
    except Exception:  # noqa: BLE001 - a base the candidates' own checks will refuse
        return None
    settings: Settings = {}
    for name, lever in policy.spec.levers.items():
        paths = lever.shares if isinstance(lever, Shares) else [name]
        try:
            values = [get_path(resolved, p) for p in paths]
        except PathError:
            return None
        if isinstance(lever, Shares):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                return None
            if abs(sum(values) - lever.total) > 1e-6 * lever.total:
                return None
            settings.update(zip(paths, (int(v) if lever.integer else float(v)
                                        for v in values)))
        elif isinstance(lever, Range):
            v = values[0]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            if not lever.low <= v <= lever.high or (lever.integer and not float(v).is_integer()):
                return None
            settings[name] = int(v) if lever.integer else float(v)
        else:
            same = [c for c in lever if json.dumps(c, default=str) == json.dumps(values[0],
                                                                               default=str)]
            if not same:
                return None
            settings[name] = same[0]
    return settings


def versus(c: Candidate, best: Candidate, name: str) -> Versus:
    """`c`'s objective against `best`'s on their common replications (paired)."""
    pairs = [(a, b) for a, b in zip(c.values(name), best.values(name))
             if a is not None and b is not None]
    if not pairs:
        return Versus(math.nan, None, 0)
    mean, _, ci = mean_ci([a - b for a, b in pairs])
    return Versus(mean, ci, len(pairs))


def _select(policy: LoadedPolicy, candidates: list[Candidate], cons: list[Constraint],
            run: _Runner) -> tuple[Candidate | None, list[Candidate]]:
    """Ranking and selection: the best feasible candidates (the front's members for
    several objectives) are re-run with more replications. With one objective, every
    feasible candidate that looks as good as the leader or cannot be told apart from it
    (paired on common random numbers) is re-run too while the budget lasts; the best is
    then the leader among the re-run, and those tied with it are marked."""
    spec = policy.spec
    objs = spec.objectives
    final = spec.final_replications
    feasible = [c for c in candidates if c.feasible(cons, objs)]
    if len(objs) == 1:
        contenders = sorted(feasible, key=_better(objs))[:spec.rerun_candidates]
    else:
        contenders = pareto_front(feasible, objs)[:spec.rerun_candidates]
    todo = [c for c in contenders if len(c.runs) < final]
    if todo and final > spec.replications:
        run(todo, final)
    for c in contenders:
        c.rerun = c.rerun or final > spec.replications
    if len(objs) > 1:
        front = pareto_front([c for c in candidates if c.feasible(cons, objs)], objs)
        return (front[0] if front else None), front
    key = _better(objs)
    name = objs[0].name
    left = spec.budget - sum(len(c.runs) for c in candidates)
    while True:
        best = _leader(candidates, cons, objs, final)
        if best is None:
            return None, []
        close = sorted((c for c in candidates if c is not best and len(c.runs) < final
                        and c.feasible(cons, objs)
                        and (key(c)[:-1] <= key(best)[:-1] or versus(c, best, name).tied)),
                       key=key)
        affordable = [c for c in close if final - len(c.runs) <= left]
        if not affordable:
            break
        nxt = affordable[0]
        left -= final - len(nxt.runs)
        run([nxt], final)
        nxt.rerun = True
    for c in candidates:
        c.versus_best = (versus(c, best, name) if c is not best and c.feasible(cons, objs)
                         else None)
    return best, [best]


def _leader(candidates: list[Candidate], cons: list[Constraint], objs: list[Objective],
            final: int) -> Candidate | None:
    """The best feasible candidate among those run to `final` replications, unless one
    with fewer is better beyond doubt (paired CI of the difference excludes 0 on its
    side); without any run to `final`, the best feasible candidate."""
    key = _better(objs)
    feasible = sorted((c for c in candidates if c.feasible(cons, objs)), key=key)
    full = [c for c in feasible if len(c.runs) >= final]
    if not full:
        return feasible[0] if feasible else None
    best = full[0]
    minimize = objs[0].sense == "minimize"
    for c in feasible:
        if key(c) >= key(best):
            break
        ci = versus(c, best, objs[0].name).ci95
        if ci is not None and (ci[1] < 0 if minimize else ci[0] > 0):
            return c
    return best
