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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each name is imported from its study on first use: a command loads the study it runs,
# not all of them (`run` leaves capacity, discovery and the optimiser alone: about 0.2 s
# at every start).
_WHERE: dict[str, tuple[str, str]] = {
    "Capacity": ("sim.studies.capacity.study", "Capacity"),
    "CapacityPlan": ("sim.studies.capacity.study", "CapacityPlan"),
    "compare": ("sim.studies.compare.study", "compare"),
    "ComparePlan": ("sim.studies.compare.study", "ComparePlan"),
    "CompareResult": ("sim.studies.compare.study", "CompareResult"),
    "CopiedExamples": ("sim.studies.examples", "CopiedExamples"),
    "default_policy_store": ("sim.studies.optimize.study", "default_store"),
    "default_store": ("sim.studies.sweep.study", "default_store"),
    "discover": ("sim.studies.discover.study", "discover"),
    "Discovery": ("sim.studies.discover.discovery", "Discovery"),
    "DiscoveryResult": ("sim.studies.discover.study", "DiscoveryResult"),
    "Example": ("sim.studies.examples", "Example"),
    "example": ("sim.studies.examples", "example"),
    "examples": ("sim.studies.examples", "examples"),
    "execute_plan": ("sim.studies.run", "execute_plan"),
    "find_capacity": ("sim.studies.capacity.study", "find_capacity"),
    "find_example": ("sim.studies.examples", "find_example"),
    "hindcast": ("sim.studies.hindcast.study", "hindcast"),
    "HindcastPlan": ("sim.studies.hindcast.study", "HindcastPlan"),
    "HindcastResult": ("sim.studies.hindcast.study", "HindcastResult"),
    "is_bare_name": ("sim.studies.examples", "is_bare_name"),
    "KIND_WORDS": ("sim.studies.examples", "KIND_WORDS"),
    "load_scenario": ("sim.studies.inputs", "load_scenario"),
    "open_sweep": ("sim.studies.sweep.study", "open_sweep"),
    "optimize": ("sim.studies.optimize.study", "optimize"),
    "override_texts": ("sim.studies.inputs", "override_texts"),
    "plan_capacity": ("sim.studies.capacity.study", "plan_capacity"),
    "plan_compare": ("sim.studies.compare.study", "plan_compare"),
    "plan_hindcast": ("sim.studies.hindcast.study", "plan_hindcast"),
    "plan_run": ("sim.studies.run", "plan_run"),
    "plan_verify": ("sim.studies.verify.study", "plan_verify"),
    "PolicySearch": ("sim.studies.optimize.study", "PolicySearch"),
    "run": ("sim.studies.run", "run"),
    "RunPlan": ("sim.studies.run", "RunPlan"),
    "RunResult": ("sim.studies.run", "RunResult"),
    "scenario_schema": ("sim.studies.inputs", "scenario_schema"),
    "SearchResult": ("sim.studies.optimize.search", "SearchResult"),
    "shipped_examples": ("sim.studies.examples", "shipped_examples"),
    "show": ("sim.studies.inputs", "show"),
    "sweep": ("sim.studies.sweep.study", "sweep"),
    "sweep_design": ("sim.studies.sweep.study", "sweep_design"),
    "SweepResult": ("sim.studies.sweep.study", "SweepResult"),
    "timeline_paths": ("sim.studies.inputs", "timeline_paths"),
    "validate": ("sim.studies.inputs", "validate"),
    "Validation": ("sim.studies.inputs", "Validation"),
    "verify": ("sim.studies.verify.study", "verify"),
    "VerifyPlan": ("sim.studies.verify.study", "VerifyPlan"),
    "VerifyResult": ("sim.studies.verify.study", "VerifyResult"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'sim.api' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
