"""The policy-search report: optimize.json, candidates.csv, optimize.md/html and, for
several objectives, the Pareto front as a table and a figure."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.core.metrics import label, unit
from sim.report.atomic import atomic_dir
from sim.report.document import Block, fmt, to_html, to_markdown
from sim.studies.optimize.search import SearchResult

MARKER = "optimize.json"  # what makes a directory an earlier policy-search report


def summary_tables(result: SearchResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the terminal and the documents."""
    data = result.to_json()
    tables = []
    best = data["best"]
    if best:
        rows = [["lever", k, fmt(v)] for k, v in best["levers"].items()]
        rows += [["objective (mean)", k, fmt(v)] for k, v in best["objectives"].items()]
        rows += [["constraint", c["expr"],
                  f"{fmt(c['estimate'])} [{fmt(c['ci95'][0], 3)}, {fmt(c['ci95'][1], 3)}]"
                  f" of {c['replications']}"] for c in best["constraints"]]
        tables.append(("Best feasible policy", ["", "name", "value"], rows))
    if len(result.policy.spec.objectives) > 1 and data["pareto"]:
        names = [o.name for o in result.policy.spec.objectives]
        levers = list(data["pareto"][0]["levers"])
        rows = [[*(fmt(p["levers"][k]) for k in levers), *(fmt(p["objectives"][n]) for n in names),
                 str(p["replications"])] for p in data["pareto"]]
        tables.append(("Pareto front", [*levers, *names, "replications"], rows))
    return tables


def headline(result: SearchResult) -> str:
    spec = result.policy.spec
    found = "no candidate was found feasible" if result.best is None else "best policy found"
    return (f"{result.policy.file}: {len(result.candidates)} candidates, "
            f"{result.evaluations} model replications (budget {spec.budget}), "
            f"sampler {result.sampler}; {found}.")


def write_report(result: SearchResult, out: str | Path, command: str = "") -> None:
    with atomic_dir(out, MARKER) as tmp:
        (tmp / MARKER).write_text(json.dumps({**result.to_json(), "command": command},
                                             indent=2, default=str) + "\n")
        result.table().to_csv(tmp / "candidates.csv", index=False)
        blocks: list[Block] = [("h1", "Policy search"), ("p", headline(result))]
        if command:
            blocks.append(("p", f"Command: {command}"))
        spec = result.policy.spec
        blocks.append(("ul", [f"{o.sense} {o.name}" for o in spec.objectives]
                       + [f"constraint {c}" for c in spec.constraints]
                       + [f"{spec.replications} replications a candidate; the best "
                          f"{spec.rerun_candidates} re-run with {spec.final_replications}; "
                          "every candidate on the same seeds"]))
        for title, head, rows in summary_tables(result):
            blocks += [("h2", title), ("table", head, rows)]
        if result.best is None:
            blocks.append(("p", "No candidate met every constraint: see candidates.csv for "
                                "the estimates."))
        for name, caption in _figures(result, tmp):
            blocks.append(("img", name, caption))
        (tmp / "optimize.md").write_text(to_markdown(blocks))
        (tmp / "optimize.html").write_text(to_html(blocks, "Policy search", tmp))


def _objective_axis(axis: Any, name: str, sense: str) -> None:
    """A metric's label and unit, ticks as 3.6M or $3.6M (no '1e6' offset above the axis)."""
    from sim.report.draw import TickFormatter  # matplotlib: only when figures are drawn

    u = unit(name)
    axis.set_label_text(f"{label(name)} ({u + ', ' if u else ''}{sense})")
    axis.set_major_formatter(TickFormatter(u))


def _figures(result: SearchResult, out: Path) -> list[tuple[str, str]]:
    from matplotlib.ticker import MaxNLocator

    from sim.report.draw import save, subplots  # matplotlib: only when figures are drawn

    objs = result.policy.spec.objectives
    figs = []
    table = result.table()
    if len(objs) >= 2:
        x, y = objs[0].name, objs[1].name
        fig, ax = subplots(figsize=(6, 4.5))
        ok = table["feasible"]
        ax.scatter(table.loc[~ok, x], table.loc[~ok, y], c="#bbb", s=18, label="infeasible")
        ax.scatter(table.loc[ok, x], table.loc[ok, y], c="#1f77b4", s=18, label="feasible")
        front = sorted(((c.objective(x), c.objective(y)) for c in result.pareto),
                       key=lambda p: (p[0], p[1]))
        if front:
            ax.plot(*zip(*front), "o-", color="#d62728", label="Pareto front")
        _objective_axis(ax.xaxis, x, objs[0].sense)
        _objective_axis(ax.yaxis, y, objs[1].sense)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        save(fig, out / "pareto.png")
        figs.append(("pareto.png", "Candidates and the Pareto front of the first two objectives"))
    else:
        name = objs[0].name
        fig, ax = subplots(figsize=(6, 4))
        ok = table["feasible"]
        ax.scatter(table.loc[ok, "candidate"], table.loc[ok, name], c="#1f77b4", s=18,
                   label="feasible")
        ax.scatter(table.loc[~ok, "candidate"], table.loc[~ok, name], c="#bbb", s=18,
                   label="infeasible")
        if result.best is not None:
            ax.scatter([result.best.number], [result.best.objective(name)], c="#d62728", s=60,
                       marker="*", label="best")
        ax.set_xlabel("candidate (order asked)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _objective_axis(ax.yaxis, name, objs[0].sense)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        save(fig, out / "search.png")
        figs.append(("search.png", "Every candidate's objective, in the order asked"))
    numeric = [k for k in result.candidates[0].settings
               if all(isinstance(c.settings[k], (int, float)) for c in result.candidates)
               ] if result.candidates else []
    if len(numeric) >= 2:
        x, y, name = numeric[0], numeric[1], objs[0].name
        fig, ax = subplots(figsize=(6, 4.5))
        ok = table["feasible"]
        ax.scatter(table.loc[~ok, x], table.loc[~ok, y], c="#999", marker="x", s=24,
                   label="infeasible")
        if ok.any():  # a colour scale of no feasible candidate would read 0 to 1
            points = ax.scatter(table.loc[ok, x], table.loc[ok, y], c=table.loc[ok, name],
                                cmap="viridis", s=28, label="feasible")
            bar = fig.colorbar(points, ax=ax)
            _objective_axis(bar.ax.yaxis, name, objs[0].sense)
        if result.best is not None:
            ax.scatter([result.best.settings[x]], [result.best.settings[y]], marker="*",
                       s=200, facecolors="none", edgecolors="#d62728", label="best")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        save(fig, out / "levers.png")
        figs.append(("levers.png", f"Candidates in the space of the first two levers, "
                                   f"coloured by {name} where feasible"))
    return figs


def json_text(result: SearchResult) -> str:
    return json.dumps(result.to_json(), indent=2, default=_plain)


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)
