"""`run` and `compare`: thin commands over `sim.api`, with progress, a summary table and a
report directory."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from sim.cli_common import (
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
    format_option,
    quiet_option,
    reps_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.errors import KazsimError, ModelError
from sim.metrics import HEADLINE


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


def warn(loaded: Any) -> None:
    for w in loaded.warnings:
        click.echo(str(w), err=True)


def print_summary(report: Any) -> None:
    from rich import box
    from rich.table import Table

    from sim.cli_progress import stdout_console
    from sim.report.document import compact

    run = report.run
    start, end = report.horizon
    table = Table(title=f"{report.name}: {run.replications} replications, seed {run.seed}, "
                        f"{start} to {end}", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("metric", "mean", "95% CI", "unit", ""):
        table.add_column(col, justify="right" if col in ("mean", "95% CI") else "left",
                         no_wrap=col != "unit")
    for name in HEADLINE:
        m = report.metrics.get(name)
        if m is None:
            continue
        note = f"reached {m.happened:.0%}" if m.happened is not None else ""
        ci = "—" if not m.ci95 else f"[{compact(m.ci95[0])}, {compact(m.ci95[1])}]"
        table.add_row(name, compact(m.mean), ci + (" †" if m.clipped else ""), m.unit, note)
    if any(m.clipped for m in report.metrics.values()):
        table.caption = "† interval clipped to the metric's possible range"
    console = stdout_console()
    console.print(table)
    for t in report.thresholds:
        share = "—" if t.breach_share is None else f"{t.breach_share:.0%}"
        console.print(f"threshold {t.threshold}: breached in {share} of replications")
    for note in report.notes:
        console.print(f"note: {note}")


def summary_json(report: Any, out: Path) -> dict[str, Any]:
    data = report.to_dict()
    return {"scenario": report.name, "run": data["run"],
            "metrics": {n: data["metrics"][n] for n in HEADLINE if n in data["metrics"]},
            "thresholds": data.get("thresholds", []), "report": str(out)}


def say_done(report: Any, target: Path, quiet: bool, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(summary_json(report, target), indent=2, default=str))
        return
    if quiet:
        return
    print_summary(report)
    run = report.run
    if run.reps_auto:
        a = run.reps_auto
        verdict = ("precision met" if a.met
                   else f"stopped: no value in any replication for {', '.join(a.no_values)}"
                   if a.no_values else f"cap {a.max_reps} reached before the precision")
        click.echo(f"--reps auto: {run.replications} replications ({verdict}).")
    for f in run.failed:
        click.echo(f"replication {f.index} failed: {(f.error or '').splitlines()[0]}",
                   err=True)
    click.echo(f"report written to {target}/")


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
    from sim.report.render import prewarm, start_server

    start_server()  # matplotlib's import in the figure server overlaps the loading
    from sim import api
    from sim.cli_progress import ProgressDisplay
    from sim.metrics import metric_info

    n = parse_reps(reps)
    auto_metrics = auto_metrics or ("items_cleared",)
    unknown = [m for m in auto_metrics if metric_info(m) is None]
    if unknown:
        raise click.BadParameter(f"unknown metric(s) {', '.join(unknown)}",
                                 param_hint="--metric")
    loaded = api.load_scenario(scenario, overrides)
    from sim.limits import estimate_run

    count = max_reps if n == "auto" else int(n or loaded.scenario.replications)
    estimate_run(loaded.scenario, count, workers).check(allow_large, scenario)
    plan = api.plan_run(loaded, n, seed, precision, auto_metrics, max_reps)
    target = Path(out) if out else Path("reports") / Path(scenario).stem
    check_targets(target, "report.json", trace_file)
    warn(loaded)
    prewarm()  # the figure workers start while the model runs
    with api.executor(scheduler, workers) as shared, \
            ProgressDisplay(loaded.scenario.name, "replications", quiet) as bar:
        result = api.execute_plan(plan, workers=workers, scheduler=shared,
                                  trace=bool(trace_file), progress=bar, command=command_text())
    incomplete = write_all(lambda: result.write_report(target))
    if trace_file:
        write_trace(trace_file, result.results)
    say_done(result.report, target, quiet, fmt)
    if incomplete:
        raise incomplete
    raise_failed([result.report], target)


def write_all(write: Any) -> KazsimError | None:
    """Write a report; a figure failure (exit 3) is returned, to be raised once the rest
    of the command's output is out."""
    from sim.report.writer import FiguresFailed

    try:
        write()
    except FiguresFailed as err:
        return err
    return None


def write_trace(path: str, results: Sequence[Any]) -> None:
    from sim.report import atomic_file
    from sim.report.tables import write_trace_csv

    first = next((r for r in results if r.index == 0), None)
    with atomic_file(path, newline="", encoding="utf-8") as fh:
        write_trace_csv(fh, (first.trace or []) if first else [])


def raise_failed(reports: Sequence[Any], target: Path) -> None:
    """Exit 3 when replications failed inside the model (after the report is written)."""
    n = sum(len(r.run.failed) for r in reports)
    if n:
        raise ModelError(f"error: {n} replication{'s' if n != 1 else ''} failed inside the "
                         f"model; the report in {target}/ lists which and why")


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
    from sim.report.render import prewarm, start_server

    start_server()
    from sim import api
    from sim.cli_progress import ProgressDisplay

    if len(files) < 2:
        raise click.UsageError("compare needs at least two files: a baseline and another")
    n = parse_reps(reps)
    if n == "auto":
        raise click.BadParameter("compare takes a number of replications, not 'auto'",
                                 param_hint="--reps")
    if overrides and all(Path(f).suffix.lower() == ".json" for f in files):
        raise click.UsageError("--set changes scenario files, and every input is a saved report")
    stems = "-".join(Path(f).stem for f in files)
    target = Path(out) if out else Path("reports") / f"compare-{stems}"
    # every input is read (and a bad one refused) before the target is checked or anything runs
    items = [f if Path(f).suffix.lower() == ".json" else api.load_scenario(f, overrides)
             for f in files]
    scenarios = [item for item in items if not isinstance(item, str)]
    for item in scenarios:
        warn(item)
    from sim.limits import estimate_compare

    count = int(n) if n else max((s.scenario.replications for s in scenarios), default=1)
    estimate_compare([s.scenario for s in scenarios], count, workers).check(allow_large)
    check_targets(target, "comparison.json")
    prewarm()
    with ProgressDisplay("compare", "replications", quiet) as bar:
        result = api.compare(items, n, seed, workers, scheduler, progress=bar,  # type: ignore[arg-type]
                             command=command_text(), files=list(files))
    for w in result.comparison.warnings:
        click.echo(f"warning: {w}", err=True)
    incomplete = write_all(lambda: result.write_report(target))
    if fmt == "json":
        click.echo(json.dumps({**result.comparison.to_dict(), "report": str(target)},
                              indent=2, default=str))
    elif not quiet:
        print_comparison(result.comparison)
        click.echo(f"comparison written to {target}/")
    if incomplete:
        raise incomplete
    raise_failed(result.reports, target)


def print_comparison(comparison: Any) -> None:
    """One table per scenario: both means with units, the difference, its CI, the
    relative change (where meaningful) and whether it is better or worse."""
    from rich import box
    from rich.table import Table

    from sim.cli_progress import stdout_console
    from sim.compare import relative_text, significance_text
    from sim.report.document import compact, interval

    method = ("paired (common random numbers)" if comparison.paired
              else "NOT paired for some: Welch's unpaired interval")
    console = stdout_console()
    rows = comparison.headline()
    base = comparison.scenarios[0]
    for name in dict.fromkeys(d.scenario for d in rows):
        table = Table(title=f"{name} against {comparison.baseline} ({base.start} to "
                            f"{base.end}): {method}", box=box.SIMPLE_HEAD, pad_edge=False)
        for col in ("metric", "unit", "baseline", name, "difference", "95% CI", "relative",
                    "significant"):
            table.add_column(col, justify="left" if col in ("metric", "unit", "significant")
                             else "right", no_wrap=col != name)
        for d in rows:
            if d.scenario == name:
                table.add_row(d.metric, d.unit, compact(d.baseline_mean), compact(d.mean),
                              compact(d.diff_mean), interval(d.diff_ci95, short=True),
                              relative_text(d), significance_text(d))
        console.print(table)
    n = len(comparison.inputs_diff)
    click.echo(f"{n} input{'s' if n != 1 else ''} differ"
               + ("" if n == 0 else ": " + ", ".join(
                   sorted({i.path for i in comparison.inputs_diff})[:8])
                   + (" ..." if n > 8 else "")))


COMMANDS = [run, compare]
