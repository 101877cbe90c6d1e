"""The record one replication leaves behind, whatever happened inside it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class UnfilledPosts:
    """Posts of one role that a rotation of a deployment left without anyone, and why
    (the selection's reason: "dwell", "unavailable", a missing qualification, ...). Read
    by key too (`u["reason"]`), as the plain mappings of earlier versions were."""

    deployment: str
    rotation: int
    role: str
    missing: int
    reason: str

    def __getitem__(self, key: str) -> object:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)


@dataclass
class ReplicationResult:
    """Outcome of `run_replication`: metrics, monthly series and, on failure, the error.

    `series[name][k]` is the value at `dates[k]` (ISO dates, monthly); `None` where a
    series has no value (e.g. trust before any deployment). `unfilled` lists contingent
    shortfalls (`UnfilledPosts`). `warnings` are notes for the
    reader that do not stop the run (a lever set but never used, such as an officer
    release with no surplus to release). `trace` holds the event log rows (date, event,
    who, details) when tracing was asked for. Series are sampled at the start of each
    date; `deployed.min`/`deployed.max` cover the time since the previous date.
    `readings[date]` holds the metrics read by each date asked for (`reads`), as a run
    ended that day would report them. `draw` is the draw of the scenario's assumptions
    the replication ran with (None: the nominal scenario); draw d's replication r uses
    the nominal's replication r's random numbers.
    """

    index: int
    seed: list[int]
    draw: int | None = None  # the draw of the assumptions it ran with; None: the nominal
    metrics: dict[str, float | None] = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    unfilled: list[UnfilledPosts] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    trace: list[tuple[str, str, str, str]] | None = None
    readings: dict[str, dict[str, float | None]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    events: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
