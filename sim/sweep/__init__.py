"""Designed experiments over scenario parameters (sweep files, designs, the store, the
analysis and its report).

`sim.sweep` is also the API function that runs one: `sim.sweep("file.yaml",
store="results/x.db")` (see `sim.api.sweep` and `sim.callable_module`).
"""
from sim.callable_module import make_callable

make_callable(__name__, "sweep")
