"""The policy-search report: optimize.json (with every candidate at full precision),
candidates.csv (for people: labelled columns, rounded values), optimize.md/html and
figures/ (the search, the levers' plane; for several objectives, the Pareto front).

Findings come first: the best policy in words, or the candidates that tie for it; why
it counts as feasible (each constraint's estimate, its interval and the rule); and how it
compares with the policy the base scenario already has, where that lies in the space.
"""
from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

from sim.core.input_labels import input_labels
from sim.core.metrics import label, unit
from sim.core.stats import mean_ci
from sim.report.atomic import atomic_dir
from sim.report.document import Block, to_html, to_markdown
from sim.report.numbers import amount, pct
from sim.studies.optimize.policy import Constraint
from sim.studies.optimize.search import Candidate, ConstraintEstimate, SearchResult

MARKER = "optimize.json"  # what makes a directory an earlier policy-search report
SYMBOLS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "=", "!=": "≠"}
BEST, TIED, REFERENCE, FEASIBLE, INFEASIBLE = "#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#aaa"


# -- words ---------------------------------------------------------------------------------

def lever_unit(path: str) -> str:
    return "USD" if "usd" in path.split(".")[-1] else ""


def objective_unit(result: SearchResult, name: str) -> str:
    return unit(name) or lever_unit(name)


def objective_label(result: SearchResult, name: str) -> str:
    """A metric's label, or a lever's (an objective may be a lever's own value)."""
    return label(name) if unit(name) or label(name) != name else input_labels([name])[name]


def constraint_words(c: Constraint) -> str:
    """"rotation fill rate ≥ 95%"."""
    return f"{label(c.metric).lower()} {SYMBOLS[c.op]} {amount(c.value, unit(c.metric))}"


def _split_unit(label_: str) -> tuple[str, str, str]:
    """A lever label as (name, before, after) a value: "IMET budget (USD a year)" gives
    ("IMET budget", "", " a year") (the $ is the value's), "minimum dwell (days)" gives
    ("minimum dwell", "", " days")."""
    if not (label_.endswith(")") and " (" in label_):
        return label_, "", ""
    name, _, unit_ = label_[:-1].rpartition(" (")
    return name, "", unit_[3:] if unit_.startswith("USD") else f" {unit_}"


def setting_words(label_: str, path: str, v: Any) -> str:
    """A lever's setting in words, its unit after the value: "IMET budget $745,463 a
    year", "minimum dwell 182 days", "NCO course seats 57"."""
    name, _, after = _split_unit(label_)
    return f"{name} {_value(path, v)}{after}"


def settings_words(result: SearchResult, c: Candidate) -> str:
    """"IMET budget $745,463 a year; EIPC budget $361,857 a year; ..."."""
    labels = result.labels
    return "; ".join(setting_words(labels.get(p, p), p, v) for p, v in c.settings.items())


def ranges_words(result: SearchResult, group: list[Candidate]) -> str:
    """What a group of candidates spans, lever by lever: "IMET budget $588,096 to
    $841,271 a year; ..."; a value they all share is given once."""
    labels = result.labels
    parts = []
    for p in group[0].settings:
        name, _, after = _split_unit(labels.get(p, p))
        values = [c.settings[p] for c in group]
        distinct = {json.dumps(v, sort_keys=True, default=str): v for v in values}
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(distinct) == 1:
            parts.append(f"{name} {_value(p, values[0])}{after} (all)")
        elif len(numbers) == len(values):
            parts.append(f"{name} {_value(p, min(numbers))} to {_value(p, max(numbers))}{after}")
        else:
            parts.append(f"{name} {', '.join(_value(p, v) for v in distinct.values())}{after}")
    return "; ".join(parts)


def _value(path: str, v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return amount(v, lever_unit(path))


def _mean_ci(c: Candidate, name: str) -> tuple[float | None, tuple[float, float] | None, int]:
    values = [v for v in c.values(name) if v is not None]
    if not values:
        return None, None, 0
    mean, _, ci = mean_ci(values)
    return mean, ci, len(values)


def objective_text(result: SearchResult, c: Candidate, name: str) -> str:
    """"0.405 (95% CI 0.398 to 0.412, 20 replications)"."""
    u = objective_unit(result, name)
    mean, ci, n = _mean_ci(c, name)
    if mean is None:
        return "no value"
    if name in c.settings or ci is None:
        return amount(mean, u)
    if ci[0] == ci[1]:
        return f"{amount(mean, u)} (the same in all {n} replications)"
    return f"{amount(mean, u)} (95% CI {amount(ci[0], u)} to {amount(ci[1], u)}, {n} replications)"


def difference_text(result: SearchResult, c: Candidate, name: str) -> str:
    v = c.versus_best
    if v is None or v.pairs == 0:
        return "—"
    u = objective_unit(result, name)

    def diff(x: float) -> str:  # a difference of shares in percentage points
        return f"{100 * x:.1f}" if u == "share" else amount(x, u)

    text = ("+" if v.difference > 0 else "") + diff(v.difference) + (" pp" if u == "share" else "")
    if v.ci95 and v.ci95[0] != v.ci95[1]:
        text += f" ({diff(v.ci95[0])} to {diff(v.ci95[1])})"
    return text


def feasibility_text(e: ConstraintEstimate, c: Constraint) -> str:
    """The evidence a constraint is met, and the rule that decides it."""
    lo, hi = e.ci95
    verdict = "reaches" if e.ok else "falls short of"
    sure = ("so the true probability is above it beyond reasonable doubt" if lo >= e.p else
            f"with {e.replications} replications the interval cannot rule out a true "
            f"probability below {pct(e.p)}")
    return (f"{constraint_words(c).capitalize()} in {e.met} of {e.replications} replications "
            f"({pct(e.estimate)}), which {verdict} the required {pct(e.p)}; its 95% Wilson "
            f"interval is {pct(lo)} to {pct(hi)}: {sure}.")


RULE = ("A candidate is feasible when, for each constraint P(METRIC OP VALUE) ≥ p, the share "
        "of its replications that meet METRIC OP VALUE reaches p (every candidate on the same "
        "seeds); the interval beside the estimate says how sure that is, it does not decide.")


def findings(result: SearchResult) -> list[str]:
    spec = result.policy.spec
    objs = spec.objectives
    cons = spec.parsed_constraints()
    n_rerun = sum(c.rerun for c in result.candidates)
    out = [f"The search tried {len(result.candidates)} candidates ({result.evaluations} of "
           f"the {spec.budget} model replications; sampler {result.sampler}), each on the "
           f"same random numbers; {n_rerun} of the best and closest were re-run with "
           f"{spec.final_replications} replications before one was declared best."]
    if result.best is None:
        out.append("No candidate met every constraint. " + RULE + " Their estimates are in "
                   "candidates.csv.")
        return out
    name = objs[0].name
    what = objective_label(result, name).lower()
    sense = "lowest" if objs[0].sense == "minimize" else "highest"
    ties = result.ties
    if len(objs) > 1:
        out.append(f"The Pareto front holds {len(result.pareto)} candidates: none is beaten "
                   "on every objective by another feasible one (table and figure below).")
    elif len(ties) > 1:
        u = objective_unit(result, name)
        means = [m for c in ties if (m := c.objective(name)) is not None]
        out.append(f"These {len(ties)} candidates tie for the {sense} {what} (means from "
                   f"{amount(min(means), u)} to {amount(max(means), u)}): on their common "
                   "replications (the same seeds) no difference from the best mean can be told "
                   "from zero (each paired 95% interval includes 0), so the search names no "
                   f"single winner among them. Together they span "
                   f"{ranges_words(result, ties)} (the table below lists each).")
        short = [c for c in ties if len(c.runs) < spec.final_replications]
        if short:
            out.append(f"Candidate{'s' if len(short) > 1 else ''} "
                       f"{_and([str(c.number) for c in short])} had only "
                       f"{_and(sorted({str(len(c.runs)) for c in short}))} replications: the "
                       "budget ran out before they could be re-run.")
        out.append(f"Candidate {result.best.number} has the best mean "
                   f"({settings_words(result, result.best)}): "
                   f"{objective_text(result, result.best, name)}.")
    else:
        out.append(f"The best policy found: {settings_words(result, result.best)}, with a "
                   f"mean {what} of {objective_text(result, result.best, name)}.")
        runner = _runner_up(result)
        if runner is not None:
            out.append(f"The nearest feasible candidate ({settings_words(result, runner)}) "
                       f"differs from it by {difference_text(result, runner, name)} on "
                       f"{runner.versus_best.pairs} common replications (paired; 95% CI in "  # type: ignore[union-attr]
                       "brackets where it varies): the two are told apart.")
    for e, c in zip(result.best.constraints(cons), cons):
        out.append(feasibility_text(e, c))
    if cons:
        out.append(RULE)
    ref = result.reference
    if ref is not None and len(objs) == 1:
        if ref is result.best:
            out.append(f"The best is the base scenario's own policy ({settings_words(result, ref)}).")
        else:
            feasible = ref.feasible(cons, objs)
            v = ref.versus_best
            against = f"{amount(_mean_ci(ref, name)[0], objective_unit(result, name))}"
            diff = ("" if v is None else f": a difference of {difference_text(result, ref, name)} "
                    f"(paired 95% CI, on {v.pairs} common replications)"
                    + (", which cannot be told from zero" if v.tied else ""))
            out.append(f"Against the policy the base scenario already has "
                       f"({settings_words(result, ref)}): mean {what} {against} against "
                       f"{amount(_mean_ci(result.best, name)[0], objective_unit(result, name))}"
                       f"{diff}; the base scenario's policy "
                       f"{'meets' if feasible else 'does not meet'} the constraints.")
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _runner_up(result: SearchResult) -> Candidate | None:
    others = [c for c in result.candidates if c.versus_best is not None]
    if not others:
        return None
    sign = 1.0 if result.policy.spec.objectives[0].sense == "minimize" else -1.0
    return min(others, key=lambda c: sign * c.versus_best.difference)  # type: ignore[union-attr]


def headline(result: SearchResult) -> str:
    spec = result.policy.spec
    if result.best is None:
        found = "no candidate was found feasible"
    elif len(result.ties) > 1:
        found = f"{len(result.ties)} candidates tie for the best"
    else:
        found = "best policy found"
    return (f"{result.policy.file}: {len(result.candidates)} candidates, "
            f"{result.evaluations} model replications (budget {spec.budget}), "
            f"sampler {result.sampler}; {found}.")


def headline_html(result: SearchResult) -> str:
    """The notebook's view: the findings and the best policy's table."""
    parts = [f"<p>{html.escape(s)}</p>" for s in findings(result)]
    for title, head, rows in summary_tables(result)[:1]:
        parts.append(f"<table><caption>{html.escape(title)}</caption><tr>"
                     + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r)
                               + "</tr>" for r in rows) + "</table>")
    return "\n".join(parts)


# -- tables --------------------------------------------------------------------------------

def summary_tables(result: SearchResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the terminal and the documents."""
    spec = result.policy.spec
    cons = spec.parsed_constraints()
    tables = []
    best = result.best
    labels = result.labels
    if best is not None:
        rows = [[labels.get(k, k), _value(k, v)] for k, v in best.settings.items()]
        rows += [[f"{objective_label(result, o.name)} (mean)",
                  objective_text(result, best, o.name)] for o in spec.objectives]
        rows += [[f"P({constraint_words(c)}), needs {pct(c.p)}",
                  f"{e.met} of {e.replications}: {pct(e.estimate)} "
                  f"(95% CI {pct(e.ci95[0])} to {pct(e.ci95[1])})"]
                 for e, c in zip(best.constraints(cons), cons)]
        first = objective_label(result, spec.objectives[0].name).lower()
        title = (f"The front's best on {first} (candidate {best.number})"
                 if len(spec.objectives) > 1 else
                 f"Best feasible policy (candidate {best.number})" if len(result.ties) < 2
                 else f"Best mean among the {len(result.ties)} tied (candidate {best.number})")
        tables.append((title, ["", "value"], rows))
    if len(spec.objectives) == 1 and len(result.ties) > 1:
        name = spec.objectives[0].name
        levers = list(best.settings) if best else []
        rows = [[str(c.number), *(_value(k, c.settings[k]) for k in levers),
                 amount(_mean_ci(c, name)[0], objective_unit(result, name)),
                 difference_text(result, c, name) if c is not best else "best",
                 str(len(c.runs))] for c in result.ties]
        tables.append((f"The {len(result.ties)} candidates that tie",
                       ["candidate", *(labels.get(k, k) for k in levers), "mean",
                        "difference from the best (95% CI)", "replications"], rows))
    if len(spec.objectives) > 1 and result.pareto:
        names = [o.name for o in spec.objectives]
        levers = list(result.pareto[0].settings)
        rows = [[*(_value(k, p.settings[k]) for k in levers),
                 *(amount(p.objective(n), objective_unit(result, n)) for n in names),
                 str(len(p.runs))] for p in result.pareto]
        tables.append(("Pareto front", [*(labels.get(k, k) for k in levers),
                                        *(objective_label(result, n) for n in names),
                                        "replications"], rows))
    return tables


def provenance_rows(result: SearchResult) -> list[list[str]]:
    p = result.provenance
    spec = result.policy.spec
    sc = p.get("scenario", {})
    return [["policy file", result.policy.file],
            ["base scenario", f"{sc.get('name', '')} ({sc.get('file', '')})"],
            ["store", p.get("store", "")],
            ["objectives", "; ".join(f"{o.sense} {o.name}" for o in spec.objectives)],
            ["constraints", "; ".join(spec.constraints) or "none"],
            ["replications", f"{spec.replications} a candidate; up to {spec.rerun_candidates} "
                             f"best (and any close contender) re-run with "
                             f"{spec.final_replications}"],
            ["budget", f"{spec.budget} model replications ({result.evaluations} used)"],
            ["seed", str(spec.seed)],
            ["overrides (--set)", "; ".join(p.get("overrides") or []) or "none"],
            ["kazsim", p.get("version", "")],
            ["commit", p.get("commit") or "not a git checkout"],
            ["started", p.get("started", "")]]


# -- files ---------------------------------------------------------------------------------

def json_data(result: SearchResult) -> dict[str, Any]:
    """optimize.json: what `--format json` prints, the provenance (`scenario`, `run`, as
    report.json has them) and every candidate at full precision (`evaluated`)."""
    spec = result.policy.spec
    cons, objs = spec.parsed_constraints(), spec.objectives
    p = result.provenance
    return {**result.to_json(),
            "scenario": p.get("scenario", {}),
            "run": {k: p.get(k) for k in ("command", "started", "version", "commit", "store",
                                          "overrides")} | {"seed": spec.seed,
                                                           "policy_file": result.policy.file},
            "evaluated": [c.to_dict(cons, objs) for c in result.candidates]}


def json_text(result: SearchResult) -> str:
    """What `--format json` prints: the result (optimize.json adds how it was made and
    every candidate)."""
    return json.dumps(result.to_json(), indent=2, default=_plain)


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)


def candidates_csv(result: SearchResult) -> str:
    """Every candidate for people: labelled columns, dollars to the dollar, shares and
    probabilities to three decimals, other numbers to four significant figures
    (optimize.json keeps the full values)."""
    spec = result.policy.spec
    cons = spec.parsed_constraints()
    labels = result.labels
    levers = list(result.candidates[0].settings) if result.candidates else []
    head = ["candidate", *(labels.get(k, k) for k in levers),
            *(f"{objective_label(result, o.name)} (mean)" for o in spec.objectives),
            *(f"share of replications with {constraint_words(c)}" for c in cons),
            "replications", "feasible", "re-run", "best", "tied with best",
            "base scenario's policy"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for c in result.candidates:
        w.writerow([c.number, *(_rounded(c.settings[k], lever_unit(k)) for k in levers),
                    *(_rounded(c.objective(o.name), objective_unit(result, o.name))
                      for o in spec.objectives),
                    *(round(e.estimate, 3) for e in c.constraints(cons)),
                    len(c.runs), _yes(c.feasible(cons, spec.objectives)), _yes(c.rerun),
                    _yes(c is result.best), _yes(c.tied_with_best), _yes(c.reference)])
    return buf.getvalue()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _rounded(v: Any, u: str) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    if u == "USD":
        return int(round(v))
    if u == "share":
        return round(v, 3)
    return v if isinstance(v, int) else float(f"{v:.4g}")


def write_report(result: SearchResult, out: str | Path, command: str = "") -> None:
    """optimize.json, candidates.csv, optimize.md/html and figures/, atomically;
    `command` (the CLI's command line) replaces the one recorded."""
    if command:
        result.provenance["command"] = command
    with atomic_dir(out, MARKER) as tmp:
        (tmp / MARKER).write_text(json.dumps(json_data(result), indent=2, default=_plain)
                                  + "\n", encoding="utf-8")
        (tmp / "candidates.csv").write_text(candidates_csv(result), encoding="utf-8")
        figures = _figures(result, tmp / "figures")
        blocks = report_blocks(result, figures)
        (tmp / "optimize.md").write_text(to_markdown(blocks), encoding="utf-8")
        (tmp / "optimize.html").write_text(to_html(blocks, title(result), tmp),
                                           encoding="utf-8")


def title(result: SearchResult) -> str:
    name = result.provenance.get("scenario", {}).get("name", "")
    return f"Policy search: {Path(result.policy.file).stem}" + (f" ({name})" if name else "")


def report_blocks(result: SearchResult, figures: list[tuple[str, str]]) -> list[Block]:
    blocks: list[Block] = [("h1", title(result)), ("h2", "Findings"),
                           ("findings", findings(result))]
    for t, head, rows in summary_tables(result):
        blocks += [("h3", t), ("table", head, rows)]
    blocks += [("h2", "How it was made"), ("table", ["what", "value"], provenance_rows(result))]
    if result.provenance.get("command"):
        blocks += [("p", "Command:"), ("code", result.provenance["command"])]
    if figures:
        blocks.append(("h2", "Figures"))
        blocks += [("img", f"figures/{name}", caption) for name, caption in figures]
    blocks.append(("p", "Every candidate, with its levers, objectives, constraint estimates "
                        "and replications, is in candidates.csv (rounded, for people) and in "
                        "optimize.json (`evaluated`, full precision)."))
    return blocks


# -- figures -------------------------------------------------------------------------------

def _axis(result: SearchResult, axis: Any, name: str, sense: str | None = None) -> None:
    """A metric's or lever's label with its unit, ticks as 3.6M or $3.6M (no '1e6' offset
    above the axis)."""
    from sim.report.draw import TickFormatter  # matplotlib: only when figures are drawn

    u = objective_unit(result, name)
    text = objective_label(result, name) if name not in result.labels else result.labels[name]
    named = u == "USD" and "USD" in text  # "IMET budget (USD a year)" says it already
    u_text = "" if named else {"USD": "US dollars", "share": ""}.get(u, u)
    extra = ", ".join(t for t in (u_text, sense or "") if t)
    axis.set_label_text(f"{text[:1].upper() + text[1:]}" + (f" ({extra})" if extra else ""))
    axis.set_major_formatter(TickFormatter(u))


def _figures(result: SearchResult, folder: Path) -> list[tuple[str, str]]:
    from sim.report.draw import save  # matplotlib: only when figures are drawn

    folder.mkdir(parents=True, exist_ok=True)
    figs = []
    if len(result.policy.spec.objectives) >= 2:
        save(pareto_figure(result), folder / "pareto")
        figs.append(("pareto.png", "Candidates and the Pareto front of the first two objectives"))
    else:
        save(search_figure(result), folder / "search")
        figs.append(("search.png", "Every candidate's mean objective in the order asked: "
                                   "feasible (filled) or not (grey crosses); the best ringed, "
                                   "those tied with it as open diamonds, the base scenario's "
                                   "policy as a square"))
    fig = levers_figure(result)
    if fig is not None:
        save(fig, folder / "levers")
        name = result.policy.spec.objectives[0].name
        figs.append(("levers.png", "Candidates in the plane of the first two numeric levers, "
                                   f"coloured by {objective_label(result, name).lower()} where "
                                   "feasible; the best ringed, those tied with it as open "
                                   "diamonds, the base scenario's policy as a square"))
    return figs


def _points(result: SearchResult, name: str) -> dict[str, list[Candidate]]:
    spec = result.policy.spec
    cons, objs = spec.parsed_constraints(), spec.objectives
    return {"feasible": [c for c in result.candidates if c.feasible(cons, objs)],
            "infeasible": [c for c in result.candidates if not c.feasible(cons, objs)
                           and c.objective(name) is not None]}


def search_figure(result: SearchResult) -> Any:
    """Each candidate's objective in the order asked; best, ties and the base scenario's
    policy marked with shapes (and named in the legend), not by colour alone."""
    from matplotlib.ticker import MaxNLocator

    from sim.report.draw import subplots  # matplotlib: only when figures are drawn

    o = result.policy.spec.objectives[0]
    fig, ax = subplots(figsize=(6.4, 4.2))
    groups = _points(result, o.name)
    if groups["infeasible"]:
        ax.scatter([c.number for c in groups["infeasible"]],
                   [c.objective(o.name) for c in groups["infeasible"]], c=INFEASIBLE,
                   marker="x", s=20, label="infeasible")
    ax.scatter([c.number for c in groups["feasible"]],
               [c.objective(o.name) for c in groups["feasible"]], c=FEASIBLE, s=18,
               label="feasible")
    tied = result.ties[1:]
    if tied:
        ax.scatter([c.number for c in tied], [c.objective(o.name) for c in tied], s=90,
                   marker="D", facecolors="none", edgecolors=TIED, linewidths=1.4,
                   label=f"tied with the best ({len(tied)})")
    if result.reference is not None and result.reference.objective(o.name) is not None:
        ref = result.reference
        ax.scatter([ref.number], [ref.objective(o.name)], s=90, marker="s", facecolors="none",
                   edgecolors=REFERENCE, linewidths=1.4, label="base scenario's policy")
    if result.best is not None:
        ax.scatter([result.best.number], [result.best.objective(o.name)], s=160,
                   facecolors="none", edgecolors=BEST, linewidths=1.8, label="best")
    ax.set_xlabel("candidate (order asked)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _axis(result, ax.yaxis, o.name, o.sense)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
    fig.subplots_adjust(bottom=0.27)
    return fig


def pareto_figure(result: SearchResult) -> Any:
    from sim.report.draw import subplots  # matplotlib: only when figures are drawn

    objs = result.policy.spec.objectives
    x, y = objs[0].name, objs[1].name
    fig, ax = subplots(figsize=(6.4, 4.5))
    groups = _points(result, x)
    ax.scatter([c.objective(x) for c in groups["infeasible"]],
               [c.objective(y) for c in groups["infeasible"]], c=INFEASIBLE, marker="x", s=20,
               label="infeasible")
    ax.scatter([c.objective(x) for c in groups["feasible"]],
               [c.objective(y) for c in groups["feasible"]], c=FEASIBLE, s=18, label="feasible")
    front = sorted(((c.objective(x), c.objective(y)) for c in result.pareto),
                   key=lambda p: (p[0] or 0.0, p[1] or 0.0))
    if front:
        ax.plot(*zip(*front), "o-", color=BEST, label="Pareto front")
    _axis(result, ax.xaxis, x, objs[0].sense)
    _axis(result, ax.yaxis, y, objs[1].sense)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def levers_figure(result: SearchResult) -> Any | None:
    """The candidates in the plane of the first two numeric levers, coloured by the first
    objective where feasible; labels and units from the levers (dollars as $745k)."""
    numeric = [k for k in result.candidates[0].settings
               if all(isinstance(c.settings[k], (int, float))
                      and not isinstance(c.settings[k], bool) for c in result.candidates)
               ] if result.candidates else []
    if len(numeric) < 2:
        return None
    from sim.report.draw import subplots  # matplotlib: only when figures are drawn

    x, y = numeric[0], numeric[1]
    o = result.policy.spec.objectives[0]
    fig, ax = subplots(figsize=(6.6, 4.6))
    groups = _points(result, o.name)
    bad = groups["infeasible"]
    if bad:
        ax.scatter([c.settings[x] for c in bad], [c.settings[y] for c in bad], c="#999",
                   marker="x", s=24, label="infeasible")
    ok = groups["feasible"]
    if ok:  # a colour scale of no feasible candidate would read 0 to 1
        points = ax.scatter([c.settings[x] for c in ok], [c.settings[y] for c in ok],
                            c=[c.objective(o.name) for c in ok], cmap="viridis", s=28,
                            label="feasible")
        bar = fig.colorbar(points, ax=ax)
        _axis(result, bar.ax.yaxis, o.name, o.sense)
    tied = result.ties[1:]
    if tied:
        ax.scatter([c.settings[x] for c in tied], [c.settings[y] for c in tied], s=90,
                   marker="D", facecolors="none", edgecolors=TIED, linewidths=1.4,
                   label=f"tied with the best ({len(tied)})")
    if result.reference is not None:
        ref = result.reference
        ax.scatter([ref.settings[x]], [ref.settings[y]], marker="s", s=110,
                   facecolors="none", edgecolors=REFERENCE, linewidths=1.4,
                   label="base scenario's policy")
    if result.best is not None:
        ax.scatter([result.best.settings[x]], [result.best.settings[y]], s=200,
                   facecolors="none", edgecolors=BEST, linewidths=1.8, label="best")
    _axis(result, ax.xaxis, x)
    _axis(result, ax.yaxis, y)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)
    fig.subplots_adjust(bottom=0.26)
    return fig

