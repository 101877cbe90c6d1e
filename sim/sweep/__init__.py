"""Designed experiments over scenario parameters (sweep files, designs, the store, the
analysis and its report).

`sim.sweep` is also the API function that runs one: `sim.sweep("file.yaml",
store="results/x.db")` (see `sim.api.sweep`). A package and a function cannot share the
name `sim.sweep` (importing `sim.sweep.spec` would rebind it), so the package itself is
made callable.
"""
from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from sim.api import sweep

        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
