"""The capacity report: capacity.json, capacity.md, capacity.html and figures (the probes:
fill share against size with intervals, the threshold and the boundary; with `--vary`,
the requirements contour), and the terminal's tables."""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.document import Block, fmt, to_html, to_markdown
from sim.report.writer import figure_failure
from sim.studies.capacity.result import NOMINAL, CapacityRecord
from sim.studies.capacity.search import Probe

MARKER = "capacity.json"  # what makes a directory an earlier capacity report
MET, FAILED, ANSWER = "#1f4e79", "#c55a11", "#2e7d32"


# -- words ---------------------------------------------------------------------------------

def pct(x: float | None) -> str:
    """A share as a percentage: 1 decimal, 2 close to 0 or 1, none at exactly 0 or 1."""
    if x is None:
        return "—"
    if x in (0.0, 1.0):
        return f"{x:.0%}"
    return f"{x:.1%}" if 0.001 < x < 0.999 else f"{x:.2%}"


def ci_text(p: Probe) -> str:
    lo, hi = p.ci95
    return f"[{lo:.1%}, {hi:.1%}]"


def standard(c: CapacityRecord) -> str:
    return (f"a fill rate of at least {c.fill_rate:.0%} in at least {c.confidence:.0%} of "
            "replications")


def headline(c: CapacityRecord) -> str:
    name = c.scenario.get("name", "")
    return (f"{name}: the largest contingent of deployment '{c.deployment}' the force keeps "
            f"in theatre, tour after tour, with {standard(c)} is {c.largest_contingent} "
            f"persons; what binds first: {c.binding_constraint} ({c.detail}).")


def _side_text(p: Probe) -> str:
    return (f"at {p.size} persons {p.reached} of {p.replications} replications reached the "
            f"fill rate ({pct(p.fill_share)}, 95% CI {ci_text(p)})")


def statement(c: CapacityRecord) -> list[str]:
    """How sure the answer is, in sentences."""
    b = c.boundary
    if b is None:
        return []
    out = []
    sides = [s for s in (b.at, b.above) if s is not None]
    if sides:
        out.append("Fill share (the share of replications whose fill rate reached "
                   f"{c.fill_rate:.0%}): " + "; ".join(_side_text(p) for p in sides) + ".")
    if b.low == b.high:
        out.append(f"The 95% intervals place the boundary between {b.size} and {b.size + 1} "
                   "persons.")
    else:
        out.append(f"The 95% intervals do not settle it: the sizes tried next to the boundary "
                   f"from {b.low} to {b.high} have intervals that straddle the threshold, so the "
                   "answer could be any of them (more replications, --max-reps, would narrow "
                   "it).")
    if b.sure is not None:
        out.append(f"How sure the boundary lies there: {pct(b.sure)} (the probability that "
                   f"the true fill share is at least {c.confidence:.0%} at {b.size} and below "
                   f"it at {b.size + 1}, Jeffreys' prior, each size's count taken alone).")
    else:
        out.append("With --confidence 1 every replication must reach the fill rate, which no "
                   "finite number of replications can show: no sureness is given.")
    return out


def method(c: CapacityRecord) -> str:
    return (f"Method: the contingent's shape scaled to each size (largest remainders, one post "
            f"at a time; single posts single until twice the size as written); {c.reps} "
            f"replications a size, and up to {c.max_reps} at the boundary and the two sizes "
            "above it until the Wilson 95% interval of the fill share lies on one side of "
            f"{c.confidence:.0%}; every size on the same seeds (seed {c.seed}, common random "
            "numbers).")


def key_lines(c: CapacityRecord) -> list[str]:
    """The answer in a few aligned lines, for the terminal."""
    b = c.boundary
    lines = [f"deployment          {c.deployment} ({c.scenario.get('name', '')})",
             f"largest contingent  {c.largest_contingent} persons ({standard(c)})",
             f"binding constraint  {c.binding_constraint} ({c.detail})"]
    if b is not None:
        sure = (f"{pct(b.sure)} that the boundary lies between {b.size} and {b.size + 1}"
                if b.sure is not None else "not given at --confidence 1")
        if b.low != b.high:
            sure += f"; the 95% intervals allow answers from {b.low} to {b.high}"
        lines.append(f"how sure            {sure}")
    return lines


# -- tables (the documents and the terminal) ----------------------------------------------

def shape_table(c: CapacityRecord) -> tuple[str, list[str], list[list[str]]]:
    return (f"Shape at {c.largest_contingent} persons", ["role", "posts", "as written"],
            [[r["label"], str(r["posts"]), str(r["posts_as_written"])] for r in c.roles])


def probe_rows(probes: list[Probe], answer: int) -> list[list[str]]:
    def share(p: Probe) -> str:
        lo, hi = p.ci95
        return f"{pct(p.fill_share)} ({100 * lo:.1f}–{100 * hi:.1f}%)"

    return [[f"{p.size}" + (" ◀" if p.size == answer else ""),
             ("yes" if p.met else "no") + ("" if p.decided else " ?"),
             f"{p.reached} / {p.replications}", share(p)] for p in probes]


PROBE_HEAD = ["size", "meets", "reached", "fill share (95% CI)"]
PROBE_NOTE = ("Reached: replications whose fill rate reached the target, of those run; fill "
              "share: their share, with its Wilson 95% interval; ?: undecided, the interval "
              "still straddles the threshold; ◀ the answer.")


def contour_rows(c: CapacityRecord) -> list[list[str]]:
    return [[fmt(pt.value), str(pt.largest_contingent),
             str(pt.boundary.low) if pt.boundary.low == pt.boundary.high
             else f"{pt.boundary.low}–{pt.boundary.high}",
             pct(pt.boundary.sure), f"{pt.binding_constraint} ({pt.detail.split(':')[0]})"]
            for pt in c.points]


def summary_tables(c: CapacityRecord) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the terminal and the documents."""
    tables = [shape_table(c),
              ("Sizes tried (by size; ?: undecided)", PROBE_HEAD,
               probe_rows(c.probe_list, c.largest_contingent))]
    if c.vary is not None:
        tables.append((f"Requirements contour over {c.vary.path}",
                       [c.vary.path, "persons", "range", "sure", "binds (role)"],
                       contour_rows(c)))
    return tables


# -- files ---------------------------------------------------------------------------------

def json_text(c: CapacityRecord) -> str:
    return json.dumps(c.as_dict(), indent=2, default=_plain) + "\n"


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)


def write_report(c: CapacityRecord, out: str | Path) -> Path:
    """capacity.json, capacity.md, capacity.html, figures/ (PNG and SVG), atomically; a
    figure that cannot be drawn costs only itself (FiguresFailed afterwards)."""
    out = Path(out)
    with atomic_dir(out, MARKER) as tmp:
        (tmp / MARKER).write_text(json_text(c), encoding="utf-8")
        figures, failed = _figures(c, tmp / "figures")
        blocks = report_blocks(c, figures)
        (tmp / "capacity.md").write_text(to_markdown(blocks), encoding="utf-8")
        (tmp / "capacity.html").write_text(
            to_html(blocks, f"kazsim capacity: {c.scenario.get('name', '')}", tmp),
            encoding="utf-8")
    if failed:
        raise figure_failure(out, failed)
    return out


def report_blocks(c: CapacityRecord, figures: dict[str, str]) -> list[Block]:
    run, sc = c.run, c.scenario
    blocks: list[Block] = [
        ("h1", f"Capacity: {sc.get('name', '')}, deployment {c.deployment}"),
        ("p", headline(c)),
        *[("p", s) for s in statement(c)],
        ("p", NOMINAL),
        ("p", method(c)),
    ]
    if run.get("command"):
        blocks += [("p", "Command:"), ("code", run["command"])]
    blocks.append(("table", ["how it was made", ""], [  # one short value a row: fits a phone
        ["scenario", f"{sc.get('name', '')} ({sc.get('file', '')})"],
        ["from", sc.get("start", "")], ["to", sc.get("end", "")],
        ["overrides (--set)", "; ".join(run.get("overrides", [])) or "none"],
        ["seed", str(run.get("seed", c.seed))], ["kazsim", run.get("version", "")],
        ["commit", run.get("commit") or "not a git checkout"],
        ["started", run.get("started", "")], ["finished", run.get("finished", "")]]))
    title, head, rows = shape_table(c)
    blocks += [("h2", title), ("table", head, rows)]
    blocks.append(("h2", "Sizes tried"))
    if "probes" in figures:
        blocks.append(("img", "figures/probes.png", figures["probes"]))
    blocks.append(("table", PROBE_HEAD, probe_rows(c.probe_list, c.largest_contingent),
                   PROBE_NOTE))
    if c.vary is not None:
        blocks += [("h2", "Requirements contour"),
                   ("p", f"The largest contingent as {c.vary.path} goes from {fmt(c.vary.low)} "
                         f"to {fmt(c.vary.high)} in {c.vary.steps} values, each searched as "
                         "above, on the same seeds.")]
        if "contour" in figures:
            blocks.append(("img", "figures/contour.png", figures["contour"]))
        blocks.append(("table", ["value", "persons", "range", "sure", "binds (role)"],
                       contour_rows(c),
                       f"Value: {c.vary.path}; persons: the largest contingent; range: the "
                       "sizes next to the boundary whose 95% intervals straddle the threshold "
                       "(the answer alone when it and the next size are settled); sure: how sure "
                       "the boundary lies just above the answer."))
    return blocks


def headline_html(c: CapacityRecord) -> str:
    """The notebook's view: the headline and how sure."""
    parts = [f"<p><b>{html.escape(headline(c))}</b></p>"]
    parts += [f"<p>{html.escape(s)}</p>" for s in statement(c)]
    return "\n".join(parts)


# -- figures -------------------------------------------------------------------------------

def _figures(c: CapacityRecord, folder: Path) -> tuple[dict[str, str], list[tuple[str, BaseException]]]:
    from sim.report.draw import save  # matplotlib: only when figures are drawn

    folder.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, str] = {}
    failed: list[tuple[str, BaseException]] = []
    jobs = [("probes", probes_figure, "Fill share against contingent size, with Wilson 95% "
             f"intervals; dashed: the {c.confidence:.0%} threshold; green: the boundary "
             "between the answer and the next size")]
    if c.points:
        jobs.append(("contour", contour_figure, "The largest contingent across "
                     f"{c.vary.path if c.vary else ''}; bars: the sizes next to the boundary "
                     "whose 95% intervals straddle the threshold; colour: the binding constraint"))
    for name, draw, caption in jobs:
        try:
            save(draw(c), folder / name)
            drawn[name] = caption
        except Exception as err:  # noqa: BLE001 - a figure lost, the report kept
            failed.append((name, err))
    return drawn, failed


def probes_figure(c: CapacityRecord) -> Any:
    """Fill share against size with intervals, the threshold and the boundary."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from sim.report.draw import subplots  # matplotlib: only when figures are drawn

    fig, ax = subplots(figsize=(7, 4))
    for met, colour, name in ((True, MET, "meets"), (False, FAILED, "fails")):
        ps = [p for p in c.probe_list if p.met == met]
        if not ps:
            continue
        x = [p.size for p in ps]
        y = [p.fill_share for p in ps]
        err = [[max(0.0, p.fill_share - p.ci95[0]) for p in ps],
               [max(0.0, p.ci95[1] - p.fill_share) for p in ps]]
        ax.errorbar(x, y, yerr=err, fmt="o", color=colour, ms=4, capsize=3, lw=1,
                    label=f"{name} the standard")
    ax.axhline(c.confidence, color="#555", ls="--", lw=1,
               label=f"threshold: {c.confidence:.0%} of replications")
    edge = c.largest_contingent + 0.5
    ax.axvline(edge, color=ANSWER, lw=1.5,
               label=f"boundary: {c.largest_contingent} meets, {c.largest_contingent + 1} fails")
    ax.set_xlabel("contingent size (persons)")
    ax.set_ylabel(f"replications with fill rate ≥ {c.fill_rate:.0%}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(-0.03, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"{c.scenario.get('name', '')}: deployment {c.deployment}")
    return fig


def contour_figure(c: CapacityRecord) -> Any:
    """The largest contingent against the varied value, by binding constraint."""
    from matplotlib.ticker import MaxNLocator

    from sim.report.draw import PALETTE, subplots  # matplotlib: only when figures are drawn

    fig, ax = subplots(figsize=(7, 4))
    pts = c.points
    x = [float(p.value) for p in pts]
    ax.plot(x, [p.largest_contingent for p in pts], color="#999", lw=1, zorder=1)
    kinds = list(dict.fromkeys(p.binding_constraint for p in pts))
    for k, kind in enumerate(kinds):
        sel = [p for p in pts if p.binding_constraint == kind]
        y = [p.largest_contingent for p in sel]
        err = [[p.largest_contingent - p.boundary.low for p in sel],
               [p.boundary.high - p.largest_contingent for p in sel]]
        ax.errorbar([float(p.value) for p in sel], y, yerr=err, fmt="o", ms=5, capsize=3,
                    color=PALETTE[k % len(PALETTE)], label=f"binds: {kind}", zorder=2)
    ax.set_xlabel(c.vary.path if c.vary else "value")
    ax.set_ylabel("largest contingent (persons)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if c.vary is not None and all(isinstance(v, int) for v in c.vary.values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"Requirements contour: deployment {c.deployment}, {standard(c)}",
                 fontsize=9)
    return fig
