"""Exploratory commands: `optimize` (policy search under chance constraints) and
`discover` (scenario discovery on a sweep store). Heavy libraries load inside them."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sim.cli_common import (
    RESUME,
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
from sim.errors import InputError, Interrupted


@click.command(cls=KazsimCommand)
@click.argument("policy_file", type=click.Path(exists=True, dir_okay=False))
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
    from sim.executor import ExecutorError, shared_scheduler
    from sim.explore.optimize import search
    from sim.explore.optimize_report import MARKER, json_text, print_summary, write_report
    from sim.explore.policy import load_policy

    policy = load_policy(policy_file, overrides, reps=reps, seed=seed)
    model = import_model(model_ref) if model_ref else None
    db = out or str(Path("results") / f"{Path(policy_file).stem}.db")
    check_targets(report_dir, MARKER)
    store = _open_store(policy, db, resume)
    resume_cmd = f"kazsim optimize {policy_file} --out {db} --resume"
    click.get_current_context().meta[RESUME] = resume_cmd
    progress = _progress(quiet or fmt == "json", policy.spec.budget)
    try:
        with progress, shared_scheduler(scheduler, workers) as address:
            task = progress.add_task("optimize", total=policy.spec.budget)
            result = search(policy, store, model=model, workers=workers, scheduler=address,
                            on_run=lambda: progress.advance(task))
    except KeyboardInterrupt:
        raise Interrupted(f"\nInterrupted: {store.count()} evaluations are stored in {db}.",
                          resume_cmd) from None
    except ExecutorError as err:
        raise InputError.single(f"{err}\nThe search is recorded in {db}; once fixed, "
                                "continue it with --resume.") from None
    finally:
        store.close()
    _say(result, fmt, quiet, report_dir, json_text, print_summary, write_report)


def _open_store(policy: Any, db: str, resume: bool) -> Any:
    from sim.explore.store import EvaluationStore, StoreError

    if Path(db).exists() and not resume:
        raise InputError.single(f"{db} already exists: add --resume to continue its search, "
                                "or choose another --out")
    try:
        store = EvaluationStore(db)
    except StoreError as err:
        raise InputError.single(str(err)) from None
    try:
        store.initialise(policy.digest(), {"policy_file": policy.file,
                                           "spec": policy.spec.canonical()})
    except StoreError as err:
        store.close()
        raise InputError.single(f"cannot resume: {err}") from None
    return store


def _progress(quiet: bool, total: int) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("model replications (budget)"),
                    console=Console(stderr=True), disable=quiet, transient=False)




@click.command(cls=KazsimCommand)
@click.argument("store", type=click.Path(exists=True, dir_okay=False))
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
    from sim.explore.discover import discover as run_discovery
    from sim.explore.discover_report import MARKER, json_text, print_summary, write_report

    check_targets(report_dir, MARKER)
    if box is not None and method != "prim":
        raise InputError.single("--box chooses a box of PRIM's peeling trajectory: use it "
                                "with --method prim")
    result = run_discovery(store, where, method=method, share=share, box=box)
    _say(result, fmt, quiet, report_dir, json_text, print_summary, write_report)


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


COMMANDS = [optimize, discover]
