"""What report.md / report.html say about a run, as document blocks."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sim.core.metrics import HEADLINE, label
from sim.report.document import Block, Cell, compact, fmt, interval
from sim.report.model import MetricSummary, Report, Uncertainty

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
HEAD_DRAWS = ["metric", "mean", "95% CI", "90% prediction", "nominal", "unit", "note",
              "rests mostly on"]


def metric_row_draws(name: str, m: MetricSummary, short: dict[str, str]) -> list[Any]:
    """A metric over the draws: mean and CI over every run, the 90% prediction, the
    nominal scenario's mean, and the driver with the largest share."""
    note = f"reached in {m.happened:.0%}" if m.happened is not None else ""
    ci = ci_text(m.ci95) + (f" {CLIPPED}" if m.clipped else "")
    p = m.prediction
    return [metric_cell(name, m), fmt(m.mean), ci, interval([p.p05, p.p95]) if p else "—",
            fmt(m.nominal.mean) if m.nominal else "—", m.unit, note, top_driver(m, short)]


def top_driver(m: MetricSummary, short: dict[str, str]) -> str:
    top = m.drivers[0] if m.drivers else None
    if top is None or top.share <= 0:
        return "—"
    return f"{short.get(top.assumption, top.assumption)} ({top.share:.0%})"


DRAWS_NOTE = ("Mean and 95% CI over every run of every draw of the assumptions (the "
              "expected value given what is not known); 90% prediction: where one "
              "realised history falls; nominal: the scenario at its own values; rests "
              "mostly on: the largest share of the metric's variance over the draws.")


def provenance_blocks(report: Report) -> list[Block]:
    sc, run = report.scenario, report.run
    start, end = report.horizon
    commit = f" (commit {run.commit})" if run.commit else ""
    draws = (f", and {run.draws} draws of its assumptions x {run.replications_per_draw} "
             "replications" if run.draws else "")
    blocks: list[Block] = [
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
                   ("table", ["replication", "draw", "error"],
                    [[f.index, "nominal" if f.draw is None else f.draw,
                      (f.error or "").splitlines()[0] if f.error else ""]
                     for f in run.failed])]
    if report.notes:
        blocks += [("h2", "Notes from the model"), ("ul", report.notes)]
    clipped = any(m.clipped for m in metrics.values())
    growth = growth_text(report)
    if growth:
        blocks += [("h2", "What limited growth"), ("p", growth)]
    headline_clipped = any(metrics[n].clipped for n in HEADLINE if n in metrics)
    u = report.uncertainty
    if u is None:
        blocks += [("h2", "Headline results"),
                   ("table", HEAD, [metric_row(n, metrics[n]) for n in HEADLINE
                                    if n in metrics],
                    CLIPPED_NOTE if headline_clipped else "")]
    else:
        short = u.short_names()
        blocks += [("h2", "Headline results"),
                   ("table", HEAD_DRAWS, [metric_row_draws(n, metrics[n], short)
                                          for n in HEADLINE if n in metrics],
                    DRAWS_NOTE + (" " + CLIPPED_NOTE if headline_clipped else ""))]
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
    if u is not None:
        blocks += rests_on_blocks(report, u, [f for f in figures if f[0] == "drivers.png"])
    figures = [f for f in figures if f[0] != "drivers.png"]
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


def rests_on_blocks(report: Report, u: Uncertainty, figures: list[tuple[str, str]]
                    ) -> list[Block]:
    """"What the answer rests on": the assumptions (range, nominal, source), what each
    headline metric rests on in words, and the drivers figure."""
    short = u.short_names()
    blocks: list[Block] = [
        ("h2", "What the answer rests on"),
        ("p", f"The scenario writes {len(u.assumptions)} number"
              f"{'s' if len(u.assumptions) != 1 else ''} that no source gives as ranges "
              f"(below). The run drew them {u.draws} times (a Latin hypercube, seed "
              f"{report.run.seed}) and ran each draw {u.replications_per_draw} times with "
              "the same random numbers as the nominal scenario's first replications, so "
              "that draws differ by the assumptions, not the dice. A share is the part of "
              "a metric's variance over the draws that one assumption explains alone; "
              "noise is the part between replications of one draw."),
        ("table", ["assumption", "distribution", "nominal", "source"],
         [[Cell(short[a.path], a.path), distribution_text(a.distribution), fmt(a.nominal),
           a.source] for a in u.assumptions])]
    said = [rests_sentence(n, report.metrics[n], short) for n in HEADLINE
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


def rests_sentence(name: str, m: MetricSummary, short: dict[str, str]) -> str:
    """"Items cleared: 5.2 M expected, 90% of histories 3.1 M to 7.3 M; it rests mostly
    on ordnance_stock (78%), then noise (10%)."""
    drivers = [d for d in m.drivers or [] if d.share >= 0.005]
    head = f"{m.label or label(name)}: {compact(m.mean)} {m.unit} expected"
    if m.prediction:
        head += (f", 90% of histories {compact(m.prediction.p05)} to "
                 f"{compact(m.prediction.p95)}")
    if not drivers:
        return head + "; it does not vary over the draws."
    parts = [f"{short.get(d.assumption, d.assumption)} ({d.share:.0%})" for d in drivers[:3]]
    return head + f"; it rests mostly on {parts[0]}" + (
        f", then {', '.join(parts[1:])}." if parts[1:] else ".")


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
