"""Write the whole report set of a run into a directory, atomically."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.content import report_blocks
from sim.report.document import to_html, to_markdown
from sim.report.figures import report_figures
from sim.report.json_report import dumps
from sim.report.tables import write_metrics_csv, write_series_csv
from sim.results import ReplicationResult


def write_report(out: str | Path, report: dict[str, Any],
                 results: Sequence[ReplicationResult]) -> Path:
    """report.json, report.md, report.html, metrics.csv, series.csv, figures/*.png."""
    out = Path(out)
    with atomic_dir(out, "report.json") as tmp:
        (tmp / "report.json").write_text(dumps(report), encoding="utf-8")
        write_metrics_csv(tmp / "metrics.csv", results)
        write_series_csv(tmp / "series.csv", results)
        figures = report_figures(report, tmp / "figures")
        blocks = report_blocks(report, figures)
        (tmp / "report.md").write_text(to_markdown(blocks), encoding="utf-8")
        title = f"kazsim report: {report['scenario']['name']}"
        (tmp / "report.html").write_text(to_html(blocks, title, tmp), encoding="utf-8")
    return out
