"""Commands about sweeps, thin over `sim.api`: `sweep` (run a designed experiment) and
`sweep-report` (analyse a stored one)."""
from __future__ import annotations

import shlex
import sys
from typing import Any

import click

from sim.cli_common import (
    ARGV,
    RESUME,
    KazsimCommand,
    allow_large_option,
    check_targets,
    command_text,
    format_option,
    import_model,
    quiet_option,
    scheduler_option,
    set_option,
    workers_option,
)
from sim.errors import InputError


@click.command(cls=KazsimCommand)
@click.argument("sweep_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default=None, metavar="DB",
              help="SQLite file for the runs (default: results/<sweep-stem>.db).")
@click.option("--resume", is_flag=True, help="Continue a stored sweep, skipping finished runs.")
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write runs.csv, points.csv, sensitivity.csv, sweep.md/html and figures.")
@click.option("--dry-run", is_flag=True, help="Print the design as CSV and run nothing.")
@set_option
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Base seed (default: the sweep file's `seed`).")
@click.option("--reps", type=click.IntRange(min=1), default=None, metavar="N",
              help="Replications per design point (default: the sweep file's).")
@workers_option
@scheduler_option
@quiet_option
@format_option
@click.option("--model", "model_ref", default=None, hidden=True, metavar="MODULE:FUNCTION",
              help="A stand-in for run_replication (tests, benchmarks).")
@allow_large_option
def sweep(sweep_file: str, out: str | None, resume: bool, report_dir: str | None,
          dry_run: bool, overrides: tuple[str, ...], seed: int | None, reps: int | None,
          workers: int | None, scheduler: str | None, quiet: bool, fmt: str,
          model_ref: str | None, allow_large: bool) -> None:
    """Run a designed experiment over scenario parameters (see docs/sweeps.md).

    Every finished run is committed to the SQLite file at once; a killed sweep continues
    with --resume. Prints the per-point table and the sensitivity ranking.
    """
    from sim import api
    from sim.cli_progress import ProgressDisplay
    from sim.report.render import prewarm
    from sim.sweep.design import to_csv
    from sim.sweep.execute import prepare

    if dry_run:
        design = prepare(sweep_file, overrides, seed, reps, allow_large=allow_large,
                         design_only=True).design
        click.echo(to_csv(design), nl=False)
        return
    model = import_model(model_ref) if model_ref else None
    db = out or api.default_store(sweep_file)
    if scheduler:
        _require_dask()  # before the store is written
    from sim.sweep.report import MARKER

    check_targets(report_dir, MARKER)  # before any run: a sweep may take hours
    resume_command = _resume_command(db)
    click.get_current_context().meta[RESUME] = resume_command  # a second Ctrl-C says it too
    if report_dir:
        prewarm()
    with ProgressDisplay("sweep", "runs", quiet or fmt == "json") as bar:
        result = api.sweep(sweep_file, db, resume=resume, workers=workers, scheduler=scheduler,
                           set=overrides, seed=seed, reps=reps, progress=bar, model=model,
                           command=command_text(), resume_command=resume_command,
                           allow_large=allow_large)
    _finish(result, report_dir, quiet, fmt)
    result.check()


@click.command("sweep-report", cls=KazsimCommand)
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write the report files to DIR (default: print only).")
@quiet_option
@format_option
def sweep_report(db: str, report_dir: str | None, quiet: bool, fmt: str) -> None:
    """Analyse a stored sweep: per-point table, sensitivity ranking, report files."""
    from sim import api
    from sim.sweep.report import MARKER

    check_targets(report_dir, MARKER)
    _finish(api.open_sweep(db), report_dir, quiet, fmt)


def _resume_command(db: str) -> str:
    """This command line with `--out DB` and `--resume`: the same overrides, seed and
    replications, so the stored sweep matches."""
    ctx = click.get_current_context(silent=True)
    args = list((ctx.meta.get(ARGV) if ctx else None) or sys.argv[1:])
    if "--resume" not in args:
        args.append("--resume")
    if not any(a == "--out" or a.startswith("--out=") for a in args):
        args += ["--out", db]
    return " ".join(shlex.quote(a) for a in ["kazsim", *args])


def _require_dask() -> None:
    from sim.executor import ExecutorError, require_dask

    try:
        require_dask()
    except ExecutorError as err:
        raise InputError.single(str(err)) from None


def _finish(result: Any, report_dir: str | None, quiet: bool, fmt: str) -> None:
    from sim.cli_run import write_all
    from sim.report.model import dumps
    from sim.sweep.report import print_summary, to_json

    incomplete = write_all(lambda: result.write_report(report_dir)) if report_dir else None
    if fmt == "json":
        click.echo(dumps({**to_json(result.analysis), "report": report_dir}), nl=False)
    elif not quiet:
        print_summary(result.analysis)
        if report_dir:
            click.echo(f"Report written to {report_dir}", err=True)
    if incomplete:
        raise incomplete


COMMANDS = [sweep, sweep_report]
