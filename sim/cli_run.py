"""`run` and `compare`: replications with a progress bar, a summary, and a report set."""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sim.cli_common import (
    KazsimCommand,
    allow_large_option,
    format_option,
    quiet_option,
    reps_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.errors import InputError, ModelError, Problem
from sim.metrics import HEADLINE
from sim.results import ReplicationResult

AUTO_BATCH = 10


def parse_reps(value: str | None) -> int | str | None:
    """None (scenario default), a positive int, or "auto"."""
    if value is None or value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise click.BadParameter(f"expected a positive integer or 'auto', found '{value}'",
                                 param_hint="--reps") from None
    if n < 1:
        raise click.BadParameter(f"expected a positive integer or 'auto', found {n}",
                                 param_hint="--reps")
    return n


def _load(path: str, overrides: Sequence[str] = ()) -> Any:
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamlio import load_yaml
    from sim.sweep.spec import is_sweep

    try:
        return load_scenario(path, overrides)
    except InputError as err:
        problem = err
    try:
        if is_sweep(load_yaml(path)[0]):
            problem = InputError([Problem(path, None, "", "this is a sweep file, not a "
                                          f"scenario: run it with `kazsim sweep {path}`")])
    except InputError:
        pass
    raise problem


def _warn(loaded: Any) -> None:
    for w in loaded.warnings:
        click.echo(str(w), err=True)


class Progress:
    """A rich progress bar with ETA on stderr (nothing when quiet)."""

    def __init__(self, total: int, label: str, quiet: bool):
        self.bar = None
        if not quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                    MofNCompleteColumn(), TimeElapsedColumn(),
                                    TextColumn("ETA"), TimeRemainingColumn(),
                                    console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def add_total(self, n: int) -> None:
        if self.bar:
            self.bar.update(self.task, total=(self.bar.tasks[0].total or 0) + n)

    def advance(self, _result: ReplicationResult | None = None) -> None:
        if self.bar:
            self.bar.advance(self.task)


def run_scenario(loaded: Any, reps: int | str | None, seed: int | None, *, workers: int | None,
                 scheduler: str | None, quiet: bool, precision: float = 0.05,
                 auto_metrics: Sequence[str] = ("items_cleared",), max_reps: int = 500,
                 trace: bool = False, progress: Progress | None = None
                 ) -> tuple[dict[str, Any], list[ReplicationResult]]:
    """Run the replications of one loaded scenario and build its report dict."""
    from sim.report import build_report
    from sim.runner import run_replications
    from sim.stats import no_values, precision_met

    sc = loaded.scenario
    seed = sc.seed if seed is None else seed
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    began = time.perf_counter()
    extra: dict[str, Any] = {}
    own = progress is None
    n = min(AUTO_BATCH, max_reps) if reps == "auto" else int(reps or sc.replications)
    bar = progress or Progress(n, sc.name, quiet)
    if own:
        bar.__enter__()
    try:
        def batch(indices: range) -> list[ReplicationResult]:
            return run_replications(sc, indices, seed=seed, workers=workers,
                                    scheduler=scheduler, on_result=bar.advance,
                                    trace_index=0 if trace else None)
        results = batch(range(n))
        if reps == "auto":
            while (not precision_met(results, auto_metrics, precision)
                   and len(results) < max_reps and not no_values(results, auto_metrics)):
                more = min(AUTO_BATCH, max_reps - len(results))
                bar.add_total(more)
                results += batch(range(len(results), len(results) + more))
            extra["reps_auto"] = {"precision": precision, "metrics": list(auto_metrics),
                                  "max_reps": max_reps,
                                  "met": precision_met(results, auto_metrics, precision),
                                  "no_values": no_values(results, auto_metrics)}
    finally:
        if own:
            bar.__exit__()
    report = build_report(loaded, results, seed, started, time.perf_counter() - began, extra)
    return report, results


def print_summary(report: dict[str, Any]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from sim.report.document import compact

    run = report["run"]
    table = Table(title=f"{report['scenario']['name']}: {run['replications']} replications, "
                        f"seed {run['seed']}", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("metric", "mean", "95% CI", "unit", ""):
        table.add_column(col, justify="right" if col in ("mean", "95% CI") else "left",
                         no_wrap=col != "unit")
    for name in HEADLINE:
        m = report["metrics"].get(name)
        if m is None:
            continue
        note = f"reached {m['happened']:.0%}" if m.get("happened") is not None else ""
        ci = "—" if not m["ci95"] else f"[{compact(m['ci95'][0])}, {compact(m['ci95'][1])}]"
        table.add_row(name, compact(m["mean"]), ci, m["unit"], note)
    console = Console()
    console.print(table)
    for t in report.get("thresholds", []):
        share = "—" if t["breach_share"] is None else f"{t['breach_share']:.0%}"
        console.print(f"threshold {t['threshold']}: breached in {share} of replications")


def _summary_json(report: dict[str, Any], out: Path) -> dict[str, Any]:
    return {"scenario": report["scenario"]["name"], "run": report["run"],
            "metrics": {n: report["metrics"][n] for n in HEADLINE if n in report["metrics"]},
            "thresholds": report.get("thresholds", []), "report": str(out)}


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
@reps_option
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), default=0.05,
              show_default=True, help="With --reps auto: target CI half-width over |mean|.")
@click.option("--metric", "auto_metrics", multiple=True, metavar="NAME",
              help="With --reps auto: metric(s) whose precision decides (default items_cleared).")
@click.option("--max-reps", type=click.IntRange(min=1), default=500, show_default=True,
              help="With --reps auto: the most replications to run.")
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Report directory (default reports/<scenario-stem>/).")
@workers_option
@scheduler_option
@quiet_option
@format_option
@click.option("--trace", "trace_file", type=click.Path(dir_okay=False), default=None,
              help="Write the event log of replication 0 to this CSV file.")
@allow_large_option
def run(scenario: str, reps: str | None, precision: float, auto_metrics: tuple[str, ...],
        max_reps: int, seed: int | None, overrides: tuple[str, ...], out: str | None,
        workers: int | None, scheduler: str | None, quiet: bool, fmt: str,
        trace_file: str | None, allow_large: bool) -> None:
    """Run the replications of SCENARIO, print a summary and write a report directory.

    Exit 1 on invalid input (nothing written), 3 if a replication failed in the model
    (the report is still written and lists the failures).
    """
    from sim.metrics import METRICS

    n = parse_reps(reps)
    auto_metrics = auto_metrics or ("items_cleared",)
    unknown = [m for m in auto_metrics if m not in METRICS]
    if unknown:
        raise click.BadParameter(f"unknown metric(s) {', '.join(unknown)}",
                                 param_hint="--metric")
    loaded = _load(scenario, overrides)
    from sim.limits import estimate_run

    count = max_reps if n == "auto" else int(n or loaded.scenario.replications)
    estimate_run(loaded.scenario, count, workers).check(allow_large, scenario)
    target = Path(out) if out else Path("reports") / Path(scenario).stem
    _check_targets(target, "report.json", trace_file)
    _warn(loaded)
    with _executor(scheduler, workers) as scheduler:
        report, results = run_scenario(loaded, n, seed, workers=workers, scheduler=scheduler,
                                       quiet=quiet, precision=precision,
                                       auto_metrics=auto_metrics, max_reps=max_reps,
                                       trace=bool(trace_file))
    from sim.report import write_report

    write_report(target, report, results)
    if trace_file:
        _write_trace(trace_file, results)
    _say_done(report, target, quiet, fmt, _summary_json, print_summary)
    _raise_failed([report], target)


def _check_targets(out: Path, marker: str, trace_file: str | None = None) -> None:
    """Exit 1 before any run if an output cannot be written or must not be replaced."""
    from sim.report.atomic import TargetError, check_dir_target, check_file_target

    try:
        check_dir_target(out, marker)
        if trace_file:
            check_file_target(trace_file)
    except TargetError as err:
        raise InputError.single(str(err)) from None


@contextmanager
def _executor(scheduler: str | None, workers: int | None) -> Iterator[str | None]:
    """The scheduler for a command's batches of runs ("local": one local cluster for all
    of them). A missing Dask or an unreachable scheduler: a message and exit 1."""
    from sim.executor import ExecutorError, shared_scheduler

    try:
        with shared_scheduler(scheduler, workers) as shared:
            yield shared
    except ExecutorError as err:
        raise InputError.single(str(err)) from None


def _write_trace(path: str, results: list[ReplicationResult]) -> None:
    from sim.report import atomic_file
    from sim.report.tables import write_trace_csv

    first = next((r for r in results if r.index == 0), None)
    with atomic_file(path, newline="", encoding="utf-8") as fh:
        write_trace_csv(fh, (first.trace or []) if first else [])


def _say_done(doc: dict[str, Any], target: Path, quiet: bool, fmt: str,
              to_json: Callable[[dict[str, Any], Path], dict[str, Any]],
              table: Callable[[dict[str, Any]], None]) -> None:
    if fmt == "json":
        click.echo(json.dumps(to_json(doc, target), indent=2, default=str))
        return
    if quiet:
        return
    table(doc)
    run = doc.get("run", {})
    if run.get("reps_auto"):
        a = run["reps_auto"]
        verdict = ("precision met" if a["met"]
                   else f"stopped: no value in any replication for {', '.join(a['no_values'])}"
                   if a.get("no_values")
                   else f"cap {a['max_reps']} reached before the precision")
        click.echo(f"--reps auto: {run['replications']} replications ({verdict}).")
    for f in run.get("failed", []):
        click.echo(f"replication {f['index']} failed: {(f['error'] or '').splitlines()[0]}",
                   err=True)
    click.echo(f"report written to {target}/")


@click.command(cls=KazsimCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@reps_option
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Comparison directory (default reports/compare-<stems>/).")
@workers_option
@scheduler_option
@quiet_option
@format_option
@allow_large_option
def compare(files: tuple[str, ...], reps: str | None, seed: int | None,
            overrides: tuple[str, ...], out: str | None, workers: int | None,
            scheduler: str | None, quiet: bool, fmt: str, allow_large: bool) -> None:
    """Compare scenarios or saved report.json files against the first (the baseline).

    Scenario files run with the same seed and replications (common random numbers) and
    are compared per replication; saved reports of other seeds use Welch's interval.
    `--set` applies to every scenario file (not to saved reports).
    """
    from sim.compare import build_comparison, write_comparison
    from sim.report.json_report import ReportFormatError, load_report

    if len(files) < 2:
        raise click.UsageError("compare needs at least two files: a baseline and another")
    n = parse_reps(reps)
    if n == "auto":
        raise click.BadParameter("compare takes a number of replications, not 'auto'",
                                 param_hint="--reps")
    items: list[tuple[str, Any]] = []  # ("report", dict) or ("scenario", LoadedScenario)
    for f in files:
        if Path(f).suffix.lower() == ".json":
            try:
                items.append(("report", load_report(f)))
            except ReportFormatError as err:
                raise InputError.single(str(err)) from None
        else:
            items.append(("scenario", _load(f, overrides)))
    if overrides and all(k == "report" for k, _ in items):
        raise click.UsageError("--set changes scenario files, and every input is a saved report")
    kind, base = items[0]
    base_seed = base["run"]["seed"] if kind == "report" else base.scenario.seed
    base_reps = base["run"]["replications"] if kind == "report" else base.scenario.replications
    seed = base_seed if seed is None else seed
    count = int(n or base_reps)
    from sim.limits import estimate_compare

    estimate_compare([item.scenario for k, item in items if k == "scenario"], count,
                     workers).check(allow_large)
    for k, item in items:
        if k == "scenario":
            _warn(item)
    stems = "-".join(Path(f).stem for f in files)
    target = Path(out) if out else Path("reports") / f"compare-{stems}"
    _check_targets(target, "comparison.json")
    total = count * sum(k == "scenario" for k, _ in items)
    reports: list[dict[str, Any]] = []
    with _executor(scheduler, workers) as scheduler, Progress(total, "compare", quiet) as bar:
        for k, item in items:
            if k == "report":
                reports.append(item)
            else:
                report, _ = run_scenario(item, count, seed, workers=workers, scheduler=scheduler,
                                         quiet=quiet, progress=bar)
                reports.append(report)
    comparison = build_comparison(reports, list(files))
    for w in comparison["warnings"]:
        click.echo(f"warning: {w}", err=True)
    write_comparison(target, comparison, reports)
    _say_done(comparison, target, quiet, fmt,
              lambda c, t: {**c, "report": str(t)}, print_comparison)
    _raise_failed(reports, target)


def _raise_failed(reports: Sequence[dict[str, Any]], target: Path) -> None:
    """Exit 3 when replications failed inside the model (after the report is written)."""
    n = sum(len(r["run"].get("failed") or []) for r in reports)
    if n:
        raise ModelError(f"error: {n} replication{'s' if n != 1 else ''} failed inside the "
                         f"model; the report in {target}/ lists which and why")


def print_comparison(comparison: dict[str, Any]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from sim.compare import diff_row, headline_rows

    method = ("paired (common random numbers)" if comparison["paired"]
              else "NOT paired for some: Welch's unpaired interval")
    console = Console()
    rows = headline_rows(comparison)
    for name in dict.fromkeys(d["scenario"] for d in rows):
        table = Table(title=f"{name} against {comparison['baseline']}: {method}",
                      box=box.SIMPLE_HEAD, pad_edge=False)
        for col in ("metric", "difference", "95% CI", "relative", "sig."):
            table.add_column(col, justify="left" if col == "metric" else "right", no_wrap=True)
        for d in rows:
            if d["scenario"] == name:
                cells = diff_row(d)  # the baseline and other means are in comparison.md
                table.add_row(d["metric"], *cells[4:])
        console.print(table)
    n = len(comparison["inputs_diff"])
    click.echo(f"{n} input{'s' if n != 1 else ''} differ"
               + ("" if n == 0 else ": " + ", ".join(
                   sorted({i['path'] for i in comparison['inputs_diff']})[:8])
                   + (" ..." if n > 8 else "")))


COMMANDS = [run, compare]
