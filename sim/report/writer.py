"""Write the whole report set of a run into a directory, atomically.

Results come first: report.json and the CSVs are written while the figure workers draw
(before any figure is drawn, without them), and a figure that cannot be drawn costs
only that figure. The directory is still put in place, then `FiguresFailed` (exit 3)
says which figures are missing and where the traceback is.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sim.core.crashlog import one_line, where_logged
from sim.core.errors import KazsimError
from sim.core.results import ReplicationResult
from sim.report.atomic import atomic_dir
from sim.report.content import report_blocks
from sim.report.document import Block, to_html, to_markdown
from sim.report.figures import report_figures
from sim.report.model import Report
from sim.report.render import Drawing, FigureJob, start_render
from sim.report.tables import write_draws_csv, write_metrics_csv, write_series_csv


class FiguresFailed(KazsimError):
    """Figures could not be drawn; everything else of the report was written."""
    exit_code = 3


class Figures:
    """Figures of a report being drawn (`start_figures`); `done` waits for them."""

    def __init__(self, drawing: Drawing | None, failed: list[tuple[str, BaseException]]):
        self._drawing, self._failed = drawing, failed

    def done(self) -> tuple[list[tuple[str, str]], list[tuple[str, BaseException]]]:
        """(png file, caption) of those drawn, and (name, error) of those that failed."""
        if self._drawing is None:
            return [], self._failed
        done = self._drawing.wait()
        return ([(f"{j.name}.png", j.caption) for j in done.drawn],
                [(j.name, err) for j, err in done.failed])


def start_figures(jobs: Callable[[], list[FigureJob]], folder: Path, workers: int | None
                  ) -> Figures:
    """Start rendering the jobs that `jobs()` builds (building them may fail: no figures,
    the results kept); in the figure workers, the caller writes the rest meanwhile."""
    try:
        wanted = jobs()
    except Exception as err:  # noqa: BLE001 - no figures, the results kept
        return Figures(None, [("figures", err)])
    return Figures(start_render(wanted, folder, workers), [])


def draw_figures(jobs: Callable[[], list[FigureJob]], folder: Path, workers: int | None
                 ) -> tuple[list[tuple[str, str]], list[tuple[str, BaseException]]]:
    """Render the jobs that `jobs()` builds: (png file, caption) of those drawn, and
    (name, error) of those that failed (building the jobs itself may fail)."""
    return start_figures(jobs, folder, workers).done()


def figure_failure(out: Path, failed: Sequence[tuple[str, BaseException]]) -> FiguresFailed:
    names = ", ".join(n for n, _ in failed)
    err = failed[0][1]
    return FiguresFailed(f"error: figure(s) {names} could not be drawn ({one_line(err)}); "
                         f"the rest of the report is in {out}/; {where_logged(err)}")


def write_documents(folder: Path, stem: str, title: str, blocks: Sequence[Block]) -> None:
    (folder / f"{stem}.md").write_text(to_markdown(blocks), encoding="utf-8")
    (folder / f"{stem}.html").write_text(to_html(blocks, title, folder), encoding="utf-8")


def write_report(out: str | Path, report: Report, results: Sequence[ReplicationResult],
                 figure_workers: int | None = None) -> Path:
    """report.json, metrics.csv, series.csv, draws.csv (with draws of the assumptions),
    figures/*.png|svg, report.md, report.html."""
    out = Path(out)
    with atomic_dir(out, "report.json") as tmp:
        drawing = start_figures(lambda: report_figures(report), tmp / "figures", figure_workers)
        try:  # while the figure workers draw
            (tmp / "report.json").write_text(report.dump(), encoding="utf-8")
            write_metrics_csv(tmp / "metrics.csv", results, report.name)
            write_series_csv(tmp / "series.csv", results)
            if report.uncertainty:
                write_draws_csv(tmp / "draws.csv", report.uncertainty)
        except Exception:
            drawing.done()  # nobody writes into the directory once it is dropped
            raise
        figures, failed = drawing.done()  # without figure workers: drawn here, now
        write_documents(tmp, "report", f"kazsim report: {report.name}",
                        report_blocks(report, figures))
    if failed:
        raise figure_failure(out, failed)
    return out
