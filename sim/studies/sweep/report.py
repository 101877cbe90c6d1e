"""Report files of a stored sweep (runs.csv, points.csv, sensitivity.csv, sweep.md,
sweep.html, figures/), written as one directory atomically, the terminal tables and the
JSON summary.

The documents read like a run's report: the scenario's name in the title, how the sweep
was made, short factor labels (the full dotted path on hover and in a legend table),
numbers formatted as `run` formats them, and tables split so that they fit the page.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

from sim.core.input_labels import input_labels
from sim.core.metrics import label, series_info, unit
from sim.core.stats import clip_interval, mean_ci
from sim.report.atomic import atomic_dir
from sim.report.document import Block, Cell, compact, fmt, split_columns
from sim.report.numbers import amount, sig
from sim.report.render import FigureJob
from sim.report.writer import draw_figures, figure_failure, write_documents
from sim.studies.sweep.analysis import (
    PointSummary,
    Sensitivity,
    ranking,
    sensitivity,
    summarise_points,
)
from sim.studies.sweep.store import Store

MARKER = "points.csv"  # what makes a directory an earlier sweep report
MAX_COLUMNS = 7  # of a table on an A4 page or a 1280-pixel screen


class SweepAnalysis:
    """Everything the report needs, read from a store."""
    def __init__(self, store: Store):
        spec = store.spec()
        self.path = store.path
        self.spec = spec
        self.design: str = spec.get("design", "lhs")
        self.factors = store.factors()
        self.outputs: list[str] = spec.get("outputs", [])
        self.points: list[PointSummary] = summarise_points(store, self.outputs)
        self.sensitivity: list[Sensitivity] = sensitivity(
            self.design, self.factors, self.points, self.outputs, seed=spec.get("seed", 1))
        self.counts = store.counts()
        meta = {k: store.meta(k) for k in ("scenario_name", "scenario_file", "sweep_file",
                                             "command", "version", "commit", "overrides",
                                             "base_values")}
        self.meta = {k: v for k, v in meta.items() if v}
        self.scenario = self.meta.get("scenario_name") or Path(
            self.meta.get("scenario_file") or spec.get("scenario", "sweep")).stem
        self.overrides: list[str] = store.overrides()
        self.labels = input_labels(self.factors)
        self.base_values: dict[str, Any] = json.loads(self.meta.get("base_values") or "{}")
        self.series = {name: store.series_means(name) for name in store.kept_series()}

    def factor_cell(self, factor: str) -> Cell:
        return Cell(self.labels[factor], factor)

    @property
    def scenario_file(self) -> str:
        """The base scenario's file as a reader would write it (`scenarios/x.yaml`, not
        `sweeps/../scenarios/x.yaml`)."""
        file = self.meta.get("scenario_file") or ""
        return os.path.normpath(file) if file else ""


def value_text(v: Any) -> str:
    """A factor value: numbers to four significant digits (no float noise), others as
    written."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v if isinstance(v, str) else json.dumps(v, default=str)
    return fmt(float(f"{v:.10g}"))


def output_head(out: str) -> Cell:
    u = unit(out)
    return Cell(f"{label(out)} ({u}), mean [95% CI]" if u else f"{label(out)}, mean [95% CI]",
                out)


def write_report(analysis: SweepAnalysis, out_dir: str | Path,
                 figure_workers: int | None = None) -> Path:
    """The whole report set, replacing an earlier sweep report at `out_dir` as a whole
    (a directory holding anything else is refused: TargetError). A figure that fails
    costs only itself (FiguresFailed after the rest is written)."""
    out = Path(out_dir)
    with atomic_dir(out, MARKER) as tmp:
        write_runs_csv(analysis, tmp / "runs.csv")
        (tmp / "points.csv").write_text(points_csv(analysis), encoding="utf-8")
        (tmp / "sensitivity.csv").write_text(sensitivity_csv(analysis), encoding="utf-8")
        figures, failed = draw_figures(lambda: figure_jobs(analysis), tmp / "figures",
                                       figure_workers)
        write_documents(tmp, "sweep", title(analysis), blocks(analysis, figures))
    if failed:
        raise figure_failure(out, failed)
    return out


def title(a: SweepAnalysis) -> str:
    return f"kazsim sweep: {a.scenario}"


# -- CSV files ---------------------------------------------------------------------------

def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return v


def write_runs_csv(a: SweepAnalysis, path: Path) -> None:
    """One row per run, streamed from the store (a sweep may hold millions)."""
    with open(path, "w", newline="", encoding="utf-8") as fh, Store(a.path, readonly=True) as store:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["point", "replication", "seed", *a.factors, *a.outputs, "status", "error"])
        for run in store.runs():
            w.writerow([run.point, run.replication, run.seed,
                        *(_cell(run.parameters.get(f)) for f in a.factors),
                        *(_cell(run.metrics.get(o)) for o in a.outputs),
                        run.status, _cell(run.error)])


def points_csv(a: SweepAnalysis) -> str:
    head = ["point", *a.factors, "n_ok", "n_failed"]
    for o in a.outputs:
        head += [f"{o}_mean", f"{o}_lo", f"{o}_hi"]
    rows: list[list[Any]] = [head]
    for p in a.points:
        row = [p.point, *(_cell(p.parameters.get(f)) for f in a.factors), p.n_ok, p.n_failed]
        for o in a.outputs:
            row += [_cell(v) for v in p.outputs[o]]
        rows.append(row)
    return _csv(rows)


def sensitivity_csv(a: SweepAnalysis) -> str:
    keys: list[str] = []
    for s in a.sensitivity:
        keys += [k for k in s.values if k not in keys]
    rows: list[list[Any]] = [["output", "factor", "method", "rank", *keys]]
    for o in a.outputs:
        for rank, s in enumerate(ranking(a.sensitivity, o), start=1):
            rows.append([o, s.factor, s.method, rank, *(_cell(s.values.get(k)) for k in keys)])
    return _csv(rows)


# -- what the measures mean ------------------------------------------------------------------

MEASURES = {
    "regression": [
        "SRC (standardised regression coefficient): the change in the output, in standard "
        "deviations, when the factor moves by one standard deviation across the design, "
        "the others held fixed; the sign says the direction (negative: the output falls as "
        "the factor rises). Factors are ranked by its size.",
        "PRCC (partial rank correlation coefficient): the correlation of the factor's and "
        "the output's ranks once the other factors are accounted for; it catches monotone "
        "effects that are not straight lines. Between -1 and 1.",
        "R² of the linear metamodel: the share of the variation of the point means that the "
        "straight-line model explains. Low (below about 0.7): interactions or curvature "
        "matter, and the SRC ranking is incomplete; read the main-effects plots.",
    ],
    "sobol": [
        "S1 (first-order Sobol index): the share of the output's variance due to the factor "
        "alone.",
        "ST (total-order Sobol index): the share due to the factor including all its "
        "interactions; ST well above S1 means the factor acts through interactions. Both "
        "with 95% confidence bounds (bootstrap); factors are ranked by ST.",
    ],
    "morris": [
        "mu* (Morris): the mean absolute elementary effect, in the output's units, of moving "
        "the factor over its range; factors are ranked by it.",
        "sigma: the spread of the elementary effects; large next to mu* means the factor's "
        "effect depends on the others (interactions or curvature). mu (signed mean) gives "
        "the direction.",
    ],
}
BAR_MEASURE = {"regression": ("SRC", "standardised regression coefficient (signed)"),
               "sobol": ("ST", "total-order Sobol index ST (95% CI)"),
               "morris": ("mu_star", "mu*, mean absolute elementary effect")}


def _method(a: SweepAnalysis) -> str:
    return {"sobol": "sobol", "morris": "morris"}.get(a.design, "regression")


# -- tables ----------------------------------------------------------------------------------

def factor_rows(a: SweepAnalysis) -> list[list[Any]]:
    factors = a.spec.get("factors", {})
    rows = []
    for f in a.factors:
        spec = factors.get(f)
        if isinstance(spec, dict):
            kind = "whole numbers " if spec.get("integer") else ""
            values = f"{kind}{value_text(spec.get('low'))} to {value_text(spec.get('high'))}"
        elif isinstance(spec, list):
            values = ", ".join(value_text(v) for v in spec)
        else:
            values = ""
        rows.append([a.labels[f], f, values])
    return rows


def point_tables(a: SweepAnalysis, short: bool = True) -> list[tuple[list[Any], list[list[Any]]]]:
    """Per design point: factor values and each output's mean [95% CI], split so that
    each part fits the page (factors repeated in each part when there are few)."""
    number = compact if short else fmt
    head: list[Any] = ["point", *(a.factor_cell(f) for f in a.factors),
                       *(output_head(o) for o in a.outputs)]
    rows = []
    for p in a.points:
        cells: list[Any] = [str(p.point), *(value_text(p.parameters.get(f)) for f in a.factors)]
        for o in a.outputs:
            m, lo, hi = p.outputs[o]
            text = ("no value" if m is None else
                    number(m) + (f" [{number(lo)}, {number(hi)}]" if lo is not None else ""))
            cells.append(text + (" †" if o in p.clipped else ""))
        rows.append(cells)
    keep = 1 + len(a.factors) if len(a.factors) <= 3 else 1
    per_table = max(1, MAX_COLUMNS - keep) if keep > 1 else MAX_COLUMNS - 1
    if keep == 1:  # many factors: a table of the design, then the outputs
        design = split_columns(head[:1 + len(a.factors)], [r[:1 + len(a.factors)] for r in rows],
                               1, MAX_COLUMNS - 1)
        results = split_columns([head[0], *head[1 + len(a.factors):]],
                                [[r[0], *r[1 + len(a.factors):]] for r in rows], 1,
                                min(per_table, 3))
        return design + results
    return split_columns(head, rows, keep, min(per_table, 3))


def sensitivity_table(a: SweepAnalysis, out: str) -> tuple[list[Any], list[list[Any]], str]:
    ranked = ranking(a.sensitivity, out)
    keys = [k for k in (ranked[0].values if ranked else {}) if k != "R2"]
    rows = [[str(i), a.factor_cell(s.factor), *(_signed(s.values.get(k)) for k in keys)]
            for i, s in enumerate(ranked, 1)]
    r2 = ranked[0].values.get("R2") if ranked else None
    note = "" if r2 is None else f"R² of the linear metamodel: {r2:.2f}" + (
        " (low: interactions or curvature matter; see the main effects)" if r2 < 0.7 else "")
    return ["rank", "factor", *keys], rows, note


def _signed(v: float | None) -> str:
    return "—" if v is None else f"{v:+.3f}" if abs(v) < 1000 else compact(v)


DESIGN_NAMES = {"grid": "full-factorial grid", "lhs": "Latin hypercube (lhs)",
                "nolh": "nearly orthogonal Latin hypercube (nolh)", "sobol": "Sobol",
                "morris": "Morris"}


def intro(a: SweepAnalysis) -> str:
    ok, failed = a.counts.get("ok", 0), a.counts.get("failed", 0)
    return (f"A {DESIGN_NAMES.get(a.design, a.design)} design of {len(a.points)} points over {len(a.factors)} factor"
            f"{'s' if len(a.factors) != 1 else ''}, {a.spec.get('replications')} replications "
            f"per point (seed {a.spec.get('seed')}; replication r of every point uses the same "
            f"random numbers). Runs: {ok} ok, {failed} failed.")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


MEASURE_WORDS = {"SRC": "standardised regression coefficient {v:+.2f}",
                 "ST": "total Sobol index {v:.2f}", "mu_star": "Morris mu* {v}"}


def _measure(s: Sensitivity, out: str) -> str:
    key = BAR_MEASURE[s.method][0]
    v = s.values.get(key)
    if v is None:
        return ""
    return MEASURE_WORDS[key].format(v=amount(v, unit(out)) if key == "mu_star" else v)


def _level(panel: dict[str, Any], i: int) -> str:
    x = panel["x"][i]
    if not panel["numeric"]:
        return str(x)
    return f"about {sig(float(x))}" if panel.get("binned") else sig(float(x))


def output_finding(a: SweepAnalysis, out: str) -> str:
    """What the sweep says about one output, in sentences: its range over the design,
    the factor it depends on most (how much, which way) and the next, and whether the
    ranking can be trusted."""
    u = unit(out)
    means = [m for p in a.points if (m := p.outputs[out][0]) is not None]
    name = label(out)
    if not means:
        return f"{name}: no design point gave a value."
    text = (f"{name} ranges from {amount(min(means), u)} to {amount(max(means), u)} over the "
            f"{len(means)} design points (means over replications).")
    ranked = [r for r in ranking(a.sensitivity, out) if r.score > 0]
    panels = {p["factor"]: p for p in main_effects(a, out)["panels"]}
    if ranked:
        top = ranked[0]
        panel = panels.get(top.factor)
        text += f" It depends most on {a.labels[top.factor]}"
        measure = _measure(top, out)
        text += f" ({measure})" if measure else ""
        if panel and len(panel["x"]) > 1 and None not in (panel["mean"][0], panel["mean"][-1]):
            first, last = panel["mean"][0], panel["mean"][-1]
            way = "rising" if last > first else "falling" if last < first else "unchanged"
            text += (f": {way} from {amount(first, u)} at {_level(panel, 0)} to "
                     f"{amount(last, u)} at {_level(panel, len(panel['x']) - 1)}")
        text += "."
        if len(ranked) > 1 and ranked[1].score >= 0.5 * top.score:
            text += f" Next comes {a.labels[ranked[1].factor]} ({_measure(ranked[1], out)})."
    else:
        text += " No factor moves it measurably."
    r2 = ranked[0].values.get("R2") if ranked else None
    if r2 is not None and r2 < 0.7:
        text += (f" A straight-line model of the factors explains only {r2:.0%} of the "
                 "variation between points: interactions or curvature matter, so read the "
                 "main-effects figure rather than the ranking alone.")
    return text


def findings(a: SweepAnalysis) -> list[str]:
    return [output_finding(a, o) for o in a.outputs]


def provenance_rows(a: SweepAnalysis) -> list[list[str]]:
    """How the sweep was made, a row a value (fits a phone)."""
    return [["sweep file", a.meta.get("sweep_file", "—")],
            ["base scenario", f"{a.scenario} ({a.scenario_file})" if a.scenario_file
             else a.scenario],
            ["store", str(a.path)],
            ["design", f"{DESIGN_NAMES.get(a.design, a.design)}, {len(a.points)} points"],
            ["replications", f"{a.spec.get('replications')} a point"],
            ["seed", str(a.spec.get("seed"))],
            ["overrides (--set)", "; ".join(a.overrides) or "none"],
            ["kazsim", a.meta.get("version") or "—"],
            ["commit", a.meta.get("commit") or "not a git checkout"]]


def factor_table(a: SweepAnalysis) -> tuple[list[str], list[list[Any]]]:
    rows = factor_rows(a)
    if a.base_values:
        for r, f in zip(rows, a.factors):
            r.append(value_text(a.base_values[f]) if f in a.base_values else "—")
        return ["factor", "path in the scenario", "values", "base scenario"], rows
    return ["factor", "path in the scenario", "values"], rows


def blocks(a: SweepAnalysis, figures: list[tuple[str, str]]) -> list[Block]:
    """Findings first, then how the sweep was made, the factors, which factors matter,
    the figures, and the table of every design point last."""
    out: list[Block] = [("h1", title(a)), ("h2", "Findings"),
                        ("findings", [intro(a), *findings(a)])]
    out += [("h2", "How it was made"), ("table", ["what", "value"], provenance_rows(a))]
    if a.meta.get("command"):
        out += [("p", "Command:"), ("code", a.meta["command"])]
    head, rows = factor_table(a)
    out += [("h2", "Factors"), ("table", head, rows)]
    out += [("h2", "Which factors matter"), ("ul", MEASURES[_method(a)])]
    for o in a.outputs:
        head, rows, note = sensitivity_table(a, o)
        out += [("h3", label(o)), ("table", head, rows, note)]
    if figures:
        out.append(("h2", "Figures"))
        out += [("img", f"figures/{name}", caption) for name, caption in figures]
    out += [("h2", "Results per design point"),
            ("p", f"Every design point's factor values and each output's mean with its 95% CI "
                  f"over {a.spec.get('replications')} replications (also in points.csv).")]
    clipped = any(p.clipped for p in a.points)
    parts = point_tables(a)
    for k, (head, rows) in enumerate(parts):
        caption = ("† 95% CI clipped to what the output can take (a share to [0, 1], a "
                   "count or amount to 0 and above)." if clipped and k == len(parts) - 1
                   else "")
        out.append(("table", head, rows, caption))
    return out


# -- figures ----------------------------------------------------------------------------------

def _slug(name: str) -> str:
    return name.replace(".", "_").replace("/", "_")


def _numeric(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _levels(values: list[Any]) -> list[Any]:
    """The distinct values, numbers in ascending order first, then the rest by their text
    (discrete levels may be any YAML value, mappings and lists included)."""
    distinct = {json.dumps(v, sort_keys=True, default=str): v for v in values}
    return sorted(distinct.values(),
                  key=lambda v: (0, v, "") if _numeric(v) else (1, 0, str(v)))


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


def _mean_ci(values: list[float], out: str) -> tuple[float | None, float | None, float | None]:
    """Mean and 95% CI, clipped to what output `out` can take."""
    if not values:
        return None, None, None
    mean, _, ci = mean_ci(values)
    if not ci:
        return mean, None, None
    (lo, hi), _ = clip_interval(ci, out)
    return mean, lo, hi


def main_effects(a: SweepAnalysis, out: str) -> dict[str, Any]:
    """For each factor: the mean of the point means at each level (or, for a factor
    with many values, in five bins of its range), with a 95% CI over those points; the
    design points themselves, the mean over all points, and the base scenario's value
    of the factor where it is a number. Panels share one y-scale."""
    panels = []
    pts = [(p, y) for p in a.points if (y := p.outputs[out][0]) is not None]
    for j, f in enumerate(a.factors):
        if not pts:
            continue
        xs = [p.parameters.get(f) for p, _ in pts]
        numeric = all(_numeric(x) for x in xs)
        panel: dict[str, Any] = {"title": capital(a.labels[f]), "factor": f,
                                 "numeric": numeric, "scatter_y": [y for _, y in pts]}
        ranged = isinstance(a.spec.get("factors", {}).get(f), dict)
        if numeric and len({x for x in xs}) > (5 if ranged else 8):  # a range: five bins
            bins: dict[int, list[tuple[float, float]]] = {}
            for (p, y), x in zip(pts, xs):
                bins.setdefault(min(int(p.unit[j] * 5), 4), []).append((float(x), y))  # type: ignore[arg-type]
            groups = [bins[b] for b in sorted(bins)]
            panel["x"] = [sum(x for x, _ in g) / len(g) for g in groups]
            panel["binned"] = True
            stats = [_mean_ci([y for _, y in g], out) for g in groups]
            panel["scatter_x"] = [float(x) for x in xs]  # type: ignore[arg-type]
        else:
            levels = _levels(xs)
            keys = [_key(lv) for lv in levels]
            by = {k: [y for (_, y), x in zip(pts, xs) if _key(x) == k] for k in keys}
            panel["x"] = levels if numeric else [value_text(lv) for lv in levels]
            stats = [_mean_ci(by[k], out) for k in keys]
            # each point at its level's position (the drawing spreads them a little)
            panel["scatter_x"] = [float(x) if numeric else float(keys.index(_key(x)))  # type: ignore[arg-type]
                                  for x in xs]
        base = a.base_values.get(f)
        if numeric and isinstance(base, (int, float)) and not isinstance(base, bool):
            panel["base"] = float(base)
        panel["mean"], panel["lo"], panel["hi"] = (list(c) for c in zip(*stats))
        panels.append(panel)
    ys = [y for _, y in pts]
    return {"title": f"Main effects on {label(out)}", "unit": unit(out), "panels": panels,
            "overall": sum(ys) / len(ys) if ys else None}


def heatmap(a: SweepAnalysis, out: str) -> dict[str, Any] | None:
    f1, f2 = a.factors
    v1 = _levels([p.parameters.get(f1) for p in a.points])
    v2 = _levels([p.parameters.get(f2) for p in a.points])
    if len(v1) * len(v2) > 400:
        return None
    k1, k2 = [_key(v) for v in v1], [_key(v) for v in v2]
    cells: dict[tuple[int, int], list[float]] = {}
    for p in a.points:
        y = p.outputs[out][0]
        if y is not None:
            key = (k2.index(_key(p.parameters.get(f2))), k1.index(_key(p.parameters.get(f1))))
            cells.setdefault(key, []).append(y)
    grid = [[(sum(cells[(i, j)]) / len(cells[(i, j)]) if (i, j) in cells else None)
             for j in range(len(v1))] for i in range(len(v2))]
    return {"title": f"{label(out)}: mean by {a.labels[f1]} and {a.labels[f2]}",
            "unit": unit(out), "label": label(out), "x_label": a.labels[f1],
            "y_label": a.labels[f2], "x": [value_text(v) for v in v1],
            "y": [value_text(v) for v in v2], "grid": grid}


def bars(a: SweepAnalysis, out: str) -> dict[str, Any] | None:
    ranked = ranking(a.sensitivity, out)
    if not ranked or all(s.values.get(BAR_MEASURE[ranked[0].method][0]) is None
                         for s in ranked):
        return None
    key, measure = BAR_MEASURE[ranked[0].method]
    r2 = ranked[0].values.get("R2")
    return {"title": f"Which factors matter for {label(out)}", "xlabel": measure,
            "note": "" if r2 is None else f"R² = {r2:.2f}",
            "bars": [{"label": a.labels[s.factor], "value": s.values.get(key),
                      "lo": s.values.get(f"{key}_lo"), "hi": s.values.get(f"{key}_hi")}
                     for s in ranked]}


def series_figure(a: SweepAnalysis, name: str) -> FigureJob | None:
    per_point = a.series.get(name) or {}
    if not per_point:
        return None
    info = series_info(name)
    palette = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c"]
    few = len(per_point) <= len(palette)
    lines = [{"label": f"point {p}" if few else ("design points" if k == 0 else None),
              "dates": dates, "mean": values,
              "colour": palette[k % len(palette)] if few else "#9e9e9e",
              "width": 1.4 if few else 0.6}
             for k, (p, (dates, values)) in enumerate(sorted(per_point.items()))]
    title_ = info.label if info else name
    return FigureJob(f"series_{_slug(name)}", f"{title_}: the mean over replications at each "
                     "design point", "panels",
                     {"panels": [{"title": title_, "unit": info.unit if info else "",
                                  "zero": True, "lines": lines}], "width": 8.0,
                      "row_height": 3.9})


def figure_jobs(a: SweepAnalysis) -> list[FigureJob]:
    jobs = []
    for o in a.outputs:
        effects = main_effects(a, o)
        if effects["panels"]:
            base = (" Dotted vertical line: the factor's value in the base scenario."
                    if any("base" in p for p in effects["panels"]) else "")
            jobs.append(FigureJob(f"main_effects_{_slug(o)}", f"Main effects on {label(o)}: "
                                  "the mean over the design points at each level of a factor "
                                  "(or in five bins of its range), with 95% CIs; grey dots: "
                                  "the design points; dashed line: the mean of all points. "
                                  f"Every panel on the same scale.{base}",
                                  "main_effects", effects))
        if len(a.factors) == 2:
            grid = heatmap(a, o)
            if grid is not None and any(v is not None for row in grid["grid"] for v in row):
                jobs.append(FigureJob(f"heatmap_{_slug(o)}", grid["title"], "heatmap", grid))
        ranked = bars(a, o)
        if ranked is not None:
            jobs.append(FigureJob(f"sensitivity_{_slug(o)}", ranked["title"] + " ("
                                  + ranked["xlabel"] + ")", "sensitivity", ranked))
    for name in a.series:
        job = series_figure(a, name)
        if job:
            jobs.append(job)
    return jobs


# -- JSON --------------------------------------------------------------------------

def to_json(a: SweepAnalysis) -> dict[str, Any]:
    """What `sweep --format json` prints."""
    return {
        "scenario": a.scenario, "design": a.design, "store": a.path,
        "replications": a.spec.get("replications"), "seed": a.spec.get("seed"),
        "overrides": a.overrides, "runs": {"ok": a.counts.get("ok", 0),
                                           "failed": a.counts.get("failed", 0)},
        "factors": a.factors, "outputs": a.outputs,
        "points": [{"point": p.point, "parameters": p.parameters, "n_ok": p.n_ok,
                    "n_failed": p.n_failed,
                    "outputs": {o: {"mean": m, "ci95": None if lo is None else [lo, hi],
                                    **({"clipped": True} if o in p.clipped else {})}
                                for o, (m, lo, hi) in p.outputs.items()}}
                   for p in a.points],
        "sensitivity": [{"output": o, "rank": i, "factor": s.factor, "method": s.method,
                         **s.values} for o in a.outputs
                        for i, s in enumerate(ranking(a.sensitivity, o), 1)],
    }
