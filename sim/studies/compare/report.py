"""The files of a comparison: comparison.json, comparison.csv, comparison.md/html and
figures (overlaid series, a forest plot of the differences)."""
from __future__ import annotations

import csv
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.core.metrics import HEADLINE
from sim.report.annex import compare_annex
from sim.report.atomic import atomic_dir
from sim.report.content import metric_cell, value_text
from sim.report.document import Block, Cell, fmt, interval
from sim.report.figures import BAND, BAND_DRAWS, forest_figure, overlay_figure
from sim.report.findings import amount
from sim.report.model import Report
from sim.report.notebook import html_table
from sim.report.render import FigureJob
from sim.report.writer import draw_figures, figure_failure, write_documents
from sim.studies.compare.comparison import (
    APART,
    NO_CLEAR,
    TINY_COUNT,
    Comparison,
    Difference,
)

__all__ = ["APART", "comparison_blocks", "diff_row", "findings_sentences", "horizon_title",
           "write_comparison"]

# -- numbers and words --------------------------------------------------------------------

DIFF_HEAD = ["scenario", "metric", "unit", "baseline mean", "mean", "difference", "95% CI",
             "relative", "significant"]
TINY_NOTE = ("Relative: the difference over the baseline mean; \"—\" where the baseline "
             f"mean is 0, or is a count of fewer than {TINY_COUNT:g} events, on which any "
             "change looks dramatic. A change of a share is in percentage points (pp).")


def change_text(v: float | None, unit: str = "") -> str:
    """A signed difference: "+2.14 M", "-0.497"; a share's in percentage points."""
    if v is None:
        return "—"
    text = fmt(abs(v) * 100) + " pp" if unit == "share" else fmt(abs(v))
    return ("+" if v > 0 else "-" if v < 0 else "") + text


def change_interval(ci: list[float] | None, unit: str = "") -> str:
    if not ci:
        return "—"
    if unit == "share":
        return f"[{change_text(ci[0], unit)}, {change_text(ci[1], unit)}]"
    return interval(ci)


DIFF_HEAD_DRAWS = [*DIFF_HEAD[:-1], "robust", "verdict"]
ROBUST_NOTE = ("Robust: the share of the draws of the assumptions in which the difference "
               "keeps its sign. Better or worse: the 95% CI excludes 0 and the difference "
               "keeps its sign in at least 90% of the draws; \"depends on\" names the "
               "assumption that moves it most when it does not; \"no clear difference\": "
               "the CI includes 0.")


def relative_text(d: Difference) -> str:
    if d.relative is None or not d.relative_shown:
        return "—"
    return "0%" if d.relative == 0 else f"{d.relative:+.1%}"


def significance_text(d: Difference) -> str:
    """The verdict in words: "yes, better", "no", "no verdict: horizons differ", or with
    draws "depends on ..." and "no clear difference" as they are."""
    if d.verdict == APART:
        return "no verdict: horizons differ"
    if not d.verdict:
        return "—"
    if d.robust_share is not None and d.verdict not in ("better", "worse", "changed"):
        return d.verdict
    return {"better": "yes, better", "worse": "yes, worse", "changed": "yes"}.get(
        d.verdict, "no")


def _entry(c: Comparison, name: str) -> Any:
    return next((s for s in c.scenarios if s.name == name), None)


def mean_text(c: Comparison, d: Difference, which: str) -> str:
    """The baseline's or the scenario's mean, or the words that replace a value that
    would mislead ("no growth step")."""
    entry = c.scenarios[0] if which == "baseline" else _entry(c, d.scenario)
    instead = entry.not_applicable.get(d.metric) if entry is not None else None
    if instead:
        return instead
    return fmt(d.baseline_mean if which == "baseline" else d.mean, unit=d.unit)


def robust_text(d: Difference) -> str:
    return "—" if d.robust_share is None else fmt(d.robust_share, unit="share")


def diff_row(c: Comparison, d: Difference, drawn: bool = False) -> list[Any]:
    """A difference's cells (`DIFF_HEAD`, or `DIFF_HEAD_DRAWS` when `drawn`)."""
    shown = bool(d.verdict)  # no verdict, no difference to show (a metric that does not apply)
    return [d.scenario, metric_cell(d.metric, None, d.label), d.unit,
            mean_text(c, d, "baseline"), mean_text(c, d, "mean"),
            change_text(d.diff_mean, d.unit) if shown else "—",
            change_interval(d.diff_ci95, d.unit) if shown else "—",
            relative_text(d) if shown else "—",
            *([robust_text(d) if shown else "—"] if drawn else []),
            significance_text(d)]


def horizon_title(c: Comparison, name: str | None = None) -> str:
    """The horizon in a title: one span when alike, else the baseline's and the others'."""
    base = c.scenarios[0]
    others = [s for s in c.scenarios[1:] if name is None or s.name == name]
    if all((s.start, s.end) == (base.start, base.end) for s in others):
        common = " (common horizon)" if any(s.end_as_written for s in c.scenarios) else ""
        return f"{base.start} to {base.end}{common}"
    return "; ".join([f"baseline {base.start} to {base.end}",
                      *(f"{s.name} {s.start} to {s.end}" for s in others)])


def comparison_csv(c: Comparison) -> str:
    """One row per scenario and metric: both means, the difference, its interval, in
    numbers for people (four significant figures, no thousands separators, so that a
    spreadsheet reads them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "metric", "label", "unit", "baseline", "baseline_mean", "mean",
                "diff_mean", "diff_low", "diff_high", "relative", "significant", "verdict",
                "paired", "robust_share", "depends_on"])
    for d in c.differences:
        lo, hi = d.diff_ci95 if d.diff_ci95 else (None, None)
        w.writerow([d.scenario, d.metric, d.label, d.unit, c.baseline,
                    *(_csv_number(v) for v in
                      (d.baseline_mean, d.mean, d.diff_mean, lo, hi,
                       d.relative if d.relative_shown else None)),
                    str(d.significant).lower(), d.verdict, str(d.paired).lower(),
                    _csv_number(d.robust_share),
                    d.depends_on or ""])
    return buf.getvalue()


def _csv_number(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return ""
    if v == 0:
        return "0"
    decimals = max(0, 3 - math.floor(math.log10(abs(v))))
    text = f"{round(v, decimals):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- findings --------------------------------------------------------------------------------

def _said(d: Difference) -> str:
    """"items cleared (+2.14 million items, +72%; 95% CI +1.86 to +2.41 million)"."""
    change = change_text(d.diff_mean, d.unit)
    if d.unit not in ("share", "") and d.diff_mean is not None:
        change = ("+" if d.diff_mean > 0 else "-" if d.diff_mean < 0 else "") + amount(
            abs(d.diff_mean), d.unit)
    rel = (f", {'+' if d.relative > 0 else '-' if d.relative < 0 else ''}"
           f"{fmt(abs(d.relative), 2, 'share')}"
           if d.relative is not None and d.relative_shown else "")
    return f"{(d.label or d.metric).lower()} ({change}{rel})"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def findings_sentences(c: Comparison) -> list[str]:
    """The comparison's answer in sentences: over which horizon, then per scenario what
    is better, worse, changed, without a clear difference, or without a verdict."""
    base = c.scenarios[0]
    out = []
    cut = [s for s in c.scenarios if s.end_as_written]
    h = c.horizon
    if h is not None and h.alike:
        text = f"All scenarios run from {h.start} to {h.end}"
        if cut:
            text += (", the common horizon: " + "; ".join(
                f"{s.name} cut from its own end, {s.end_as_written}"
                + (f" ({s.timeline_dropped} timeline entr{'y' if s.timeline_dropped == 1 else 'ies'}"
                   " after it never applied)" if s.timeline_dropped else "") for s in cut))
        out.append(text + ".")
    else:
        out.append("The horizons differ (" + horizon_title(c) + "): totals over different "
                   "periods are not like for like, so only values at the end get a verdict.")
    for s in c.scenarios[1:]:
        rows = [d for d in c.headline() if d.scenario == s.name]
        groups: dict[str, list[str]] = {}
        for d in rows:
            if not d.verdict:
                continue
            key = ("depends" if d.verdict.startswith("depends on") else d.verdict)
            groups.setdefault(key, []).append(
                (d.label or d.metric).lower() if key in ("unsure", NO_CLEAR) else _said(d))
        said = [f"{s.name} against {base.name}:"]
        for key, words in (("better", "better on"), ("worse", "worse on"),
                           ("changed", "changed (neither better nor worse) on")):
            if groups.get(key):
                said.append(f"{words} {_listing(groups[key])};")
        if groups.get("depends"):
            said.append(f"significant but resting on the assumptions for "
                        f"{_listing(groups['depends'])};")
        if groups.get("unsure") or groups.get(NO_CLEAR):
            said.append("no clear difference in "
                        f"{_listing(groups.get('unsure', []) + groups.get(NO_CLEAR, []))};")
        if groups.get(APART):
            said.append(f"no verdict on {len(groups[APART])} totals over different horizons;")
        sentence = " ".join(said).rstrip(";") + "."
        others = [d for d in c.differences if d.scenario == s.name and d.metric not in HEADLINE
                  and d.verdict in ("better", "worse", "changed")]
        if others:
            sentence += (f" {len(others)} other metrics differ significantly (All "
                         "differences; the forest plot).")
        out.append(sentence)
    out.append(f"Significant: the 95% CI of the difference excludes 0 ({c.method}); better "
               "or worse by each metric's desirable direction.")
    return out


# -- document -----------------------------------------------------------------------------------

def path_text(path: str, resolved: dict[str, Any] | None = None) -> Cell:
    """A dotted input path for people ("training › courses › nco course › seats"; a
    timeline entry by its date), the path itself as hover text."""
    parts = path.split(".")
    if parts[0] == "timeline" and len(parts) > 2 and parts[1].isdigit():
        entries = (resolved or {}).get("timeline") or []
        i = int(parts[1])
        when = entries[i].get("at") if i < len(entries) else None
        head = f"timeline, {when or 'entry ' + str(i + 1)}"
        rest = parts[2:]
        if rest[:1] == ["set"] and len(rest) > 1:
            return Cell(f"{head}: sets {'.'.join(rest[1:])}", path)
        return Cell(f"{head}: {' '.join(rest)}", path)
    return Cell(" › ".join(p.replace("_", " ") for p in parts), path)


def comparison_blocks(c: Comparison, figures: list[tuple[str, str]],
                      reports: Sequence[Report] = ()) -> list[Block]:
    several = len(c.scenarios) > 2
    others = [r for r in reports[1:]] if reports else []
    asked = "; ".join(f"what does {s.name} change against {c.baseline}"
                      for s in c.scenarios[1:]) + "?"
    blocks: list[Block] = [
        ("h1", f"kazsim comparison: {', '.join(s.name for s in c.scenarios[1:])} against "
               f"{c.baseline}, {horizon_title(c)}"),
        ("h2", "Findings"),
        ("p", f"The question: {asked}"),
        *(("p", f"{s.name}: {s.question}") for s in c.scenarios[1:] if s.question),
        ("findings", findings_sentences(c)),
        ("h2", "How this comparison was made"),
        ("p", f"Method: {c.method}. Significant: the 95% CI of the difference excludes 0; "
              "better or worse by each metric's desirable direction."
              + (" Horizon: every scenario run to the common horizon, the earliest end "
                 "(--horizon common)." if c.horizon and c.horizon.mode == "common"
                 else " Horizon: each scenario's own (--horizon own).")),
    ]
    if c.command:
        blocks += [("p", "Command:"), ("code", c.command)]
    blocks.append(("table", ["scenario", "file", "from", "to", "replications", "draws",
                             "seed", "failed", "overrides (--set)"],
                   [[s.name, s.file, s.start or "—",
                     (s.end or "—") + (f" (file: {s.end_as_written})" if s.end_as_written else ""),
                     s.replications,
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
               ("table", head, [trim(diff_row(c, d, drawn)) for d in c.headline()], note)]
    resolved = {r.name: r.scenario.resolved for r in others}
    blocks += [("h2", "Inputs that differ"),
               ("table", ["scenario", "input", "baseline", "value"] if several
                else ["input", "baseline", c.scenarios[1].name],
                [[*([i.scenario] if several else []), path_text(i.path, resolved.get(i.scenario)),
                  value_text(i.baseline), value_text(i.value)] for i in c.inputs_diff],
                "Inputs by their place in the scenario file (the dotted path to --set them is "
                "the hover text and in comparison.json); \"not set\": the scenario leaves "
                "the key out.")
               if c.inputs_diff else ("p", "None: the scenarios have the same resolved inputs.")]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All differences"),
               ("table", head, [trim(diff_row(c, d, drawn)) for d in c.differences], note)]
    if reports:
        blocks += compare_annex(c, reports)
    return blocks


def forest_job(c: Comparison) -> FigureJob | None:
    """The forest plot of the differences `forest_rows` picks."""
    return forest_figure([d.model_dump() for d in forest_rows(c)], several=len(c.scenarios) > 2)


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


def forest_rows(c: Comparison) -> list[Difference]:
    """The differences the forest plot shows: every headline one with a verdict, and
    every other one that is significant (casualties included: a rare count is drawn as
    an absolute change, not hidden)."""
    shown = []
    for d in c.differences:
        if not d.diff_ci95 or d.diff_mean is None or d.verdict in ("", APART):  # no verdict
            continue
        if d.metric in HEADLINE or d.verdict not in ("unsure", "no clear difference"):
            shown.append(d)
    headline = [d for d in shown if d.metric in HEADLINE]
    return headline + [d for d in shown if d.metric not in HEADLINE]


def compare_html(c: Comparison) -> str:
    """The notebook's view: the headline differences with their verdicts."""
    drawn = any(d.robust_share is not None for d in c.differences)
    several = len(c.scenarios) > 2
    head = DIFF_HEAD_DRAWS if drawn else DIFF_HEAD
    rows = [diff_row(c, d, drawn) for d in c.headline()]
    if not several:
        head, rows = head[1:], [r[1:] for r in rows]
    return (f"<p><b>Against {html.escape(c.baseline)}</b> ({html.escape(c.method)}; "
            f"{html.escape(horizon_title(c))})</p>" + html_table(head, rows)
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
        write_documents(tmp, "comparison", f"kazsim comparison against {comparison.baseline}, "
                        f"{horizon_title(comparison)}",
                        comparison_blocks(comparison, figures, reports))
    if failed:
        raise figure_failure(out, failed)
    return out
