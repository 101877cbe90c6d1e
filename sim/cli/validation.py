"""`hindcast` (a scenario against dated observations) and `verify` (the verification
battery), over `sim.api.plan_hindcast` and `sim.api.plan_verify`."""
from __future__ import annotations

import json
from pathlib import Path

import click

from sim.cli.common import (
    SCENARIO_FILE,
    InputFile,
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
    draws_options,
    format_option,
    import_model,
    parse_draws,
    quiet_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.cli.progress import ProgressDisplay
from sim.cli.run import warn
from sim.cli.tables import stdout_console
from sim.core.errors import CheckFailed

REPS = click.option("--reps", type=click.IntRange(min=1), default=None, metavar="N",
                    help="Replications (default: the scenario's `replications`).")


def _out(out: str | None, scenario: str, study: str) -> Path:
    return Path(out) if out else Path("reports") / f"{Path(scenario).stem}-{study}"


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=SCENARIO_FILE)
@click.argument("records", nargs=-1, required=True, type=InputFile("records"))
@REPS
@draws_options
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Report directory (default reports/<scenario-stem>-hindcast/).")
@workers_option
@scheduler_option
@quiet_option
@format_option
@allow_large_option
def hindcast(scenario: str, records: tuple[str, ...], reps: int | None, draws: str | None,
             reps_per_draw: int, seed: int | None, overrides: tuple[str, ...], out: str | None, workers: int | None,
             scheduler: str | None, quiet: bool, fmt: str, allow_large: bool) -> None:
    """Set SCENARIO against the dated observations of RECORDS (record files): for each,
    the model's 90% prediction, the share of runs consistent with it, and whether it
    lies inside. Exit 0 whatever the fit: a hindcast is a measurement."""
    from sim import api  # lazy: keeps --help fast

    plan = api.plan_hindcast(scenario, records, reps, seed, set=overrides, workers=workers,
                             allow_large=allow_large, draws=parse_draws(draws),
                             reps_per_draw=reps_per_draw)
    target = _out(out, scenario, "hindcast")
    check_targets(target, "hindcast.json")
    warn(plan.warnings)
    with ProgressDisplay(plan.run.loaded.scenario.name, "replications", quiet) as bar:
        result = plan.execute(workers=workers, scheduler=scheduler, progress=bar,
                              command=command_text())
    result.write_report(target)
    if fmt == "json":
        data = result.to_dict()
        for o in data["observations"]:
            o.pop("over_time")
        click.echo(json.dumps({**data, "report": str(target)}, indent=2, default=str))
        return
    if quiet:
        return
    from rich.table import Table  # lazy: keeps --help fast

    from sim.studies.hindcast.report import findings, table  # lazy: keeps --help fast

    head, rows = table(result.to_dict())
    shown = Table(title=f"{result.run.name}: hindcast over {len(result.runs)} runs")
    for h in head:
        shown.add_column(h, justify="right" if h.startswith("model") else "left")
    for r in rows:
        shown.add_row(*r)
    console = stdout_console()
    console.print(shown)
    console.print(findings(result.to_dict()))
    click.echo(f"report written to {target}/")


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=SCENARIO_FILE)
@REPS
@seed_option
@set_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Report directory (default reports/<scenario-stem>-verify/).")
@workers_option
@scheduler_option
@quiet_option
@format_option
@allow_large_option
@click.option("--model", "model_ref", default=None, hidden=True,
              help="MODULE:FUNCTION standing in for the model (tests).")
def verify(scenario: str, reps: int | None, seed: int | None, overrides: tuple[str, ...],
           out: str | None, workers: int | None, scheduler: str | None, quiet: bool, fmt: str,
           allow_large: bool, model_ref: str | None) -> None:
    """Run the verification battery on SCENARIO: extreme and degenerate conditions, the
    accounting identities on every replication, determinism (same seed twice; 1 and 2
    workers) and the scenario's `expectations:`, paired with common random numbers.
    Prints check / expected / observed / status and writes verify.json/md/html.
    Exit 4 when a check fails."""
    from sim import api  # lazy: keeps --help fast

    model = import_model(model_ref) if model_ref else None
    plan = api.plan_verify(scenario, reps, seed, set=overrides, workers=workers,
                           allow_large=allow_large)
    target = _out(out, scenario, "verify")
    check_targets(target, "verify.json")
    warn(plan.warnings)
    with ProgressDisplay(plan.loaded.scenario.name, "replications", quiet) as bar:
        result = plan.execute(workers=workers, scheduler=scheduler, progress=bar,
                              command=command_text(), model=model)
    result.write_report(target)
    if fmt == "json":
        click.echo(json.dumps({**result.to_dict(), "report": str(target)}, indent=2, default=str))
    elif not quiet:
        from rich.table import Table  # lazy: keeps --help fast

        shown = Table(title=f"{plan.loaded.scenario.name}: verification, {result.reps} "
                            f"replications each")
        for h in ("check", "kind", "expected", "observed", "status"):
            shown.add_column(h)
        for c in result.checks:
            status = c.status.upper() if c.status == "fail" else c.status
            shown.add_row(c.name, c.kind, c.expected, c.observed, status)
        console = stdout_console()
        console.print(shown)
        counts = result.counts
        console.print(f"{counts['pass']} pass, {counts['fail']} fail, "
                      f"{counts['inconclusive']} inconclusive")
        click.echo(f"report written to {target}/")
    if not result.ok:
        names = ", ".join(c.name for c in result.failed)
        raise CheckFailed(f"verify: {len(result.failed)} check{'s' if len(result.failed) != 1 else ''} "
                          f"failed ({names}); {target}/verify.md says why")


COMMANDS = [hindcast, verify]
