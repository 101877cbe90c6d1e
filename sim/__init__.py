"""kazsim: a discrete-event what-if simulator for a small peacekeeping force.

The Python API (see docs/api.md):

    import sim
    sc = sim.load_scenario("scenarios/kazbat_2003.yaml", set={"deployments.iraq.volunteer_prob": 0.5})
    res = sim.run(sc, reps=20, seed=1, workers=2)
    res.metrics, res.series, res.summary()
    cmp = sim.compare([sc, sim.load_scenario("scenarios/nco_reform.yaml")], reps=20)
    sw = sim.sweep("sweeps/nco_reform_nolh.yaml", store="results/x.db")
    d = sim.discover("results/x.db", "rotation_fill_rate < 0.95")   # PRIM boxes
    best = sim.optimize("policies/nco_reform_cheapest.yaml", store="results/p.db")
    h = sim.hindcast("scenarios/kazbat_2003_2008.yaml", "records/kazbat_iraq_2003_2005.yaml")
    v = sim.verify("scenarios/kazbat_2003.yaml")                  # v.ok, v.table
    sim.examples("my-study")              # the shipped scenarios, sweeps, policies, records
    sc = sim.load_scenario(sim.example("kazbat_2003"))   # a shipped scenario by name

Names are imported on first use, so `import sim` (and `kazsim --help`) stays light.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.core.version import __version__

_API = ("load_scenario", "run", "plan_run", "compare", "plan_compare", "sweep", "open_sweep",
        "sweep_design", "discover", "optimize", "find_capacity", "plan_capacity", "hindcast",
        "verify", "validate", "show", "scenario_schema", "timeline_paths", "examples", "example",
        "RunResult", "CompareResult", "SweepResult", "HindcastResult", "VerifyResult")
_ELSEWHERE = {"InputError": "sim.core.errors", "ModelError": "sim.core.errors",
              "KazsimWarning": "sim.core.errors",
              "CheckFailed": "sim.core.errors",
              "KazsimError": "sim.core.errors", "Interrupted": "sim.core.errors",
              "load_report": "sim.report.model", "Report": "sim.report.model",
              "run_replication": "sim.execution.engine", "ReplicationResult": "sim.core.results",
              "metric_info": "sim.core.metrics", "series_info": "sim.core.metrics"}
__all__ = ["__version__", *_API, *_ELSEWHERE]

if TYPE_CHECKING:
    from sim.api import (  # noqa: F401
        CompareResult,
        HindcastResult,
        RunResult,
        SweepResult,
        VerifyResult,
        compare,
        discover,
        example,
        examples,
        find_capacity,
        hindcast,
        load_scenario,
        open_sweep,
        optimize,
        plan_capacity,
        plan_compare,
        plan_run,
        run,
        scenario_schema,
        show,
        sweep,
        sweep_design,
        timeline_paths,
        validate,
        verify,
    )
    from sim.core.errors import (  # noqa: F401
        CheckFailed,
        InputError,
        Interrupted,
        KazsimError,
        KazsimWarning,
        ModelError,
    )
    from sim.core.metrics import metric_info, series_info  # noqa: F401
    from sim.core.results import ReplicationResult  # noqa: F401
    from sim.execution.engine import run_replication  # noqa: F401
    from sim.report.model import Report, load_report  # noqa: F401


def __getattr__(name: str) -> Any:
    # imported on first use, so that `import sim` (and `kazsim --help`) stays light
    import importlib

    if name in _API:
        return getattr(importlib.import_module("sim.api"), name)
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
