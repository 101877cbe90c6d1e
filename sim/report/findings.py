"""Findings: the sentences a run report opens with, answering the scenario's question.

The question is the scenario's `question:` (or its `description`). The answer is a few
sentences, one per topic (output, growth, rotations, the force, casualties, cost,
interoperability), with the headline numbers and their 95% intervals; the topics the
question names come first. Then the thresholds breached and, where the assumptions were
drawn, the 90% prediction for one history and what the answer rests on most. Numbers
are for people (`amount`): "6.55 million items", "$45.6 million", "99.9%".
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from sim.core.metrics import label
from sim.core.stats import wilson
from sim.core.uncertainty import standing_out
from sim.report.document import fmt, sig
from sim.report.model import MetricSummary, Report

# A time-to-event metric's event, as a headline: the probability that it happens by the
# end is reported apart from the time when it does.
EVENTS = {"days_to_foc": "Full operational capability reached by the end",
          "officer_share_target_met_days": "Officer-share target met by the end"}

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


def amount(v: float | None, unit: str = "") -> str:
    """A value with its unit in words: "6.55 million items", "$45.6 million", "14.3%"."""
    if v is None:
        return "no value"
    if unit != "share" and 1000 <= abs(v) < 999_999.5:  # about three figures in words
        v = float(sig(v, 3).replace(",", ""))
    text = fmt(v, unit=unit).replace(" M", " million").replace(" B", " billion")
    if unit in ("USD", "USD/item", "USD/point"):
        money = "-$" + text[1:] if text.startswith("-") else "$" + text
        return money + {"USD/item": " per item", "USD/point": " per point"}.get(unit, "")
    if unit in ("share", "", "ratio"):
        return text
    return f"{text} {'person' if unit == 'persons' and text == '1' else unit}"


def span(ci: Sequence[float | None] | None, unit: str = "") -> str:
    """An interval in words: "6.41 to 6.69 million items"."""
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    lo, hi = amount(ci[0], unit), amount(ci[1], unit)
    words_lo, words_hi = lo.split(" "), hi.split(" ")
    if len(words_lo) > 1 and words_lo[1:] == words_hi[1:]:  # the unit once
        lo = words_lo[0]
    return f"{lo} to {hi}"


def question(resolved: dict[str, Any]) -> str:
    """The scenario's question: its `question:`, else its description."""
    return " ".join(str(resolved.get("question") or resolved.get("description") or "").split())


def grows(resolved: dict[str, Any]) -> bool:
    return bool(resolved.get("growth"))


def not_applicable(report: Report) -> dict[str, str]:
    """Metrics whose value would mislead for this scenario, with the words to show
    instead: days to full operational capability without a growth step is not 0."""
    resolved = report.scenario.resolved
    out = {}
    if not grows(resolved) and "days_to_foc" in report.metrics:
        out["days_to_foc"] = "no growth step"
    if not resolved.get("restructure") and "officer_share_target_met_days" in report.metrics:
        out["officer_share_target_met_days"] = "no restructuring target"
    return out


def runs(report: Report) -> list[Any]:
    """The replications the summaries describe (every run of every draw when the
    assumptions were drawn)."""
    chosen = getattr(report, "summarised", None)
    return list(chosen() if callable(chosen) else report.ok_replications())


def event_share(report: Report, name: str) -> tuple[float, tuple[float, float], int] | None:
    """The share of runs in which a time-to-event metric's event happened by the end,
    its Wilson 95% interval and the runs counted."""
    m = report.metrics.get(name)
    if m is None or m.happened is None:
        return None
    n = len(runs(report))
    if n == 0:
        return None
    k = round(m.happened * n)
    return m.happened, wilson(k, n), n


def _m(report: Report, name: str) -> MetricSummary | None:
    m = report.metrics.get(name)
    return m if m is not None and m.mean is not None else None


def _with_ci(m: MetricSummary, unit: str | None = None) -> str:
    """"6.55 million items (95% CI 6.41 to 6.69 million items)"; the 90% prediction
    where the assumptions were drawn."""
    u = m.unit if unit is None else unit
    text = amount(m.mean, u)
    ci = span(m.ci95, u)
    extra = [f"95% CI {ci}"] if ci and m.ci95 and m.ci95[0] != m.ci95[1] else []
    p = getattr(m, "prediction", None)
    if p is not None:
        extra.append(f"90% of histories {span([p.p05, p.p95], u)}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _years(report: Report) -> str:
    start, end = report.horizon
    if not start or not end:
        return "over the run"
    return f"from {start} to {end}"


# -- topics: each a sentence, or None when it does not apply ---------------------------

def _clearance(report: Report) -> str | None:
    m = _m(report, "items_cleared")
    if m is None or not report.scenario.resolved.get("deployments"):
        return None
    text = f"The contingents cleared {_with_ci(m)} {_years(report)}"
    lost = _m(report, "tips_lost")
    if lost is not None and lost.mean:
        text += f"; {amount(lost.mean, lost.unit)} perished before a team could start"
    return text + "."


def _growth(report: Report) -> str | None:
    head = "growth_limited_by."
    shares = {k[len(head):]: m.mean for k, m in report.metrics.items()
              if k.startswith(head) and m.mean is not None}
    resolved = report.scenario.resolved
    if not shares and not grows(resolved):
        return None
    parts = []
    order = list(shares)
    ranked = sorted((c for c, v in shares.items() if v >= 0.005),
                    key=lambda c: (-shares[c], order.index(c)))
    if ranked:
        first = ranked[0]
        text = (f"Growth was held back most by {CAUSE_WORDS.get(first, first)} "
                f"({fmt(shares[first], unit='share')} of the growth period)")
        rest = [f"{CAUSE_WORDS.get(c, c)} ({fmt(shares[c], unit='share')})" for c in ranked[1:3]]
        if rest:
            text += ", then by " + " and ".join(rest)
        parts.append(text + ".")
    foc = event_share(report, "days_to_foc") if grows(resolved) else None
    if foc is not None:
        share, (lo, hi), n = foc
        fill = ((resolved.get("force") or {}).get("foc") or {}).get("fill")
        what = ("Full operational capability" + (f" ({fmt(fill, unit='share')} of every "
                "grade's posts filled)" if fill is not None else ""))
        if share == 0:
            text = f"{what} was reached by the end in none of {n} runs (95% CI 0% to {fmt(hi, unit='share')})"
        else:
            text = (f"{what} was reached by the end in {fmt(share, unit='share')} of runs "
                    f"(95% CI {fmt(lo, unit='share')} to {fmt(hi, unit='share')})")
            days = _m(report, "days_to_foc")
            if days is not None:
                text += f"; where reached, after {_with_ci(days)}"
                start = report.horizon[0]
                if start:
                    when = dt.date.fromisoformat(start) + dt.timedelta(days=round(days.mean or 0))
                    text += f", about {when:%B %Y}"
        fill_end = _m(report, "establishment_fill_end")
        if fill_end is not None:
            text += f". At the end the establishment is {_with_ci(fill_end)} filled"
        parts.append(text + ".")
    return " ".join(parts) or None


def _rotation(report: Report) -> str | None:
    fill = _m(report, "rotation_fill_rate")
    if fill is None or not report.scenario.resolved.get("deployments"):
        return None
    text = f"Contingents left with {_with_ci(fill)} of their posts filled"
    gap = _m(report, "gap_days")
    if gap is not None:
        text += (f"; the contingent in theatre was below its required strength on "
                 f"{_with_ci(gap)}" if gap.mean else "; no contingent in theatre was ever "
                 "below its required strength")
    return text + "."


def _force(report: Report) -> str | None:
    strength, share = _m(report, "strength_end"), _m(report, "officer_share_end")
    if strength is None and share is None:
        return None
    bits = []
    if strength is not None:
        bits.append(f"{amount(strength.mean, 'persons').replace('persons', 'people')}")
    if share is not None:
        bits.append(f"{_with_ci(share)} of them officers")
    return "At the end the force has " + ", ".join(bits) + "."


def _casualties(report: Report) -> str | None:
    killed, wounded = _m(report, "killed"), _m(report, "wounded")
    if killed is None or wounded is None or not report.scenario.resolved.get("deployments"):
        return None
    if not killed.mean and not wounded.mean:
        return "Nobody was killed or wounded in any run."
    return (f"On average {_with_ci(killed, '')} killed and {_with_ci(wounded, '')} wounded "
            "per run.")


def _cost(report: Report) -> str | None:
    total = _m(report, "cost_total_usd")
    if total is None:
        return None
    text = f"The total cost is {_with_ci(total)}"
    parts = [(p, report.metrics[p].mean) for p in report.cost_parts
             if p in report.metrics and report.metrics[p].mean]
    if parts:
        text += ": " + ", ".join(f"{label(p).lower()} {amount(v, 'USD')}" for p, v in parts)
    per_item = _m(report, "cost_per_item_usd")
    if per_item is not None and report.scenario.resolved.get("deployments"):
        text += f"; {amount(per_item.mean, 'USD/item')} cleared"
    return text + "."


def _interoperability(report: Report) -> str | None:
    m = _m(report, "interoperability_end")
    if m is None:
        return None
    return f"Interoperability at the end is {_with_ci(m)}."


# (name, keywords that point at it in a question, the sentence)
TOPICS: list[tuple[str, tuple[str, ...], Callable[[Report], str | None]]] = [
    ("clearance", ("item", "clear", "ordnance", "explosive", "tip", "cache", "demin", "output"),
     _clearance),
    ("growth", ("grow", "limit", "recruit", "full operational", "foc", "brigade", "expan",
                "supply", "applicant", "basic training", "nco course"), _growth),
    ("rotation", ("rotation", "contingent", "volunteer", "fill", "dwell", "tour", "sustain",
                  "keep", "gap"), _rotation),
    ("force", ("officer", "nco", "strength", "restructur", "establishment"), _force),
    ("casualties", ("casualt", "killed", "wounded", "incident", "harm", "risk", "safe",
                    "danger"), _casualties),
    ("cost", ("cost", "money", "budget", "dollar", "afford", "price", "spend", "usd"), _cost),
    ("interoperability", ("interoperab", "nato", "english", "exercise", "assistance"),
     _interoperability),
]
MOST_TOPICS = 6  # sentences of the answer, before thresholds and what it rests on


def ranked_topics(text: str) -> list[str]:
    """Topic names: those the question names, by where it first names them, then the
    rest in their usual order."""
    low = text.lower()
    found = {}
    for name, words, _ in TOPICS:
        at = [m.start() for w in words for m in re.finditer(re.escape(w), low)]
        if at:
            found[name] = min(at)
    named = sorted(found, key=lambda n: found[n])
    return named + [n for n, _, _ in TOPICS if n not in found]


def threshold_sentence(report: Report) -> str | None:
    if not report.thresholds:
        return None
    runs_word = "runs of the draws" if getattr(report, "uncertainty", None) else "runs"
    breached = [t for t in report.thresholds if t.breaches]
    if not breached:
        return (f"No threshold was breached in any of the {runs_word} "
                f"({', '.join(t.threshold for t in report.thresholds)}).")
    said = [f"{t.threshold} in {fmt(t.breach_share, unit='share')} of {runs_word}"
            for t in breached]
    return "Thresholds breached: " + "; ".join(said) + "."


KEY_METRIC = {"clearance": "items_cleared", "growth": "establishment_fill_end",
              "rotation": "rotation_fill_rate", "force": "officer_share_end",
              "casualties": "killed", "cost": "cost_total_usd",
              "interoperability": "interoperability_end"}


def rests_on_sentence(report: Report, topics: Sequence[str]) -> str | None:
    """What the answer rests on most (with draws of the assumptions): the top driver of
    the key metric of the first three topics, in the question's order."""
    u = getattr(report, "uncertainty", None)
    if u is None:
        return None
    short = u.short_names() if hasattr(u, "short_names") else {}
    floor = u.standout_floor()
    said: list[str] = []
    for topic in topics:
        name = KEY_METRIC.get(topic, "")
        m = report.metrics.get(name)
        every = [d for d in (getattr(m, "drivers", None) or []) if d.share > 0] if m else []
        drivers = standing_out(every, floor)
        if every and not drivers:
            said.append(f"{label(name).lower()}: no single assumption stands out "
                        f"from chance at {u.draws} draws")
        if not drivers:
            if len(said) == 3:
                break
            continue
        top = drivers[0]
        share = fmt(top.share, 2, "share")
        said.append(f"{label(name).lower()} mostly on chance between runs ({share} of its "
                    "variance is noise)" if top.assumption == "noise" else
                    f"{label(name).lower()} on {short.get(top.assumption, top.assumption)} "
                    f"({share} of its variance)")
        if len(said) == 3:
            break
    if not said:
        return None
    return ("Over the draws of the assumptions, the answer rests most: " + "; ".join(said)
            + " (see What the answer rests on).")


def run_findings(report: Report) -> tuple[str, list[str]]:
    """(the question, the sentences that answer it)."""
    asked = question(report.scenario.resolved)
    sentences: list[str] = []
    run = report.run
    if run.failed:
        n = len(run.failed)
        sentences.append(f"{n} replication{'s' if n != 1 else ''} failed inside the model "
                         "(see Failed replications): the numbers are over the others.")
    said: list[str] = []
    for name in ranked_topics(asked):
        make = next(f for n, _, f in TOPICS if n == name)
        sentence = make(report)
        if sentence:
            sentences.append(sentence)
            said.append(name)
        if len(said) == MOST_TOPICS:
            break
    for extra in (threshold_sentence(report), rests_on_sentence(report, said)):
        if extra:
            sentences.append(extra)
    reps = f"{run.replications} replications"
    draws = getattr(run, "draws", 0)
    if draws:
        reps += f" and {draws} draws of the assumptions"
    sentences.append(f"Means over {reps} (seed {run.seed}); 95% CI: the interval of the "
                     "mean. The tables and figures below give the rest.")
    return asked, sentences
