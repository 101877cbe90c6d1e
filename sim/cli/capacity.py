"""`kazsim capacity`: the largest contingent a deployment can sustain, how sure that is,
and with `--vary` the requirements contour (over `sim.api.plan_capacity`)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli.common import (
    SCENARIO_FILE,
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
    format_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.cli.run import warn


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=SCENARIO_FILE)
@click.option("--deployment", default=None, metavar="NAME",
              help="The deployment to size (default: the first by priority).")
@click.option("--fill", type=float, default=0.95, show_default=True,
              help="Fill rate a replication's rotations must reach.")
@click.option("--confidence", type=float, default=0.9, show_default=True,
              help="Share of replications that must reach it.")
@click.option("--reps", type=click.IntRange(min=1), default=None, metavar="N",
              help="Replications per size (default: the scenario's `replications`).")
@click.option("--max-reps", type=click.IntRange(min=1), default=None, metavar="N",
              help="Most replications at the boundary and its neighbours (default 4 x --reps).")
@click.option("--vary", default=None, metavar="PATH=LOW:HIGH:STEPS",
              help="The requirements contour: the answer at STEPS values of PATH from LOW to "
                   "HIGH inclusive, e.g. deployments.iraq.tour_days=120:360:5.")
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write capacity.json, capacity.md, capacity.html and figures here.")
@workers_option
@scheduler_option
@click.option("--quiet", "-q", is_flag=True, help="No progress (the answer is still printed).")
@format_option
@allow_large_option
def capacity(scenario: str, deployment: str | None, fill: float, confidence: float,
             reps: int | None, max_reps: int | None, vary: str | None, seed: int | None,
             overrides: tuple[str, ...], out: str | None, workers: int | None,
             scheduler: str | None, quiet: bool, fmt: str, allow_large: bool) -> None:
    """The largest contingent SCENARIO's force can keep in theatre, tour after tour, and
    the constraint that binds first (volunteers, qualification, dwell, strength), with
    how sure the answer is. Progress goes to stderr; exit 1 on invalid input."""
    from sim import api  # lazy: keeps --help fast
    from sim.studies.capacity import report  # lazy: keeps --help fast

    plan = api.plan_capacity(scenario, deployment, fill, confidence, reps, seed,
                             set=overrides, vary=vary, max_reps=max_reps, workers=workers,
                             allow_large=allow_large)
    if out is not None:
        check_targets(Path(out), report.MARKER)
    warn(plan.loaded.warnings)

    def progress(p: Any) -> None:
        if quiet:
            return
        where = f"{p.context}: " if p.context else ""
        verdict = "meets" if p.met else "fails"
        click.echo(f"  {where}{p.phase:>8} size {p.size:5d}: {p.reached:4d} of "
                   f"{p.replications:4d} reached fill {fill:g} ({report.pct(p.fill_share)}, "
                   f"95% CI {report.ci_text(p)}) -> {verdict}", err=True)

    if not quiet:
        click.echo(f"capacity of '{plan.deployment}': {plan.reps} replications a size, up to "
                   f"{plan.max_reps} near the boundary (search order; the table below is by "
                   "size)", err=True)
    result = plan.execute(workers=workers, scheduler=scheduler, progress=progress,
                          command=command_text())
    if out is not None:
        result.write_report(out)
    if fmt == "json":
        click.echo(report.json_text(result), nl=False)
        return
    from sim.cli.tables import print_tables

    print_tables("\n".join(report.key_lines(result)), report.summary_tables(result))
    for line in report.statement(result):
        click.echo(line)
    if out is not None:
        click.echo(f"report written to {out}/")


COMMANDS = [capacity]
