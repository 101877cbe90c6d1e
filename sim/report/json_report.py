"""The report of a run, built from its replication results (see `sim.report.model`)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sim.core.metrics import COST_PARTS, METRICS, applies, label, unit
from sim.core.results import ReplicationResult
from sim.core.stats import (
    MetricStats,
    clip_interval,
    describe,
    summarize_metrics,
    summarize_series,
)
from sim.core.thresholds import breach_shares
from sim.core.uncertainty import metric_uncertainty
from sim.core.version import __version__
from sim.report.inputs import non_defaults
from sim.report.model import (
    FORMAT,
    Assumptions,
    Driver,
    Failure,
    MetricSummary,
    NominalSummary,
    Prediction,
    ReplicationRecord,
    Report,
    ReportFormatError,
    RepsAuto,
    RunInfo,
    ScenarioInfo,
    SeriesSummary,
    ThresholdResult,
    Uncertainty,
    Unfilled,
    dumps,
    finite,
    load_report,
)
from sim.report.provenance import environment, git_commit, override_paths, override_texts

__all__ = ["FORMAT", "Report", "ReportFormatError", "build_report", "dumps", "load_report"]


def build_report(loaded: Any, results: Sequence[ReplicationResult], seed: int,
                 started: str, wall_seconds: float, extra_run: dict[str, Any] | None = None,
                 command: str | None = None, uncertainty: Uncertainty | None = None
                 ) -> Report:
    """The report of `results` of the scenario `loaded` (a LoadedScenario). With
    `uncertainty` (the draws of the assumptions), `results` hold the nominal
    replications (`draw` None) and every run of every draw; the summaries are then over
    the draws' runs, and each metric says what the nominal gives and what it rests on."""
    sc = loaded.scenario
    overrides = override_texts(getattr(loaded, "origins", {}))
    extra = dict(extra_run or {})
    auto = extra.pop("reps_auto", None)
    nominal = [r for r in results if r.draw is None]
    summarised = [r for r in results if r.draw is not None] if uncertainty else nominal
    run = RunInfo(replications=len(nominal), seed=seed, version=__version__,
                  commit=git_commit(), started=started, wall_seconds=round(wall_seconds, 3),
                  failed=[Failure(index=r.index, error=r.error,
                                  **({"draw": r.draw} if r.draw is not None else {}))
                          for r in results if not r.ok],
                  command=command, overrides=overrides,
                  **({"reps_auto": RepsAuto(**auto)} if auto else {}),
                  draws=uncertainty.draws if uncertainty else 0,
                  **({"replications_per_draw": uncertainty.replications_per_draw}
                     if uncertainty else {}), **environment(), **extra)
    set_by = override_paths(overrides)
    inputs = [{**i, "set_by": set_by[i["path"]]} if i["path"] in set_by else i
              for i in non_defaults(sc)]
    # another task's output is in the unit its scenario entry names, not the catalogue's
    task_units = {f"output.{name}": task.unit for d in sc.deployments
                  for name, task in d.theatre.tasks.items()}
    metrics = {name: _metric(m, task_units.get(name, m.unit))
               for name, m in summarize_metrics(
                   summarised, [m for m in METRICS if not applies(m, sc)]).items()}
    if uncertainty:
        design = (uncertainty.design_columns(), uncertainty.categorical())
        metrics = {name: _with_draws(name, m, nominal, summarised, uncertainty, design)
                   for name, m in metrics.items()}
    return Report(
        format=FORMAT,
        scenario=ScenarioInfo(name=sc.name, file=str(loaded.file), sha256=loaded.sha256,
                              start=sc.start.isoformat(), end=sc.end.isoformat(),
                              resolved=finite(sc.model_dump(mode="json"))),
        run=run,
        metrics=metrics,
        series={name: SeriesSummary(dates=s.dates, mean=s.mean, p10=s.p10, p90=s.p90,
                                    unit=unit(name), label=label(name))
                for name, s in summarize_series(summarised).items()},
        replications=[ReplicationRecord(index=r.index, seed=list(r.seed), draw=r.draw,
                                        metrics=finite(r.metrics),
                                        wall_seconds=round(r.wall_seconds, 4), events=r.events,
                                        **({"error": r.error} if r.error else {}),
                                        **({"notes": notes} if (notes := _notes(r)) else {}))
                      for r in results],
        thresholds=[ThresholdResult(**t) for t in breach_shares(sc.thresholds, summarised)],
        unfilled=unfilled_summary(summarised),
        warnings=[str(w) for w in loaded.warnings]
                 + sorted({w for r in results for w in r.warnings}),
        notes=sorted({n for r in results for n in _notes(r)}),
        assumptions=Assumptions(sources=list(sc.sources), non_default_inputs=inputs),
        cost_parts=[p for p in COST_PARTS if any(p in r.metrics for r in results)],
        **({"uncertainty": uncertainty} if uncertainty else {}),
    )


def _with_draws(name: str, m: MetricSummary, nominal: Sequence[ReplicationResult],
                drawn: Sequence[ReplicationResult], u: Uncertainty,
                design: tuple[dict[str, list[Any]], set[str]]) -> MetricSummary:
    """`m` (summarised over the draws' runs) with the mean's interval over the crossed
    design, the nominal scenario's summary, the prediction and the drivers."""
    values = [r.metrics.get(name) for r in nominal if r.ok]
    runs = {(int(r.draw), r.index): r.metrics.get(name) for r in drawn
            if r.ok and r.draw is not None}
    found = metric_uncertainty(values, runs, design[0], u.draws, u.replications_per_draw,
                               design[1])
    ci, clipped = found.ci95, m.clipped
    if ci is not None:
        ci, was = clip_interval(ci, name)
        clipped = clipped or was
    d = describe(values, name)
    extra: dict[str, Any] = {
        "nominal": NominalSummary(mean=d.mean, sd=d.sd, ci95=d.ci95, n=d.n),
        "drivers": [Driver(assumption=x.assumption, share=x.share) for x in found.drivers]}
    if found.mean is not None:
        extra |= {"mean": found.mean, "ci95": ci}
    if found.prediction:
        p = found.prediction
        extra["prediction"] = Prediction(p05=p.p05, p50=p.p50, p95=p.p95)
    if clipped:
        extra["clipped"] = True
    return m.model_copy(update=extra)


def _notes(result: ReplicationResult) -> list[str]:
    """Human notes the model left on a replication ("officer release never bound")."""
    return list(getattr(result, "notes", None) or [])


def _metric(m: MetricStats, unit: str) -> MetricSummary:
    """A metric's summary as report.json keeps it: `clipped` only when the interval was
    clipped, `happened` only for a time-to-event metric."""
    return MetricSummary(mean=m.mean, sd=m.sd, ci95=m.ci95, p10=m.p10, p50=m.p50, p90=m.p90,
                         min=m.min, max=m.max, n=m.n, unit=unit, description=m.description,
                         label=m.label, **({"clipped": True} if m.clipped else {}),
                         **({"happened": m.happened} if m.time_to_event else {}))


def unfilled_summary(results: Sequence[ReplicationResult]) -> list[Unfilled]:
    """Unfilled contingent posts by deployment, role and reason: mean per replication."""
    ok = [r for r in results if r.ok]
    total: Counter[tuple[str, str, str]] = Counter()
    for r in ok:
        for u in r.unfilled:
            total[(u.deployment, u.role, u.reason)] += u.missing
    return [Unfilled(deployment=d, role=role, reason=reason, missing_total=n,
                     missing_per_replication=n / len(ok))
            for (d, role, reason), n in sorted(total.items())]
