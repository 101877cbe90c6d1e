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

if TYPE_CHECKING:  # the names for type checkers; _STUDIES below for the run
    from sim.studies.capacity.study import Capacity, CapacityPlan, find_capacity, plan_capacity  # noqa: F401
    from sim.studies.compare.study import (  # noqa: F401
        ComparePlan,
        CompareResult,
        compare,
        plan_compare,
    )
    from sim.studies.discover.discovery import Discovery  # noqa: F401
    from sim.studies.discover.study import DiscoveryResult, discover  # noqa: F401
    from sim.studies.examples import (  # noqa: F401
        KIND_WORDS,
        CopiedExamples,
        Example,
        example,
        examples,
        find_example,
        is_bare_name,
        shipped_examples,
    )
    from sim.studies.hindcast.study import HindcastPlan, HindcastResult, hindcast, plan_hindcast  # noqa: F401
    from sim.studies.inputs import (  # noqa: F401
        Validation,
        load_scenario,
        override_texts,
        scenario_schema,
        show,
        timeline_paths,
        validate,
    )
    from sim.studies.optimize.search import SearchResult  # noqa: F401
    from sim.studies.optimize.study import PolicySearch, optimize  # noqa: F401
    from sim.studies.optimize.study import default_store as default_policy_store  # noqa: F401
    from sim.studies.run import RunPlan, RunResult, execute_plan, plan_run, run  # noqa: F401
    from sim.studies.sweep.study import (  # noqa: F401
        SweepResult,
        default_store,
        open_sweep,
        sweep,
        sweep_design,
    )
    from sim.studies.verify.study import VerifyPlan, VerifyResult, plan_verify, verify  # noqa: F401

# Each name is imported from its study on first use: a command loads the study it runs,
# not all of them (`run` leaves capacity, discovery and the optimiser alone: about 0.2 s
# at every start).
_STUDIES: dict[str, tuple[str, ...]] = {
    "sim.studies.capacity.study": ("Capacity", "CapacityPlan", "find_capacity", "plan_capacity"),
    "sim.studies.compare.study": ("compare", "ComparePlan", "CompareResult", "plan_compare"),
    "sim.studies.discover.discovery": ("Discovery",),
    "sim.studies.discover.study": ("discover", "DiscoveryResult"),
    "sim.studies.examples": ("CopiedExamples", "Example", "example", "examples", "find_example",
                             "is_bare_name", "KIND_WORDS", "shipped_examples"),
    "sim.studies.hindcast.study": ("hindcast", "HindcastPlan", "HindcastResult", "plan_hindcast"),
    "sim.studies.inputs": ("load_scenario", "override_texts", "scenario_schema", "show",
                           "timeline_paths", "validate", "Validation"),
    "sim.studies.optimize.search": ("SearchResult",),
    "sim.studies.optimize.study": ("optimize", "PolicySearch"),
    "sim.studies.run": ("execute_plan", "plan_run", "run", "RunPlan", "RunResult"),
    "sim.studies.sweep.study": ("default_store", "open_sweep", "sweep", "sweep_design", "SweepResult"),
    "sim.studies.verify.study": ("plan_verify", "verify", "VerifyPlan", "VerifyResult"),
}
_WHERE: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _STUDIES.items() for name in names},
    "default_policy_store": ("sim.studies.optimize.study", "default_store"),
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


__all__ = sorted(_WHERE, key=str.lower)
