"""The report of a run as a typed document: what `run` writes to report.json and what
`compare`, the figures, the CLI and the Python API read.

Every model keeps keys it does not know (`extra="allow"`), and `dump` writes only the
keys a report was given, so a report read from an earlier or later version is written
back as it was; keys are only ever added (`kazsim-report/1`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

FORMAT = "kazsim-report/1"


class ReportFormatError(ValueError):
    """A file given as a saved report is not one this version reads."""


class Doc(BaseModel):
    model_config = ConfigDict(extra="allow")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with only the keys this document was given."""
        return finite(self.model_dump(mode="json", exclude_unset=True))


class ScenarioInfo(Doc):
    name: str
    file: str = ""
    sha256: str = ""
    start: str | None = None
    end: str | None = None
    resolved: dict[str, Any] = {}


class Failure(Doc):
    index: int
    error: str | None = None


class RepsAuto(Doc):
    precision: float
    metrics: list[str]
    max_reps: int
    met: bool
    no_values: list[str] = []


class RunInfo(Doc):
    replications: int
    seed: int
    version: str = ""
    commit: str | None = None
    started: str = ""
    wall_seconds: float = 0.0
    failed: list[Failure] = []
    command: str | None = None
    overrides: list[str] = []
    reps_auto: RepsAuto | None = None
    # what it ran on (absent from reports written before kazsim recorded them)
    python: str | None = None
    platform: str | None = None
    cores: int | None = None
    libraries: dict[str, str | None] = {}


class MetricSummary(Doc):
    mean: float | None = None
    sd: float | None = None
    ci95: list[float] | None = None
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None
    n: int = 0
    unit: str = ""
    description: str = ""
    label: str = ""
    happened: float | None = None  # time-to-event metrics only
    clipped: bool = False  # the CI was clipped to the metric's possible range


class SeriesSummary(Doc):
    dates: list[str]
    mean: list[float | None]
    p10: list[float | None] = []
    p90: list[float | None] = []
    unit: str = ""
    label: str = ""


class ReplicationRecord(Doc):
    index: int
    seed: list[int]
    metrics: dict[str, float | None]
    error: str | None = None
    notes: list[str] = []
    wall_seconds: float | None = None  # the model's own time for this replication
    events: int | None = None  # simulation events it scheduled


class ThresholdResult(Doc):
    threshold: str
    metric: str
    op: str
    value: float
    evaluated: int
    not_applicable: int
    breaches: int
    breach_share: float | None


class Unfilled(Doc):
    deployment: str
    role: str
    reason: str
    missing_total: int
    missing_per_replication: float


class Assumptions(Doc):
    sources: list[str] = []
    non_default_inputs: list[dict[str, Any]] = []


class Report(Doc):
    format: str = FORMAT
    scenario: ScenarioInfo
    run: RunInfo
    metrics: dict[str, MetricSummary]
    series: dict[str, SeriesSummary] = {}
    replications: list[ReplicationRecord]
    thresholds: list[ThresholdResult] = []
    unfilled: list[Unfilled] = []
    warnings: list[str] = []
    notes: list[str] = []
    assumptions: Assumptions = Assumptions()
    # the metrics cost_total_usd is the sum of, on every replication
    cost_parts: list[str] = []

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def horizon(self) -> tuple[str | None, str | None]:
        """(start, end): from the report's own keys, or the resolved scenario's in
        reports written before those keys existed."""
        res = self.scenario.resolved
        return (self.scenario.start or _text(res.get("start")),
                self.scenario.end or _text(res.get("end")))

    def ok_replications(self) -> list[ReplicationRecord]:
        return [r for r in self.replications if not r.error]

    def per_replication(self, metric: str) -> dict[int, float | None]:
        """The metric's value in each replication that did not fail, by index."""
        return {r.index: r.metrics.get(metric) for r in self.ok_replications()}

    def dump(self) -> str:
        return dumps(self.to_dict())


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def finite(data: Any) -> Any:
    """`data` with every NaN or infinity replaced by None: JSON has no such numbers, and
    a result must never be lost to the writer."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(v) for v in data]
    return data


def dumps(data: Any) -> str:
    """JSON text of a report or comparison (non-finite numbers as null)."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", exclude_unset=True)
    return json.dumps(finite(data), indent=2, allow_nan=False, default=str) + "\n"


def load_report(path: str | Path) -> Report:
    """Read a saved report.json; ReportFormatError if it is not a kazsim-report/1."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ReportFormatError(f"{path}: not a readable JSON report ({err})") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if not isinstance(fmt, str) or not fmt.startswith("kazsim-report/"):
        raise ReportFormatError(f"{path}: not a kazsim report (expected \"format\": "
                                f"\"{FORMAT}\", found {fmt!r})")
    if fmt != FORMAT:
        raise ReportFormatError(f"{path}: report format {fmt!r} is not supported by this "
                                f"kazsim (reads {FORMAT!r}); re-run the scenario")
    try:
        return Report.model_validate(data)
    except ValidationError as err:
        raise ReportFormatError(_damage(path, err)) from None


def _damage(path: str | Path, err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(k) for k in first["loc"])
    if first["type"] == "missing":
        return f"{path}: report lacks the key '{where}'"
    return f"{path}: report's '{where}' is damaged ({first['msg']})"
