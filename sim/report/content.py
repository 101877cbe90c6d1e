"""What report.md / report.html say about a run, as document blocks."""
from __future__ import annotations

from typing import Any

from sim.metrics import HEADLINE, METRICS
from sim.report.document import Block, fmt


def ci_text(ci: list[float] | None) -> str:
    return "—" if not ci else f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def metric_row(name: str, m: dict[str, Any]) -> list[str]:
    note = ""
    if "happened" in m and m["happened"] is not None:
        note = f"reached in {m['happened']:.0%}"
    return [name, fmt(m["mean"]), ci_text(m["ci95"]), fmt(m["p10"]), fmt(m["p90"]),
            m.get("unit", ""), note]


HEAD = ["metric", "mean", "95% CI", "p10", "p90", "unit", "note"]


def report_blocks(report: dict[str, Any], figures: list[tuple[str, str]]) -> list[Block]:
    sc, run, metrics = report["scenario"], report["run"], report["metrics"]
    res = sc.get("resolved", {})
    blocks: list[Block] = [
        ("h1", f"kazsim report: {sc['name']}"),
        ("p", f"Scenario file {sc['file']} (sha256 {sc['sha256'][:12]}…), "
              f"{res.get('start')} to {res.get('end')}. {run['replications']} replications, "
              f"seed {run['seed']}, kazsim {run['version']}, started {run['started']}, "
              f"{fmt(run['wall_seconds'])} s wall time."),
    ]
    if res.get("description"):
        blocks.append(("p", res["description"].strip()))
    if run.get("reps_auto"):
        a = run["reps_auto"]
        verdict = ("precision met" if a["met"] else
                   f"precision NOT met, no value for {', '.join(a['no_values'])}"
                   if a.get("no_values") else "cap reached, precision NOT met")
        blocks.append(("p", f"--reps auto: {run['replications']} replications ({verdict}: "
                            f"95% CI half-width within {a['precision']:.1%} of the mean for "
                            f"{', '.join(a['metrics'])})."))
    if run["failed"]:
        blocks += [("h2", "Failed replications"),
                   ("table", ["replication", "error"],
                    [[f["index"], (f["error"] or "").splitlines()[0]] for f in run["failed"]])]
    blocks += [("h2", "Headline results"),
               ("table", HEAD, [metric_row(n, metrics[n]) for n in HEADLINE if n in metrics])]
    if report.get("thresholds"):
        blocks += [("h2", "Thresholds"),
                   ("table", ["threshold", "breached in", "breaches", "evaluated", "n/a"],
                    [[t["threshold"],
                      "—" if t["breach_share"] is None else f"{t['breach_share']:.0%}",
                      t["breaches"], t["evaluated"], t["not_applicable"]]
                     for t in report["thresholds"]])]
    if report.get("unfilled"):
        blocks += [("h2", "Unfilled contingent posts"),
                   ("table", ["deployment", "role", "reason", "missing per replication"],
                    [[u["deployment"], u["role"], u["reason"], fmt(u["missing_per_replication"])]
                     for u in report["unfilled"]])]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{f}", cap) for f, cap in figures]
    blocks += [("h2", "All metrics"),
               ("table", HEAD, [metric_row(n, m) for n, m in metrics.items()])]
    blocks += [("h2", "Metric definitions"),
               ("ul", [f"{n}: {METRICS[n].description}" for n in metrics if n in METRICS])]
    assumptions = report.get("assumptions", {})
    blocks.append(("h2", "Assumptions and sources"))
    blocks.append(("ul", assumptions.get("sources") or ["(the scenario lists no sources)"]))
    if assumptions.get("non_default_inputs"):
        blocks += [("p", "Resolved inputs that differ from the schema defaults "
                         "(required inputs included):"),
                   ("table", ["input", "value"],
                    [[i["path"], _short(i["value"])] for i in assumptions["non_default_inputs"]])]
    if report.get("warnings"):
        blocks += [("h2", "Warnings"), ("ul", report["warnings"])]
    return blocks


def _short(v: Any, limit: int = 120) -> str:
    s = str(v)
    return s if len(s) <= limit else s[:limit] + "…"
