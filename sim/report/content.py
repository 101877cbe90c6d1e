"""What report.md / report.html say about a run, as document blocks: Findings first
(`sim.report.findings`), then how the report was made, the tables and figures, and the
reporting-checklist annex last (`sim.report.annex`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label
from sim.core.uncertainty import standing_out
from sim.report.annex import run_annex
from sim.report.document import Block, Cell, fmt, interval
from sim.report.findings import (
    CAUSE_WORDS,
    EVENTS,
    amount,
    event_share,
    not_applicable,
    run_findings,
    span,
)
from sim.report.model import MetricSummary, Report, Uncertainty

CLIPPED = "†"
CLIPPED_NOTE = (f"{CLIPPED} 95% CI clipped to what the metric can take (a share to "
                "[0, 1], a count or amount to 0 and above): the t-interval crossed it.")
EVENT_NOTE = ("A time-to-event metric is given twice: the share of runs in which the event "
              "happened by the end (with its Wilson 95% interval), then the time it took "
              "where it happened.")


def ci_text(ci: Sequence[float | None] | None, unit: str = "") -> str:
    return interval(ci, unit=unit)


def metric_cell(name: str, m: MetricSummary | None = None, text: str = "") -> Cell:
    shown = text or (m.label if m is not None and m.label else "") or label(name)
    return Cell(shown, f"{name}: {m.description}" if m is not None and m.description else name)


def metric_row(name: str, m: MetricSummary) -> list[Any]:
    ci = ci_text(m.ci95, m.unit) + (f" {CLIPPED}" if m.clipped else "")
    note = ("" if m.happened is None else
            f"where reached ({fmt(m.happened, unit='share')} of runs)")
    return [metric_cell(name, m), fmt(m.mean, unit=m.unit), ci, fmt(m.p10, unit=m.unit),
            fmt(m.p90, unit=m.unit), m.unit, note]


def metric_rows(report: Report, name: str) -> list[list[Any]]:
    """A metric's rows (`HEAD`'s columns, or `HEAD_DRAWS`' where the assumptions were
    drawn): one; for a time-to-event metric, the share of runs in which the event
    happened by the end, then the time where it did; words instead of numbers where the
    metric would mislead ("no growth step")."""
    m = report.metrics[name]
    u = report.uncertainty
    short = u.short_names() if u is not None else None
    floor = u.standout_floor() if u is not None else 0.0

    def row(cells: list[Any]) -> list[Any]:  # [cell, mean, ci, unit, note] in the table's columns
        cell, mean, ci, unit, note = cells
        return ([cell, mean, ci, "—", "—", unit, note] if short is None
                else [cell, mean, ci, "—", "—", unit, note, "—"])

    def the_metric() -> list[Any]:
        return (metric_row(name, m) if short is None
                else metric_row_draws(name, m, short, floor))

    instead = not_applicable(report).get(name)
    if instead:
        return [row([metric_cell(name, m), instead, "—", m.unit, ""])]
    event = event_share(report, name)
    if event is None:
        return [the_metric()]
    share, ci, n = event
    happened = row([metric_cell(name, m, EVENTS.get(name, f"{m.label or label(name)}: happened")),
                    fmt(share, unit="share"), interval(ci, unit="share"), "share",
                    f"Wilson interval, {n} runs"])
    if not share:
        return [happened, row([metric_cell(name, m), "never reached", "—", m.unit, ""])]
    return [happened, the_metric()]


HEAD = ["metric", "mean", "95% CI", "p10", "p90", "unit", "note"]
HEAD_DRAWS = ["metric", "mean", "95% CI", "90% prediction", "nominal", "unit", "note",
              "rests mostly on"]


def metric_row_draws(name: str, m: MetricSummary, short: dict[str, str],
                     floor: float) -> list[Any]:
    """A metric over the draws: mean and CI over every run, the 90% prediction, the
    nominal scenario's mean, and the driver with the largest share (an assumption only
    at `floor` or above: a smaller share could be chance)."""
    note = ("" if m.happened is None else
            f"where reached ({fmt(m.happened, unit='share')} of runs)")
    ci = ci_text(m.ci95, m.unit) + (f" {CLIPPED}" if m.clipped else "")
    p = m.prediction
    return [metric_cell(name, m), fmt(m.mean, unit=m.unit), ci,
            interval([p.p05, p.p95], unit=m.unit) if p else "—",
            fmt(m.nominal.mean, unit=m.unit) if m.nominal else "—", m.unit, note,
            top_driver(m, short, floor)]


def no_standout(draws: int, floor: float) -> str:
    """Why no assumption is named."""
    if floor >= 1:
        return (f"with {draws} draws no assumption's share can be told from chance (run "
                "more draws)")
    return (f"at {draws} draws no assumption's share stands out from chance (each is under "
            f"{floor:.0%}; more draws tell smaller shares apart)")


def top_driver(m: MetricSummary, short: dict[str, str], floor: float) -> str:
    if not any(d.share > 0 for d in m.drivers or []):
        return "—"
    named = standing_out(m.drivers or [], floor)
    if not named:
        return "none stands out"
    top = named[0]
    return f"{short.get(top.assumption, top.assumption)} ({fmt(top.share, 2, 'share')})"


DRAWS_NOTE = ("Mean and 95% CI over every run of every draw of the assumptions (the "
              "expected value given what is not known); 90% prediction: where one "
              "realised history falls; nominal: the scenario at its own values; rests "
              "mostly on: the largest share of the metric's variance over the draws (an "
              "assumption named only where its share is too large to be chance; see What "
              "the answer rests on).")


def provenance_blocks(report: Report) -> list[Block]:
    sc, run = report.scenario, report.run
    start, end = report.horizon
    commit = f" (commit {run.commit})" if run.commit else ""
    draws = (f", and {run.draws} draws of its assumptions x {run.replications_per_draw} "
             "replications" if run.draws else "")
    blocks: list[Block] = [
        ("h2", "How this report was made"),
        ("p", f"Scenario file {sc.file} (sha256 {sc.sha256[:12]}…), {start} to {end}. "
              f"{run.replications} replications{draws}, seed {run.seed}. kazsim "
              f"{run.version}{commit}, started {run.started}, {fmt(run.wall_seconds)} s "
              "wall time."),
    ]
    if run.command:
        blocks += [("p", "Command:"), ("code", run.command)]
    if run.overrides:
        blocks += [("p", "Overrides of the scenario file (--set):"),
                   ("ul", [f"--set {o}" for o in run.overrides])]
    return blocks


def findings_blocks(report: Report) -> list[Block]:
    asked, sentences = run_findings(report)
    return [("h2", "Findings"),
            ("p", f"The question: {asked}" if asked else "The scenario states no question "
                  "(add `question:` or a description); the headline results:"),
            ("findings", sentences)]


def report_blocks(report: Report, figures: list[tuple[str, str]]) -> list[Block]:
    run, metrics = report.run, report.metrics
    start, end = report.horizon
    blocks: list[Block] = [("h1", f"kazsim report: {report.name}, {start} to {end}"),
                           *findings_blocks(report), *provenance_blocks(report)]
    resolved = report.scenario.resolved
    if resolved.get("question") and resolved.get("description"):
        blocks.append(("p", " ".join(str(resolved["description"]).split())))
    if run.reps_auto:
        a = run.reps_auto
        verdict = ("precision met" if a.met else
                   f"precision NOT met, no value for {', '.join(a.no_values)}"
                   if a.no_values else "cap reached, precision NOT met")
        blocks.append(("p", f"--reps auto: {run.replications} replications ({verdict}: "
                            f"95% CI half-width within {fmt(a.precision, unit='share')} of "
                            f"the mean for {', '.join(a.metrics)})."))
    if run.failed:
        blocks += [("h2", "Failed replications"),
                   ("table", ["replication", "draw", "error"],
                    [[f.index, "nominal" if f.draw is None else f.draw,
                      (f.error or "").splitlines()[0] if f.error else ""]
                     for f in run.failed])]
    if report.notes:
        blocks += [("h2", "Notes from the model"), ("ul", report.notes)]
    growth = growth_text(report)
    if growth:
        blocks += [("h2", "What limited growth"), ("p", growth)]
    headline = [n for n in HEADLINE if n in metrics]
    u = report.uncertainty
    head = HEAD if u is None else HEAD_DRAWS
    blocks += [("h2", "Headline results"),
               ("table", *without_empty(head, [row for n in headline
                                               for row in metric_rows(report, n)]),
                _notes(report, headline))]
    blocks += cost_blocks(report)
    if report.thresholds:
        blocks += [("h2", "Thresholds"),
                   ("table", ["threshold", "breached in", "breaches", "evaluated", "n/a"],
                    [[t.threshold, fmt(t.breach_share, unit="share"),
                      t.breaches, t.evaluated, t.not_applicable] for t in report.thresholds])]
    if report.unfilled:
        blocks += [("h2", "Unfilled contingent posts"),
                   ("table", ["deployment", "role", "reason", "missing per replication"],
                    [[u.deployment, u.role, u.reason, fmt(u.missing_per_replication)]
                     for u in report.unfilled])]
    if u is not None:
        blocks += rests_on_blocks(report, u, [f for f in figures if f[0] == "drivers.png"])
    figures = [f for f in figures if f[0] != "drivers.png"]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All metrics"),
               ("table", *without_empty(head, [row for n in metrics
                                               for row in metric_rows(report, n)]),
                _notes(report, list(metrics)))]
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
                    [[i["path"], value_text(i["value"]), "--set" if i.get("set_by") else "file"]
                     for i in inputs])]
    if report.warnings:
        blocks += [("h2", "Warnings"), ("ul", report.warnings)]
    return blocks + run_annex(report)


def without_empty(head: Sequence[Any], rows: Sequence[Sequence[Any]]
                  ) -> tuple[list[Any], list[list[Any]]]:
    """A table without the columns that are empty in every row (a narrow page keeps its
    width for the others)."""
    keep = [i for i in range(len(head)) if any(str(r[i]) for r in rows)]
    return [head[i] for i in keep], [[r[i] for i in keep] for r in rows]


def _notes(report: Report, names: Sequence[str]) -> str:
    notes = [DRAWS_NOTE] if report.uncertainty is not None else []
    if any(report.metrics[n].clipped for n in names):
        notes.append(CLIPPED_NOTE)
    if any(event_share(report, n) is not None for n in names):
        notes.append(EVENT_NOTE)
    return " ".join(notes)


def cost_blocks(report: Report) -> list[Block]:
    """The total cost and the parts it is the sum of (`cost_parts`), with each part's
    share of the total, and whether they add up on every replication."""
    parts = [p for p in report.cost_parts if p in report.metrics]
    total = report.metrics.get("cost_total_usd")
    if not parts or total is None or total.mean is None:
        return []
    rows = []
    for p in parts:
        m = report.metrics[p]
        share = m.mean / total.mean if m.mean is not None and total.mean else None
        rows.append([metric_cell(p, m), fmt(m.mean), ci_text(m.ci95), fmt(share, unit="share")])
    rows.append([metric_cell("cost_total_usd", total), fmt(total.mean), ci_text(total.ci95),
                 "100%"])
    off = [r.index for r in report.ok_replications()
           if (t := r.metrics.get("cost_total_usd")) is not None
           and abs(sum(r.metrics.get(p) or 0.0 for p in parts) - t) > 1e-6 * max(1.0, abs(t))]
    check = ("The parts add up to the total on every replication." if not off else
             f"The parts do NOT add up to the total on replications {off[:5]}.")
    donor = report.metrics.get("assistance_spent_usd")
    if donor is not None and donor.mean:
        check += f" Donor money is apart: {fmt(donor.mean)} USD of assistance spent."
    return [("h2", "Cost"),
            ("table", ["cost", "mean (USD)", "95% CI", "share of total"], rows, check)]


def value_text(v: Any, limit: int = 160) -> str:
    """An input's value for people: a list as "a; b", a mapping as "k: v", numbers by
    `fmt` (never a Python repr), nothing as "not set"."""
    if v is None:
        text = "not set"
    elif isinstance(v, bool):
        text = "yes" if v else "no"
    elif isinstance(v, (int, float)):
        text = fmt(v, 4)
    elif isinstance(v, dict):
        text = ", ".join(f"{k}: {value_text(x)}" for k, x in v.items()) or "none"
    elif isinstance(v, (list, tuple)):
        text = "; ".join(value_text(x) for x in v) or "none"
    else:
        text = str(v)
    return text if len(text) <= limit else text[:limit] + "…"


def times(n: int) -> str:
    """"once", "twice", "3 times"."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def standout_rule(floor: float, draws: int) -> str:
    """When a report names an assumption as what a metric rests on, in a few words."""
    if floor < 1:
        return f"an assumption only at {floor:.0%} or more: less could be chance"
    return f"at {draws} draws none can be told from chance: more draws name one"


def rests_on_blocks(report: Report, u: Uncertainty, figures: list[tuple[str, str]]
                    ) -> list[Block]:
    """"What the answer rests on": the assumptions (range, nominal, source), what each
    headline metric rests on in words, and the drivers figure."""
    short = u.short_names()
    floor = u.standout_floor()
    blocks: list[Block] = [
        ("h2", "What the answer rests on"),
        ("p", f"The scenario writes {len(u.assumptions)} number"
              f"{'s' if len(u.assumptions) != 1 else ''} that no source gives as ranges "
              f"(below). The run drew them {times(u.draws)} (a Latin hypercube, seed "
              f"{report.run.seed}) and ran each draw {times(u.replications_per_draw)} with "
              "the same random numbers as the nominal scenario's first replications, so "
              "that draws differ by the assumptions, not the dice. A share is the part of "
              "a metric's variance over the draws that one assumption explains alone; "
              "noise is the part between replications of one draw. "
              + (f"An assumption is named as what a metric rests on only with a share of "
                 f"{floor:.0%} or more: with {u.draws} draws, the largest share of "
                 f"{len(u.assumptions)} assumptions that made no difference would stay "
                 "below that in 95% of designs; a smaller share cannot be told from chance "
                 "(more draws lower the bar)." if floor < 1 else
                 f"With {u.draws} draws, no assumption's share can be told from chance (one "
                 f"of {len(u.assumptions)} assumptions that made no difference could explain "
                 "it all), so none is named as what a metric rests on: more draws are "
                 "needed to name one.")),
        ("table", ["assumption", "distribution", "nominal", "source"],
         [[Cell(short[a.path], a.path), distribution_text(a.distribution), fmt(a.nominal),
           a.source] for a in u.assumptions])]
    said = [rests_sentence(n, report.metrics[n], short, floor, u.draws) for n in HEADLINE
            if n in report.metrics and report.metrics[n].drivers]
    if said:
        blocks.append(("ul", said))
    blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    return blocks


def distribution_text(dist: dict[str, Any]) -> str:
    """`{"range": [2e6, 1.6e7]}` as "range 2,000,000 to 16,000,000"."""
    kind, spec = next(iter(dist.items()))
    if kind == "range":
        return f"uniform {fmt(spec[0])} to {fmt(spec[1])}"
    if kind == "triangular":
        return f"triangular {fmt(spec[0])} to {fmt(spec[2])}, most likely {fmt(spec[1])}"
    if kind == "lognormal":
        return f"lognormal, median {fmt(spec['median'])}, sigma {fmt(spec['sigma'])}"
    return "one of " + ", ".join(fmt(v) for v in spec)


def rests_sentence(name: str, m: MetricSummary, short: dict[str, str], floor: float,
                   draws: int) -> str:
    """"Items cleared: 5.2 M expected, 90% of histories 3.1 M to 7.3 M; it rests mostly
    on ordnance_stock (78%), then noise (10%)."""
    drivers = [d for d in m.drivers or [] if d.share >= 0.005]
    head = f"{m.label or label(name)}: {amount(m.mean, m.unit)} expected"
    if m.prediction:
        head += f", 90% of histories {span([m.prediction.p05, m.prediction.p95], m.unit)}"
    if not drivers:
        return head + "; it does not vary over the draws."
    drivers = [d for d in standing_out(drivers, floor) if d.share >= 0.005]
    if not drivers:
        return head + f"; {no_standout(draws, floor)}."
    parts = [f"{short.get(d.assumption, d.assumption)} ({fmt(d.share, 2, 'share')})"
             for d in drivers[:3]]
    return head + f"; it rests mostly on {parts[0]}" + (
        f", then {', '.join(parts[1:])}." if parts[1:] else ".")


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
