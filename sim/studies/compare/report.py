"""The files of a comparison: comparison.json, comparison.csv, comparison.md/html and
figures (overlaid series, a forest plot of the differences)."""
from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.content import metric_cell
from sim.report.document import Block, compact, fmt, interval
from sim.report.figures import BAND, BAND_DRAWS, forest_figure, overlay_figure
from sim.report.model import Report
from sim.report.notebook import html_table
from sim.report.render import FigureJob
from sim.report.writer import draw_figures, figure_failure, write_documents
from sim.studies.compare.comparison import TINY_COUNT, Comparison, Difference

# -- tables -------------------------------------------------------------------------------

DIFF_HEAD = ["scenario", "metric", "unit", "baseline mean", "mean", "difference", "95% CI",
             "relative", "significant"]
TINY_NOTE = ("Relative: the difference over the baseline mean; \"—\" where the baseline "
             f"mean is 0, or is a count of fewer than {TINY_COUNT:g} events, on which any "
             "change looks dramatic.")


DIFF_HEAD_DRAWS = [*DIFF_HEAD[:-1], "robust", "verdict"]
ROBUST_NOTE = ("Robust: the share of the draws of the assumptions in which the difference "
               "keeps its sign. Better or worse: the 95% CI excludes 0 and the difference "
               "keeps its sign in at least 90% of the draws; \"depends on\" names the "
               "assumption that moves it most when it does not; \"no clear difference\": "
               "the CI includes 0.")


def relative_text(d: Difference) -> str:
    return f"{d.relative:+.1%}" if d.relative is not None and d.relative_shown else "—"


def significance_text(d: Difference) -> str:
    """The verdict in words: "yes, better", "no", or with draws "depends on ..." and "no
    clear difference" as they are."""
    if d.robust_share is not None and d.verdict not in ("better", "worse", "changed"):
        return d.verdict or "—"
    return {"better": "yes, better", "worse": "yes, worse", "changed": "yes"}.get(
        d.verdict, "no")


def robust_text(d: Difference) -> str:
    return "—" if d.robust_share is None else f"{d.robust_share:.0%}"


def diff_row(d: Difference, short: bool = False, drawn: bool = False) -> list[Any]:
    f = compact if short else fmt
    return [d.scenario, metric_cell(d.metric), d.unit, f(d.baseline_mean), f(d.mean),
            f(d.diff_mean), interval(d.diff_ci95, short), relative_text(d),
            *([robust_text(d)] if drawn else []), significance_text(d)]


def comparison_csv(c: Comparison) -> str:
    """One row per scenario and metric: both means, the difference, its interval."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "metric", "label", "unit", "baseline", "baseline_mean", "mean",
                "diff_mean", "diff_low", "diff_high", "relative", "significant", "verdict",
                "paired", "robust_share", "depends_on"])
    for d in c.differences:
        lo, hi = d.diff_ci95 if d.diff_ci95 else (None, None)
        w.writerow([d.scenario, d.metric, d.label, d.unit, c.baseline,
                    *("" if v is None else repr(float(v)) for v in
                      (d.baseline_mean, d.mean, d.diff_mean, lo, hi,
                       d.relative if d.relative_shown else None)),
                    str(d.significant).lower(), d.verdict, str(d.paired).lower(),
                    "" if d.robust_share is None else repr(float(d.robust_share)),
                    d.depends_on or ""])
    return buf.getvalue()


def comparison_blocks(c: Comparison, figures: list[tuple[str, str]]) -> list[Block]:
    several = len(c.scenarios) > 2
    starts = {(s.start, s.end) for s in c.scenarios}
    horizon = (f"All scenarios run from {c.scenarios[0].start} to {c.scenarios[0].end}."
               if len(starts) == 1 else "The scenarios run over different horizons (see "
               "the table and the warnings).")
    blocks: list[Block] = [
        ("h1", f"kazsim comparison against {c.baseline}"),
        ("p", f"{horizon} Method: {c.method}. Significant: the 95% CI of the difference "
              "excludes 0; better or worse by each metric's desirable direction."),
    ]
    if c.command:
        blocks += [("p", "Command:"), ("code", c.command)]
    blocks.append(("table", ["scenario", "file", "from", "to", "replications", "draws",
                             "seed", "failed", "overrides (--set)"],
                   [[s.name, s.file, s.start or "—", s.end or "—", s.replications,
                     f"{s.draws} x {s.replications_per_draw}" if s.draws else "—", s.seed,
                     s.failed, "; ".join(s.overrides) or "—"] for s in c.scenarios]))
    if c.warnings:
        blocks += [("h2", "Warnings"), ("ul", c.warnings)]
    drawn = any(d.robust_share is not None for d in c.differences)
    full = DIFF_HEAD_DRAWS if drawn else DIFF_HEAD
    head = full if several else full[1:]
    trim = (lambda row: row) if several else (lambda row: row[1:])  # noqa: E731
    note = TINY_NOTE + (" " + ROBUST_NOTE if drawn else "")
    blocks += [("h2", "Headline differences"),
               ("table", head, [trim(diff_row(d, drawn=drawn)) for d in c.headline()], note)]
    blocks += [("h2", "Inputs that differ"),
               ("table", ["scenario", "input", "baseline", "value"],
                [[i.scenario, i.path, _s(i.baseline), _s(i.value)] for i in c.inputs_diff])
               if c.inputs_diff else ("p", "None: the scenarios have the same resolved inputs.")]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All differences"),
               ("table", head, [trim(diff_row(d, drawn=drawn)) for d in c.differences], note)]
    return blocks


def _s(v: Any, limit: int = 80) -> str:
    s = "not set" if v is None else str(v)  # a key one scenario leaves out, not Python's None
    return s if len(s) <= limit else s[:limit] + "…"


def forest_job(c: Comparison) -> FigureJob | None:
    """The forest plot of the headline differences with a relative change."""
    rows = [d.model_dump() for d in c.headline()
            if d.relative is not None and d.relative_shown and d.diff_ci95]
    return forest_figure(rows, several=len(c.scenarios) > 2)


def comparison_figures(c: Comparison, reports: Sequence[Report]) -> list[Any]:
    jobs = []
    band = BAND_DRAWS if any(r.draws for r in reports) else BAND
    overlay = overlay_figure([(r.name, r.series) for r in reports], band=band)
    if overlay:
        jobs.append(overlay)
    forest = forest_job(c)
    if forest:
        jobs.append(forest)
    return jobs


def compare_html(c: Comparison) -> str:
    """The notebook's view: the headline differences with their verdicts."""
    several = len(c.scenarios) > 2
    rows = [[*([d.scenario] if several else []), d.label or d.metric, compact(d.baseline_mean),
             compact(d.mean), compact(d.diff_mean), interval(d.diff_ci95, short=True),
             relative_text(d), significance_text(d)] for d in c.headline()]
    head = [*(["scenario"] if several else []), "metric", "baseline", "mean", "difference",
            "95% CI", "relative", "significant"]
    return (f"<p><b>Against {html.escape(c.baseline)}</b> ({html.escape(c.method)})</p>"
            + html_table(head, rows)
            + "".join(f"<p>warning: {html.escape(w)}</p>" for w in c.warnings))


def write_comparison(out: str | Path, comparison: Comparison, reports: Sequence[Report],
                     figure_workers: int | None = None) -> Path:
    """comparison.json, comparison.csv, comparison.md, comparison.html and figures/,
    atomically; a figure that fails costs only itself (FiguresFailed afterwards)."""
    out = Path(out)
    with atomic_dir(out, "comparison.json") as tmp:
        (tmp / "comparison.json").write_text(comparison.dump(), encoding="utf-8")
        (tmp / "comparison.csv").write_text(comparison_csv(comparison), encoding="utf-8")
        figures, failed = draw_figures(lambda: comparison_figures(comparison, reports),
                                       tmp / "figures", figure_workers)
        write_documents(tmp, "comparison", f"kazsim comparison against {comparison.baseline}",
                        comparison_blocks(comparison, figures))
    if failed:
        raise figure_failure(out, failed)
    return out
