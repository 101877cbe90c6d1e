"""The run study: the replications of one scenario and their report.

`plan_run` checks the settings and the size of the work before anything runs (the
work limit of SPEC "Limits and large inputs"); `RunPlan.execute` runs the plan on the
one execution path and builds the report; `run` does both.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.errors import InputError, ModelError, Problem
from sim.core.metrics import metric_info, unknown_metric
from sim.core.results import ReplicationResult
from sim.core.stats import metric_names
from sim.execution.executor import command_scheduler
from sim.execution.limits import estimate_run
from sim.execution.runner import AUTO_BATCH, Task, run_replications, run_to_precision
from sim.report.atomic import TargetError
from sim.report.figures import report_figures
from sim.report.json_report import build_report
from sim.report.model import Report
from sim.report.notebook import draw, run_html
from sim.report.provenance import api_command, override_texts, scenario_source
from sim.report.writer import write_report
from sim.scenario.loader import LoadedScenario
from sim.scenario.schema import Scenario
from sim.studies.draws import REPS_PER_DRAW, DrawPlan, check_reps_per_draw, count_draws, plan_draws
from sim.studies.inputs import Overrides, ProgressCallback, ScenarioLike, load_scenario

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class RunPlan:
    """What `run` will do, settled and checked before anything runs."""
    loaded: LoadedScenario
    reps: int | str
    seed: int
    precision: float = 0.05
    metrics: tuple[str, ...] = ("items_cleared",)
    max_reps: int = 500
    reads: tuple[dt.date, ...] = ()  # dates at which every metric is also read (a hindcast's)
    draws: DrawPlan | None = None  # the draws of the assumptions, if any

    @property
    def planned(self) -> int:
        """Runs planned at first (under "auto": the nominal's first batch), draws' included."""
        nominal = min(AUTO_BATCH, self.max_reps) if self.reps == "auto" else int(self.reps)
        return nominal + (self.draws.runs if self.draws else 0)

    @property
    def warnings(self) -> list[Problem]:
        return self.loaded.warnings

    def execute(self, *, workers: int | None = None, scheduler: str | None = None,
                trace: bool = False, progress: ProgressCallback | None = None,
                command: str | None = None) -> RunResult:
        """Run the plan (`scheduler`: a Dask address, "local" or None for processes)."""
        with command_scheduler(scheduler, workers) as shared:
            return execute_plan(self, workers=workers, scheduler=shared, trace=trace,
                                progress=progress, command=command)


def plan_run(scenario: ScenarioLike, reps: int | str | None = None, seed: int | None = None,
             precision: float = 0.05, metrics: Sequence[str] = ("items_cleared",),
             max_reps: int = 500, *, set: Overrides = None,  # noqa: A002
             workers: int | None = None, allow_large: bool = False,
             reads: Sequence[dt.date] = (), draws: int | str | None = None,
             reps_per_draw: int = REPS_PER_DRAW) -> RunPlan:
    """Load the scenario and check the run's settings and size; raise InputError (TooLarge
    for work over the limits, unless `allow_large`) before any replication runs. `reads`:
    dates inside the run at which every replication also reads its metrics. `draws`:
    draws of the scenario's assumptions ("auto" or None: 32 when it declares any, else 0),
    each run `reps_per_draw` times."""
    loaded = load_scenario(scenario, set)
    sc = loaded.scenario
    problems = []
    if reps is None:
        reps = sc.replications
    if reps != "auto" and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        problems.append(f"reps: expected a positive whole number or 'auto', found {reps!r}")
    if reps == "auto":
        problems += [f"metrics: {unknown_metric(m)}" for m in metrics if not metric_info(m)]
        if not precision > 0:
            problems.append(f"precision: expected a positive number, found {precision!r}")
        if isinstance(max_reps, bool) or not isinstance(max_reps, int) or max_reps < 1:
            problems.append(f"max_reps: expected a positive whole number, found {max_reps!r}")
    if problems:
        raise InputError([Problem(None, None, "", p) for p in problems])
    count = max_reps if reps == "auto" else int(reps)
    seed = sc.seed if seed is None else int(seed)
    drawn = plan_draws(sc, count_draws(draws, bool(sc.assumptions)),
                       check_reps_per_draw(reps_per_draw), seed, loaded.file)
    estimate_run(sc, count, workers, drawn.scenarios if drawn else (),
                 drawn.reps_per_draw if drawn else 0).check(allow_large, loaded.file)
    return RunPlan(loaded, reps, seed, precision, tuple(metrics), max_reps,
                   tuple(sorted(dict.fromkeys(reads))), drawn)


def execute_plan(plan: RunPlan, *, workers: int | None = None, scheduler: str | None = None,
                 trace: bool = False, progress: ProgressCallback | None = None,
                 command: str | None = None, counter: list[int] | None = None) -> RunResult:
    """Run a settled plan on `scheduler` (already started: see `RunPlan.execute`).
    `counter` carries the replications done across several plans (a comparison's).
    The draws of the assumptions run in the same pass as the nominal replications (after
    them under `--reps auto`, which concerns the nominal only)."""
    sc = plan.loaded.scenario
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    began = time.perf_counter()
    done = counter if counter is not None else [0]
    total = [done[0] + plan.planned]
    base = done[0]
    drawn = plan.draws.tasks(plan.reads) if plan.draws else []

    def tick(_: ReplicationResult) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total[0])

    def batch(indices: range, extra: Sequence[Task] = ()) -> list[ReplicationResult]:
        return run_replications(sc, indices, plan.seed, workers, scheduler, tick,
                                0 if trace else None, reads=plan.reads, extra=extra)

    extra: dict[str, Any] = {}
    if plan.reps == "auto":
        def grow(n: int) -> None:
            total[0] = base + n + len(drawn)

        results, extra["reps_auto"] = run_to_precision(
            sc, plan.seed, plan.precision, plan.metrics, plan.max_reps, batch, grow)
        results += batch(range(0), drawn)
    else:
        results = batch(range(int(plan.reps)), drawn)
    report = build_report(plan.loaded, results, plan.seed, started,
                          time.perf_counter() - began, extra, command,
                          plan.draws.info() if plan.draws else None)
    return RunResult(plan.loaded, results, report)


def run(scenario: ScenarioLike, reps: int | str | None = None, seed: int | None = None,
        workers: int | None = None, scheduler: str | None = None, *,
        set: Overrides = None, precision: float = 0.05,  # noqa: A002
        metrics: Sequence[str] = ("items_cleared",), max_reps: int = 500,
        trace: bool = False, progress: ProgressCallback | None = None,
        command: str | None = None, allow_large: bool = False,
        draws: int | str | None = None, reps_per_draw: int = REPS_PER_DRAW) -> RunResult:
    """Run the replications of a scenario and summarise them.

    `scenario`: a file path, a loaded scenario or a Scenario. `reps`: a number, "auto"
    (batches of 10 until the 95% CI half-width of each of `metrics` is within
    `precision` x |mean|, at most `max_reps`), or None for the scenario's own. `seed`:
    the base seed (default the scenario's). `workers`: processes (default: the cores;
    1 runs in this process). `scheduler`: a Dask scheduler address or "local".
    `trace`: keep the event log of replication 0. `progress(done, total)` is called
    after each replication. Work over the limits (docs/limits.md) is refused
    (InputError) unless `allow_large`. Replications that fail inside the model are
    recorded in the result (`RunResult.failed`; `check()` raises ModelError for them).
    `draws`: draws of the scenario's `assumptions:` (a number, or "auto"/None: 32 when
    it declares any, else 0), each run `reps_per_draw` times with the nominal's first
    replications' random numbers (docs/uncertainty.md); `reps` stays the nominal's.
    """
    plan = plan_run(scenario, reps, seed, precision, metrics, max_reps, set=set,
                    workers=workers, allow_large=allow_large, draws=draws,
                    reps_per_draw=reps_per_draw)
    command = command or api_command(
        "run", scenario_source(plan.loaded.file, override_texts(plan.loaded.origins)),
        reps=reps, seed=seed, draws=draws,
        reps_per_draw=reps_per_draw if plan.draws else None)
    return plan.execute(workers=workers, scheduler=scheduler, trace=trace,
                        progress=progress, command=command)


@dataclass(repr=False)
class RunResult:
    """The replications of one scenario, their report, and tidy views of both."""
    loaded: LoadedScenario
    results: list[ReplicationResult]
    report: Report
    _frames: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        start, end = self.report.horizon
        failed = f", {len(self.failed)} failed" if self.failed else ""
        return (f"<RunResult {self.name!r}: {len(self.results)} replications{failed}, "
                f"{start} to {end}, seed {self.report.run.seed}>")

    def _repr_html_(self) -> str:
        """The headline table, as a notebook shows it."""
        return run_html(self.report)

    def plot(self, figure: str | None = None) -> Any:
        """A figure of the report as a matplotlib Figure: the first (strength by grade)
        or the one named (`"deployed"`, `"officer_share"`, `"items_cleared"`, ...)."""
        jobs = report_figures(self.report)
        names = [j.name for j in jobs]
        if not jobs or (figure is not None and figure not in names):
            raise ValueError(f"no figure {figure!r}; this run has: {', '.join(names)}")
        return draw(jobs[names.index(figure)] if figure else jobs[0])

    @property
    def scenario(self) -> Scenario:
        return self.loaded.scenario

    @property
    def name(self) -> str:
        return self.report.name

    @property
    def failed(self) -> list[ReplicationResult]:
        return [r for r in self.results if not r.ok]

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per replication: scenario, replication, seed, draw (<NA> for the
        nominal scenario, else the draw of the assumptions), then every metric."""
        if "metrics" not in self._frames:
            import pandas as pd


            names = metric_names(self.results)
            rows = [{"scenario": self.name, "replication": r.index, "seed": r.seed[0],
                     "draw": r.draw, **{n: r.metrics.get(n) for n in names}}
                    for r in self.results]
            frame = pd.DataFrame(rows, columns=["scenario", "replication", "seed", "draw",
                                                *names])
            self._frames["metrics"] = frame.astype({"draw": "Int64",
                                                    **{n: float for n in names}})
        return self._frames["metrics"]

    @property
    def series(self) -> pd.DataFrame:
        """Tidy: one row per series, date and replication, with its value; with draws of
        the assumptions, a last column `draw` (<NA> for the nominal scenario)."""
        if "series" not in self._frames:
            import pandas as pd

            drawn = any(r.draw is not None for r in self.results)
            rows = [(name, date, r.index, v, *([r.draw] if drawn else []))
                    for r in self.results
                    for name, values in r.series.items() for date, v in zip(r.dates, values)]
            frame = pd.DataFrame(rows, columns=["series", "date", "replication", "value",
                                                *(["draw"] if drawn else [])])
            frame["date"] = pd.to_datetime(frame["date"])
            types = {"value": float, **({"draw": "Int64"} if drawn else {})}
            self._frames["series"] = frame.astype(types)
        return self._frames["series"]

    @property
    def prediction(self) -> pd.DataFrame:
        """One row per metric: the 90% prediction interval for one realised history
        (p05, p50, p95 over every run of every draw); empty without draws."""
        import pandas as pd

        rows = [{"metric": n, "p05": m.prediction.p05, "p50": m.prediction.p50,
                 "p95": m.prediction.p95} for n, m in self.report.metrics.items()
                if m.prediction is not None]
        return pd.DataFrame(rows, columns=["metric", "p05", "p50", "p95"])

    @property
    def drivers(self) -> pd.DataFrame:
        """One row per metric and driver (an assumption's path, or `noise`): the share of
        the metric's variance it explains alone, largest first; empty without draws."""
        import pandas as pd

        rows = [{"metric": n, "assumption": d.assumption, "share": d.share}
                for n, m in self.report.metrics.items() for d in m.drivers or ()]
        return pd.DataFrame(rows, columns=["metric", "assumption", "share"])

    @property
    def draws(self) -> pd.DataFrame:
        """One row per draw: `draw`, then each assumption's drawn value (columns named by
        path); empty without draws."""
        import pandas as pd

        u = self.report.uncertainty
        paths = [a.path for a in u.assumptions] if u else []
        rows = [{"draw": v.draw, **v.values} for v in (u.draw_values if u else ())]
        return pd.DataFrame(rows, columns=["draw", *paths])

    def summary(self) -> pd.DataFrame:
        """One row per metric, indexed by the metric's name (`summary().loc["items_cleared"]`):
        label, mean, ci_low, ci_high, sd, p10, p50, p90, n, unit (and `happened`, the
        share of replications in which a time-to-event happened)."""
        import pandas as pd

        rows = []
        for name, m in self.report.metrics.items():
            lo, hi = m.ci95 if m.ci95 else (None, None)
            rows.append({"metric": name, "label": m.label or name, "mean": m.mean,
                         "ci_low": lo, "ci_high": hi, "sd": m.sd, "p10": m.p10,
                         "p50": m.p50, "p90": m.p90, "n": m.n, "unit": m.unit,
                         "happened": m.happened, "clipped": m.clipped})
        return pd.DataFrame(rows).set_index("metric")

    def write_report(self, out: str | Path, figure_workers: int | None = None) -> Path:
        """report.json, report.md, report.html, metrics.csv, series.csv and figures,
        written atomically into `out` (a new, empty or earlier report directory)."""
        try:
            return write_report(out, self.report, self.results, figure_workers)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def check(self) -> RunResult:
        """Raise ModelError if any replication failed inside the model."""
        if self.failed:
            n = len(self.failed)
            first = (self.failed[0].error or "").splitlines()[0]
            raise ModelError(f"error: {n} replication{'s' if n != 1 else ''} failed inside "
                             f"the model (replication {self.failed[0].index}: {first})")
        return self
