"""What results show in a notebook (`_repr_html_`): a heading and the headline table,
as small self-contained HTML; and the figure `plot()` returns, drawn in this process."""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label
from sim.report.model import Report
from sim.report.numbers import amount
from sim.report.render import FigureJob

STYLE = ("border-collapse:collapse;font-size:0.9em", "text-align:left;padding:2px 8px",
         "text-align:right;padding:2px 8px;font-variant-numeric:tabular-nums")


def html_table(head: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """A table; cells that start with a digit, a sign or $ are set right."""
    def cell(tag: str, v: Any) -> str:
        text = str(v)
        numeric = bool(text) and (text[0].isdigit() or text[0] in "+-−$")
        return f'<{tag} style="{STYLE[2] if numeric else STYLE[1]}">{html.escape(text)}</{tag}>'

    cap = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    body = "".join("<tr>" + "".join(cell("td", c) for c in r) + "</tr>" for r in rows)
    return (f'<table style="{STYLE[0]}">{cap}<thead><tr>'
            + "".join(f'<th style="{STYLE[1]}">{html.escape(h)}</th>' for h in head)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def run_html(report: Report) -> str:
    """A run: its scenario, replications and horizon, and the headline metrics (mean and
    95% CI in each metric's unit)."""
    start, end = report.horizon
    run = report.run
    failed = f", {len(run.failed)} failed" if run.failed else ""
    rows = []
    for name in HEADLINE:
        m = report.metrics.get(name)
        if m is None:
            continue
        u = m.unit or ""
        ci = (f"{amount(m.ci95[0], u)} to {amount(m.ci95[1], u)}" if m.ci95 else "—")
        rows.append([m.label or label(name), amount(m.mean, u), ci,
                     "" if u in ("share", "USD") else u])
    return (f"<p><b>{html.escape(report.name)}</b>: {run.replications} replications{failed}, "
            f"{start} to {end}, seed {run.seed}</p>"
            + html_table(["metric", "mean", "95% CI", "unit"], rows))


def draw(job: FigureJob) -> Any:
    """The matplotlib Figure of a figure job, drawn here (not in the figure workers)."""
    from sim.report.draw import DRAWERS  # matplotlib: only when a figure is drawn

    return DRAWERS[job.kind](job.spec)
