"""Commands about sweeps: `sweep` (run a designed experiment) and `sweep-report`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli_common import (
    RESUME,
    KazsimCommand,
    allow_large_option,
    quiet_option,
    scheduler_option,
    workers_option,
)
from sim.errors import InputError, Interrupted, ModelError


@click.command(cls=KazsimCommand)
@click.argument("sweep_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", default=None, metavar="DB",
              help="SQLite file for the runs (default: results/<sweep-stem>.db).")
@click.option("--resume", is_flag=True, help="Continue a stored sweep, skipping finished runs.")
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write runs.csv, points.csv, sensitivity.csv, sweep.md/html and figures.")
@click.option("--dry-run", is_flag=True, help="Print the design as CSV and run nothing.")
@workers_option
@scheduler_option
@quiet_option
@click.option("--model", "model_ref", default=None, hidden=True, metavar="MODULE:FUNCTION",
              help="A stand-in model (tests, benchmarks).")
@allow_large_option
def sweep(sweep_file: str, out: str | None, resume: bool, report_dir: str | None,
          dry_run: bool, workers: int | None, scheduler: str | None, quiet: bool,
          model_ref: str | None, allow_large: bool) -> None:
    """Run a designed experiment over scenario parameters (see docs/sweeps.md).

    Every finished run is committed to the SQLite file at once; a killed sweep continues
    with --resume. Prints the per-point table and the sensitivity ranking.
    """
    from sim.sweep.design import build, to_csv
    from sim.sweep.spec import check_size, load_sweep

    loaded = load_sweep(sweep_file)
    check_size(loaded, allow_large, workers, design_only=dry_run)  # before any matrix is built
    design = build(loaded.spec)
    if dry_run:
        click.echo(to_csv(design), nl=False)
        return
    db = out or str(Path("results") / f"{Path(sweep_file).stem}.db")
    if scheduler:
        _require_dask()  # before the store is written
    _check_report_dir(report_dir)  # before any run: a sweep may take hours
    store = _open(loaded, design, db, resume)
    try:
        failed = _execute(loaded, design, store, sweep_file, db, workers, scheduler, quiet,
                          model_ref)
        _finish(store, report_dir, quiet)
    finally:
        store.close()
    if failed:
        raise ModelError(f"error: {failed} run(s) failed; their errors are in {db} "
                         "(and runs.csv).")


@click.command("sweep-report", cls=KazsimCommand)
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", "report_dir", default=None, metavar="DIR",
              help="Write the report files to DIR (default: print only).")
@quiet_option
def sweep_report(db: str, report_dir: str | None, quiet: bool) -> None:
    """Analyse a stored sweep: per-point table, sensitivity ranking, report files."""
    from sim.sweep.store import NotAStore, Store

    _check_report_dir(report_dir)
    try:
        store = Store(db, readonly=True)  # a report never needs to write the store
    except NotAStore as err:
        raise InputError.single(str(err)) from None
    with store:
        if store.meta("spec") is None:
            raise InputError.single(f"{db}: not a kazsim sweep database")
        _finish(store, report_dir, quiet)


def _open(loaded: Any, design: Any, db: str, resume: bool) -> Any:
    from sim.sweep.execute import open_store
    from sim.sweep.store import NotAStore, SpecMismatch, Store

    try:
        if Path(db).exists() and not resume:
            with Store(db) as existing:
                if existing.meta("spec") is not None:
                    raise InputError.single(f"{db} already holds a sweep: add --resume to "
                                            "finish it, or choose another --out")
        return open_store(loaded, design, db)
    except NotAStore as err:
        raise InputError.single(str(err)) from None
    except SpecMismatch as err:
        raise InputError.single(f"cannot resume: {err}") from None


def _execute(loaded: Any, design: Any, store: Any, sweep_file: str, db: str,
             workers: int | None, scheduler: str | None, quiet: bool,
             model_ref: str | None) -> int:
    """Run what the store lacks, with a progress bar; returns the failed-run count."""
    from sim.executor import ExecutorError
    from sim.sweep.execute import real_model, run_sweep, todo

    model = _import_model(model_ref) if model_ref else real_model
    total = todo(loaded, design, store.done())
    progress = _progress(quiet)
    task = progress.add_task("sweep", total=total)
    resume = f"kazsim sweep {sweep_file} --out {db} --resume"
    click.get_current_context().meta[RESUME] = resume  # a second Ctrl-C still says it
    try:
        with progress:
            run_sweep(loaded, design, store, model=model, workers=workers,
                      scheduler=scheduler, on_run=lambda run: progress.advance(task))
    except KeyboardInterrupt:
        n = sum(store.counts().values())
        raise Interrupted(f"\nInterrupted: {n} runs are stored in {db}.", resume) from None
    except ExecutorError as err:
        raise InputError.single(f"{err}\nThe sweep is recorded in {db}; once fixed, "
                                "continue it with --resume.") from None
    return int(store.counts().get("failed", 0))


def _require_dask() -> None:
    from sim.executor import ExecutorError, require_dask

    try:
        require_dask()
    except ExecutorError as err:
        raise InputError.single(str(err)) from None


def _progress(quiet: bool) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=quiet, transient=False)


def _check_report_dir(report_dir: str | None) -> None:
    """Exit 1 if the report directory cannot be written or holds something else."""
    from sim.report.atomic import TargetError, check_dir_target
    from sim.sweep.report import MARKER

    if report_dir is None:
        return
    try:
        check_dir_target(report_dir, MARKER)
    except TargetError as err:
        raise InputError.single(str(err)) from None


def _finish(store: Any, report_dir: str | None, quiet: bool) -> None:
    from sim.sweep.report import SweepAnalysis, print_summary, write_report

    analysis = SweepAnalysis(store)
    if not quiet:
        print_summary(analysis)
    if report_dir:
        write_report(analysis, report_dir)
        if not quiet:
            click.echo(f"Report written to {report_dir}", err=True)


def _import_model(ref: str) -> Any:
    import importlib

    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise click.BadParameter(f"cannot import {ref}: {err}", param_hint="--model") from None


COMMANDS = [sweep, sweep_report]
