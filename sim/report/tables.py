"""metrics.csv (one row per replication) and series.csv (long: series, date, replication, value)."""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sim.results import ReplicationResult
from sim.stats import metric_names


def _cell(v: float | None) -> str:
    return "" if v is None else repr(float(v))


def write_metrics_csv(path: Path, results: Sequence[ReplicationResult]) -> None:
    names = metric_names(results)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["replication", "seed", *names])
        for r in results:
            w.writerow([r.index, r.seed[0], *(_cell(r.metrics.get(n)) for n in names)])


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
