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

Names are imported on first use, so `import sim` (and `kazsim --help`) stays light.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("load_scenario", "run", "open_sweep", "sweep_design", "RunResult",
        "CompareResult", "SweepResult")
_ELSEWHERE = {"InputError": "sim.errors", "ModelError": "sim.errors",
              "KazsimError": "sim.errors", "Interrupted": "sim.errors",
              "load_report": "sim.report.model", "Report": "sim.report.model",
              "run_replication": "sim.engine", "ReplicationResult": "sim.results",
              "metric_info": "sim.metrics", "series_info": "sim.metrics",
              "discover": "sim.explore.discover", "optimize": "sim.explore.optimize",
              "find_capacity": "sim.capacity"}
__all__ = ["__version__", *_API, "compare", "sweep", *_ELSEWHERE]

if TYPE_CHECKING:
    from sim.api import (  # noqa: F401
        CompareResult,
        RunResult,
        SweepResult,
        compare,
        load_scenario,
        open_sweep,
        run,
        sweep_design,
    )
    from sim.capacity import find_capacity  # noqa: F401
    from sim.engine import run_replication  # noqa: F401
    from sim.errors import InputError, Interrupted, KazsimError, ModelError  # noqa: F401
    from sim.explore.discover import discover  # noqa: F401
    from sim.explore.optimize import optimize  # noqa: F401
    from sim.metrics import metric_info, series_info  # noqa: F401
    from sim.report.model import Report, load_report  # noqa: F401
    from sim.results import ReplicationResult  # noqa: F401


def __getattr__(name: str) -> Any:
    import importlib

    if name in _API:
        return getattr(importlib.import_module("sim.api"), name)
    if name in ("compare", "sweep"):  # modules that are also the API functions
        return importlib.import_module(f"sim.{name}")
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
