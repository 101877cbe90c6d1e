"""`run`: the replications of a scenario, with progress, a summary table and a report
directory (over `sim.api.plan_run` and `RunPlan.execute`)."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from sim.cli.common import (
    SCENARIO_FILE,
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
    count_or_auto,
    draws_options,
    format_option,
    parse_draws,
    quiet_option,
    reps_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.cli.progress import ProgressDisplay
from sim.cli.tables import stdout_console
from sim.core.errors import KazsimError, ModelError, Problem
from sim.core.metrics import HEADLINE, metric_info


def parse_reps(value: str | None) -> int | str | None:
    """None (scenario default), a positive int, or "auto"."""
    return count_or_auto(value, "--reps", 1)


def warn(warnings: Iterable[Problem]) -> None:
    for w in warnings:
        click.echo(str(w), err=True)


def print_summary(report: Any) -> None:
    from rich import box
    from rich.table import Table

    # lazy: keeps --help fast
    from sim.report.content import metric_rows, standout_rule
    from sim.report.findings import run_findings

    run = report.run
    start, end = report.horizon
    drawn = report.draws > 0
    title = f"{report.name}: {run.replications} replications, seed {run.seed}, {start} to {end}"
    if drawn:
        title += f"; {report.draws} draws of the assumptions x {run.replications_per_draw}"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ["metric", "mean", "95% CI", *(["90% prediction"] if drawn else []), "unit", "",
               *(["rests mostly on"] if drawn else [])]
    for col in columns:
        table.add_column(col, justify="right" if col in ("mean", "95% CI", "90% prediction")
                         else "left", no_wrap=col in ("mean", "95% CI", "90% prediction"))
    for name in HEADLINE:
        if name not in report.metrics:
            continue
        for row in metric_rows(report, name):  # the report's rows: labels, numbers for people
            if drawn:
                cell, mean, ci, prediction, _nominal, unit, note, rests = row
                table.add_row(str(cell), mean, ci, prediction, unit, note, rests)
            else:
                cell, mean, ci, _p10, _p90, unit, note = row
                table.add_row(str(cell), mean, ci, unit, note)
    captions = []
    if any(m.clipped for m in report.metrics.values()):
        captions.append("† interval clipped to the metric's possible range")
    if drawn and report.uncertainty is not None:
        rule = standout_rule(report.uncertainty.standout_floor(), report.draws)
        captions.append("mean and 95% CI over every run of every draw; 90% prediction: "
                        "where one history falls; rests mostly on: the largest share of "
                        f"the metric's variance ({rule})")
    table.caption = "\n".join(captions) or None
    console = stdout_console()
    console.print(table)
    runs = "of the draws' runs" if drawn else "of replications"
    for t in report.thresholds:
        share = "—" if t.breach_share is None else f"{t.breach_share:.0%}"
        console.print(f"threshold {t.threshold}: breached in {share} {runs}")
    for note in report.notes:
        console.print(f"note: {note}")
    _, sentences = run_findings(report)
    console.print("Findings:")
    for sentence in sentences:
        console.print(f"- {sentence}")


def summary_json(report: Any, out: Path) -> dict[str, Any]:
    data = report.to_dict()
    found = {"scenario": report.name, "run": data["run"],
             "metrics": {n: data["metrics"][n] for n in HEADLINE if n in data["metrics"]},
             "thresholds": data.get("thresholds", []), "report": str(out)}
    if "uncertainty" in data:  # the assumptions drawn; each draw's values are in the report
        found["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                                if k != "draw_values"}
    return found


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
@click.argument("scenario", type=SCENARIO_FILE)
@reps_option
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), default=0.05,
              show_default=True, help="With --reps auto: target CI half-width over |mean|.")
@click.option("--metric", "auto_metrics", multiple=True, metavar="NAME",
              help="With --reps auto: metric(s) whose precision decides (default items_cleared).")
@click.option("--max-reps", type=click.IntRange(min=1), default=500, show_default=True,
              help="With --reps auto: the most replications to run.")
@draws_options
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
        max_reps: int, draws: str | None, reps_per_draw: int, seed: int | None,
        overrides: tuple[str, ...], out: str | None, workers: int | None,
        scheduler: str | None, quiet: bool, fmt: str, trace_file: str | None,
        allow_large: bool) -> None:
    """Run the replications of SCENARIO, print a summary and write a report directory.

    With `assumptions:` in the scenario, its draws run too (--draws): the table then
    gives the 90% prediction for one history and what each answer rests on most.
    Exit 1 on invalid input (nothing written), 3 if a replication failed in the model
    (the report is still written and lists the failures).
    """
    from sim.report.render import prewarm, start_server  # lazy: keeps --help fast

    start_server(workers)  # matplotlib's import in the figure server overlaps the loading
    from sim import api  # lazy: keeps --help fast

    n = parse_reps(reps)
    auto_metrics = auto_metrics or ("items_cleared",)
    unknown = [m for m in auto_metrics if metric_info(m) is None]
    if unknown:
        raise click.BadParameter(f"unknown metric(s) {', '.join(unknown)}",
                                 param_hint="--metric")
    plan = api.plan_run(scenario, n, seed, precision, auto_metrics, max_reps, set=overrides,
                        workers=workers, allow_large=allow_large, draws=parse_draws(draws),
                        reps_per_draw=reps_per_draw)
    target = Path(out) if out else Path("reports") / Path(scenario).stem
    check_targets(target, "report.json", trace_file)
    warn(plan.warnings)
    prewarm(workers)  # the figure workers start while the model runs
    with ProgressDisplay(plan.loaded.scenario.name, "replications", quiet) as bar:
        result = plan.execute(workers=workers, scheduler=scheduler, trace=bool(trace_file),
                              progress=bar, command=command_text())
    # --workers caps the figure workers too: `--workers 1` is one process
    incomplete = write_all(lambda: result.write_report(target, figure_workers=workers))
    if trace_file:
        write_trace(trace_file, result.results)
    say_done(result.report, target, quiet, fmt)
    if incomplete:
        raise incomplete
    raise_failed([result.report], target)


def write_all(write: Callable[[], Any]) -> KazsimError | None:
    """Write a report; a figure failure (exit 3) is returned, to be raised once the rest
    of the command's output is out."""
    from sim.report.writer import FiguresFailed  # lazy: keeps --help fast

    try:
        write()
    except FiguresFailed as err:
        return err
    return None


def write_trace(path: str, results: Sequence[Any]) -> None:
    from sim.report.atomic import atomic_file  # lazy: keeps --help fast
    from sim.report.tables import write_trace_csv  # lazy: keeps --help fast

    first = next((r for r in results if r.index == 0), None)
    with atomic_file(path, newline="", encoding="utf-8") as fh:
        write_trace_csv(fh, (first.trace or []) if first else [])


def raise_failed(reports: Sequence[Any], target: Path) -> None:
    """Exit 3 when replications failed inside the model (after the report is written)."""
    n = sum(len(r.run.failed) for r in reports)
    if n:
        raise ModelError(f"error: {n} replication{'s' if n != 1 else ''} failed inside the "
                         f"model; the report in {target}/ lists which and why")


COMMANDS = [run]
