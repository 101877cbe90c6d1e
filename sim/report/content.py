"""What report.md / report.html say about a run, as document blocks."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sim.core.metrics import HEADLINE, label
from sim.report.document import Block, Cell, fmt, interval
from sim.report.model import MetricSummary, Report

CLIPPED = "†"
CLIPPED_NOTE = (f"{CLIPPED} 95% CI clipped to what the metric can take (a share to "
                "[0, 1], a count or amount to 0 and above): the t-interval crossed it.")


def ci_text(ci: list[float] | None) -> str:
    return interval(ci)


def metric_cell(name: str, m: MetricSummary | None = None) -> Cell:
    shown = (m.label if m is not None and m.label else "") or label(name)
    return Cell(shown, f"{name}: {m.description}" if m is not None and m.description else name)


def metric_row(name: str, m: MetricSummary) -> list[Any]:
    note = f"reached in {m.happened:.0%}" if m.happened is not None else ""
    ci = ci_text(m.ci95) + (f" {CLIPPED}" if m.clipped else "")
    return [metric_cell(name, m), fmt(m.mean), ci, fmt(m.p10), fmt(m.p90), m.unit, note]


HEAD = ["metric", "mean", "95% CI", "p10", "p90", "unit", "note"]


def provenance_blocks(report: Report) -> list[Block]:
    sc, run = report.scenario, report.run
    start, end = report.horizon
    commit = f" (commit {run.commit})" if run.commit else ""
    blocks: list[Block] = [
        ("p", f"Scenario file {sc.file} (sha256 {sc.sha256[:12]}…), {start} to {end}. "
              f"{run.replications} replications, seed {run.seed}. kazsim {run.version}"
              f"{commit}, started {run.started}, {fmt(run.wall_seconds)} s wall time."),
    ]
    if run.command:
        blocks += [("p", "Command:"), ("code", run.command)]
    if run.overrides:
        blocks += [("p", "Overrides of the scenario file (--set):"),
                   ("ul", [f"--set {o}" for o in run.overrides])]
    return blocks


def report_blocks(report: Report, figures: list[tuple[str, str]]) -> list[Block]:
    run, metrics = report.run, report.metrics
    blocks: list[Block] = [("h1", f"kazsim report: {report.name}"), *provenance_blocks(report)]
    description = report.scenario.resolved.get("description")
    if description:
        blocks.append(("p", str(description).strip()))
    if run.reps_auto:
        a = run.reps_auto
        verdict = ("precision met" if a.met else
                   f"precision NOT met, no value for {', '.join(a.no_values)}"
                   if a.no_values else "cap reached, precision NOT met")
        blocks.append(("p", f"--reps auto: {run.replications} replications ({verdict}: "
                            f"95% CI half-width within {a.precision:.1%} of the mean for "
                            f"{', '.join(a.metrics)})."))
    if run.failed:
        blocks += [("h2", "Failed replications"),
                   ("table", ["replication", "error"],
                    [[f.index, (f.error or "").splitlines()[0] if f.error else ""]
                     for f in run.failed])]
    if report.notes:
        blocks += [("h2", "Notes from the model"), ("ul", report.notes)]
    clipped = any(m.clipped for m in metrics.values())
    growth = growth_text(report)
    if growth:
        blocks += [("h2", "What limited growth"), ("p", growth)]
    blocks += [("h2", "Headline results"),
               ("table", HEAD, [metric_row(n, metrics[n]) for n in HEADLINE if n in metrics],
                CLIPPED_NOTE if any(metrics[n].clipped for n in HEADLINE if n in metrics)
                else "")]
    if report.thresholds:
        blocks += [("h2", "Thresholds"),
                   ("table", ["threshold", "breached in", "breaches", "evaluated", "n/a"],
                    [[t.threshold, "—" if t.breach_share is None else f"{t.breach_share:.0%}",
                      t.breaches, t.evaluated, t.not_applicable] for t in report.thresholds])]
    if report.unfilled:
        blocks += [("h2", "Unfilled contingent posts"),
                   ("table", ["deployment", "role", "reason", "missing per replication"],
                    [[u.deployment, u.role, u.reason, fmt(u.missing_per_replication)]
                     for u in report.unfilled])]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All metrics"),
               ("table", HEAD, [metric_row(n, m) for n, m in metrics.items()],
                CLIPPED_NOTE if clipped else "")]
    blocks += [("h2", "Metric definitions"),
               ("ul", [f"{m.label or n} ({n}, {m.unit}): {m.description}"
                       for n, m in metrics.items() if m.description])]
    blocks.append(("h2", "Assumptions and sources"))
    blocks.append(("ul", report.assumptions.sources or ["(the scenario lists no sources)"]))
    inputs = report.assumptions.non_default_inputs
    if inputs:
        blocks += [("p", "Resolved inputs that differ from the schema defaults "
                         "(required inputs included); \"--set\" marks an override:"),
                   ("table", ["input", "value", "set by"],
                    [[i["path"], _short(i["value"]), "--set" if i.get("set_by") else "file"]
                     for i in inputs])]
    if report.warnings:
        blocks += [("h2", "Warnings"), ("ul", report.warnings)]
    return blocks


CAUSE_WORDS = {
    "applicants": "too few applicants",
    "selection": "selection (too few applicants accepted)",
    "intake": "the monthly intake ceiling",
    "basic_training": "basic-training seats and time",
    "budget": "the personnel budget",
    "courses": "courses (NCO promotion, qualifications)",
    "officers": "officer intake",
    "nothing": "nothing (every grade filled, awaiting the next growth step)",
}


def growth_text(report: Report) -> str | None:
    """What held growth back, in words (`growth_limited_by.<cause>`, means over
    replications), and whether and when full operational capability came."""
    head = "growth_limited_by."
    shares = {k[len(head):]: m.mean for k, m in report.metrics.items()
              if k.startswith(head) and m.mean is not None}
    if not shares:
        return None
    order = list(shares)
    ranked = sorted((c for c, v in shares.items() if v >= 0.005),
                    key=lambda c: (-shares[c], order.index(c)))
    steps = sorted(str(g.get("at")) for g in report.scenario.resolved.get("growth") or [])
    since = f", {steps[0]}," if steps else ""
    words = [f"{CAUSE_WORDS.get(c, c)} ({shares[c]:.0%})" for c in ranked[1:4]]
    text = (f"Growth, from the first growth step{since} to full operational capability or the "
            f"end, was held back by {CAUSE_WORDS.get(ranked[0], ranked[0])} "
            f"{shares[ranked[0]]:.0%} of the time" if ranked else "Growth was held back by nothing")
    if words:
        text += ", then by " + (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0])
    text += " (the first stage that held growth back each day, means over replications)."
    foc = report.metrics.get("days_to_foc")
    if foc is not None and foc.happened is not None:
        fill = ((report.scenario.resolved.get("force") or {}).get("foc") or {}).get("fill")
        what = f" (at least {fill:.0%} of the posts of every grade filled" if fill is not None else " ("
        what += ", the qualified shares met)" if fill is not None else "the foc criteria met)"
        if foc.happened == 0 or foc.mean is None:
            text += f" Full operational capability{what} was reached by the end in no replication."
        else:
            start = report.horizon[0]
            when = ""
            if start:
                day = dt.date.fromisoformat(start) + dt.timedelta(days=round(foc.mean))
                when = f" (about {day:%B %Y})"
            text += (f" Full operational capability{what} was reached by the end in "
                     f"{foc.happened:.0%} of replications; where reached, on average "
                     f"{foc.mean:,.0f} days after the start{when}.")
    return text


def _short(v: Any, limit: int = 120) -> str:
    s = str(v)
    return s if len(s) <= limit else s[:limit] + "…"
