"""The capacity study's record: the answer, the sizes tried, how sure the answer is and
the contour, as plain data, DataFrames and the JSON of `kazsim-capacity/1`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.core.roles import role_label
from sim.studies.capacity.search import Boundary, Probe

if TYPE_CHECKING:
    import pandas as pd

FORMAT = "kazsim-capacity/1"
NOMINAL = ("Capacity is computed on the nominal scenario: the scenario's own values (after "
           "any --set), not draws over ranges of what is not known.")


@dataclass(frozen=True)
class Vary:
    """`--vary PATH=LOW:HIGH:STEPS`: STEPS values of PATH from LOW to HIGH inclusive."""

    path: str
    low: float
    high: float
    steps: int
    values: tuple[float | int, ...]
    text: str


@dataclass
class ContourPoint:
    """The answer at one value of the contour's input."""

    value: float | int
    boundary: Boundary
    binding_constraint: str
    detail: str
    probes: list[Probe] = field(repr=False)

    @property
    def largest_contingent(self) -> int:
        return self.boundary.size

    def as_dict(self) -> dict[str, Any]:
        b = self.boundary
        return {"value": self.value, "largest_contingent": b.size,
                "binding_constraint": self.binding_constraint, "binding_detail": self.detail,
                "range": [b.low, b.high], "boundary_sureness": b.sure,
                "probes": [p.to_dict() for p in self.probes]}


@dataclass
class CapacityRecord:
    """The answer, the probes behind it and how sure it is; with `vary`, the contour."""

    deployment: str
    largest_contingent: int
    binding_constraint: str
    fill_rate: float
    confidence: float
    reps: int
    seed: int
    probe_list: list[Probe]
    shape: dict[str, int]        # role -> posts at the largest size
    detail: str = ""
    max_reps: int = 0
    boundary: Boundary | None = None
    base_shape: dict[str, int] = field(default_factory=dict)
    scenario: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    vary: Vary | None = None
    points: list[ContourPoint] = field(default_factory=list, repr=False)

    # -- views -----------------------------------------------------------------------------
    @property
    def probes(self) -> pd.DataFrame:
        """One row per size tried, by size: replications, the fill share (replications
        reaching the fill rate) with its Wilson 95% interval, met, decided."""
        import pandas as pd

        return pd.DataFrame([_probe_row(p) for p in self.probe_list], columns=PROBE_COLUMNS)

    @property
    def contour(self) -> pd.DataFrame:
        """With `vary`: one row per value, the largest contingent, its range, how sure,
        and the binding constraint (empty without `vary`)."""
        import pandas as pd

        return pd.DataFrame([{"value": pt.value, "largest_contingent": pt.largest_contingent,
                              "range_low": pt.boundary.low, "range_high": pt.boundary.high,
                              "boundary_sureness": pt.boundary.sure,
                              "binding_constraint": pt.binding_constraint,
                              "binding_detail": pt.detail} for pt in self.points],
                            columns=CONTOUR_COLUMNS)

    @property
    def contour_probes(self) -> pd.DataFrame:
        """With `vary`: every contour value's probes (a `value` column first)."""
        import pandas as pd

        rows = [{"value": pt.value, **_probe_row(p)} for pt in self.points for p in pt.probes]
        return pd.DataFrame(rows, columns=["value", *PROBE_COLUMNS])

    @property
    def roles(self) -> list[dict[str, Any]]:
        """The shape at the answer, by role with its label and its posts as written."""
        return [{"role": r, "label": role_label(r), "posts": self.shape.get(r, 0),
                 "posts_as_written": n} for r, n in self.base_shape.items()]

    def statement(self) -> dict[str, Any]:
        """How sure the answer is: the fill share at it and at the next size, with their
        intervals, the range the intervals allow, and how sure the boundary lies there."""
        b = self.boundary
        if b is None:
            return {}
        return {"answer": _side(b.at), "next": _side(b.above), "range": [b.low, b.high],
                "boundary_sureness": b.sure}

    def as_dict(self) -> dict[str, Any]:
        """What `kazsim capacity --format json` prints and capacity.json holds."""
        data: dict[str, Any] = {
            "format": FORMAT, "deployment": self.deployment,
            "largest_contingent": self.largest_contingent,
            "binding_constraint": self.binding_constraint, "binding_detail": self.detail,
            "fill_rate": self.fill_rate, "confidence": self.confidence,
            "statement": self.statement(), "reps": self.reps, "max_reps": self.max_reps,
            "seed": self.seed, "shape": self.shape, "roles": self.roles,
            "probes": [p.to_dict() for p in self.probe_list],
            "nominal": NOMINAL, "scenario": self.scenario, "run": self.run}
        if self.vary is not None:
            data["vary"] = {"path": self.vary.path, "low": self.vary.low, "high": self.vary.high,
                            "steps": self.vary.steps, "values": list(self.vary.values)}
            data["contour"] = [pt.as_dict() for pt in self.points]
        return data


PROBE_COLUMNS = ["size", "replications", "reached", "fill_share", "ci_low", "ci_high", "met",
                 "decided", "fill_rate_mean"]
CONTOUR_COLUMNS = ["value", "largest_contingent", "range_low", "range_high",
                   "boundary_sureness", "binding_constraint", "binding_detail"]


def _probe_row(p: Probe) -> dict[str, Any]:
    lo, hi = p.ci95
    return {"size": p.size, "replications": p.replications, "reached": p.reached,
            "fill_share": p.fill_share, "ci_low": lo, "ci_high": hi, "met": p.met,
            "decided": p.decided, "fill_rate_mean": p.fill_mean}


def _side(p: Probe | None) -> dict[str, Any] | None:
    if p is None:
        return None
    lo, hi = p.ci95
    return {"size": p.size, "fill_share": p.fill_share, "fill_share_ci95": [lo, hi],
            "replications": p.replications, "met": p.met, "sure": p.sure}
