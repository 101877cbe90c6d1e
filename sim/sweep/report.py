"""Report files of a stored sweep (runs.csv, points.csv, sensitivity.csv, sweep.md,
sweep.html, figures/*.png), written as one directory atomically, and the terminal tables."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.document import Block, to_html, to_markdown
from sim.sweep.analysis import PointSummary, Sensitivity, ranking, sensitivity, summarise_points
from sim.sweep.store import Store


class SweepAnalysis:
    """Everything the report needs, read from a store."""

    def __init__(self, store: Store):
        spec = json.loads(store.meta("spec") or "{}")
        self.store = store
        self.spec = spec
        self.design: str = spec.get("design", "lhs")
        self.factors = store.factors()
        self.outputs: list[str] = spec.get("outputs", [])
        self.points: list[PointSummary] = summarise_points(store, self.outputs)
        self.sensitivity: list[Sensitivity] = sensitivity(
            self.design, self.factors, self.points, self.outputs, seed=spec.get("seed", 1))
        self.counts = store.counts()


MARKER = "points.csv"  # what makes a directory an earlier sweep report


def write_report(analysis: SweepAnalysis, out_dir: str | Path) -> Path:
    """The whole report set, replacing an earlier sweep report at `out_dir` as a whole
    (a directory holding anything else is refused: TargetError)."""
    out = Path(out_dir)
    with atomic_dir(out, MARKER) as tmp:
        (tmp / "runs.csv").write_text(_runs_csv(analysis), encoding="utf-8")
        (tmp / "points.csv").write_text(_points_csv(analysis), encoding="utf-8")
        (tmp / "sensitivity.csv").write_text(_sensitivity_csv(analysis), encoding="utf-8")
        (tmp / "figures").mkdir()
        figures = _figures(analysis)
        for name, png in figures.items():
            (tmp / "figures" / name).write_bytes(png)
        blocks = _blocks(analysis, figures)
        (tmp / "sweep.md").write_text(to_markdown(blocks), encoding="utf-8")
        (tmp / "sweep.html").write_text(to_html(blocks, "kazsim sweep report", tmp),
                                        encoding="utf-8")
    return out


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _cell(v: Any) -> Any:
    return "" if v is None else v


def _runs_csv(a: SweepAnalysis) -> str:
    rows: list[list[Any]] = [["point", "replication", "seed", *a.factors, *a.outputs,
                              "status", "error"]]
    for run in a.store.runs():
        rows.append([run.point, run.replication, json.dumps(run.seed),
                     *(_cell(run.parameters.get(f)) for f in a.factors),
                     *(_cell(run.metrics.get(o)) for o in a.outputs),
                     run.status, _cell(run.error)])
    return _csv(rows)


def _points_csv(a: SweepAnalysis) -> str:
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


def _sensitivity_csv(a: SweepAnalysis) -> str:
    keys: list[str] = []
    for s in a.sensitivity:
        keys += [k for k in s.values if k not in keys]
    rows: list[list[Any]] = [["output", "factor", "method", "rank", *keys]]
    for o in a.outputs:
        for rank, s in enumerate(ranking(a.sensitivity, o), start=1):
            rows.append([o, s.factor, s.method, rank, *(_cell(s.values.get(k)) for k in keys)])
    return _csv(rows)


# -- figures ------------------------------------------------------------------------

def _figures(a: SweepAnalysis) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs: dict[str, bytes] = {}
    for o in a.outputs:
        figs[f"main_effects_{_slug(o)}.png"] = _png(plt, _main_effects(plt, a, o))
        if len(a.factors) == 2:
            fig = _heatmap(plt, a, o)
            if fig is not None:
                figs[f"heatmap_{_slug(o)}.png"] = _png(plt, fig)
        figs[f"sensitivity_{_slug(o)}.png"] = _png(plt, _bars(plt, a, o))
    return figs


def _slug(name: str) -> str:
    return name.replace(".", "_").replace("/", "_")


def _png(plt: Any, fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _numeric(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _levels(values: list[Any]) -> list[Any]:
    """The distinct values, numbers in ascending order first, then the rest by their text
    (discrete levels may be any YAML value, mappings and lists included)."""
    distinct = {json.dumps(v, sort_keys=True, default=str): v for v in values}
    return sorted(distinct.values(),
                  key=lambda v: (0, v, "") if _numeric(v) else (1, 0, str(v)))


def _main_effects(plt: Any, a: SweepAnalysis, out: str) -> Any:
    """Mean of the output over the points at each level (binned for continuous factors)."""
    import numpy as np

    k = len(a.factors)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 2.8), squeeze=False, sharey=True)
    for ax, (j, f) in zip(axes[0], enumerate(a.factors)):
        xs = [p.parameters.get(f) for p in a.points]
        ys = [p.outputs[out][0] for p in a.points]
        pairs = [(x, y) for x, y in zip(xs, ys) if y is not None]
        if not pairs:
            continue
        if all(_numeric(x) for x, _ in pairs) and len({x for x, _ in pairs}) > 8:
            u = np.array([p.unit[j] for p, y in zip(a.points, ys) if y is not None])
            bins = np.minimum((u * 5).astype(int), 4)
            vals = np.array([y for _, y in pairs])
            xv = np.array([x for x, _ in pairs], dtype=float)
            centres = [xv[bins == b].mean() for b in range(5) if (bins == b).any()]
            means = [vals[bins == b].mean() for b in range(5) if (bins == b).any()]
            ax.scatter(xv, vals, s=8, alpha=0.4)
            ax.plot(centres, means, "o-", color="C1")
        else:
            levels = _levels([x for x, _ in pairs])
            means = [float(np.mean([y for x, y in pairs if x == lv])) for lv in levels]
            labels = [str(lv) for lv in levels]
            ax.plot(range(len(levels)), means, "o-")
            ax.set_xticks(range(len(levels)), labels, rotation=30)
        ax.set_title(f, fontsize=8)
    axes[0][0].set_ylabel(out)
    fig.suptitle(f"Main effects on {out}", fontsize=10, y=1.04)
    return fig


def _heatmap(plt: Any, a: SweepAnalysis, out: str) -> Any:
    import numpy as np

    f1, f2 = a.factors
    v1 = [str(v) for v in _levels([p.parameters.get(f1) for p in a.points])]
    v2 = [str(v) for v in _levels([p.parameters.get(f2) for p in a.points])]
    if len(v1) * len(v2) > 400:
        return None
    grid = np.full((len(v2), len(v1)), np.nan)
    sums: dict[tuple[int, int], list[float]] = {}
    for p in a.points:
        y = p.outputs[out][0]
        if y is not None:
            key = (v2.index(str(p.parameters.get(f2))), v1.index(str(p.parameters.get(f1))))
            sums.setdefault(key, []).append(y)
    for (i, j), ys in sums.items():
        grid[i, j] = float(np.mean(ys))
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(grid, origin="lower", aspect="auto")
    ax.set_xticks(range(len(v1)), v1, rotation=30, fontsize=7)
    ax.set_yticks(range(len(v2)), v2, fontsize=7)
    ax.set_xlabel(f1)
    ax.set_ylabel(f2)
    fig.colorbar(im, ax=ax, label=out)
    return fig


def _bars(plt: Any, a: SweepAnalysis, out: str) -> Any:
    ranked = ranking(a.sensitivity, out)
    label = {"sobol": "total-order index ST", "morris": "mu*",
             "regression": "|standardised regression coefficient|"}
    fig, ax = plt.subplots(figsize=(5, 0.4 * len(ranked) + 1))
    ax.barh([s.factor for s in ranked][::-1], [s.score for s in ranked][::-1])
    ax.set_xlabel(label[ranked[0].method] if ranked else "")
    ax.set_title(f"Sensitivity of {out}", fontsize=10)
    return fig


# -- documents ------------------------------------------------------------------------

def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _tables(a: SweepAnalysis) -> list[tuple[str, list[str], list[list[str]]]]:
    head = ["point", *a.factors, *(f"{o} (95% CI)" for o in a.outputs)]
    rows = []
    for p in a.points:
        cells = [str(p.point), *(_fmt(p.parameters.get(f)) for f in a.factors)]
        for o in a.outputs:
            m, lo, hi = p.outputs[o]
            cells.append("failed" if m is None else
                         _fmt(m) + (f" [{_fmt(lo)}, {_fmt(hi)}]" if lo is not None else ""))
        rows.append(cells)
    tables = [("Design points", head, rows)]
    for o in a.outputs:
        ranked = ranking(a.sensitivity, o)
        keys = list(ranked[0].values) if ranked else []
        tables.append((f"Sensitivity of {o}", ["rank", "factor", *keys],
                       [[str(i), s.factor, *(_fmt(s.values[k]) for k in keys)]
                        for i, s in enumerate(ranked, 1)]))
    return tables


def _intro(a: SweepAnalysis) -> str:
    ok, failed = a.counts.get("ok", 0), a.counts.get("failed", 0)
    return (f"Design {a.design}, {len(a.points)} points x {a.spec.get('replications')} "
            f"replications, seed {a.spec.get('seed')}, scenario {a.spec.get('scenario')}. "
            f"Runs: {ok} ok, {failed} failed.")


def _blocks(a: SweepAnalysis, figures: dict[str, bytes]) -> list[Block]:
    blocks: list[Block] = [("h1", "Sweep report"), ("p", _intro(a))]
    for title, head, rows in _tables(a):
        blocks += [("h2", title), ("table", head, rows)]
    blocks.append(("h2", "Figures"))
    blocks += [("img", f"figures/{name}", name.removesuffix(".png").replace("_", " "))
               for name in figures]
    return blocks


def print_summary(a: SweepAnalysis, max_rows: int = 40) -> None:
    """The per-point table and the sensitivity ranking, on stdout."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(_intro(a))
    for i, (title, head, rows) in enumerate(_tables(a)):
        table = Table(title=title)
        for h in head:
            table.add_column(h)
        shown = rows if i or len(rows) <= max_rows else rows[:max_rows]
        for r in shown:
            table.add_row(*r)
        if len(shown) < len(rows):
            table.caption = f"first {len(shown)} of {len(rows)} points; all in points.csv"
        console.print(table)
