"""The scenario-discovery report: discover.json, points.csv, trajectory.csv,
discover.md/html, and figures/ (the peeling trajectory, the classification tree).

Findings come first, in words: where the outcome happens, in the factors' labels and at
the values the sweep actually tested; then how the discovery was made, the boxes, the
trajectory and the tree (drawn by kazsim, and as indented text).
"""
from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path
from typing import Any

from sim.core.metrics import label, unit
from sim.report.atomic import atomic_dir
from sim.report.document import Block, fmt, to_html, to_markdown
from sim.report.numbers import amount, pct, sig
from sim.studies.discover.discovery import (
    SIGNIFICANCE,
    Box,
    Discovery,
    Restriction,
    inside_text,
)

MARKER = "discover.json"  # what makes a directory an earlier discovery report
OPS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "equal to",
       "!=": "other than"}
CASE, OTHER = "#c55a11", "#1f4e79"  # cases of interest; the rest


# -- words ---------------------------------------------------------------------------------

def where_words(d: Discovery) -> str:
    """"rotation fill rate below 95%"."""
    w = d.where
    return f"{label(w.metric).lower()} {OPS[w.op]} {amount(w.value, unit(w.metric))}"


def counts(d: Discovery) -> tuple[int, int]:
    """(cases, points)."""
    return int((d.cases >= d.share).sum()), int(len(d.cases))


def restriction_words(d: Discovery, box: Box) -> str:
    """The box's significant restrictions at the tested values: "volunteer probability at
    most 0.325 and EOD course seats 6 or 12"."""
    labels = d.factor_labels
    parts = [f"{labels[f]} {inside_text(d.experiments[f], r.low, r.high)}"
             for f, r in box.restrictions.items()]
    if not parts:
        return "no significant restriction"
    return parts[0] if len(parts) == 1 else f"{'; '.join(parts[:-1])} and {parts[-1]}"


def box_counts(d: Discovery, box: Box) -> tuple[int, int, int]:
    """(cases inside, points inside, all cases) of a box."""
    cases, points = counts(d)
    inside = round(box.mass * points)
    return round(box.coverage * cases), inside, cases


def findings(d: Discovery) -> list[str]:
    cases, points = counts(d)
    out = [f"Where does {where_words(d)} happen? At {cases} of the {points} design points "
           f"of the sweep ({pct(cases / points)}); a point counts when it happens in at least "
           f"{pct(d.share)} of its replications."]
    labels = d.factor_labels
    if d.boxes:
        b = d.boxes[0]
        hits, inside, total = box_counts(d, b)
        kind = "PRIM's recommended box" if d.method == "prim" else "the tree's best leaf"
        out.append(f"It happens mostly where {restriction_words(d, b)} ({kind}): {hits} of "
                   f"the {total} cases lie there (coverage {pct(b.coverage)}), and {hits} "
                   f"of its {inside} points are cases (density {pct(b.density)}).")
        left_out = b.not_significant or []
        free = [f for f in b.unrestricted or [] if f not in left_out]
        if left_out:
            out.append("Peeled but not significant, so left out: "
                       + "; ".join(labels[f] for f in left_out)
                       + f" (quasi-p {SIGNIFICANCE} or more).")
        if free:
            out.append("Not restricted at all: " + "; ".join(labels[f] for f in free) + ".")
        if len(d.boxes) > 1:
            alt = d.boxes[1]
            out.append(f"A wider alternative: {restriction_words(d, alt)} covers "
                       f"{pct(alt.coverage)} of the cases at density {pct(alt.density)}.")
    else:
        out.append("No box was found.")
    first = [n for n in d.tree_nodes if n["depth"] == 1]
    split = first[0]["factor"] if first else None
    if split is not None:
        out.append(f"The classification tree splits first on {labels[split]}: "
                   + "; ".join(f"{n['condition']}, {n['cases']} of {n['points']} points are "
                               "cases" for n in first) + ".")
    return out


def headline(d: Discovery) -> str:
    """The terminal's heading: the outcome and how many points meet it."""
    cases, points = counts(d)
    return (f"Outcome of interest: {d.where.text} in at least {fmt(d.share)} of a point's "
            f"replications; {cases} of {points} design points.")


def headline_html(d: Discovery) -> str:
    """The notebook's view: the findings."""
    return "\n".join(f"<p>{html.escape(s)}</p>" for s in findings(d))


# -- tables --------------------------------------------------------------------------------

BOX_HEAD = ["factor", "tested values kept", "limits", "quasi-p", "significant"]


def box_tables(d: Discovery, limit: int = 3) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of the recommended box and its alternatives."""
    labels = d.factor_labels
    tables = []
    for rank, b in enumerate(d.boxes[:limit]):
        title = (f"{'Recommended box' if rank == 0 else f'Alternative {rank}'}"
                 f"{' (trajectory ' + str(b.index) + ')' if d.method == 'prim' else ''}: "
                 f"coverage {pct(b.coverage)}, density {pct(b.density)}, "
                 f"mass {pct(b.mass)}")
        qp = b.qp or {}

        def row(name: str, r: Restriction, verdict: str) -> list[str]:
            return [labels[name], inside_text(d.experiments[name], r.low, r.high),
                    f"{fmt(r.low)} to {fmt(r.high)}", qp_text(r.qp), verdict]

        rows = [row(name, r, "yes") for name, r in b.restrictions.items()]
        rows += [row(name, q, "no (left out)") for name, q in qp.items()
                 if name not in b.restrictions]
        rows += [[labels[name], "any", "—", "—", "not restricted"]
                 for name in b.unrestricted or [] if name not in qp]
        tables.append((title, BOX_HEAD, rows))
    return tables


def qp_text(q: float | None) -> str:
    """A quasi-p value as people read one: "< 0.001", "0.023", "0.68"."""
    if q is None:
        return "—"
    return "< 0.001" if q < 0.001 else sig(q, 2)


def provenance_rows(d: Discovery) -> list[list[str]]:
    p = d.provenance_json()
    run, sc = p["run"], p["scenario"]
    sweep = run.get("sweep") or {}
    return [["outcome", d.where.text],
            ["a point is a case", f"in at least {pct(d.share)} of its replications"],
            ["method", "PRIM (kazsim's own), quasi-p below "
             f"{SIGNIFICANCE} to keep a restriction" if d.method == "prim"
             else "classification tree (CART), depth 3"],
            ["store", run.get("store", "")],
            ["sweep file", sweep.get("sweep_file") or "—"],
            ["base scenario", f"{sc.get('name', '')} ({sc.get('file', '')})"],
            ["sweep", f"{sweep.get('design', '')}, {counts(d)[1]} points, "
                      f"{run.get('replications')} replications a point, seed {run.get('seed')}"],
            ["overrides (--set)", "; ".join(run.get("overrides") or []) or "none"],
            ["kazsim", f"{run.get('version', '')} (sweep run by {sweep.get('version') or '?'})"],
            ["commit", run.get("commit") or "not a git checkout"],
            ["started", run.get("started", "")]]


# -- the report ----------------------------------------------------------------------------

def write_report(d: Discovery, out: str | Path, command: str = "") -> None:
    """discover.json, points.csv, trajectory.csv, discover.md/html and figures/,
    atomically; `command` (the CLI's command line) replaces the one recorded."""
    if command:
        d.provenance["command"] = command
    with atomic_dir(out, MARKER) as tmp:
        (tmp / MARKER).write_text(json.dumps(json_data(d), indent=2, default=_plain) + "\n",
                                  encoding="utf-8")
        points = d.experiments.loc[d.cases.index].copy()
        points["share_meeting_where"] = d.cases
        points["case"] = d.cases >= d.share
        points.to_csv(tmp / "points.csv")
        d.trajectory.to_csv(tmp / "trajectory.csv", index_label="box")
        figures = _figures(d, tmp / "figures")
        blocks = report_blocks(d, figures)
        (tmp / "discover.md").write_text(to_markdown(blocks), encoding="utf-8")
        (tmp / "discover.html").write_text(
            to_html(blocks, f"Scenario discovery: {where_words(d)}", tmp), encoding="utf-8")


def report_blocks(d: Discovery, figures: dict[str, str]) -> list[Block]:
    scenario = d.provenance_json()["scenario"].get("name", "")
    blocks: list[Block] = [("h1", f"Scenario discovery: {where_words(d)}"
                                  + (f" ({scenario})" if scenario else "")),
                           ("h2", "Findings"), ("findings", findings(d))]
    blocks += [("h2", "How it was made"), ("table", ["what", "value"], provenance_rows(d))]
    command = d.provenance.get("command")
    if command:
        blocks += [("p", "Command:"), ("code", command)]
    blocks.append(("p", "Coverage: the share of all cases inside a box; density: the share "
                        "of a box's points that are cases; mass: the share of all points "
                        "inside. Tested values kept: the values the sweep ran that lie "
                        "inside the box; limits: PRIM's, midway between the last value "
                        "inside and the first outside." + (
                            f" A restriction is kept when its quasi-p value (a one-sided "
                            "binomial test of the box's density with and without it, Bryant "
                            f"& Lempert 2010) is below {SIGNIFICANCE}."
                            if d.method == "prim" else "")))
    for title, head, rows in box_tables(d):
        blocks += [("h2", title), ("table", head, rows)]
    if "trajectory" in figures:
        blocks += [("h2", "Peeling trajectory" if d.method == "prim" else "Tree leaves"),
                   ("img", "figures/trajectory.png", figures["trajectory"])]
    blocks.append(("h2", "Classification tree"))
    if "tree" in figures:
        blocks.append(("img", "figures/tree.png", figures["tree"]))
    blocks += [("p", "The same tree as text, a node a line, indented under its parent:"),
               ("code", d.tree_rules)]
    return blocks


def json_data(d: Discovery) -> dict[str, Any]:
    """discover.json: what `--format json` prints, with the provenance (`scenario` and
    `run` as report.json has them; `command` as before)."""
    prov = d.provenance_json()
    return {**d.to_json(), **prov, "command": prov["run"]["command"]}


def json_text(d: Discovery) -> str:
    """What `--format json` prints: the result (the report file adds how it was made)."""
    return json.dumps(d.to_json(), indent=2, default=_plain)


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)


# -- figures -------------------------------------------------------------------------------

def _figures(d: Discovery, folder: Path) -> dict[str, str]:
    from sim.report.draw import save  # matplotlib: only when figures are drawn

    folder.mkdir(parents=True, exist_ok=True)
    save(trajectory_figure(d), folder / "trajectory")
    drawn = {"trajectory": (
        "Coverage against density along the peeling trajectory, each box coloured by how "
        "many factors it restricts; ringed: the recommended box" if d.method == "prim"
        else "Coverage against density of the tree's leaves; ringed: the best leaf")}
    if d.tree_nodes:
        save(tree_figure(d), folder / "tree")
        drawn["tree"] = ("The classification tree: each box a group of design points, with "
                         "the condition that leads to it, at the values the sweep tested, "
                         "and how many of its points are cases; orange: mostly cases")
    return drawn


def trajectory_figure(d: Discovery) -> Any:
    """Coverage against density, the recommended box ringed and named beside it (an
    annotation that cannot be read as a point of the trajectory)."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from sim.report.draw import subplots  # matplotlib: only when figures are drawn

    traj = d.trajectory
    fig, ax = subplots(figsize=(6.4, 4.5))
    if "restricted" in traj:
        points = ax.scatter(traj["coverage"], traj["density"], c=traj["restricted"],
                            cmap="viridis", s=22, zorder=2)
        bar = fig.colorbar(points, ax=ax, label="factors restricted")
        bar.locator = MaxNLocator(integer=True)  # a count of factors: no 0.2, 0.4, ...
        bar.update_ticks()
    else:
        ax.scatter(traj["coverage"], traj["density"], c=OTHER, s=22, zorder=2)
    if d.boxes:
        b = d.boxes[0]
        ax.scatter([b.coverage], [b.density], s=260, facecolors="none",
                   edgecolors="#d62728", linewidths=1.8, zorder=3)
        name = f"box {b.index}" if d.method == "prim" else "best leaf"
        ax.annotate(f"recommended: {name}\ncoverage {pct(b.coverage)}, "
                    f"density {pct(b.density)}", (b.coverage, b.density),
                    xytext=(-3 if b.coverage > 0.5 else 3, -3),
                    textcoords="offset fontsize",
                    fontsize=8, color="#d62728", ha="right" if b.coverage > 0.5 else "left",
                    va="top", arrowprops={"arrowstyle": "-", "color": "#d62728", "lw": 0.8})
    ax.set_xlabel("coverage: share of all cases inside the box")
    ax.set_ylabel("density: share of the box's points that are cases")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(-0.02, 1.04)
    ax.set_ylim(-0.02, 1.06)
    ax.grid(alpha=0.3)
    ax.set_title("Peeling trajectory" if d.method == "prim" else "Tree leaves", fontsize=11)
    return fig


def tree_figure(d: Discovery) -> Any:
    """The classification tree drawn left to right: a box per node with the condition
    that leads to it (at tested values), its points and cases; a leaf that is mostly
    cases in orange and marked so in words."""
    from matplotlib.figure import Figure

    nodes = d.tree_nodes
    leaves = [n for n in nodes if n["leaf"]]
    depth = max((n["depth"] for n in nodes), default=0)
    height = max(2.8, 0.72 * len(leaves) + 0.9)
    fig = Figure(figsize=(10.0, height))
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.9))
    ax.set_axis_off()
    # rows: leaves in reading order; a node sits at the middle of its leaves
    position: dict[int, tuple[float, float]] = {}
    row = 0
    children: dict[int, list[int]] = {}
    stack: list[int] = []
    for k, n in enumerate(nodes):
        while stack and nodes[stack[-1]]["depth"] >= n["depth"]:
            stack.pop()
        if stack:
            children.setdefault(stack[-1], []).append(k)
        stack.append(k)

    def place(k: int) -> float:
        nonlocal row
        if nodes[k]["leaf"] or k not in children:
            y = float(row)
            row += 1
        else:
            ys = [place(c) for c in children[k]]
            y = sum(ys) / len(ys)
        position[k] = (float(nodes[k]["depth"]), y)
        return y

    place(0)
    ax.set_xlim(-0.5, depth + 0.5)
    ax.set_ylim(row - 0.5, -0.5)
    for k, kids in children.items():
        x0, y0 = position[k]
        for c in kids:
            x1, y1 = position[c]
            ax.plot([x0 + 0.3, x0 + 0.5, x0 + 0.5, x1 - 0.3], [y0, y0, y1, y1],  # under the boxes
                    color="#888", lw=0.9, zorder=1)
    for k, n in enumerate(nodes):
        x, y = position[k]
        share = n["cases"] / n["points"] if n["points"] else 0.0
        mostly = n["cases"] * 2 > n["points"]
        condition = "\n".join(textwrap.wrap(n["condition"], 36))
        verdict = ("mostly cases" if mostly else "few cases") if n["leaf"] else ""
        cases = f"{n['cases']} case{'s' if n['cases'] != 1 else ''}"
        text = (f"{condition}\n{n['points']} points, {cases} ({pct(share)})"
                + (f"\n→ {verdict}" if verdict else ""))
        ax.text(x, y, text, ha="center", va="center", fontsize=8.2, zorder=2,
                fontweight="bold" if n["leaf"] and mostly else "normal",
                bbox={"boxstyle": "round,pad=0.35", "lw": 0.8,
                      "facecolor": "#fbe5d6" if mostly else "#eef3f8",
                      "edgecolor": CASE if mostly else OTHER})
    fig.suptitle(f"Classification tree: where {where_words(d)} happens", fontsize=10)
    return fig
