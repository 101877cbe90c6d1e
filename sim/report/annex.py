"""The reporting-checklist annex every run and compare report ends with, after STRESS-DES
(Monks et al. 2018, "Strengthening the reporting of empirical simulation studies"):
objectives, logic, data, experimentation, implementation and code access, filled from
the run. What only the analyst can write (why the question is asked, how the data were
prepared, where the code is published) is marked so, never made up.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label
from sim.report.document import Block, fmt
from sim.report.findings import question
from sim.report.model import Report

ANALYST = "[for the analyst to write: {}]"
CITATION = ("Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE (2018). "
            "Strengthening the reporting of empirical simulation studies: Introducing the "
            "STRESS guidelines. Journal of Simulation 13(1), 2019: 55-67 (online 2018).")
HEAD = ["STRESS-DES item", "in this study"]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def mechanisms(resolved: dict[str, Any]) -> list[str]:
    """The model's mechanisms this scenario switches on, in words, from its resolved
    inputs (docs/model.md describes each)."""
    out = []
    force = resolved.get("force") or {}
    est = force.get("establishment") or {}
    posts = sum(v for v in est.values() if isinstance(v, (int, float)))
    out.append(f"a force of {fmt(posts)} posts by grade: contracts, re-enlistment, "
               "attrition, recruiting into vacancies and officer intake")
    rec = force.get("recruiting") or {}
    supply = [w for k, w in (("applicants_per_month", "applicants drawn each month"),
                             ("market", "a labour market of applicants"),
                             ("basic_training", "basic training"))
              if rec.get(k) is not None]
    if supply:
        out.append("force supply: " + ", ".join(supply)
                   + (f", selection of {fmt(rec.get('selection_rate'), unit='share')}"
                      if rec.get("selection_rate", 1) != 1 else ""))
    if force.get("budget"):
        out.append("a personnel budget that leaves unfunded posts vacant")
    growth = resolved.get("growth") or []
    if growth:
        out.append(f"growth of the establishment in {_count(len(growth), 'step')} "
                   f"({', '.join(str(g.get('at')) for g in growth)})")
    if resolved.get("restructure"):
        r = resolved["restructure"]
        out.append(f"restructuring to {fmt(r.get('target_officer_share'), unit='share')} "
                   f"officers by {r.get('by')}")
    courses = (resolved.get("training") or {}).get("courses") or {}
    if courses:
        out.append(f"{_count(len(courses), 'course')} with seats and queues "
                   f"({', '.join(courses)})")
    for d in resolved.get("deployments") or []:
        theatre = d.get("theatre") or {}
        parts = ["clearance teams working on tips and routine tasks, trust, incidents"]
        if (theatre.get("water") or {}).get("stations"):
            parts.append("water purification")
        if (theatre.get("vehicles") or {}).get("count"):
            parts.append("vehicles that fail and are repaired")
        if (theatre.get("security") or {}).get("regimes") or (theatre.get("security") or {}).get("level"):
            parts.append("security and hostile incidents")
        if theatre.get("tasks"):
            parts.append(f"other tasks ({', '.join(theatre['tasks'])})")
        slots = sum(s.get("count", 0) for s in d.get("contingent") or [])
        out.append(f"deployment '{d.get('name')}' from {d.get('start')} to {d.get('end')}: "
                   f"contingents of {slots} on {fmt(d.get('tour_days'))}-day tours, "
                   f"volunteers, dwell; in theatre {', '.join(parts)}")
    acceptance = resolved.get("acceptance") or {}
    if acceptance.get("per_year"):
        out.append("NCO acceptance as leaders growing over time")
    for key, words in (("exercises", "combined exercises"), ("assistance", "assistance programmes")):
        if resolved.get(key):
            out.append(f"{words} ({', '.join(resolved[key])})")
    if (resolved.get("costs") or {}).get("purchases"):
        out.append("purchases")
    if resolved.get("timeline"):
        out.append(f"{_count(len(resolved['timeline']), 'dated change')} on the timeline")
    return out


def _sources(resolved: Sequence[dict[str, Any]]) -> tuple[int, int]:
    sources = [src for r in resolved for src in dict.fromkeys(r.get("sources") or [])]
    return len(sources), sum("ASSUMPTION" in src.upper() for src in sources)


def _software(run: dict[str, Any]) -> str:
    libraries = ", ".join(f"{k} {v}" for k, v in (run.get("libraries") or {}).items() if v)
    return (f"kazsim {run.get('version') or '(version not recorded)'}"
            f" (commit {run.get('commit') or 'not known: not run from a git checkout'}); "
            f"Python {run.get('python') or 'not recorded'}"
            + (f"; {libraries}" if libraries else ""))


def _system(run: dict[str, Any]) -> str:
    cores = f"{run['cores']} cores" if run.get("cores") else "cores not recorded"
    return f"{run.get('platform') or 'platform not recorded'}, {cores}"


def _length(scenario: dict[str, Any]) -> str:
    start, end = scenario.get("start"), scenario.get("end")
    if not start or not end:
        return "not recorded"
    days = (dt.date.fromisoformat(str(end)) - dt.date.fromisoformat(str(start))).days
    return f"{start} to {end} ({fmt(days)} days, {fmt(days / 365.25)} years)"


def _replications(run: dict[str, Any]) -> str:
    seed = run.get("seed")
    text = (f"{run.get('replications')} replications, seed {seed}: replication i draws from "
            f"the random streams of [{seed}, i], so scenarios run with the same seed share "
            "them (common random numbers)")
    if run.get("draws"):
        text += (f"; {run['draws']} draws of the assumptions (a Latin hypercube) x "
                 f"{run.get('replications_per_draw')} replications each")
    auto = run.get("reps_auto")
    if auto:
        text += (f"; --reps auto: until the 95% CI half-width was within "
                 f"{fmt(auto['precision'], unit='share')} of the mean for "
                 f"{', '.join(auto['metrics'])} ({'met' if auto['met'] else 'not met'})")
    if run.get("failed"):
        text += f"; {len(run['failed'])} failed (listed in the report)"
    return text


ESTIMATION = ("means over replications with t-based 95% confidence intervals (shares' "
              "intervals clipped to [0, 1], amounts' to 0 and above, and marked); "
              "10th and 90th percentiles; a time-to-event metric as the share of runs in "
              "which the event happened (Wilson 95% interval) and the time where it did")
RANDOM = ("numpy's PCG64 generator, one stream per replication and subsystem (SeedSequence "
          "of the seed, the replication and the subsystem)")
BASE_MODEL = ("a discrete-event model of the force, its training and its deployments "
              "(kazsim's docs/model.md) "
              + ANALYST.format("a diagram of the system studied, if the audience needs one"))
PREPARATION = ANALYST.format("how the public figures were turned into inputs, where the "
                             "sources do not say")


def checklist(scenario: dict[str, Any], run: dict[str, Any], *, outputs: str, aims: str,
              data: str = "", estimation: str = ESTIMATION) -> list[list[str]]:
    """The checklist's rows for one scenario's study from its report sections `scenario`
    (name, file, sha256, start, end, resolved) and `run` (replications, seed, version,
    commit, python, libraries, ...): what any study's report can say (`outputs`, `aims`,
    and `data` beyond the scenario's sources are the study's own words)."""
    resolved = scenario.get("resolved") or {}
    n_sources, n_assumed = _sources([resolved])
    overrides = run.get("overrides") or []
    set_text = ("; --set " + "; --set ".join(overrides)) if overrides else ""
    assumptions = resolved.get("assumptions") or {}
    drawn = (f"; {_count(len(assumptions), 'assumption')} written as ranges"
             + (" and drawn (see What the answer rests on)" if run.get("draws") else "")
             if assumptions else "")
    return [
        ["1.1 Purpose", f"The question: {question(resolved) or '(the scenario states none)'} "
                        + ANALYST.format("who asks it and the decision the answer informs")],
        ["1.2 Outputs", outputs],
        ["1.3 Experimentation aims", aims + set_text],
        ["2.1 Base model", BASE_MODEL],
        ["2.2 Mechanisms switched on", "; ".join(mechanisms(resolved))],
        ["2.4 Algorithms", "discrete-event simulation (SimPy); each subsystem draws from its "
                           "own numpy random stream"],
        ["3.1 Data sources", f"{_count(n_sources, 'source')} in the scenario's sources"
                             + (f"; {data}" if data else "")],
        ["3.2 Pre-processing", PREPARATION],
        ["3.3 Input parameters", f"the resolved scenario (scenario.resolved in the JSON); "
                                 f"file {scenario.get('file')} (sha256 "
                                 f"{str(scenario.get('sha256') or '')[:12] or 'not recorded'})"],
        ["3.4 Assumptions", f"{n_assumed} of the sources are marked ASSUMPTION{drawn}"],
        ["4.1 Initialisation", "no warm-up: the force starts as the scenario writes it "
                               "(force.strength, else the establishment) on the start date"],
        ["4.2 Run length", _length(scenario)],
        ["4.3 Estimation", f"{_replications(run)}; {estimation}"],
        ["5.1 Software", _software(run)],
        ["5.2 Random sampling", RANDOM],
        ["5.3 Model execution", f"started {run.get('started') or 'not recorded'}, "
                                f"{fmt(run.get('wall_seconds'))} s wall time; command: "
                                f"{run.get('command') or 'not recorded'}"],
        ["5.4 System specification", _system(run)],
        ["6 Code access", f"kazsim is open source (MIT licence); this result: version "
                          f"{run.get('version') or 'not recorded'}, commit "
                          f"{run.get('commit') or 'not known'} "
                          + ANALYST.format("where the code and the scenario are published "
                                           "(repository, archive or DOI)")],
    ]


def _scenario(report: Report) -> dict[str, Any]:
    """A report's scenario section, its horizon read as `Report.horizon` does (reports
    written before `start`/`end` were recorded)."""
    start, end = report.horizon
    return {**report.scenario.to_dict(), "start": start, "end": end}


def run_annex(report: Report) -> list[Block]:
    """The annex of a run report."""
    rows = checklist(
        _scenario(report), report.run.to_dict(),
        outputs="headline metrics: " + ", ".join(label(m) for m in HEADLINE
                                                 if m in report.metrics)
        + f"; all {len(report.metrics)} metrics in the tables and metrics.csv, "
          f"{len(report.series)} monthly series in series.csv",
        aims=f"one scenario, {report.name}")
    rows.insert(5, ["2.3 Scenario logic", f"{len(report.assumptions.non_default_inputs)} "
                                          "inputs differ from the schema defaults (listed "
                                          "under Assumptions and sources)"])
    return annex_blocks(rows)


def compare_annex(comparison: Any, reports: Sequence[Report]) -> list[Block]:
    """The annex of a comparison (`comparison`: a `Comparison`)."""
    base = reports[0]
    n_sources, n_assumed = _sources([r.scenario.resolved for r in reports])
    run = base.run.to_dict()
    h = comparison.horizon
    mode = ("the common horizon (every scenario cut to the earliest end)"
            if h is not None and h.mode == "common" else "each scenario its own end")
    horizon = f"{h.start} to {h.end}, {mode}" if h is not None else mode
    rows = [
        ["1.1 Purpose", f"The question: {question(base.scenario.resolved) or '(none stated)'} "
                        + ANALYST.format("who asks it and the decision the answer informs")],
        ["1.2 Outputs", f"{len(comparison.differences)} differences from the baseline "
                        "(comparison.json, comparison.csv), the headline ones in the tables "
                        "and the forest plot"],
        ["1.3 Experimentation aims", f"{', '.join(s.name for s in comparison.scenarios[1:])} "
                                     f"against {comparison.baseline}; {horizon}"],
        ["2.1 Base model", BASE_MODEL],
        ["2.2 Mechanisms switched on", " ".join(f"{r.name}: {'; '.join(mechanisms(r.scenario.resolved))}."
                                                for r in reports)],
        ["2.3 Scenario logic", f"{len(comparison.inputs_diff)} inputs differ from the "
                               "baseline's (listed under Inputs that differ)"],
        ["3.1 Data sources", f"{_count(n_sources, 'source')} in the scenarios' sources"],
        ["3.2 Pre-processing", PREPARATION],
        ["3.4 Assumptions", f"{n_assumed} of the sources are marked ASSUMPTION"],
        ["4.1 Initialisation", "no warm-up: each force starts as its scenario writes it"],
        ["4.2 Run length", "; ".join(f"{r.name}: {_length(_scenario(r))}" for r in reports)],
        ["4.3 Estimation", f"{_replications(run)}; {comparison.method}; a difference is "
                           "significant where its 95% CI excludes 0"],
        ["5.1 Software", _software(run)],
        ["5.2 Random sampling", RANDOM],
        ["5.3 Model execution", "; ".join(f"{r.name}: started {r.run.started or 'not recorded'}"
                                          f", {fmt(r.run.wall_seconds)} s" for r in reports)
         + f"; command: {comparison.command or 'not recorded'}"],
        ["5.4 System specification", _system(run)],
        ["6 Code access", f"kazsim is open source (MIT licence); this result: version "
                          f"{base.run.version or 'not recorded'}, commit "
                          f"{base.run.commit or 'not known'} "
                          + ANALYST.format("where the code and the scenarios are published "
                                           "(repository, archive or DOI)")],
    ]
    return annex_blocks(rows)


def annex_blocks(rows: list[list[str]]) -> list[Block]:
    return [("h2", "Annex: reporting checklist (STRESS-DES)"),
            ("p", "The items of the STRESS-DES checklist for reporting discrete-event "
                  "simulation studies, filled from this run; \"for the analyst to write\" "
                  "marks what the run cannot know. " + CITATION),
            ("table", HEAD, rows)]
