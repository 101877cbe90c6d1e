"""The scenario-discovery report: discover.json, points.csv, trajectory.csv,
discover.md/html, the peeling trajectory and the tree as figures."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.document import Block, fmt, to_html, to_markdown
from sim.studies.discover.discovery import SIGNIFICANCE, Discovery

MARKER = "discover.json"  # what makes a directory an earlier discovery report


def headline(d: Discovery) -> str:
    data = d.to_json()
    return (f"Outcome of interest: {d.where.text} in at least {fmt(d.share)} of a point's "
            f"replications; {data['cases']} of {data['points']} design points.")


def box_tables(d: Discovery, limit: int = 3) -> list[tuple[str, list[str], list[list[str]]]]:
    tables = []
    for rank, b in enumerate(d.boxes[:limit]):
        title = (f"{'Recommended box' if rank == 0 else f'Alternative {rank}'}"
                 f"{' (trajectory ' + str(b.index) + ')' if d.method == 'prim' else ''}: "
                 f"coverage {fmt(b.coverage, 3)}, density {fmt(b.density, 3)}, "
                 f"mass {fmt(b.mass, 3)}")
        qp = b.qp or {}
        rows = [[name, fmt(r.low), fmt(r.high), fmt(r.qp, 2) if r.qp is not None else "—",
                 "yes"] for name, r in b.restrictions.items()]
        rows += [[name, fmt(q.low), fmt(q.high), fmt(q.qp, 2), "no (left out)"]
                 for name, q in qp.items() if name not in b.restrictions]
        rows += [[name, "—", "—", "—", "not restricted"] for name in b.unrestricted or ()
                 if name not in qp]
        tables.append((title, ["factor", "low", "high", "quasi-p", "significant"], rows))
    return tables


def write_report(d: Discovery, out: str | Path, command: str = "") -> None:
    with atomic_dir(out, MARKER) as tmp:
        (tmp / MARKER).write_text(json.dumps({**d.to_json(), "command": command}, indent=2)
                                  + "\n")
        points = d.experiments.loc[d.cases.index].copy()
        points["share_meeting_where"] = d.cases
        points["case"] = d.cases >= d.share
        points.to_csv(tmp / "points.csv")
        d.trajectory.to_csv(tmp / "trajectory.csv", index_label="box")
        blocks: list[Block] = [("h1", "Scenario discovery"), ("p", headline(d))]
        if command:
            blocks.append(("p", f"Command: {command}"))
        blocks.append(("p", f"Method: {d.method}. A restriction is reported when its quasi-p "
                            "value (a one-sided binomial test of the box's density with and "
                            f"without it, Bryant & Lempert 2010) is below {SIGNIFICANCE}."))
        for title, head, rows in box_tables(d):
            blocks += [("h2", title), ("table", head, rows)]
        for name, caption in _figures(d, tmp):
            blocks.append(("img", name, caption))
        blocks += [("h2", "Classification tree"), ("p", "Leaves with a majority of cases of "
                                                        "interest are marked True.")]
        blocks += [("p", line) for line in d.tree_rules.splitlines()]
        (tmp / "discover.md").write_text(to_markdown(blocks))
        (tmp / "discover.html").write_text(to_html(blocks, "Scenario discovery", tmp))


def _figures(d: Discovery, out: Path) -> list[tuple[str, str]]:
    from sim.report.draw import save, subplots  # matplotlib: only when figures are drawn

    figs = []
    traj = d.trajectory
    fig, ax = subplots(figsize=(6, 4.5))
    if "restricted" in traj:
        points = ax.scatter(traj["coverage"], traj["density"], c=traj["restricted"],
                            cmap="viridis", s=22)
        from matplotlib.ticker import MaxNLocator

        bar = fig.colorbar(points, ax=ax, label="restricted factors")
        bar.locator = MaxNLocator(integer=True)  # a count of factors: no 0.2, 0.4, ...
        bar.update_ticks()
    else:
        ax.scatter(traj["coverage"], traj["density"], c="#1f77b4", s=22)
    if d.boxes:
        b = d.boxes[0]
        ax.scatter([b.coverage], [b.density], marker="*", s=180, c="#d62728",
                   label=f"recommended (box {b.index})")
        ax.legend(fontsize=8, scatterpoints=1)  # one star, not matplotlib's default pair
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.grid(alpha=0.3)
    ax.set_title("Peeling trajectory" if d.method == "prim" else "Tree leaves", fontsize=11)
    save(fig, out / "trajectory.png")
    figs.append(("trajectory.png", "Coverage against density along the peeling trajectory"
                 if d.method == "prim" else "Coverage against density of the tree's leaves"))
    if d._tree is not None:
        from sklearn.tree import plot_tree

        fig, ax = subplots(figsize=(10, 5))
        plot_tree(d._tree, feature_names=[_short(c) for c in d.experiments.columns],
                  class_names=["no", "yes"], filled=True, impurity=False, ax=ax, fontsize=7)
        save(fig, out / "tree.png")
        figs.append(("tree.png", "Classification tree (yes: the outcome of interest)"))
    return figs


def _short(path: str) -> str:
    return ".".join(path.split(".")[-2:])


def json_text(d: Discovery) -> str:
    return json.dumps(d.to_json(), indent=2, default=_plain)


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)
