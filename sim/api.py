"""The Python API: one function per command, from the studies that implement them. The
CLI is a thin layer over these functions (docs/api.md).

    import sim
    sc = sim.load_scenario("scenarios/kazbat_2003.yaml", set={"deployments.iraq.volunteer_prob": 0.5})
    res = sim.run(sc, reps=20, seed=1, workers=2)
    res.summary()

Errors are `sim.InputError` (the input is wrong, or the work is over the limits; nothing
ran) and `sim.ModelError` (raised by `check()` when replications failed inside the
model; the results of the others are kept). Results are pandas DataFrames.
"""
from __future__ import annotations

from sim.studies.capacity.study import Capacity, CapacityPlan, find_capacity, plan_capacity
from sim.studies.compare.study import (
    ComparePlan,
    CompareResult,
    compare,
    plan_compare,
)
from sim.studies.discover.discovery import Discovery
from sim.studies.discover.study import DiscoveryResult, discover
from sim.studies.examples import (
    KIND_WORDS,
    CopiedExamples,
    Example,
    example,
    examples,
    find_example,
    is_bare_name,
    shipped_examples,
)
from sim.studies.hindcast.study import HindcastPlan, HindcastResult, hindcast, plan_hindcast
from sim.studies.inputs import (
    Validation,
    load_scenario,
    override_texts,
    scenario_schema,
    show,
    timeline_paths,
    validate,
)
from sim.studies.optimize.search import SearchResult
from sim.studies.optimize.study import PolicySearch, optimize
from sim.studies.optimize.study import default_store as default_policy_store
from sim.studies.run import RunPlan, RunResult, execute_plan, plan_run, run
from sim.studies.sweep.study import (
    SweepResult,
    default_store,
    open_sweep,
    sweep,
    sweep_design,
)
from sim.studies.verify.study import VerifyPlan, VerifyResult, plan_verify, verify

__all__ = [
    "KIND_WORDS", "Capacity", "CapacityPlan", "ComparePlan", "CompareResult", "CopiedExamples",
    "Discovery", "DiscoveryResult", "Example", "HindcastPlan", "HindcastResult",
    "PolicySearch", "RunPlan", "RunResult", "SearchResult", "SweepResult", "Validation",
    "VerifyPlan", "VerifyResult", "compare", "default_policy_store", "default_store", "discover",
    "example", "examples", "execute_plan", "find_capacity", "find_example", "hindcast",
    "is_bare_name", "load_scenario", "open_sweep", "optimize", "override_texts", "plan_capacity",
    "plan_compare", "plan_hindcast", "plan_run", "plan_verify", "run", "scenario_schema",
    "shipped_examples", "show", "sweep", "sweep_design", "timeline_paths", "validate", "verify",
]
