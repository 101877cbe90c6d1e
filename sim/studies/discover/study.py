"""The discover study as the API hands it out: `discover` on a sweep store, and its
result with its report, its notebook view and its figures."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.core.errors import InputError
from sim.report.atomic import TargetError
from sim.studies.discover import discovery
from sim.studies.discover.discovery import Discovery
from sim.studies.discover.report import (
    headline_html,
    trajectory_figure,
    tree_figure,
    write_report,
)


class DiscoveryResult(Discovery):
    """A `Discovery` with its report (`write_report`), a notebook view (the findings and
    the recommended box) and figures (`plot()`: the tree; `plot_trajectory()`)."""

    def write_report(self, out: str | Path) -> Path:
        """discover.json, points.csv, trajectory.csv, discover.md, discover.html and
        figures/, atomically into `out`."""
        try:
            write_report(self, out)
        except TargetError as err:
            raise InputError.single(str(err)) from None
        return Path(out)

    def _repr_html_(self) -> str:
        return headline_html(self)

    def plot(self) -> Any:
        """The classification tree (a matplotlib Figure)."""
        return tree_figure(self)

    def plot_trajectory(self) -> Any:
        """The peeling trajectory, coverage against density (a matplotlib Figure)."""
        return trajectory_figure(self)


def discover(store: str | Path, where: str, method: str = "prim", share: float = 0.5,
             box: int | None = None, *, command: str | None = None) -> DiscoveryResult:
    """Scenario discovery on a sweep store: in which factor ranges does `where`
    ("METRIC OP VALUE") happen? PRIM boxes (`method="prim"`) or a tree's leaves
    ("cart"); see docs/exploration.md. Raises InputError for a bad store or condition."""
    return discovery.discover(store, where, method, share, box, command=command,
                              result_type=DiscoveryResult)
