"""The Python API: load scenarios, run them, compare them and sweep over them from a
script or notebook. The CLI is a thin layer over these functions.

    import sim
    sc = sim.load_scenario("scenarios/kazbat_2003.yaml", set={"deployments.iraq.volunteer_prob": 0.5})
    res = sim.run(sc, reps=20, seed=1, workers=2)
    res.summary()

Errors are `sim.InputError` (the input is wrong; nothing ran) and `sim.ModelError`
(raised by `RunResult.check()` when replications failed inside the model; the results
of the others are kept). Results are pandas DataFrames.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from sim.errors import InputError, Interrupted, ModelError, Problem
from sim.results import ReplicationResult

if TYPE_CHECKING:
    import pandas as pd

    from sim.compare import Comparison
    from sim.report.model import Report
    from sim.scenario.loader import LoadedScenario
    from sim.scenario.schema import Scenario
    from sim.sweep.report import SweepAnalysis

# progress(done, total): called after each replication; `total` grows under reps="auto"
ProgressCallback = Callable[[int, int], None]
Overrides = Mapping[str, Any] | Sequence[str] | None
ScenarioLike = Union[str, Path, "LoadedScenario", "Scenario"]


# -- scenarios ---------------------------------------------------------------------------

def override_texts(overrides: Overrides) -> list[str]:
    """`{"a.b": 0.5}` or `["a.b=0.5"]` as the `PATH=VALUE` texts `--set` takes."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{path}={json.dumps(value, default=str)}" for path, value in overrides.items()]
    return [str(o) for o in overrides]


def load_scenario(source: ScenarioLike, set: Overrides = None) -> LoadedScenario:  # noqa: A002
    """A validated scenario from a YAML file (after `extends`), with `set` overrides
    applied like `--set` ({"dotted.path": value} or ["dotted.path=value"]).

    Also takes an already loaded scenario or a `Scenario` object (overrides applied on
    top). Raises InputError listing every problem, with file, line and key path.
    """
    from sim.scenario.loader import LoadedScenario, apply_override, validate
    from sim.scenario.loader import load_scenario as _load
    from sim.scenario.schema import Scenario

    texts = override_texts(set)
    if isinstance(source, (str, Path)):
        try:
            return _load(source, texts)
        except InputError as err:
            raise _not_a_scenario(str(source)) or err from None
    if isinstance(source, LoadedScenario):
        if not texts:
            return source
        data, origins, file = _copy(source.raw), dict(source.origins), source.file
    elif isinstance(source, Scenario):
        data, origins, file = source.model_dump(mode="json", by_alias=True), {}, "<python>"
    else:
        raise TypeError("expected a scenario file path, a loaded scenario or a "
                        f"sim Scenario, found {type(source).__name__}")
    for text in texts:
        apply_override(data, origins, text)
    scenario, warnings = validate(data, origins, file)
    sha = getattr(source, "sha256", "")
    return LoadedScenario(scenario, file, sha, data, warnings, origins)


def _copy(data: Any) -> Any:
    import copy

    return copy.deepcopy(data)


def _not_a_scenario(path: str) -> InputError | None:
    """A clearer error for a sweep file or a saved report given as a scenario."""
    from sim.scenario.yamlio import load_yaml
    from sim.sweep.spec import is_sweep

    if path.lower().endswith(".json"):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return None
        fmt = data.get("format") if isinstance(data, dict) else None
        if isinstance(fmt, str) and fmt.startswith("kazsim-"):
            kind = "comparison" if "comparison" in fmt else "report"
            hint = ("compare it with another: `kazsim compare "
                    f"{path} OTHER.yaml`" if kind == "report" else
                    "open comparison.html beside it")
            return InputError([Problem(path, None, "", f"this is a saved kazsim {kind} "
                                       f"({fmt}), not a scenario: {hint}")])
        return None
    try:
        if is_sweep(load_yaml(path)[0]):
            return InputError([Problem(path, None, "", "this is a sweep file, not a "
                                       f"scenario: run it with `kazsim sweep {path}`")])
    except InputError:
        pass
    return None


# -- running -----------------------------------------------------------------------------

@contextmanager
def executor(scheduler: str | None, workers: int | None) -> Iterator[str | None]:
    """The scheduler for a command's batches of runs ("local": one local Dask cluster for
    all of them). A missing Dask or an unreachable scheduler is an InputError."""
    from sim.executor import ExecutorError, shared_scheduler

    try:
        with shared_scheduler(scheduler, workers) as shared:
            yield shared
    except ExecutorError as err:
        raise InputError.single(str(err)) from None


@dataclass
class RunPlan:
    """What `run` will do, settled before anything runs: the place where the size of
    the work is checked."""

    loaded: LoadedScenario
    reps: int | str
    seed: int
    precision: float = 0.05
    metrics: tuple[str, ...] = ("items_cleared",)
    max_reps: int = 500

    @property
    def planned(self) -> int:
        """Replications planned at first (under "auto": the first batch)."""
        from sim.runner import AUTO_BATCH

        return min(AUTO_BATCH, self.max_reps) if self.reps == "auto" else int(self.reps)


def plan_run(loaded: LoadedScenario, reps: int | str | None = None, seed: int | None = None,
             precision: float = 0.05, metrics: Sequence[str] = ("items_cleared",),
             max_reps: int = 500) -> RunPlan:
    """Check the run's settings; raise InputError before any replication runs."""
    from sim.metrics import metric_info

    sc = loaded.scenario
    problems = []
    if reps is None:
        reps = sc.replications
    if reps != "auto" and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        problems.append(f"reps: expected a positive whole number or 'auto', found {reps!r}")
    if reps == "auto":
        problems += [f"metrics: unknown metric '{m}'" for m in metrics if not metric_info(m)]
        if not precision > 0:
            problems.append(f"precision: expected a positive number, found {precision!r}")
        if max_reps < 1:
            problems.append(f"max_reps: expected a positive whole number, found {max_reps!r}")
    if problems:
        raise InputError([Problem(None, None, "", p) for p in problems])
    return RunPlan(loaded, reps, sc.seed if seed is None else int(seed), precision,
                   tuple(metrics), max_reps)


def execute_plan(plan: RunPlan, *, workers: int | None = None, scheduler: str | None = None,
                 trace: bool = False, progress: ProgressCallback | None = None,
                 command: str | None = None, counter: list[int] | None = None) -> RunResult:
    """Run a settled plan on `scheduler` (already started; see `executor`)."""
    from sim.report import build_report
    from sim.runner import run_replications, run_to_precision

    sc = plan.loaded.scenario
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    began = time.perf_counter()
    done = counter if counter is not None else [0]
    total = [done[0] + plan.planned]
    base = done[0]

    def tick(_: ReplicationResult) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total[0])

    def batch(indices: range) -> list[ReplicationResult]:
        return run_replications(sc, indices, plan.seed, workers, scheduler, tick,
                                0 if trace else None)

    extra: dict[str, Any] = {}
    if plan.reps == "auto":
        def grow(n: int) -> None:
            total[0] = base + n

        results, extra["reps_auto"] = run_to_precision(
            sc, plan.seed, plan.precision, plan.metrics, plan.max_reps, batch, grow)
    else:
        results = batch(range(int(plan.reps)))
    report = build_report(plan.loaded, results, plan.seed, started,
                          time.perf_counter() - began, extra, command)
    return RunResult(plan.loaded, results, report)


def run(scenario: ScenarioLike, reps: int | str | None = None, seed: int | None = None,
        workers: int | None = None, scheduler: str | None = None, *,
        set: Overrides = None, precision: float = 0.05,  # noqa: A002
        metrics: Sequence[str] = ("items_cleared",), max_reps: int = 500,
        trace: bool = False, progress: ProgressCallback | None = None,
        command: str | None = None) -> RunResult:
    """Run the replications of a scenario and summarise them.

    `scenario`: a file path, a loaded scenario or a Scenario. `reps`: a number, "auto"
    (batches of 10 until the 95% CI half-width of each of `metrics` is within
    `precision` x |mean|, at most `max_reps`), or None for the scenario's own. `seed`:
    the base seed (default the scenario's). `workers`: processes (default: the cores;
    1 runs in this process). `scheduler`: a Dask scheduler address or "local".
    `trace`: keep the event log of replication 0. `progress(done, total)` is called
    after each replication. Replications that fail inside the model are recorded in the
    result (`RunResult.failed`; `check()` raises ModelError for them).
    """
    from sim.report.provenance import api_command

    loaded = load_scenario(scenario, set)
    plan = plan_run(loaded, reps, seed, precision, metrics, max_reps)
    command = command or api_command("run", loaded.file, reps=reps, seed=seed, set=set)
    with executor(scheduler, workers) as shared:
        return execute_plan(plan, workers=workers, scheduler=shared, trace=trace,
                            progress=progress, command=command)


@dataclass
class RunResult:
    """The replications of one scenario, their report, and tidy views of both."""

    loaded: LoadedScenario
    results: list[ReplicationResult]
    report: Report
    _frames: dict[str, Any] = field(default_factory=dict, repr=False)

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
        """One row per replication: scenario, replication, seed, then every metric."""
        if "metrics" not in self._frames:
            import pandas as pd

            from sim.stats import metric_names

            names = metric_names(self.results)
            rows = [{"scenario": self.name, "replication": r.index, "seed": r.seed[0],
                     **{n: r.metrics.get(n) for n in names}} for r in self.results]
            frame = pd.DataFrame(rows, columns=["scenario", "replication", "seed", *names])
            self._frames["metrics"] = frame.astype({n: float for n in names})
        return self._frames["metrics"]

    @property
    def series(self) -> pd.DataFrame:
        """Tidy: one row per series, date and replication, with its value."""
        if "series" not in self._frames:
            import pandas as pd

            rows = [(name, date, r.index, v) for r in self.results
                    for name, values in r.series.items() for date, v in zip(r.dates, values)]
            frame = pd.DataFrame(rows, columns=["series", "date", "replication", "value"])
            frame["date"] = pd.to_datetime(frame["date"])
            self._frames["series"] = frame.astype({"value": float})
        return self._frames["series"]

    def summary(self) -> pd.DataFrame:
        """One row per metric: label, mean, ci_low, ci_high, sd, p10, p50, p90, n, unit
        (and `happened`, the share of replications in which a time-to-event happened)."""
        import pandas as pd

        rows = []
        for name, m in self.report.metrics.items():
            lo, hi = m.ci95 if m.ci95 else (None, None)
            rows.append({"metric": name, "label": m.label or name, "mean": m.mean,
                         "ci_low": lo, "ci_high": hi, "sd": m.sd, "p10": m.p10,
                         "p50": m.p50, "p90": m.p90, "n": m.n, "unit": m.unit,
                         "happened": m.happened, "clipped": m.clipped})
        return pd.DataFrame(rows)

    def write_report(self, out: str | Path, figure_workers: int | None = None) -> Path:
        """report.json, report.md, report.html, metrics.csv, series.csv and figures,
        written atomically into `out` (a new, empty or earlier report directory)."""
        from sim.report import write_report
        from sim.report.atomic import TargetError

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


# -- comparing -----------------------------------------------------------------------------

CompareItem = Union[ScenarioLike, "Report", RunResult]


def compare(items: Sequence[CompareItem], reps: int | None = None, seed: int | None = None,
            workers: int | None = None, scheduler: str | None = None, *,
            set: Overrides = None, progress: ProgressCallback | None = None,  # noqa: A002
            command: str | None = None, files: Sequence[str] | None = None
            ) -> CompareResult:
    """Compare scenarios (or saved reports, or earlier results) against the first.

    Scenarios are run with the baseline's seed and replication count (or `seed`,
    `reps`): common random numbers, so differences are paired per replication. Saved
    reports of other seeds use Welch's unpaired interval. `set` applies to every
    scenario (not to saved reports or results).
    """
    from sim.compare import build_comparison
    from sim.report.model import Report, ReportFormatError, load_report
    from sim.report.provenance import api_command

    if len(items) < 2:
        raise InputError.single("compare needs at least two items: a baseline and another")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise InputError.single(f"reps: expected a positive whole number, found {reps!r}")
    prepared: list[Any] = []  # Report, RunResult or LoadedScenario
    names: list[str] = []
    for item in items:
        if isinstance(item, (str, Path)) and str(item).lower().endswith(".json"):
            try:
                prepared.append(load_report(item))
            except ReportFormatError as err:
                raise InputError.single(str(err)) from None
        elif isinstance(item, (Report, RunResult)):
            prepared.append(item)
        else:
            prepared.append(load_scenario(item, set))
        names.append(str(item) if isinstance(item, (str, Path)) else
                     getattr(getattr(item, "loaded", item), "file", "") or _name_of(item))
    if set and not any(_is_scenario(p) for p in prepared):
        raise InputError.single("`set` changes scenarios, and every item is a saved result")
    base = prepared[0]
    base_report = base.report if isinstance(base, RunResult) else base
    if _is_scenario(base):
        base_seed, base_reps = base.scenario.seed, base.scenario.replications
    else:
        base_seed, base_reps = base_report.run.seed, base_report.run.replications
    plans = [plan_run(p, reps or base_reps, base_seed if seed is None else seed)
             if _is_scenario(p) else None for p in prepared]
    total = sum(p.planned for p in plans if p is not None)
    counter = [0]
    command = command or api_command("compare", ", ".join(names), reps=reps, seed=seed, set=set)

    def tick(done: int, _total: int) -> None:
        if progress:
            progress(done, total)

    runs: list[RunResult | None] = []
    reports: list[Report] = []
    with executor(scheduler, workers) as shared:
        for item, plan in zip(prepared, plans):
            if plan is not None:
                result = execute_plan(plan, workers=workers, scheduler=shared, progress=tick,
                                      command=command, counter=counter)
                runs.append(result)
                reports.append(result.report)
            elif isinstance(item, RunResult):
                runs.append(item)
                reports.append(item.report)
            else:
                runs.append(None)
                reports.append(item)
    comparison = build_comparison(reports, list(files or names), command)
    return CompareResult(comparison, reports, runs)


def _is_scenario(item: Any) -> bool:
    from sim.scenario.loader import LoadedScenario

    return isinstance(item, LoadedScenario)


def _name_of(item: Any) -> str:
    return getattr(item, "name", type(item).__name__)


@dataclass
class CompareResult:
    """A comparison, the reports it compared, and the runs made for it (None for the
    saved reports)."""

    comparison: Comparison
    reports: list[Report]
    runs: list[RunResult | None]

    @property
    def differences(self) -> pd.DataFrame:
        """One row per scenario and metric: both means, the difference and its CI."""
        import pandas as pd

        rows = []
        for d in self.comparison.differences:
            lo, hi = d.diff_ci95 if d.diff_ci95 else (None, None)
            rows.append({"scenario": d.scenario, "metric": d.metric, "label": d.label,
                         "unit": d.unit, "baseline_mean": d.baseline_mean, "mean": d.mean,
                         "diff_mean": d.diff_mean, "diff_low": lo, "diff_high": hi,
                         "relative": d.relative if d.relative_shown else None,
                         "significant": d.significant, "verdict": d.verdict,
                         "paired": d.paired})
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
        from sim.compare import write_comparison
        from sim.report.atomic import TargetError

        try:
            return write_comparison(out, self.comparison, self.reports, figure_workers)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def check(self) -> CompareResult:
        if self.failed:
            raise ModelError(f"error: {self.failed} replication"
                             f"{'s' if self.failed != 1 else ''} failed inside the model")
        return self


# -- sweeps ----------------------------------------------------------------------------------

def sweep(file: str | Path, store: str | Path | None = None, *, resume: bool = False,
          workers: int | None = None, scheduler: str | None = None,
          set: Overrides = None, seed: int | None = None,  # noqa: A002
          reps: int | None = None, progress: ProgressCallback | None = None,
          model: Callable[..., ReplicationResult] | None = None,
          command: str | None = None, resume_command: str | None = None) -> SweepResult:
    """Run a sweep file's designed experiment; every run is committed to the SQLite
    `store` (default results/<file stem>.db) as it finishes. `resume` finishes a
    stored sweep without redoing any run. `set`, `seed` and `reps` override the base
    scenario, the sweep's seed and its replications per point. `model` stands in for
    `run_replication` (tests). Runs that fail are stored with their error
    (`SweepResult.failed`). Ctrl-C raises Interrupted naming `resume_command`."""
    from sim.executor import ExecutorError
    from sim.report.provenance import api_command
    from sim.sweep.execute import prepare, run_sweep

    db = default_store(file) if store is None else str(store)
    command = command or api_command("sweep", str(file), store=db, seed=seed, reps=reps,
                                     set=set)
    prepared = prepare(file, override_texts(set), seed, reps)
    with prepared.open_store(db, resume, command) as opened:
        total = opened.todo()
        done = [0]

        def tick(_run: Any) -> None:
            done[0] += 1
            if progress:
                progress(done[0], total)

        try:
            with executor(scheduler, workers) as shared:
                run_sweep(prepared, opened.store, model=model, workers=workers,
                          scheduler=shared, on_run=tick)
        except KeyboardInterrupt:
            n = sum(opened.store.counts().values())
            raise Interrupted(f"\nInterrupted: {n} runs are stored in {db}.",
                              resume_command) from None
        except (ExecutorError, InputError) as err:
            text = str(err.problems[0]) if isinstance(err, InputError) else f"error: {err}"
            raise InputError.single(f"{text.removeprefix('error: ')}\nThe sweep is recorded "
                                    f"in {db}; once fixed, continue it with --resume.") from None
    return SweepResult(db)


def default_store(file: str | Path) -> str:
    return str(Path("results") / f"{Path(file).stem}.db")


def sweep_design(file: str | Path, set: Overrides = None, seed: int | None = None,  # noqa: A002
                 reps: int | None = None) -> pd.DataFrame:
    """The design a sweep file builds, one row per point in the factors' own units
    (what `sweep --dry-run` prints as CSV); nothing runs."""
    import pandas as pd

    from sim.sweep.execute import prepare

    design = prepare(file, override_texts(set), seed, reps).design
    return pd.DataFrame(design.values, columns=design.factors)


def open_sweep(store: str | Path) -> SweepResult:
    """A stored sweep (finished or not), for its tables and report."""
    from sim.sweep.store import NotAStore, Store

    if not Path(store).is_file():
        raise InputError.single(f"{store}: no such sweep store")
    try:
        with Store(store) as s:
            if s.meta("spec") is None:
                raise InputError.single(f"{store}: not a kazsim sweep database")
    except NotAStore as err:
        raise InputError.single(str(err)) from None
    return SweepResult(str(store))


@dataclass
class SweepResult:
    """A stored sweep: its runs as tables (the experiments and their outcomes, as EMA
    Workbench returns them), the per-point summary, the sensitivity ranking."""

    store: str
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def _read(self, sql: str) -> pd.DataFrame:
        import sqlite3

        import pandas as pd

        with sqlite3.connect(self.store) as con:
            return pd.read_sql(sql, con)

    @property
    def experiments(self) -> pd.DataFrame:
        """One row per run: point, replication, seed, status and each factor's value."""
        if "experiments" not in self._cache:
            from sim.sweep.store import Store

            with Store(self.store) as s:
                factors = s.factors()
            cols = ", ".join(f'e."{f}"' for f in factors)
            self._cache["experiments"] = self._read(
                "SELECT r.point, r.replication, r.seed, r.status"
                + (f", {cols}" if cols else "")
                + " FROM runs r JOIN experiments e USING (point) ORDER BY r.point, r.replication")
        return self._cache["experiments"]

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per run (aligned with `experiments`): every metric, as numbers."""
        if "outcomes" not in self._cache:
            long = self._read("SELECT point, replication, metric, value FROM metrics")
            runs = self.experiments[["point", "replication"]]
            if long.empty:
                self._cache["outcomes"] = runs.copy()
            else:
                wide = long.pivot_table(index=["point", "replication"], columns="metric",
                                        values="value", aggfunc="first", dropna=False)
                wide.columns.name = None
                self._cache["outcomes"] = runs.merge(wide.reset_index(),
                                                     on=["point", "replication"], how="left")
        return self._cache["outcomes"]

    @property
    def series(self) -> pd.DataFrame:
        """Kept time series (the sweep file's `series:`), tidy: point, replication,
        series, date, value."""
        frame = self._read("SELECT point, replication, series, date, value FROM series "
                           "ORDER BY point, replication, series, date")
        import pandas as pd

        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    @property
    def analysis(self) -> SweepAnalysis:
        if "analysis" not in self._cache:
            from sim.sweep.report import SweepAnalysis
            from sim.sweep.store import Store

            with Store(self.store) as s:
                self._cache["analysis"] = SweepAnalysis(s)
        return self._cache["analysis"]

    @property
    def points(self) -> pd.DataFrame:
        """One row per design point: factors, n_ok, n_failed, then each output's mean
        and 95% CI bounds (as points.csv)."""
        import io

        import pandas as pd

        from sim.sweep.report import points_csv

        return pd.read_csv(io.StringIO(points_csv(self.analysis)))

    @property
    def sensitivity(self) -> pd.DataFrame:
        import io

        import pandas as pd

        from sim.sweep.report import sensitivity_csv

        return pd.read_csv(io.StringIO(sensitivity_csv(self.analysis)))

    @property
    def failed(self) -> int:
        return int(self.analysis.counts.get("failed", 0))

    def write_report(self, out: str | Path, figure_workers: int | None = None) -> Path:
        """runs.csv, points.csv, sensitivity.csv, sweep.md, sweep.html and figures."""
        from sim.report.atomic import TargetError
        from sim.sweep.report import write_report

        try:
            return write_report(self.analysis, out, figure_workers)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def check(self) -> SweepResult:
        if self.failed:
            raise ModelError(f"error: {self.failed} run(s) failed; their errors are in "
                             f"{self.store} (and runs.csv).")
        return self
