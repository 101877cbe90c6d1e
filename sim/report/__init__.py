"""Report files for `run` and `compare`: JSON, CSV, Markdown, self-contained HTML, figures.

Everything is written into a temporary directory beside the target and renamed into
place, so a reader never sees a half-written report.

Names are imported on first use: the figure server imports `sim.report.draw` (and so
this package) and must not pay for the report model, statistics and pydantic as well.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

_WHERE = {"atomic_dir": "sim.report.atomic", "atomic_file": "sim.report.atomic",
          "FORMAT": "sim.report.json_report", "build_report": "sim.report.json_report",
          "load_report": "sim.report.json_report", "write_report": "sim.report.writer"}
__all__ = ["FORMAT", "atomic_dir", "atomic_file", "build_report", "load_report", "write_report"]

if TYPE_CHECKING:
    from sim.report.atomic import atomic_dir, atomic_file  # noqa: F401
    from sim.report.json_report import FORMAT, build_report, load_report  # noqa: F401
    from sim.report.writer import write_report  # noqa: F401


def __getattr__(name: str) -> Any:
    import importlib

    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sim.report' has no attribute {name!r}")
