"""Comparison of scenarios or saved reports against the first (the baseline).

Both sides run here with the same seed and replication count pair up by replication
index (common random numbers): the CI is that of the per-replication differences.
Otherwise (saved reports of other seeds or counts) Welch's unpaired interval is used.

With draws of the assumptions, the runs pair up by draw and replication: the scenarios
share the drawn values of the assumptions they share (same path and distribution) and
the replications' random numbers, and a scenario with no assumptions is the same in
every draw (its nominal replication r stands for draw d's). Each difference then says
in what share of the draws it keeps its sign (`robust_share`) and which assumption
moves it most (`depends_on`), and the verdict is "better"/"worse" only when it is
significant in every sense: its 95% CI excludes 0 and it keeps its sign in at least
90% of the draws ("depends on <assumption>" when not; "no clear difference" when the
CI includes 0).

Over different horizons (`--horizon own`, or saved reports that end apart) only states
(values at a date) get a verdict: a total over five years is not better than one over
two (`sim.studies.compare.horizon`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.metrics import HEADLINE, label, metric_info
from sim.core.stats import DifferenceCI, paired_difference, welch_difference
from sim.core.uncertainty import (
    NOISE,
    crossed_mean_ci,
    first_order_shares,
    grid,
    robust_share,
    standing_out,
    standout_floor,
)
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
ROBUST = 0.9  # share of draws in which a difference must keep its sign to be "better"/"worse"
NO_CLEAR = "no clear difference"


class ScenarioEntry(Doc):
    name: str
    file: str
    replications: int
    seed: int
    failed: int = 0
    start: str | None = None
    end: str | None = None
    overrides: list[str] = []
    draws: int = 0
    replications_per_draw: int | None = None
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
    # better | worse | changed | unsure (CI includes 0) | "" (no value, or a metric that
    # does not apply) | "horizons differ" (a total, or a ratio or mean over the run, over
    # different horizons); with draws: better | worse | changed | "depends on
    # <assumption>" | "no clear difference"
    verdict: str = ""
    robust_share: float | None = None  # with draws: share of draws keeping the sign
    depends_on: str | None = None  # with draws: the assumption that moves it most


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
    ia, ib = sorted(a.nominal_indices()), sorted(b.nominal_indices())
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


def drawn_alike(base: Report, other: Report) -> bool:
    """Whether two reports' runs pair up by draw and replication: the same seed, and
    each either drawn with the same draws and replications per draw (and the same values
    for the assumptions they share) or free of assumptions (the same in every draw, its
    nominal replications covering the draws')."""
    drawn = [r for r in (base, other) if r.draws]
    if not drawn or base.run.seed != other.run.seed:
        return False
    u = drawn[0].uncertainty
    assert u is not None
    for r in (base, other):
        if r.uncertainty is None:
            if r.scenario.resolved.get("assumptions") or not set(
                    range(u.replications_per_draw)) <= set(r.nominal_indices()):
                return False
        elif (r.uncertainty.draws, r.uncertainty.replications_per_draw) != (
                u.draws, u.replications_per_draw):
            return False
    if base.uncertainty and other.uncertainty:
        mine = {(a.path, repr(a.distribution)) for a in base.uncertainty.assumptions}
        shared = [a.path for a in other.uncertainty.assumptions
                  if (a.path, repr(a.distribution)) in mine]
        a_cols = base.uncertainty.design_columns()
        b_cols = other.uncertainty.design_columns()
        return all(a_cols[p] == b_cols[p] for p in shared)
    return True


def _runs(report: Report, metric: str, draws: int, reps: int
          ) -> dict[tuple[int, int], float | None]:
    if report.draws:
        return report.per_run(metric)
    nominal = report.per_replication(metric)
    return {(d, r): nominal.get(r) for d in range(draws) for r in range(reps)}


def _design(base: Report, other: Report) -> tuple[dict[str, list[Any]], set[str]]:
    """The assumptions of both sides as columns by draw (shared ones once); a path the
    two sides draw from different distributions is two columns, named by side."""
    columns: dict[str, list[Any]] = {}
    categorical: set[str] = set()
    sides = [(r, r.uncertainty) for r in (base, other) if r.uncertainty]
    paths = [a.path for _, u in sides for a in u.assumptions]
    for r, u in sides:
        cols = u.design_columns()
        for a in u.assumptions:
            name = a.path
            if paths.count(name) > 1 and columns.get(name) not in (None, cols[name]):
                name = f"{a.path} ({r.name})"
            columns.setdefault(name, cols[a.path])
            if "choice" in a.distribution:
                categorical.add(name)
    return columns, categorical


@dataclass(frozen=True)
class DrawnDifference(DifferenceCI):
    """A difference over the draws' runs (`n` of them paired): with the share of draws
    that agree on its sign, and the assumption it depends on most."""

    robust_share: float | None = None
    depends_on: str | None = None


def drawn_difference(base: Report, other: Report, metric: str) -> DrawnDifference:
    """The difference over the draws' runs, paired by draw and replication: its mean and
    95% CI (`crossed_mean_ci`, the nominal scenarios' paired differences standing for
    one run's noise), `robust_share` and `depends_on`."""
    u = base.uncertainty or other.uncertainty
    assert u is not None
    draws, reps = u.draws, u.replications_per_draw
    a, b = _runs(base, metric, draws, reps), _runs(other, metric, draws, reps)
    diffs = {k: float(b[k]) - float(a[k]) for k in a.keys() & b.keys()  # type: ignore[arg-type]
             if a[k] is not None and b[k] is not None}
    y = grid(diffs, draws, reps)
    na, nb = base.per_replication(metric), other.per_replication(metric)
    nominal = [float(nb[k]) - float(na[k]) for k in na.keys() & nb.keys()  # type: ignore[arg-type]
               if na[k] is not None and nb[k] is not None]
    var = float(np.var(nominal, ddof=1)) if len(nominal) >= 2 else None
    mean, ci = crossed_mean_ci(y, var, len(nominal))
    columns, categorical = _design(base, other)
    drivers = first_order_shares(columns, y, categorical, var)
    named = standing_out(drivers, standout_floor(draws, len(columns)))  # not chance's largest
    top = next((d.assumption for d in named if d.assumption != NOISE), None)
    return DrawnDifference(mean, ci, len(diffs), robust_share(y, mean), top)


def drawn_verdict(metric: str, diff_mean: float | None, significant: bool,
                  robust: float | None, depends_on: str | None) -> str:
    if diff_mean is None:
        return ""
    if not significant:
        return NO_CLEAR
    if robust is None or robust < ROBUST:
        return f"depends on {depends_on or 'the assumptions'}"
    return verdict(metric, diff_mean, significant)


def difference(base: Report, other: Report, metric: str, paired: bool,
               drawn: bool = False, alike: bool = True) -> Difference:
    bm = base.metrics[metric].mean if metric in base.metrics else None
    om = other.metrics[metric].mean if metric in other.metrics else None
    pb, po = base.per_replication(metric), other.per_replication(metric)
    d: DifferenceCI
    if drawn:
        d = drawn_difference(base, other, metric)
    elif paired:
        d = paired_difference(pb, po)
    else:
        d = welch_difference(list(pb.values()), list(po.values()))
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
        verdict=(APART if not verdict_kept(metric, alike) and d.diff_mean is not None
                 else drawn_verdict(metric, d.diff_mean, significant, d.robust_share,
                                    d.depends_on) if isinstance(d, DrawnDifference)
                 else verdict(metric, d.diff_mean, significant)),
        **({"robust_share": d.robust_share, "depends_on": d.depends_on}
           if isinstance(d, DrawnDifference) else {}))


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
    warnings = horizon_warnings(reports)
    for other in reports[1:]:
        drawn = drawn_alike(base, other)
        paired = drawn or is_paired(base, other)
        pairs.append(paired)
        if (base.draws or other.draws) and not drawn:
            warnings.append(f"'{other.name}' and the baseline were not drawn alike (seed, "
                            "draws, replications per draw, shared assumptions' values): "
                            "compared on their nominal scenarios")
        names = [m for m in base.metrics if m in other.metrics]
        other_na = not_applicable(other)
        differences += [_without_verdict(difference(base, other, m, paired, drawn, alike))
                        if m in base_na or m in other_na
                        else difference(base, other, m, paired, drawn, alike) for m in names]
        inputs += [InputDiff(scenario=other.name, **d) for d in
                   diff_inputs({**base.scenario.resolved, **strip},
                               {**other.scenario.resolved, **strip})]
    return Comparison(
        format=FORMAT,
        baseline=base.name,
        paired=all(pairs),
        method=("paired differences per replication (common random numbers)" if all(pairs)
                else "Welch's unpaired interval where seeds or replications differ "
                     "(see `paired` per difference)")
               + ("; over every run of every draw of the assumptions, paired by draw and "
                  "replication" if any(d.robust_share is not None for d in differences)
                  else ""),
        command=command,
        scenarios=[ScenarioEntry(name=r.name, file=f, replications=r.run.replications,
                                 seed=r.run.seed, failed=len(r.run.failed),
                                 start=r.horizon[0], end=r.horizon[1],
                                 overrides=list(r.run.overrides), draws=r.draws,
                                 **({"replications_per_draw": r.uncertainty.replications_per_draw}
                                    if r.uncertainty else {}),
                                 question=question(r.scenario.resolved),
                                 **({"not_applicable": na} if (na := not_applicable(r)) else {}),
                                 **({"end_as_written": c.end_as_written,
                                     "timeline_dropped": c.timeline_dropped} if c else {}))
                   for r, f, c in zip(reports, files, cut_of)],
        differences=differences,
        inputs_diff=inputs,
        warnings=warnings,
        horizon=Horizon(start=base.horizon[0], end=base.horizon[1], mode=mode, alike=alike))
