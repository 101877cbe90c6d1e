"""Exploratory commands: `optimize` (policy search under chance constraints) and
`discover` (scenario discovery on a sweep store), over `sim.api`. Heavy libraries load
inside them."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from sim.cli.common import (
    RESUME,
    ExistingFile,
    InputFile,
    KazsimCommand,
    check_targets,
    command_text,
    format_option,
    import_model,
    quiet_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.cli.progress import ProgressDisplay
from sim.cli.tables import print_tables
from sim.core.errors import InputError


@click.command(cls=KazsimCommand)
@click.argument("policy_file", type=InputFile("policies"))
@click.option("--out", default=None, metavar="DB",
              help="SQLite file of every evaluation (default: results/<policy-stem>.db).")
@click.option("--resume", is_flag=True, help="Continue a stored search; nothing is re-run.")
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write optimize.json, candidates.csv, optimize.md/html and figures.")
@click.option("--reps", type=click.IntRange(min=1), default=None,
              help="Replications a candidate (default: the file's `replications`).")
@seed_option
@set_option
@workers_option
@scheduler_option
@quiet_option
@format_option
@click.option("--model", "model_ref", default=None, hidden=True, metavar="MODULE:FUNCTION",
              help="A stand-in model (tests, benchmarks).")
def optimize(policy_file: str, out: str | None, resume: bool, report_dir: str | None,
             reps: int | None, seed: int | None, overrides: tuple[str, ...],
             workers: int | None, scheduler: str | None, quiet: bool, fmt: str,
             model_ref: str | None) -> None:
    """Policy search: the lever settings that best meet the objectives under chance
    constraints (see docs/exploration.md).

    Every model replication is committed to the SQLite file at once; a killed search
    continues with --resume, runs nothing twice and reaches the same answer.
    """
    from sim import api  # lazy: keeps --help fast
    from sim.studies.optimize import report  # lazy: keeps --help fast

    model = import_model(model_ref) if model_ref else None
    db = out or api.default_policy_store(policy_file)
    check_targets(report_dir, report.MARKER)
    resume_cmd = f"kazsim optimize {policy_file} --out {db} --resume"
    click.get_current_context().meta[RESUME] = resume_cmd
    with ProgressDisplay("optimize", "model replications (budget)",
                         quiet or fmt == "json") as bar:
        result = api.optimize(policy_file, db, resume=resume, workers=workers,
                              scheduler=scheduler, set=overrides, reps=reps, seed=seed,
                              model=model, progress=bar, resume_command=resume_cmd,
                              command=command_text())
    _say(result, fmt, quiet, report_dir, report.json_text,
         lambda r: print_tables(report.headline(r), report.summary_tables(r)),
         report.write_report)


@click.command(cls=KazsimCommand)
@click.argument("store", type=ExistingFile())
@click.option("--where", "where", required=True, metavar="'METRIC OP VALUE'",
              help="The outcome of interest, e.g. 'rotation_fill_rate < 0.95'.")
@click.option("--method", type=click.Choice(["prim", "cart"]), default="prim",
              show_default=True, help="PRIM boxes, or the leaves of a classification tree.")
@click.option("--share", type=click.FloatRange(0, 1, min_open=True), default=0.5,
              show_default=True,
              help="A design point is a case when the outcome happens in at least this share "
                   "of its replications.")
@click.option("--box", "box", type=click.IntRange(min=0), default=None, metavar="N",
              help="Report the peeling trajectory's box N first (default: the recommended).")
@click.option("--out", "report_dir", default=None, metavar="DIR",
              help="Write discover.json, points.csv, discover.md/html and figures.")
@quiet_option
@format_option
def discover(store: str, where: str, method: str, share: float, box: int | None,
             report_dir: str | None, quiet: bool, fmt: str) -> None:
    """Scenario discovery on a sweep store: the factor ranges in which the outcome of
    interest happens (see docs/exploration.md)."""
    from sim import api  # lazy: keeps --help fast
    from sim.studies.discover import report  # lazy: keeps --help fast

    check_targets(report_dir, report.MARKER)
    if box is not None and method != "prim":
        raise InputError.single("--box chooses a box of PRIM's peeling trajectory: use it "
                                "with --method prim")
    result = api.discover(store, where, method=method, share=share, box=box,
                          command=command_text())
    _say(result, fmt, quiet, report_dir, report.json_text,
         lambda d: print_tables(report.headline(d), report.box_tables(d)), report.write_report)


def _say(result: Any, fmt: str, quiet: bool, report_dir: str | None,
         json_text: Callable[[Any], str], print_summary: Callable[[Any], None],
         write_report: Callable[..., None]) -> None:
    """The result on the terminal (JSON or tables) and, if asked, as a report directory
    that records the command line as every other report does."""
    if fmt == "json":
        click.echo(json_text(result))
    elif not quiet:
        print_summary(result)
    if report_dir:
        write_report(result, report_dir, command=command_text())
        if not quiet and fmt != "json":
            click.echo(f"Report written to {report_dir}", err=True)


COMMANDS: Sequence[click.Command] = [optimize, discover]
