"""Comparison of scenarios or saved reports against the first (the baseline).

Both sides run here with the same seed and replication count pair up by replication
index (common random numbers): the CI is that of the per-replication differences.
Otherwise (saved reports of other seeds or counts) Welch's unpaired interval is used.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.core.metrics import HEADLINE, label, metric_info
from sim.core.stats import paired_difference, welch_difference
from sim.report.inputs import diff_inputs
from sim.report.model import Doc, Report, dumps

FORMAT = "kazsim-comparison/1"
NOT_INPUTS = ("name", "description", "extends", "sources")
# Relative changes of counts of rare events mislead ("killed +36%" of 0.37): below this
# many on average in the baseline, a count's relative change is not shown.
EVENT_UNITS = ("persons", "incidents", "tips", "rotations", "tours", "items")
TINY_COUNT = 5.0


class ScenarioEntry(Doc):
    name: str
    file: str
    replications: int
    seed: int
    failed: int = 0
    start: str | None = None
    end: str | None = None
    overrides: list[str] = []


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
    verdict: str = ""  # better | worse | changed | unsure (CI includes 0) | "" (no value)


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


def difference(base: Report, other: Report, metric: str, paired: bool) -> Difference:
    bm = base.metrics[metric].mean if metric in base.metrics else None
    om = other.metrics[metric].mean if metric in other.metrics else None
    pb, po = base.per_replication(metric), other.per_replication(metric)
    d = paired_difference(pb, po) if paired else welch_difference(list(pb.values()),
                                                                  list(po.values()))
    ci = d.diff_ci95
    info = metric_info(metric)
    # the report's unit first: it may be the scenario's (another task's output unit)
    unit = (base.metrics[metric].unit if metric in base.metrics and base.metrics[metric].unit
            else info.unit if info else "")
    significant = ci is not None and (ci[0] > 0 or ci[1] < 0)
    return Difference(
        scenario=other.name, metric=metric, baseline_mean=bm, mean=om,
        diff_mean=d.diff_mean, diff_ci95=ci,
        relative=(d.diff_mean / bm) if bm and d.diff_mean is not None else None,
        significant=significant, paired=paired, unit=unit, label=label(metric),
        relative_shown=relative_shown(bm, unit),
        verdict=verdict(metric, d.diff_mean, significant))


def horizon_warnings(reports: Sequence[Report]) -> list[str]:
    base = reports[0].horizon
    return [f"'{r.name}' runs {r.horizon[0]} to {r.horizon[1]}, the baseline {base[0]} to "
            f"{base[1]}: totals over different horizons are not like for like"
            for r in reports[1:] if r.horizon != base]


def build_comparison(reports: Sequence[Report], files: Sequence[str],
                     command: str | None = None) -> Comparison:
    """The comparison of `reports` (the first is the baseline)."""
    base = reports[0]
    differences: list[Difference] = []
    inputs: list[InputDiff] = []
    pairs = []
    strip = {k: None for k in NOT_INPUTS}
    for other in reports[1:]:
        paired = is_paired(base, other)
        pairs.append(paired)
        names = [m for m in base.metrics if m in other.metrics]
        differences += [difference(base, other, m, paired) for m in names]
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
                                 overrides=list(r.run.overrides))
                   for r, f in zip(reports, files)],
        differences=differences,
        inputs_diff=inputs,
        warnings=horizon_warnings(reports))
