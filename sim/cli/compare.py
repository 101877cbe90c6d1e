"""`compare`: scenarios or saved reports against the first, with common random numbers
(over `sim.api.plan_compare` and `ComparePlan.execute`)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import click

from sim.cli.common import (
    SCENARIO_FILE,
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
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
from sim.cli.run import parse_reps, raise_failed, warn, write_all
from sim.cli.tables import stdout_console
from sim.core.errors import KazsimWarning


@click.command(cls=KazsimCommand)
@click.argument("files", nargs=-1, required=True, type=SCENARIO_FILE)
@reps_option
@draws_options
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Comparison directory (default reports/compare-<stems>/).")
@workers_option
@scheduler_option
@quiet_option
@click.option("--horizon", type=click.Choice(["common", "own"]), default="common",
              show_default=True,
              help="common: every scenario runs to the earliest end among the inputs; own: "
                   "each keeps its end (then only values at the end get a verdict).")
@format_option
@allow_large_option
def compare(files: tuple[str, ...], reps: str | None, draws: str | None, reps_per_draw: int,
            seed: int | None, overrides: tuple[str, ...], out: str | None,
            workers: int | None, scheduler: str | None, horizon: str, quiet: bool, fmt: str,
            allow_large: bool) -> None:
    """Compare scenarios or saved report.json files against the first (the baseline).

    Scenario files run with the same seed and replications (common random numbers) and
    are compared per replication; saved reports of other seeds use Welch's interval.
    Every scenario runs to the common horizon (the earliest end) unless `--horizon own`.
    `--set` applies to every scenario file (not to saved reports). With
    `assumptions:`, the scenarios run over the same draws (--draws) and each difference
    says whether it holds across them: better/worse, "depends on <assumption>" or "no
    clear difference".
    """
    from sim.report.render import prewarm, start_server  # lazy: keeps --help fast

    start_server(workers)
    from sim import api  # lazy: keeps --help fast

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
    source = click.get_current_context().get_parameter_source("reps_per_draw")
    given = source is not None and source.name != "DEFAULT"  # else the baseline's, if saved
    plan = api.plan_compare(list(files), n if isinstance(n, int) else None, seed,
                            set=overrides, workers=workers, allow_large=allow_large,
                            draws=parse_draws(draws),
                            reps_per_draw=reps_per_draw if given else None, horizon=horizon)
    warn(plan.warnings)
    check_targets(target, "comparison.json")
    prewarm(workers)
    with ProgressDisplay("compare", "replications", quiet) as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore", KazsimWarning)  # printed below, as the CLI words them
        result = plan.execute(workers=workers, scheduler=scheduler, progress=bar,
                              command=command_text())
    for w in result.comparison.warnings:
        click.echo(f"warning: {w}", err=True)
    incomplete = write_all(lambda: result.write_report(target, figure_workers=workers))
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
    relative change (where meaningful) and whether it is better or worse; then the
    findings."""
    from rich import box
    from rich.table import Table

    from sim.studies.compare.report import (  # lazy: keeps --help fast
        APART,
        diff_row,
        findings_sentences,
        horizon_title,
    )

    method = ("paired (common random numbers)" if comparison.paired
              else "NOT paired for some: Welch's unpaired interval")
    console = stdout_console()
    rows = comparison.headline()
    drawn = any(d.robust_share is not None for d in rows)
    if drawn:
        method += f", over {max(s.draws for s in comparison.scenarios)} draws"
    for name in dict.fromkeys(d.scenario for d in rows):
        # a column short of the console: rich's layout crops the last character of a
        # table that fills the width exactly ("differenc")
        table = Table(title=f"{name} against {comparison.baseline}, "
                            f"{horizon_title(comparison, name)}: {method}",
                      box=box.SIMPLE_HEAD, pad_edge=False, width=console.width - 1)
        columns = ["metric (unit)", "baseline", name, "difference", "95% CI", "relative",
                   *(["robust"] if drawn else []), "verdict"]
        for col in columns:
            table.add_column(col, justify="left" if col in ("metric (unit)", "verdict")
                             else "right", no_wrap=col in ("difference", "95% CI", "relative"),
                             min_width={"metric (unit)": 16, "verdict": 10}.get(col))
        mine = [d for d in rows if d.scenario == name]
        for d in mine:
            _, metric, unit, *cells = [str(c) for c in diff_row(comparison, d, drawn)]
            if d.verdict == APART:
                cells[-1] = "no verdict"
            table.add_row(f"{metric} ({unit})" if unit else metric, *cells)
        captions = []
        if any(d.verdict == APART for d in mine):
            captions.append("no verdict: a total over different horizons is not like for like")
        if drawn:
            captions.append("robust: the share of draws in which the difference keeps its "
                            "sign; better/worse needs a CI excluding 0 and 90% of the draws")
        table.caption = "\n".join(captions) or None
        console.print(table)
    for sentence in findings_sentences(comparison):
        console.print(f"- {sentence}")
    n = len(comparison.inputs_diff)
    click.echo(f"{n} input{'s' if n != 1 else ''} differ"
               + ("" if n == 0 else ": " + ", ".join(
                   sorted({i.path for i in comparison.inputs_diff})[:8])
                   + (" ..." if n > 8 else "")))


COMMANDS = [compare]
