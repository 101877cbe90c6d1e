"""metrics.csv (one row per replication) and series.csv (long: series, date, replication,
value): tidy tables that `pandas.read_csv` reads as numbers."""
from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from sim.core.results import ReplicationResult
from sim.core.stats import metric_names


def _cell(v: float | None) -> str:
    """A number as it was computed; empty for null and for NaN or infinity."""
    return "" if v is None or not math.isfinite(v) else repr(float(v))


def write_metrics_csv(path: Path, results: Sequence[ReplicationResult], scenario: str) -> None:
    names = metric_names(results)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario", "replication", "seed", *names])
        for r in results:
            w.writerow([scenario, r.index, r.seed[0], *(_cell(r.metrics.get(n)) for n in names)])


def write_series_csv(path: Path, results: Sequence[ReplicationResult]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["series", "date", "replication", "value"])
        for r in results:
            for name, values in r.series.items():
                for date, v in zip(r.dates, values):
                    w.writerow([name, date, r.index, _cell(v)])


def write_trace_csv(fh: object, rows: Sequence[Sequence[str]]) -> None:
    w = csv.writer(fh)  # type: ignore[arg-type]
    w.writerow(["date", "event", "who", "details"])
    w.writerows(rows)
