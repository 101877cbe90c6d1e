"""metrics.csv (one row per replication) and series.csv (long: series, date, replication,
value): tidy tables that `pandas.read_csv` reads as numbers."""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path

from sim.core.results import ReplicationResult
from sim.core.stats import metric_names
from sim.report.model import Uncertainty


def _cell(v: float | None) -> str:
    """A number as it was computed; empty for null and for NaN or infinity."""
    return "" if v is None or not math.isfinite(v) else repr(float(v))


def _draw(r: ReplicationResult) -> str:
    return "nominal" if r.draw is None else str(r.draw)


def write_metrics_csv(path: Path, results: Sequence[ReplicationResult], scenario: str) -> None:
    """One row per replication; `draw` is `nominal` or the draw of the assumptions."""
    names = metric_names(results)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario", "replication", "seed", "draw", *names])
        for r in results:
            w.writerow([scenario, r.index, r.seed[0], _draw(r),
                        *(_cell(r.metrics.get(n)) for n in names)])


def write_series_csv(path: Path, results: Sequence[ReplicationResult]) -> None:
    """Long format; with draws of the assumptions, a last column `draw` (as in
    metrics.csv) tells the nominal's replication r from draw d's. The rows are put
    together as text (the table is long: a row per series, date and run), each field as
    `csv.writer` would write it."""
    drawn = any(r.draw is not None for r in results)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["series", "date", "replication", "value", *(["draw"] if drawn else [])])
        field = _Fields()
        for r in results:
            tail = f",{field(_draw(r))}\r\n" if drawn else "\r\n"
            dates = [f",{field(d)},{r.index}," for d in r.dates]
            for name, values in r.series.items():
                head = field(name)
                fh.write("".join([f"{head}{date}{_cell(v)}{tail}" for date, v in zip(dates, values)]))


class _Fields:
    """A text field as `csv.writer` writes it (quoted if it must be), remembered."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="")
        self._known: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        out = self._known.get(text)
        if out is None:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._writer.writerow([text, ""])  # two fields: a lone empty one is quoted
            out = self._known[text] = self._buffer.getvalue()[:-1]
        return out


def write_draws_csv(path: Path, uncertainty: Uncertainty) -> None:
    """One row per draw: its number, then each assumption's value (columns by path)."""
    paths = [a.path for a in uncertainty.assumptions]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["draw", *paths])
        for v in uncertainty.draw_values:
            w.writerow([v.draw, *(_value(v.values.get(p)) for p in paths)])


def _value(v: object) -> str:
    if isinstance(v, float):
        return _cell(v)
    return "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def write_trace_csv(fh: object, rows: Sequence[Sequence[str]]) -> None:
    w = csv.writer(fh)  # type: ignore[arg-type]
    w.writerow(["date", "event", "who", "details"])
    w.writerows(rows)
