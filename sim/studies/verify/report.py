"""The verification report: verify.json, verify.md and verify.html (the table an
accreditation reviewer reads: check, kind, expected, observed, status)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.report.atomic import atomic_dir
from sim.report.document import Block, to_html, to_markdown

KINDS = {"extreme": "Extreme and degenerate conditions", "accounting": "Accounting identities",
         "determinism": "Determinism", "expectation": "The scenario's expectations"}


def findings(data: dict[str, Any]) -> str:
    s, run = data["summary"], data["run"]
    total = sum(s.values())
    failed = [c for c in data["checks"] if c["status"] == "fail"]
    text = (f"{data['scenario']['name']}: {total} checks on {run['replications']} replications "
            f"each: {s['pass']} pass, {s['fail']} fail, {s['inconclusive']} inconclusive.")
    if failed:
        text += " Failed: " + "; ".join(f"{c['name']} ({c['observed']})" for c in failed) + "."
    else:
        text += " No check failed."
    if s["inconclusive"]:
        text += (" An inconclusive expectation's paired 95% interval includes 0: more "
                 "replications (--reps) may settle it.")
    if not any(c["kind"] == "expectation" for c in data["checks"]):
        text += " The scenario declares no `expectations:` for its levers."
    return text


def blocks(data: dict[str, Any]) -> list[Block]:
    run = data["run"]
    out: list[Block] = [("h1", f"Verification: {data['scenario']['name']}"),
                        ("h2", "Findings"), ("p", findings(data))]
    for kind, title in KINDS.items():
        rows = [[c["name"], c["expected"], c["observed"], c["status"].upper() if c["status"] == "fail"
                 else c["status"]] for c in data["checks"] if c["kind"] == kind]
        if rows:
            out += [("h2", title), ("table", ["check", "expected", "observed", "status"], rows)]
    out += [("h2", "How this was made"),
            ("p", f"Command: {run['command'] or '—'}. Seed {run['seed']}, {run['replications']} "
                  f"replications for the scenario and for each variant, scenario "
                  f"{data['scenario']['file']} (sha256 {data['scenario']['sha256'][:12]}), "
                  f"kazsim {run['version']}, commit {run['commit'] or 'unknown'}, started "
                  f"{run['started']}, wall time {run['wall_seconds']:g} s."),
            ("p", "Expectations are judged on paired differences (the changed scenario minus the "
                  "scenario, replication by replication on the same seeds): up or down pass when "
                  "the 95% interval lies on their side of 0 and fail when it lies wholly on the "
                  "other; same fails when the interval excludes 0. Extreme conditions and "
                  "identities must hold on every replication.")]
    if run["overrides"]:
        out.append(("p", "Overrides: " + ", ".join(run["overrides"])))
    return out


def write_report(data: dict[str, Any], out: str | Path) -> Path:
    target = Path(out)
    with atomic_dir(target, "verify.json") as tmp:
        (tmp / "verify.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
        content = blocks(data)
        (tmp / "verify.md").write_text(to_markdown(content))
        (tmp / "verify.html").write_text(to_html(content, f"Verification: {data['scenario']['name']}", tmp))
    return target
