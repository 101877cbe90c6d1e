"""Commands about sweeps, thin over `sim.api`: `sweep` (run a designed experiment) and
`sweep-report` (analyse a stored one)."""
from __future__ import annotations

import csv
import io
import shlex
import sys
from typing import Any

import click

from sim.cli.common import (
    ARGV,
    RESUME,
    ExistingFile,
    InputFile,
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
from sim.cli.progress import ProgressDisplay
from sim.cli.run import write_all
from sim.cli.tables import stdout_console


@click.command(cls=KazsimCommand)
@click.argument("sweep_file", type=InputFile("sweeps"))
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
    from sim import api  # lazy: keeps --help fast
    from sim.report.render import prewarm  # lazy: keeps --help fast
    from sim.studies.sweep.report import MARKER  # lazy: keeps --help fast

    if dry_run:
        design = api.sweep_design(sweep_file, overrides, seed, reps, allow_large=allow_large)
        click.echo(design_csv(design), nl=False)
        return
    model = import_model(model_ref) if model_ref else None
    db = out or api.default_store(sweep_file)
    check_targets(report_dir, MARKER)  # before any run: a sweep may take hours
    resume_command = _resume_command(db)
    click.get_current_context().meta[RESUME] = resume_command  # a second Ctrl-C says it too
    if report_dir:
        prewarm(workers)
    with ProgressDisplay("sweep", "runs", quiet or fmt == "json") as bar:
        result = api.sweep(sweep_file, db, resume=resume, workers=workers, scheduler=scheduler,
                           set=overrides, seed=seed, reps=reps, progress=bar, model=model,
                           command=command_text(), resume_command=resume_command,
                           allow_large=allow_large)
    _finish(result, report_dir, quiet, fmt, workers)
    result.check()


@click.command("sweep-report", cls=KazsimCommand)
@click.argument("db", type=ExistingFile())
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write the report files to DIR (default: print only).")
@quiet_option
@format_option
def sweep_report(db: str, report_dir: str | None, quiet: bool, fmt: str) -> None:
    """Analyse a stored sweep: per-point table, sensitivity ranking, report files."""
    from sim import api  # lazy: keeps --help fast
    from sim.studies.sweep.report import MARKER  # lazy: keeps --help fast

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


def design_csv(design: Any) -> str:
    """The design (a DataFrame) as CSV: a header of factor paths, a row per point, each
    value as the design holds it (whole numbers stay whole)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(design.columns)
    for row in design.itertuples(index=False, name=None):
        writer.writerow([v.item() if hasattr(v, "item") else v for v in row])
    return out.getvalue()


def _finish(result: Any, report_dir: str | None, quiet: bool, fmt: str,
            workers: int | None = None) -> None:
    """`workers`: the figure workers (1: drawn in this process; None: the cores)."""
    from sim.report.model import dumps  # lazy: keeps --help fast
    from sim.studies.sweep.report import to_json  # lazy: keeps --help fast

    incomplete = (write_all(lambda: result.write_report(report_dir, figure_workers=workers))
                  if report_dir else None)
    if fmt == "json":
        click.echo(dumps({**to_json(result.analysis), "report": report_dir}), nl=False)
    elif not quiet:
        print_summary(result.analysis)
        if report_dir:
            click.echo(f"Report written to {report_dir}", err=True)
    if incomplete:
        raise incomplete


def print_summary(a: Any, max_rows: int = 40) -> None:
    """The per-point tables and the sensitivity ranking, on stdout."""
    from rich import box
    from rich.table import Table

    from sim.studies.sweep.report import (  # lazy: keeps --help fast
        findings,
        intro,
        point_tables,
        sensitivity_table,
        title,
    )

    console = stdout_console()
    console.print(f"[bold]{title(a)}[/bold]\n{intro(a)}", markup=True)
    for text in findings(a):  # the answer first, as the report gives it
        console.print(f"- {text}", markup=False)
    for head, rows in point_tables(a):
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for h in head:
            table.add_column(str(h), justify="right" if str(h) == "point" else "left",
                             overflow="fold")  # a long name wraps, never cut to "…"
        for r in rows[:max_rows]:
            table.add_row(*(str(c) for c in r))
        if len(rows) > max_rows:
            table.caption = f"first {max_rows} of {len(rows)} points; all in points.csv"
        console.print(table)
    for o in a.outputs:
        head, rows, note = sensitivity_table(a, o)
        table = Table(title=f"Sensitivity of {o}", box=box.SIMPLE_HEAD, pad_edge=False,
                      caption=note or None)
        for h in head:
            table.add_column(h, overflow="fold")  # a long name wraps, never cut to "…"
        for r in rows:
            table.add_row(*(str(c) for c in r))
        console.print(table)
    legend = ", ".join(f"{a.labels[f]} = {f}" for f in a.factors if a.labels[f] != f)
    if legend:
        console.print(f"Factors: {legend}")


COMMANDS = [sweep, sweep_report]
