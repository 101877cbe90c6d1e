"""Comparison of scenarios or saved reports against the first (the baseline).

Both sides run here with the same seed and replication count pair up by replication
index (common random numbers): the CI is that of the per-replication differences.
Otherwise (saved reports of other seeds or counts) Welch's unpaired interval is used.

Over different horizons (`--horizon own`, or saved reports that end apart) only states
(values at a date) get a verdict: a total over five years is not better than one over
two (`sim.studies.compare.horizon`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label, metric_info
from sim.core.stats import paired_difference, welch_difference
from sim.report.findings import not_applicable, question
from sim.report.inputs import diff_inputs
from sim.report.model import Doc, Report, dumps
from sim.studies.compare.horizon import Cut, verdict_kept

FORMAT = "kazsim-comparison/1"
NOT_INPUTS = ("name", "description", "question", "extends", "sources", "expectations")
# Relative changes of counts of rare events mislead ("killed +36%" of 0.37): below this
# many on average in the baseline, a count's relative change is not shown.
EVENT_UNITS = ("persons", "incidents", "tips", "rotations", "tours", "items")
TINY_COUNT = 5.0
APART = "horizons differ"  # the verdict withheld: a total over different horizons


class ScenarioEntry(Doc):
    name: str
    file: str
    replications: int
    seed: int
    failed: int = 0
    start: str | None = None
    end: str | None = None
    overrides: list[str] = []
    end_as_written: str | None = None  # run to the common horizon: the file's own end
    timeline_dropped: int = 0  # timeline entries after the common end, never applied
    not_applicable: dict[str, str] = {}  # metric -> the words shown instead of its value
    question: str = ""  # the scenario's question (or description)


class Horizon(Doc):
    """The horizon compared over: `mode` common (each scenario's end set to the earliest)
    or own (each scenario's end kept); `start`/`end` the baseline's; `alike` whether
    every item ran over the same start and end."""

    start: str | None = None
    end: str | None = None
    mode: str = "common"
    alike: bool = True


class Difference(Doc):
    scenario: str
    metric: str
    baseline_mean: float | None
    mean: float | None
    diff_mean: float | None
    diff_ci95: list[float] | None
    relative: float | None
    significant: bool
    paired: bool = True
    unit: str = ""
    label: str = ""
    relative_shown: bool = True
    # better | worse | changed | unsure (CI includes 0) | "" (no value) | "horizons
    # differ" (a total, or a ratio or mean over the run, over different horizons)
    verdict: str = ""


class InputDiff(Doc):
    scenario: str
    path: str
    baseline: Any = None
    value: Any = None


class Comparison(Doc):
    format: str = FORMAT
    baseline: str
    paired: bool
    method: str = ""
    command: str | None = None
    scenarios: list[ScenarioEntry]
    differences: list[Difference]
    inputs_diff: list[InputDiff]
    warnings: list[str] = []
    horizon: Horizon | None = None

    def dump(self) -> str:
        return dumps(self.to_dict())

    def headline(self) -> list[Difference]:
        return [d for d in self.differences if d.metric in HEADLINE]


def is_paired(a: Report, b: Report) -> bool:
    """Common random numbers: same base seed and the same replication indices."""
    ia = sorted(r.index for r in a.replications)
    ib = sorted(r.index for r in b.replications)
    return a.run.seed == b.run.seed and ia == ib


def relative_shown(baseline_mean: float | None, unit: str) -> bool:
    """Whether a relative change means something: a base of zero has none, and a count
    of rare events (fewer than TINY_COUNT on average) makes any change look dramatic."""
    if not baseline_mean:
        return False
    return not (unit in EVENT_UNITS and abs(baseline_mean) < TINY_COUNT)


def verdict(metric: str, diff_mean: float | None, significant: bool) -> str:
    if diff_mean is None:
        return ""
    if not significant:
        return "unsure"
    info = metric_info(metric)
    better = info.better if info else ""
    if not better:
        return "changed"
    return "better" if (diff_mean > 0) == (better == "higher") else "worse"


def difference(base: Report, other: Report, metric: str, paired: bool,
               alike: bool = True) -> Difference:
    bm = base.metrics[metric].mean if metric in base.metrics else None
    om = other.metrics[metric].mean if metric in other.metrics else None
    pb, po = base.per_replication(metric), other.per_replication(metric)
    d = paired_difference(pb, po) if paired else welch_difference(list(pb.values()),
                                                                  list(po.values()))
    ci = d["diff_ci95"]
    info = metric_info(metric)
    # the report's unit first: it may be the scenario's (another task's output unit)
    unit = (base.metrics[metric].unit if metric in base.metrics and base.metrics[metric].unit
            else info.unit if info else "")
    significant = bool(ci) and (ci[0] > 0 or ci[1] < 0)
    return Difference(
        scenario=other.name, metric=metric, baseline_mean=bm, mean=om,
        diff_mean=d["diff_mean"], diff_ci95=ci,
        relative=(d["diff_mean"] / bm) if bm and d["diff_mean"] is not None else None,
        significant=significant, paired=paired, unit=unit, label=label(metric),
        relative_shown=relative_shown(bm, unit),
        verdict=(verdict(metric, d["diff_mean"], significant) if verdict_kept(metric, alike)
                 or d["diff_mean"] is None else APART))


def _without_verdict(d: Difference) -> Difference:
    """A metric that does not apply to one side (days to full operational capability
    without a growth step) has no verdict."""
    return d.model_copy(update={"verdict": "", "significant": False})


def horizon_warnings(reports: Sequence[Report]) -> list[str]:
    base = reports[0].horizon
    return [f"'{r.name}' runs {r.horizon[0]} to {r.horizon[1]}, the baseline {base[0]} to "
            f"{base[1]}: totals over different horizons are not like for like, so only "
            "values at the end (states) get a verdict"
            for r in reports[1:] if r.horizon != base]


def build_comparison(reports: Sequence[Report], files: Sequence[str],
                     command: str | None = None, mode: str = "common",
                     cuts: Sequence[Cut | None] = ()) -> Comparison:
    """The comparison of `reports` (the first is the baseline), run over the horizon
    `mode` (`cuts[i]`: how item i was cut to the common horizon, if it was)."""
    base = reports[0]
    differences: list[Difference] = []
    inputs: list[InputDiff] = []
    pairs = []
    strip = {k: None for k in NOT_INPUTS}
    alike = all(r.horizon == base.horizon for r in reports)
    base_na = not_applicable(base)
    cut_of = list(cuts) + [None] * (len(reports) - len(cuts))
    for other in reports[1:]:
        paired = is_paired(base, other)
        pairs.append(paired)
        names = [m for m in base.metrics if m in other.metrics]
        other_na = not_applicable(other)
        differences += [_without_verdict(difference(base, other, m, paired, alike))
                        if m in base_na or m in other_na
                        else difference(base, other, m, paired, alike) for m in names]
        inputs += [InputDiff(scenario=other.name, **d) for d in
                   diff_inputs({**base.scenario.resolved, **strip},
                               {**other.scenario.resolved, **strip})]
    return Comparison(
        format=FORMAT,
        baseline=base.name,
        paired=all(pairs),
        method=("paired differences per replication (common random numbers)" if all(pairs)
                else "Welch's unpaired interval where seeds or replications differ "
                     "(see `paired` per difference)"),
        command=command,
        scenarios=[ScenarioEntry(name=r.name, file=f, replications=r.run.replications,
                                 seed=r.run.seed, failed=len(r.run.failed),
                                 start=r.horizon[0], end=r.horizon[1],
                                 overrides=list(r.run.overrides),
                                 question=question(r.scenario.resolved),
                                 **({"not_applicable": na} if (na := not_applicable(r)) else {}),
                                 **({"end_as_written": c.end_as_written,
                                     "timeline_dropped": c.timeline_dropped} if c else {}))
                   for r, f, c in zip(reports, files, cut_of)],
        differences=differences,
        inputs_diff=inputs,
        warnings=horizon_warnings(reports),
        horizon=Horizon(start=base.horizon[0], end=base.horizon[1], mode=mode, alike=alike))
