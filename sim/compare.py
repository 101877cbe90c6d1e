"""Comparison of scenarios or saved reports against the first (the baseline).

Both sides run here with the same seed and replication count pair up by replication
index (common random numbers): the CI is that of the per-replication differences.
Otherwise (saved reports of other seeds or counts) Welch's unpaired interval is used.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.metrics import HEADLINE, label, metric_info
from sim.report.atomic import atomic_dir
from sim.report.content import metric_cell
from sim.report.document import Block, compact, fmt, interval
from sim.report.inputs import diff_inputs
from sim.report.model import Doc, Report, dumps
from sim.stats import paired_difference, welch_difference

FORMAT = "kazsim-comparison/1"
NOT_INPUTS = ("name", "description", "extends", "sources")
# Relative changes of counts of rare events mislead ("killed +36%" of 0.37): below this
# many on average in the baseline, a count's relative change is not shown.
EVENT_UNITS = ("persons", "incidents", "tips", "rotations", "tours", "items")
TINY_COUNT = 5.0


class ScenarioEntry(Doc):
    name: str
    file: str
    replications: int
    seed: int
    failed: int = 0
    start: str | None = None
    end: str | None = None
    overrides: list[str] = []


class Difference(Doc):
    scenario: str
    metric: str
    baseline_mean: float | None
    mean: float | None
    diff_mean: float | None
    diff_ci95: list[float] | None
    relative: float | None
    significant: bool
    paired: bool = True
    unit: str = ""
    label: str = ""
    relative_shown: bool = True
    verdict: str = ""  # better | worse | changed | unsure (CI includes 0) | "" (no value)


class InputDiff(Doc):
    scenario: str
    path: str
    baseline: Any = None
    value: Any = None


class Comparison(Doc):
    format: str = FORMAT
    baseline: str
    paired: bool
    method: str = ""
    command: str | None = None
    scenarios: list[ScenarioEntry]
    differences: list[Difference]
    inputs_diff: list[InputDiff]
    warnings: list[str] = []

    def dump(self) -> str:
        return dumps(self.to_dict())

    def headline(self) -> list[Difference]:
        return [d for d in self.differences if d.metric in HEADLINE]


def is_paired(a: Report, b: Report) -> bool:
    """Common random numbers: same base seed and the same replication indices."""
    ia = sorted(r.index for r in a.replications)
    ib = sorted(r.index for r in b.replications)
    return a.run.seed == b.run.seed and ia == ib


def relative_shown(baseline_mean: float | None, unit: str) -> bool:
    """Whether a relative change means something: a base of zero has none, and a count
    of rare events (fewer than TINY_COUNT on average) makes any change look dramatic."""
    if not baseline_mean:
        return False
    return not (unit in EVENT_UNITS and abs(baseline_mean) < TINY_COUNT)


def verdict(metric: str, diff_mean: float | None, significant: bool) -> str:
    if diff_mean is None:
        return ""
    if not significant:
        return "unsure"
    info = metric_info(metric)
    better = info.better if info else ""
    if not better:
        return "changed"
    return "better" if (diff_mean > 0) == (better == "higher") else "worse"


def difference(base: Report, other: Report, metric: str, paired: bool) -> Difference:
    bm = base.metrics[metric].mean if metric in base.metrics else None
    om = other.metrics[metric].mean if metric in other.metrics else None
    pb, po = base.per_replication(metric), other.per_replication(metric)
    d = paired_difference(pb, po) if paired else welch_difference(list(pb.values()),
                                                                  list(po.values()))
    ci = d["diff_ci95"]
    info = metric_info(metric)
    # the report's unit first: it may be the scenario's (another task's output unit)
    unit = (base.metrics[metric].unit if metric in base.metrics and base.metrics[metric].unit
            else info.unit if info else "")
    significant = bool(ci) and (ci[0] > 0 or ci[1] < 0)
    return Difference(
        scenario=other.name, metric=metric, baseline_mean=bm, mean=om,
        diff_mean=d["diff_mean"], diff_ci95=ci,
        relative=(d["diff_mean"] / bm) if bm and d["diff_mean"] is not None else None,
        significant=significant, paired=paired, unit=unit, label=label(metric),
        relative_shown=relative_shown(bm, unit),
        verdict=verdict(metric, d["diff_mean"], significant))


def horizon_warnings(reports: Sequence[Report]) -> list[str]:
    base = reports[0].horizon
    return [f"'{r.name}' runs {r.horizon[0]} to {r.horizon[1]}, the baseline {base[0]} to "
            f"{base[1]}: totals over different horizons are not like for like"
            for r in reports[1:] if r.horizon != base]


def build_comparison(reports: Sequence[Report], files: Sequence[str],
                     command: str | None = None) -> Comparison:
    """The comparison of `reports` (the first is the baseline)."""
    base = reports[0]
    differences: list[Difference] = []
    inputs: list[InputDiff] = []
    pairs = []
    strip = {k: None for k in NOT_INPUTS}
    for other in reports[1:]:
        paired = is_paired(base, other)
        pairs.append(paired)
        names = [m for m in base.metrics if m in other.metrics]
        differences += [difference(base, other, m, paired) for m in names]
        inputs += [InputDiff(scenario=other.name, **d) for d in
                   diff_inputs({**base.scenario.resolved, **strip},
                               {**other.scenario.resolved, **strip})]
    return Comparison(
        format=FORMAT,
        baseline=base.name,
        paired=all(pairs),
        method=("paired differences per replication (common random numbers)" if all(pairs)
                else "Welch's unpaired interval where seeds or replications differ "
                     "(see `paired` per difference)"),
        command=command,
        scenarios=[ScenarioEntry(name=r.name, file=f, replications=r.run.replications,
                                 seed=r.run.seed, failed=len(r.run.failed),
                                 start=r.horizon[0], end=r.horizon[1],
                                 overrides=list(r.run.overrides))
                   for r, f in zip(reports, files)],
        differences=differences,
        inputs_diff=inputs,
        warnings=horizon_warnings(reports))


# -- tables -------------------------------------------------------------------------------

DIFF_HEAD = ["scenario", "metric", "unit", "baseline mean", "mean", "difference", "95% CI",
             "relative", "significant"]
TINY_NOTE = ("Relative: the difference over the baseline mean; \"—\" where the baseline "
             f"mean is 0, or is a count of fewer than {TINY_COUNT:g} events, on which any "
             "change looks dramatic.")


def relative_text(d: Difference) -> str:
    return f"{d.relative:+.1%}" if d.relative is not None and d.relative_shown else "—"


def significance_text(d: Difference) -> str:
    return {"better": "yes, better", "worse": "yes, worse", "changed": "yes"}.get(
        d.verdict, "no")


def diff_row(d: Difference, short: bool = False) -> list[Any]:
    f = compact if short else fmt
    return [d.scenario, metric_cell(d.metric), d.unit, f(d.baseline_mean), f(d.mean),
            f(d.diff_mean), interval(d.diff_ci95, short), relative_text(d),
            significance_text(d)]


def comparison_csv(c: Comparison) -> str:
    """One row per scenario and metric: both means, the difference, its interval."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "metric", "label", "unit", "baseline", "baseline_mean", "mean",
                "diff_mean", "diff_lo", "diff_hi", "relative", "significant", "verdict",
                "paired"])
    for d in c.differences:
        lo, hi = d.diff_ci95 if d.diff_ci95 else (None, None)
        w.writerow([d.scenario, d.metric, d.label, d.unit, c.baseline,
                    *("" if v is None else repr(float(v)) for v in
                      (d.baseline_mean, d.mean, d.diff_mean, lo, hi,
                       d.relative if d.relative_shown else None)),
                    str(d.significant).lower(), d.verdict, str(d.paired).lower()])
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
    blocks.append(("table", ["scenario", "file", "from", "to", "replications", "seed",
                             "failed", "overrides (--set)"],
                   [[s.name, s.file, s.start or "—", s.end or "—", s.replications, s.seed,
                     s.failed, "; ".join(s.overrides) or "—"] for s in c.scenarios]))
    if c.warnings:
        blocks += [("h2", "Warnings"), ("ul", c.warnings)]
    head = DIFF_HEAD if several else DIFF_HEAD[1:]
    trim = (lambda row: row) if several else (lambda row: row[1:])  # noqa: E731
    blocks += [("h2", "Headline differences"),
               ("table", head, [trim(diff_row(d)) for d in c.headline()], TINY_NOTE)]
    blocks += [("h2", "Inputs that differ"),
               ("table", ["scenario", "input", "baseline", "value"],
                [[i.scenario, i.path, _s(i.baseline), _s(i.value)] for i in c.inputs_diff])
               if c.inputs_diff else ("p", "None: the scenarios have the same resolved inputs.")]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All differences"),
               ("table", head, [trim(diff_row(d)) for d in c.differences], TINY_NOTE)]
    return blocks


def _s(v: Any, limit: int = 80) -> str:
    s = "not set" if v is None else str(v)  # a key one scenario leaves out, not Python's None
    return s if len(s) <= limit else s[:limit] + "…"


def comparison_figures(c: Comparison, reports: Sequence[Report]) -> list[Any]:
    from sim.report.figures import forest_figure, overlay_figure

    jobs = []
    overlay = overlay_figure([(r.name, r.series) for r in reports])
    if overlay:
        jobs.append(overlay)
    rows = [d.model_dump() for d in c.headline()
            if d.relative is not None and d.relative_shown and d.diff_ci95]
    forest = forest_figure(rows, several=len(reports) > 2)
    if forest:
        jobs.append(forest)
    return jobs


def write_comparison(out: str | Path, comparison: Comparison, reports: Sequence[Report],
                     figure_workers: int | None = None) -> Path:
    """comparison.json, comparison.csv, comparison.md, comparison.html and figures/,
    atomically; a figure that fails costs only itself (FiguresFailed afterwards)."""
    from sim.report.writer import draw_figures, figure_failure, write_documents

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


# `sim.compare(...)` is the API function (sim.api.compare) even once this module is imported
from sim.callable_module import make_callable  # noqa: E402

make_callable(__name__, "compare")
