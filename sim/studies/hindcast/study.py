"""The hindcast study: a scenario set against dated observations of the real world
(record files, `sim.scenario.records`).

`plan_hindcast` reads the scenario and the records, checks each observation against the
scenario (a `by:` date outside the run, a metric it cannot produce: InputError with
file:line) and plans the scenario's run through the run study, reading every metric at
each observation's date and at dates across the run (for the figures). `execute` runs
it and sets each observation against the runs: the prediction (the 5th, 50th and 95th
percentiles over the runs), the share of runs consistent with it, and whether the
observation overlaps the 90% prediction interval.

Draws: the prediction is taken over every run the run study made. Today those are the
nominal scenario's replications; when the run study runs the draws of the scenario's
assumptions (issue 18) they are among its results and the prediction includes them,
with nothing to change here but passing `draws` on to `plan_run`.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import InputError, Problem
from sim.core.metrics import label, unit
from sim.core.results import ReplicationResult
from sim.report.atomic import TargetError
from sim.report.provenance import api_command, override_texts, provenance, scenario_source
from sim.scenario.records import LoadedRecord, Observation, check_record, load_record
from sim.studies.draws import REPS_PER_DRAW
from sim.studies.hindcast.report import draw_observations, write_report
from sim.studies.inputs import Overrides, ProgressCallback, ScenarioLike, load_scenario
from sim.studies.run import RunPlan, RunResult, plan_run

if TYPE_CHECKING:
    import pandas as pd

FORMAT = "kazsim-hindcast/1"
MARKER = "hindcast.json"      # what makes a directory an earlier hindcast report
FIGURE_POINTS = 24            # dates across the run at which the figures read the metrics
QUANTILES = (5, 50, 95)

RecordLike = str | Path | LoadedRecord


@dataclass
class HindcastPlan:
    """The scenario's run (a RunPlan that reads the metrics at `reads`) and the records."""

    run: RunPlan
    records: list[LoadedRecord]

    @property
    def warnings(self) -> list[Problem]:
        return self.run.warnings

    @property
    def planned(self) -> int:
        return self.run.planned

    def execute(self, *, workers: int | None = None, scheduler: str | None = None,
                progress: ProgressCallback | None = None, command: str | None = None
                ) -> HindcastResult:
        began = time.perf_counter()
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        run = self.run.execute(workers=workers, scheduler=scheduler, progress=progress,
                               command=command)
        return HindcastResult(run, self.records, started, time.perf_counter() - began, command)


def plan_hindcast(scenario: ScenarioLike, records: RecordLike | Sequence[RecordLike],
                  reps: int | None = None, seed: int | None = None, *,
                  set: Overrides = None,  # noqa: A002
                  workers: int | None = None, allow_large: bool = False,
                  draws: int | str | None = None, reps_per_draw: int = REPS_PER_DRAW
                  ) -> HindcastPlan:
    """Load the scenario and the records and check them together (InputError listing
    every problem with file:line); plan the scenario's run, with the draws of its
    assumptions (`draws`, as for `run`: "auto"/None is 32 when it declares any)."""
    items = [records] if isinstance(records, (str, Path, LoadedRecord)) else list(records)
    if not items:
        raise InputError.single("give at least one record file")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise InputError.single(f"reps: expected a positive whole number, found {reps!r}")
    loaded_records, problems = [], []
    for item in items:
        try:
            loaded_records.append(item if isinstance(item, LoadedRecord) else load_record(item))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    loaded = load_scenario(scenario, set)
    sc = loaded.scenario
    for rec in loaded_records:
        problems += check_record(rec, sc, loaded.file)
    if problems:
        raise InputError(problems)
    by = [o.by for rec in loaded_records for o in rec.record.observations if o.by is not None]
    plan = plan_run(loaded, reps, seed, workers=workers, allow_large=allow_large,
                    reads=[*by, *figure_dates(sc.start, sc.end)], draws=draws,
                    reps_per_draw=reps_per_draw)
    return HindcastPlan(plan, loaded_records)


def figure_dates(start: dt.date, end: dt.date, points: int = FIGURE_POINTS) -> list[dt.date]:
    """`points` + 1 dates evenly across the run, the start and the end included: where
    the figures read each observed metric over time."""
    days = (end - start).days
    return sorted({start + dt.timedelta(days=round(days * k / points)) for k in range(points + 1)})


def hindcast(scenario: ScenarioLike, records: RecordLike | Sequence[RecordLike],
             reps: int | None = None, seed: int | None = None, workers: int | None = None,
             scheduler: str | None = None, *, set: Overrides = None,  # noqa: A002
             progress: ProgressCallback | None = None, command: str | None = None,
             allow_large: bool = False, draws: int | str | None = None,
             reps_per_draw: int = REPS_PER_DRAW) -> HindcastResult:
    """Set `scenario` against the observations of `records` (record files or loaded
    records): run it (`reps`, default the scenario's `replications`; `seed`, default
    its own), read each observed metric by its date, and report for each observation
    the 90% prediction, the share of runs consistent with it and whether it lies
    inside the prediction. A measurement: the fit never raises. With the scenario's
    `assumptions:` drawn (`draws`), the prediction is over the draws' runs, so it holds
    what the assumptions leave open as well as the model's dice."""
    plan = plan_hindcast(scenario, records, reps, seed, set=set, workers=workers,
                         allow_large=allow_large, draws=draws, reps_per_draw=reps_per_draw)
    loaded = plan.run.loaded
    command = command or api_command(
        "hindcast", scenario_source(loaded.file, override_texts(loaded.origins)),
        [r.file for r in plan.records], reps=reps, seed=seed, draws=draws,
        reps_per_draw=reps_per_draw if plan.run.draws else None)
    return plan.execute(workers=workers, scheduler=scheduler, progress=progress, command=command)


def read(result: ReplicationResult, obs: Observation) -> float | None:
    """The observed metric of one run, by the observation's date (at the end without one)."""
    metrics = result.metrics if obs.by is None else result.readings[obs.by.isoformat()]
    value = metrics.get(obs.metric)
    return None if value is None or not math.isfinite(value) else float(value)


def quantiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {f"p{q:02d}": None for q in QUANTILES}
    found = np.percentile(np.asarray(values, float), QUANTILES)
    return {f"p{q:02d}": float(v) for q, v in zip(QUANTILES, found)}


def inside(obs: Observation, prediction: dict[str, float | None]) -> bool:
    """Whether the observation overlaps the 90% prediction interval: for `at_least v`,
    p95 >= v; `at_most v`, p05 <= v; `equals`/`between`, the intervals overlap."""
    low, high = obs.interval
    p05, p95 = prediction["p05"], prediction["p95"]
    return p05 is not None and p95 is not None and low <= p95 and p05 <= high


@dataclass
class HindcastResult:
    """The run and each observation set against it."""

    run: RunResult
    records: list[LoadedRecord]
    started: str
    wall_seconds: float
    command: str | None = None

    @property
    def runs(self) -> list[ReplicationResult]:
        """The runs the prediction is taken over: the draws' runs where the assumptions
        were drawn (as the run report's summaries are), else every replication."""
        ok = [r for r in self.run.results if r.ok]
        drawn = [r for r in ok if r.draw is not None]
        return drawn or ok

    @cached_property
    def observations(self) -> list[dict[str, Any]]:
        sc = self.run.scenario
        out = []
        for rec in self.records:
            for i, obs in enumerate(rec.record.observations):
                values = [read(r, obs) for r in self.runs]
                known = [v for v in values if v is not None]
                prediction = quantiles(known)
                out.append({
                    "metric": obs.metric, "label": label(obs.metric), "unit": self._unit(obs.metric),
                    "by": obs.by.isoformat() if obs.by else None,
                    "read_at": (obs.by or sc.end).isoformat(),
                    "record": obs.record(), "use": obs.use, "source": obs.source.strip(),
                    "record_file": rec.file, "line": rec.line(i),
                    "prediction": prediction,
                    "share_consistent": (sum(obs.agrees(v) for v in values) / len(values)
                                         if values else None),
                    "inside": inside(obs, prediction),
                    "runs": len(values), "runs_without_value": len(values) - len(known),
                    "over_time": self._over_time(obs),
                })
        return out

    def _unit(self, metric: str) -> str:
        tasks = {f"output.{name}": task.unit for d in self.run.scenario.deployments
                 for name, task in d.theatre.tasks.items()}
        return tasks.get(metric, unit(metric))

    def _over_time(self, obs: Observation) -> dict[str, list[Any]]:
        """The metric's median and 90% band at the dates read across the run."""
        dates = sorted(self.runs[0].readings) if self.runs else []
        series: dict[str, list[Any]] = {"dates": dates, "p05": [], "p50": [], "p95": []}
        for d in dates:
            values = [v for r in self.runs if (v := r.readings[d].get(obs.metric)) is not None]
            for key, value in quantiles(values).items():
                series[key].append(value)
        return series

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        out = {use: {"observations": 0, "inside": 0} for use in ("calibration", "validation")}
        for o in self.observations:
            out[o["use"]]["observations"] += 1
            out[o["use"]]["inside"] += int(o["inside"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """hindcast.json."""
        info = self.run.report.run
        prov = provenance(self.run.loaded, info.replications, info.seed,
                          self.started, self.wall_seconds, self.command, self.run.failed)
        prov["run"] |= {"draws": info.draws, "replications_per_draw": info.replications_per_draw}
        uncertainty = self.run.report.uncertainty
        return {"format": FORMAT, **prov,
                **({"uncertainty": uncertainty.model_dump(mode="json")} if uncertainty else {}),
                "records": [{"name": r.record.name, "file": r.file, "sha256": r.sha256}
                            for r in self.records],
                "observations": self.observations, "summary": self.summary}

    @property
    def table(self) -> pd.DataFrame:
        """One row per observation: metric, by, use, the record, the prediction, share
        consistent, inside."""
        import pandas as pd  # lazy: pandas only for who asks for a DataFrame

        rows = [{"metric": o["metric"], "by": o["read_at"], "use": o["use"],
                 **{k: v for k, v in o["record"].items()}, **o["prediction"],
                 "share_consistent": o["share_consistent"], "inside": o["inside"]}
                for o in self.observations]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False))

    def plot(self) -> Any:
        """The figure of the observed metrics over time (a matplotlib Figure)."""
        return draw_observations(self.to_dict())

    def write_report(self, out: str | Path) -> Path:
        """hindcast.json, hindcast.md, hindcast.html and figures/, written atomically."""
        try:
            return write_report(self.to_dict(), out)
        except TargetError as err:
            raise InputError.single(str(err)) from None
