"""The report of a run as a typed document: what `run` writes to report.json and what
`compare`, the figures, the CLI and the Python API read.

Every model keeps keys it does not know (`extra="allow"`), and `dump` writes only the
keys a report was given, so a report read from an earlier or later version is written
back as it was; keys are only ever added (`kazsim-report/1`).
"""
from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from sim.core.crashlog import one_line
from sim.core.uncertainty import standout_floor

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
    draw: int | None = None


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
    draws: int = 0  # draws of the assumptions (0: the nominal scenario only)
    replications_per_draw: int | None = None


class NominalSummary(Doc):
    """A metric in the nominal scenario (the assumptions at the scenario's own values)."""

    mean: float | None = None
    sd: float | None = None
    ci95: list[float] | None = None
    n: int = 0


class Prediction(Doc):
    """The 90% interval for one realised history: quantiles over every run of every draw."""

    p05: float
    p50: float
    p95: float


class Driver(Doc):
    """The share of a metric's variance that an assumption explains alone, or `noise`
    (the variance within a draw)."""

    assumption: str
    share: float


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
    # with draws of the assumptions: the statistics above are over every run of every
    # draw; these say what the nominal scenario gives and what the answer rests on
    nominal: NominalSummary | None = None
    prediction: Prediction | None = None
    drivers: list[Driver] | None = None


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
    draw: int | None = None  # None: the nominal scenario
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


class AssumptionInfo(Doc):
    path: str
    distribution: dict[str, Any]
    nominal: Any = None
    source: str = ""


class DrawValues(Doc):
    draw: int
    values: dict[str, Any]


# Path parts that say nothing alone (a distribution's parameter, a grade, a rate's key).
GENERIC_PARTS = frozenset({"mean", "median", "sigma", "sd", "value", "officer", "nco", "soldier",
                           "qualified", "unqualified", "killed", "wounded", "people", "eod",
                           "pool", "per_month", "seats"})


class Uncertainty(Doc):
    """The assumptions drawn and the design: `draws` draws (a Latin hypercube), each run
    `replications_per_draw` times with the nominal's first replications' random numbers."""

    draws: int
    replications_per_draw: int
    design: str = "lhs"
    assumptions: list[AssumptionInfo] = []
    draw_values: list[DrawValues] = []

    def design_columns(self) -> dict[str, list[Any]]:
        """Each assumption's value in draw 0, 1, ..."""
        by_draw = {v.draw: v.values for v in self.draw_values}
        return {a.path: [by_draw.get(d, {}).get(a.path) for d in range(self.draws)]
                for a in self.assumptions}

    def categorical(self) -> set[str]:
        return {a.path for a in self.assumptions if "choice" in a.distribution}

    def standout_floor(self) -> float:
        """The share an assumption needs to be named as what a metric rests on."""
        return standout_floor(self.draws, len(self.assumptions))

    def short_names(self) -> dict[str, str]:
        """Each assumption's path shortened to the fewest last parts that tell it apart
        from the others and say what it is (`ordnance_stock`; `iraq.theatre.ordnance_stock`
        beside `haiti.theatre.ordnance_stock`; `cache_items.median`, not `median`)."""
        paths = [a.path for a in self.assumptions]
        out = {}
        for path in paths:
            parts = path.split(".")
            # a last part that names a parameter, not the thing, keeps its parent:
            # `cache_items.median`, `incident_harm.killed`, `incident_harm.people.value`
            least = 3 if parts[-1] == "value" else 2 if parts[-1] in GENERIC_PARTS else 1
            for n in range(min(least, len(parts)), len(parts) + 1):
                tail = ".".join(parts[-n:])
                if sum(p == tail or p.endswith("." + tail) for p in paths) == 1:
                    break
            out[path] = tail
        return out


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
    uncertainty: Uncertainty | None = None

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

    @property
    def draws(self) -> int:
        return self.uncertainty.draws if self.uncertainty else 0

    def ok_replications(self) -> list[ReplicationRecord]:
        return [r for r in self.replications if not r.error]

    def summarised(self) -> list[ReplicationRecord]:
        """The replications the summaries describe: every run of every draw when the
        assumptions were drawn, else the nominal scenario's (those that did not fail)."""
        drawn = self.draws > 0
        return [r for r in self.ok_replications() if (r.draw is not None) == drawn]

    def per_replication(self, metric: str) -> dict[int, float | None]:
        """The metric's value in each nominal replication that did not fail, by index."""
        return {r.index: r.metrics.get(metric) for r in self.ok_replications()
                if r.draw is None}

    def nominal_indices(self) -> list[int]:
        """The indices of the nominal scenario's replications, failed ones included."""
        return [r.index for r in self.replications if r.draw is None]

    def per_run(self, metric: str) -> dict[tuple[int, int], float | None]:
        """The metric's value in each run of a draw that did not fail, by (draw, index)."""
        return {(r.draw, r.index): r.metrics.get(metric) for r in self.ok_replications()
                if r.draw is not None}

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


MAX_REPORT_MB = 64  # about 13,000 replications of kazbat_2003 (~5 kB each in report.json)
BYTES_PER_VALUE = 16  # report.json, indented, spends 20 to 40 bytes on a value


def report_limit() -> int:
    """The largest saved report read, in bytes: MAX_REPORT_MB, or KAZSIM_LIMIT_REPORT_MB."""
    try:
        mb = float(os.environ.get("KAZSIM_LIMIT_REPORT_MB", ""))
    except ValueError:
        mb = MAX_REPORT_MB
    return int(mb * (1 << 20)) if math.isfinite(mb) and mb > 0 else MAX_REPORT_MB << 20


def read_json(path: str | Path) -> Any:
    """The JSON of a saved report file, read under bounds like a scenario's: a regular
    file (not a device or a pipe), at most `report_limit()` bytes, and at most one value
    (counting brackets, braces and commas) for every BYTES_PER_VALUE bytes of that, so
    that what it unpacks to in memory is bounded too; nesting is bounded by Python's
    JSON reader. ReportFormatError otherwise, before the file is parsed."""
    limit = report_limit()
    size, raw = 0, b""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)  # checked first: a pipe blocks `open`
        if regular:
            with open(path, "rb") as fh:
                info = os.fstat(fh.fileno())
                regular, size = stat.S_ISREG(info.st_mode), info.st_size
                if regular and size <= limit:
                    raw = fh.read(limit + 1)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        reason = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
        raise ReportFormatError(f"{path}: cannot read it ({reason})") from None
    if not regular:
        raise ReportFormatError(f"{path}: not a regular file")
    if size > limit or len(raw) > limit:
        raise ReportFormatError(
            f"{path}: larger than {limit / (1 << 20):,.0f} MB, the most a saved report is read "
            f"at (about {limit // 5000:,} replications); set KAZSIM_LIMIT_REPORT_MB to read it")
    values = raw.count(b",") + raw.count(b"[") + raw.count(b"{")
    if values > limit // BYTES_PER_VALUE:
        raise ReportFormatError(f"{path}: more than {limit // BYTES_PER_VALUE:,} values, "
                                "more than a report of its bound holds; not a report kazsim "
                                "wrote")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ReportFormatError(f"{path}: not a readable JSON report ({one_line(err)})") from None


def load_report(path: str | Path) -> Report:
    """Read a saved report.json (bounded: `read_json`); ReportFormatError if it is not a
    kazsim-report/1."""
    data = read_json(path)
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
