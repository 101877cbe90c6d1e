"""Modules that are also API functions: `sim.sweep` and `sim.compare`.

`sim.compare(...)` is the API function, and `sim/compare.py` the module behind it; once
anything imports the module, Python binds `sim.compare` to it, hiding a function of the
same name. So the module itself is made callable, forwarding to `sim.api`.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    _api_function = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module("sim.api"), self._api_function)(*args, **kwargs)


def make_callable(module: str, api_function: str) -> None:
    """Let `module` be called as `sim.api.<api_function>`."""
    mod = sys.modules[module]
    mod.__class__ = type(f"Callable_{api_function}", (_CallableModule,),
                         {"_api_function": api_function})
