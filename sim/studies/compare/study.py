"""The compare study: scenarios (or saved reports, or earlier results) against the first.

`plan_compare` reads every item and checks the size of the work before anything runs;
`ComparePlan.execute` runs the scenarios with common random numbers on the one execution
path and builds the comparison; `compare` does both.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.errors import InputError, KazsimWarning, ModelError, Problem
from sim.execution.executor import command_scheduler
from sim.execution.limits import estimate_compare
from sim.report.atomic import TargetError
from sim.report.model import Report, ReportFormatError, load_report
from sim.report.notebook import draw
from sim.report.provenance import api_command, override_texts, scenario_source
from sim.scenario.loader import LoadedScenario
from sim.studies.compare.comparison import Comparison, build_comparison
from sim.studies.compare.horizon import Cut, check_mode, common_end, cut_to
from sim.studies.compare.report import compare_html, forest_job, write_comparison
from sim.studies.draws import REPS_PER_DRAW, check_reps_per_draw, count_draws
from sim.studies.inputs import Overrides, ProgressCallback, ScenarioLike, load_scenario
from sim.studies.run import RunPlan, RunResult, execute_plan, plan_run

if TYPE_CHECKING:
    import pandas as pd

CompareItem = ScenarioLike | Report | RunResult


@dataclass
class ComparePlan:
    """The items of a comparison, read and checked: a saved `Report`, an earlier
    `RunResult`, or a `RunPlan` for a scenario to run (with the baseline's seed and
    replications), and the name each is shown under."""

    items: list[Report | RunResult | RunPlan]
    files: list[str]
    horizon: str = "common"
    cuts: tuple[Cut | None, ...] = ()

    @property
    def warnings(self) -> list[Problem]:
        return [w for item in self.items if isinstance(item, RunPlan) for w in item.warnings]

    @property
    def planned(self) -> int:
        return sum(item.planned for item in self.items if isinstance(item, RunPlan))

    def execute(self, *, workers: int | None = None, scheduler: str | None = None,
                progress: ProgressCallback | None = None,
                command: str | None = None) -> CompareResult:
        """Run the scenarios (`scheduler`: a Dask address, "local" or None) and compare."""
        total = self.planned
        counter = [0]

        def tick(done: int, _total: int) -> None:
            if progress:
                progress(done, total)

        runs: list[RunResult | None] = []
        reports: list[Report] = []
        with command_scheduler(scheduler, workers) as shared:
            for item in self.items:
                if isinstance(item, RunPlan):
                    result = execute_plan(item, workers=workers, scheduler=shared,
                                          progress=tick, command=command, counter=counter)
                    runs.append(result)
                    reports.append(result.report)
                elif isinstance(item, RunResult):
                    runs.append(item)
                    reports.append(item.report)
                else:
                    runs.append(None)
                    reports.append(item)
        comparison = build_comparison(reports, self.files, command, self.horizon, self.cuts)
        for text in comparison.warnings:  # a notebook shows these; the CLI prints its own
            warnings.warn(text, KazsimWarning, stacklevel=2)
        return CompareResult(comparison, reports, runs)


def plan_compare(items: Sequence[CompareItem], reps: int | None = None,
                 seed: int | None = None, *, set: Overrides = None,  # noqa: A002
                 workers: int | None = None, allow_large: bool = False,
                 files: Sequence[str] | None = None, draws: int | str | None = None,
                 reps_per_draw: int | None = None, horizon: str = "common") -> ComparePlan:
    """Read every item (a saved report.json path, a Report, a RunResult, or a scenario)
    and check the work's size; raise InputError before anything runs. Scenarios run
    with the baseline's seed and replication count unless `seed`, `reps` are given.
    `set` applies to every scenario (not to saved reports or results). `draws` ("auto"
    or None: 32 when a scenario declares assumptions, or the baseline's when it is a
    saved report with draws) and `reps_per_draw` (default 2, or the baseline's): the
    draws of the assumptions, the same values for those the scenarios share; a scenario
    without assumptions runs its nominal replications only (it is the same in every
    draw). `horizon` "common" runs every scenario to the earliest end among the items;
    "own" keeps each end (then only states get a verdict where the horizons differ)."""
    check_mode(horizon)
    if len(items) < 2:
        raise InputError.single("compare needs at least two items: a baseline and another")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise InputError.single(f"reps: expected a positive whole number, found {reps!r}")
    read: list[Report | RunResult | LoadedScenario] = []
    names: list[str] = []
    for item in items:
        if isinstance(item, (str, Path)) and str(item).lower().endswith(".json"):
            try:
                read.append(load_report(item))
            except ReportFormatError as err:
                raise InputError.single(str(err)) from None
        elif isinstance(item, (Report, RunResult)):
            read.append(item)
        else:
            read.append(load_scenario(item, set))
        names.append(_name(item))
    cuts: list[Cut | None] = [None] * len(read)
    if horizon == "common":
        end = common_end([r.scenario.end if isinstance(r, LoadedScenario) else _report(r).horizon[1]
                          for r in read])
        for i, r in enumerate(read):
            if isinstance(r, LoadedScenario) and end is not None:
                read[i], cuts[i] = cut_to(r, end)
    scenarios = [r for r in read if isinstance(r, LoadedScenario)]
    if set and not scenarios:
        raise InputError.single("`set` changes scenarios, and every item is a saved result")
    base = read[0]
    base_drawn = None
    if isinstance(base, LoadedScenario):
        base_seed, base_reps = base.scenario.seed, base.scenario.replications
    else:
        base_report = base.report if isinstance(base, RunResult) else base
        base_seed, base_reps = base_report.run.seed, base_report.run.replications
        base_drawn = base_report.uncertainty
    count = reps or base_reps
    declares = any(s.scenario.assumptions for s in scenarios)
    if draws in (None, "auto") and base_drawn is not None:
        n_draws = base_drawn.draws  # run the scenarios as the saved baseline was drawn
    else:
        n_draws = count_draws(draws, declares, "none of the scenarios")
    per_draw = check_reps_per_draw(reps_per_draw if reps_per_draw is not None else
                                   base_drawn.replications_per_draw if base_drawn
                                   else REPS_PER_DRAW)
    run_seed = base_seed if seed is None else seed
    planned: list[Report | RunResult | RunPlan] = []
    for r in read:
        if not isinstance(r, LoadedScenario):
            planned.append(r)
        elif r.scenario.assumptions and n_draws:
            planned.append(plan_run(r, count, run_seed, allow_large=True, draws=n_draws,
                                    reps_per_draw=per_draw))
        else:  # the same in every draw: its nominal replications stand for each draw's
            planned.append(plan_run(r, max(count, per_draw) if n_draws else count,
                                    run_seed, allow_large=True, draws=0))
    plans = [p for p in planned if isinstance(p, RunPlan)]
    estimate_compare([p.loaded.scenario for p in plans], count, workers,
                     [p.draws.scenarios if p.draws else () for p in plans],
                     per_draw).check(allow_large)
    return ComparePlan(planned, list(files or names), horizon, tuple(cuts))


def _report(item: Report | RunResult) -> Report:
    return item.report if isinstance(item, RunResult) else item


def _source(item: Report | RunResult | RunPlan, name: str) -> Any:
    """An item as a re-runnable call writes it: a scenario's path (with its overrides)
    or a saved report's path."""
    if isinstance(item, RunPlan):
        return scenario_source(item.loaded.file, override_texts(item.loaded.origins))
    return name


def _name(item: Any) -> str:
    if isinstance(item, (str, Path)):
        return str(item)
    return (getattr(getattr(item, "loaded", item), "file", "")
            or getattr(item, "name", type(item).__name__))


def compare(items: Sequence[CompareItem], reps: int | None = None, seed: int | None = None,
            workers: int | None = None, scheduler: str | None = None, *,
            set: Overrides = None, progress: ProgressCallback | None = None,  # noqa: A002
            command: str | None = None, files: Sequence[str] | None = None,
            allow_large: bool = False, draws: int | str | None = None,
            reps_per_draw: int | None = None, horizon: str = "common") -> CompareResult:
    """Compare scenarios (or saved reports, or earlier results) against the first.

    Scenarios are run with the baseline's seed and replication count (or `seed`,
    `reps`): common random numbers, so differences are paired per replication. Saved
    reports of other seeds use Welch's unpaired interval. `set` applies to every
    scenario (not to saved reports or results). Work over the limits is refused
    (InputError) unless `allow_large`. `draws`, `reps_per_draw`: the draws of the
    assumptions (`plan_compare`); each difference then has `robust_share` and
    `depends_on`. `horizon`: "common" (the default) runs every scenario to the earliest
    end among the items, "own" keeps each scenario's end and gives verdicts only on
    states where the horizons differ.
    """
    plan = plan_compare(items, reps, seed, set=set, workers=workers,
                        allow_large=allow_large, files=files, draws=draws,
                        reps_per_draw=reps_per_draw, horizon=horizon)
    command = command or api_command("compare", [_source(item, name) for item, name in
                                                 zip(plan.items, plan.files)],
                                     reps=reps, seed=seed, draws=draws,
                                     reps_per_draw=reps_per_draw,
                                     horizon=None if horizon == "common" else horizon)
    return plan.execute(workers=workers, scheduler=scheduler, progress=progress,
                        command=command)


@dataclass(repr=False)
class CompareResult:
    """A comparison, the reports it compared, and the runs made for it (None for the
    saved reports)."""

    comparison: Comparison
    reports: list[Report]
    runs: list[RunResult | None]

    def __repr__(self) -> str:
        c = self.comparison
        n = sum(1 for d in c.differences if d.significant)
        return (f"<CompareResult against {c.baseline!r}: {len(c.scenarios) - 1} other "
                f"scenario(s), {'paired' if c.paired else 'not all paired'}; {n} significant "
                "difference(s)>")

    def _repr_html_(self) -> str:
        """The headline differences, as a notebook shows them."""
        return compare_html(self.comparison)

    def plot(self) -> Any:
        """The forest plot of the headline differences (a matplotlib Figure)."""
        job = forest_job(self.comparison)
        if job is None:
            raise ValueError("no difference to plot: no headline metric has a relative change")
        return draw(job)

    @property
    def differences(self) -> pd.DataFrame:
        """One row per scenario and metric: both means, the difference and its CI, the
        verdict; with draws, `robust_share` and `depends_on` (else None)."""
        import pandas as pd

        rows = []
        for d in self.comparison.differences:
            lo, hi = d.diff_ci95 if d.diff_ci95 else (None, None)
            rows.append({"scenario": d.scenario, "metric": d.metric, "label": d.label,
                         "unit": d.unit, "baseline_mean": d.baseline_mean, "mean": d.mean,
                         "diff_mean": d.diff_mean, "diff_low": lo, "diff_high": hi,
                         "relative": d.relative if d.relative_shown else None,
                         "significant": d.significant, "verdict": d.verdict,
                         "paired": d.paired, "robust_share": d.robust_share,
                         "depends_on": d.depends_on})
        return pd.DataFrame(rows)

    @property
    def inputs_diff(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([i.model_dump() for i in self.comparison.inputs_diff],
                            columns=["scenario", "path", "baseline", "value"])

    @property
    def failed(self) -> int:
        return sum(len(r.run.failed) for r in self.reports)

    def write_report(self, out: str | Path, figure_workers: int | None = None) -> Path:
        """comparison.json, .csv, .md, .html and figures, atomically into `out`."""
        try:
            return write_comparison(out, self.comparison, self.reports, figure_workers)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def check(self) -> CompareResult:
        if self.failed:
            raise ModelError(f"error: {self.failed} replication"
                             f"{'s' if self.failed != 1 else ''} failed inside the model")
        return self
