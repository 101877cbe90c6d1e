"""The sweep study: run a sweep file's designed experiment into a crash-safe store, and
read a stored sweep back as tables, an analysis and a report.

The plan step (`prepare`, in execute.py) reads the file, applies the overrides and checks
the size of the work before any design matrix is built; `sweep` runs what the store
does not hold yet on the one execution path.
"""
from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.errors import InputError, Interrupted, ModelError
from sim.core.results import ReplicationResult
from sim.execution.executor import ExecutorError, command_scheduler, require_dask
from sim.report.atomic import TargetError
from sim.report.notebook import draw
from sim.report.provenance import api_command
from sim.report.render import FigureJob
from sim.studies.inputs import Overrides, ProgressCallback, override_texts
from sim.studies.sweep.execute import prepare, run_sweep
from sim.studies.sweep.report import (
    SweepAnalysis,
    findings,
    intro,
    main_effects,
    points_csv,
    sensitivity_csv,
    title,
    write_report,
)
from sim.studies.sweep.store import NotAStore, Store

if TYPE_CHECKING:
    import pandas as pd


def sweep(file: str | Path, store: str | Path | None = None, *, resume: bool = False,
          workers: int | None = None, scheduler: str | None = None,
          set: Overrides = None, seed: int | None = None,  # noqa: A002
          reps: int | None = None, progress: ProgressCallback | None = None,
          model: Callable[..., ReplicationResult] | None = None,
          command: str | None = None, resume_command: str | None = None,
          allow_large: bool = False) -> SweepResult:
    """Run a sweep file's designed experiment; every run is committed to the SQLite
    `store` (default results/<file stem>.db) as it finishes. `resume` finishes a
    stored sweep without redoing any run. `set`, `seed` and `reps` override the base
    scenario, the sweep's seed and its replications per point. `model` stands in for
    `run_replication` (tests). Runs that fail are stored with their error
    (`SweepResult.failed`). Ctrl-C raises Interrupted naming `resume_command`. Work over
    the limits (docs/limits.md) is refused unless `allow_large`."""
    db = default_store(file) if store is None else str(store)
    if scheduler:
        try:
            require_dask()  # before the store is written
        except ExecutorError as err:
            raise InputError.single(str(err)) from None
    command = command or api_command("sweep", str(file), store=db, seed=seed, reps=reps,
                                     set=set)
    prepared = prepare(file, override_texts(set), seed, reps, allow_large=allow_large,
                       workers=workers)
    with prepared.open_store(db, resume, command) as opened:
        total = opened.todo()
        done = [0]

        def tick(_run: Any) -> None:
            done[0] += 1
            if progress:
                progress(done[0], total)

        try:
            with command_scheduler(scheduler, workers) as shared:
                run_sweep(prepared, opened.store, model=model, workers=workers,
                          scheduler=shared, on_run=tick)
        except KeyboardInterrupt as stop:
            n = sum(opened.store.counts().values())
            raise Interrupted.by(stop, f"{n} runs are stored in {db}.", resume_command) from None
        except (ExecutorError, InputError) as err:
            text = str(err.problems[0]) if isinstance(err, InputError) else f"error: {err}"
            raise InputError.single(f"{text.removeprefix('error: ')}\nThe sweep is recorded "
                                    f"in {db}; once fixed, continue it with --resume.") from None
    return SweepResult(db)


def default_store(file: str | Path) -> str:
    return str(Path("results") / f"{Path(file).stem}.db")


def sweep_design(file: str | Path, set: Overrides = None, seed: int | None = None,  # noqa: A002
                 reps: int | None = None, allow_large: bool = False) -> pd.DataFrame:
    """The design a sweep file builds, one row per point in the factors' own units
    (what `sweep --dry-run` prints as CSV); nothing runs."""
    import pandas as pd

    design = prepare(file, override_texts(set), seed, reps, allow_large=allow_large,
                     design_only=True).design
    return pd.DataFrame(design.values, columns=design.factors)


def open_sweep(store: str | Path) -> SweepResult:
    """A stored sweep (finished or not), for its tables and report."""
    if not Path(store).is_file():
        raise InputError.single(f"{store}: no such sweep store")
    try:
        with Store(store, readonly=True) as s:
            if s.meta("spec") is None:
                raise InputError.single(f"{store}: not a kazsim sweep database")
    except NotAStore as err:
        raise InputError.single(str(err)) from None
    return SweepResult(str(store))


@dataclass(repr=False)
class SweepResult:
    """A stored sweep: its runs as tables (the experiments and their outcomes, as EMA
    Workbench returns them), the per-point summary, the sensitivity ranking."""
    store: str
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        with Store(self.store, readonly=True) as s:
            counts, factors = s.counts(), s.factors()
            name = s.meta("scenario_name") or ""
        return (f"<SweepResult {self.store!r} ({name}): {len(factors)} factors, "
                f"{counts.get('ok', 0)} runs ok, {counts.get('failed', 0)} failed>")

    def _repr_html_(self) -> str:
        """The findings, as a notebook shows them."""
        a = self.analysis
        return (f"<p><b>{html.escape(title(a))}</b></p><p>{html.escape(intro(a))}</p><ul>"
                + "".join(f"<li>{html.escape(f)}</li>" for f in findings(a)) + "</ul>")

    def plot(self, output: str | None = None) -> Any:
        """The main effects on `output` (default: the sweep's first output), every panel
        on one scale, as a matplotlib Figure."""
        a = self.analysis
        if not a.outputs:
            raise ValueError("the sweep names no outputs")
        name = output or a.outputs[0]
        if name not in a.outputs:
            raise ValueError(f"no output {name!r}; the sweep's outputs: {', '.join(a.outputs)}")
        return draw(FigureJob("main_effects", "", "main_effects", main_effects(a, name)))

    def _read(self, sql: str) -> pd.DataFrame:
        import pandas as pd

        with Store(self.store, readonly=True) as s:  # an earlier layout reads converted
            return pd.read_sql(sql, s.db)

    @property
    def experiments(self) -> pd.DataFrame:
        """One row per run: point, replication, seed, status and each factor's value."""
        if "experiments" not in self._cache:

            with Store(self.store, readonly=True) as s:
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

            with Store(self.store, readonly=True) as s:
                self._cache["analysis"] = SweepAnalysis(s)
        return self._cache["analysis"]

    @property
    def points(self) -> pd.DataFrame:
        """One row per design point: factors, n_ok, n_failed, then each output's mean
        and 95% CI bounds (as points.csv)."""

        import pandas as pd

        return pd.read_csv(io.StringIO(points_csv(self.analysis)))

    @property
    def sensitivity(self) -> pd.DataFrame:
        import pandas as pd

        return pd.read_csv(io.StringIO(sensitivity_csv(self.analysis)))

    @property
    def failed(self) -> int:
        return int(self.analysis.counts.get("failed", 0))

    def write_report(self, out: str | Path, figure_workers: int | None = None) -> Path:
        """runs.csv, points.csv, sensitivity.csv, sweep.md, sweep.html and figures."""

        try:
            return write_report(self.analysis, out, figure_workers)
        except TargetError as err:
            raise InputError.single(str(err)) from None

    def check(self) -> SweepResult:
        if self.failed:
            raise ModelError(f"error: {self.failed} run(s) failed; their errors are in "
                             f"{self.store} (and runs.csv).")
        return self
