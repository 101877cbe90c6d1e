"""What every command shares: the mapping of errors to exit codes, and common options.

Errors leave through click's exception mechanism: a `KazsimError` becomes its message
and its exit code (1 input, 3 model, 130 interrupted, 143 after SIGTERM, which stops a
command as Ctrl-C does); anything unexpected is exit 3 with one line naming a log file
that holds the traceback, never exit 1.
"""
from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from sim.core.crashlog import one_line, where_logged
from sim.core.errors import (
    EXIT_MODEL,
    InputError,
    Interrupted,
    KazsimError,
    OutputError,
    Terminated,
)
from sim.core.lifetime import sigterm_raises, terminating
from sim.core.suggest import near

RESUME = "kazsim.resume"  # ctx.meta key: the command that continues this one after Ctrl-C
ARGV = "kazsim.argv"  # ctx.meta key: the arguments the command line gave


class Failure(click.ClickException):
    """A kazsim error on its way out: the message on stderr, the error's exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        vars(self)["exit_code"] = exit_code  # click declares it a class variable

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def _mapped(invoke: Callable[[click.Context], Any], ctx: click.Context) -> Any:
    try:
        with sigterm_raises():  # SIGTERM stops the command as Ctrl-C does
            return invoke(ctx)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except KazsimError as err:
        if isinstance(err, Interrupted):
            _ignore_further_interrupts()
            if err.terminated:
                _stop_figure_server()
        if isinstance(err, OutputError) and err.resume is None and ctx.meta.get(RESUME):
            err = OutputError(err.path, err.reason, ctx.meta[RESUME])
        raise Failure(str(err), err.exit_code) from None
    except KeyboardInterrupt as stop:
        _ignore_further_interrupts()  # a second Ctrl-C must not cut the message short
        if isinstance(stop, Terminated):
            _stop_figure_server()
            stopped = Interrupted("Terminated (SIGTERM).", ctx.meta.get(RESUME), terminated=True)
        else:
            stopped = Interrupted(resume=ctx.meta.get(RESUME))
        raise Failure(str(stopped), stopped.exit_code) from None
    except Exception as err:  # noqa: BLE001 - a crash, reported as one
        if isinstance(err, BrokenPipeError) and _reader_gone():
            raise click.exceptions.Exit(0) from None  # `| head` stopped reading: no crash
        raise Failure(f"error: unexpected failure ({one_line(err)}); {where_logged(err)}",
                      EXIT_MODEL) from None


def _stop_figure_server() -> None:
    """After SIGTERM, the figure workers stop now, whichever way the command leaves (the
    `kazsim` entry point has no `run_and_exit` to stop them)."""
    render = sys.modules.get("sim.report.render")  # loaded only if this command drew
    if render is not None:
        render.shutdown()


def _reader_gone() -> bool:
    """Whether the pipe that broke is stdout's (its reader left, as `head` does); if so,
    stdout goes to the null device so that nothing more fails on the way out. A pipe of
    our own that broke (a figure worker's) leaves stdout writable: that is a crash."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):
        return False
    if hasattr(select, "poll"):  # POSIX: a pipe without a reader polls as an error
        poll = select.poll()
        poll.register(fd, select.POLLOUT)
        gone = any(event & (select.POLLERR | select.POLLHUP) for _, event in poll.poll(0))
    else:  # Windows: what is still buffered cannot be written
        try:
            sys.stdout.flush()
            gone = False
        except BrokenPipeError:
            gone = True
    if gone:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
    return gone


def _ignore_further_interrupts() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if terminating():  # the SIGTERM handler is gone with its block: keep ignoring
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


class KazsimCommand(click.Command):
    """A command whose errors leave with kazsim's exit codes (also when invoked alone)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ARGV not in ctx.meta:  # invoked alone, not through the group
            ctx.meta[ARGV] = [self.name or "", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        return _mapped(super().invoke, ctx)


class KazsimGroup(click.Group):
    command_class = KazsimCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV] = list(args)  # the command line as given, for provenance
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        return _mapped(super().invoke, ctx)


def check_targets(out: str | Path | None, marker: str, trace_file: str | None = None) -> None:
    """Exit 1 before any run if an output cannot be written or must not be replaced
    (`out` None: no report asked for)."""
    from sim.report.atomic import (  # lazy: keeps --help fast
        TargetError,
        check_dir_target,
        check_file_target,
    )

    try:
        if out is not None:
            check_dir_target(out, marker)
        if trace_file:
            check_file_target(trace_file)
    except TargetError as err:
        raise InputError.single(str(err)) from None


def import_model(ref: str) -> Any:
    """The stand-in model `MODULE:FUNCTION` of a hidden `--model` option (tests, benchmarks)."""
    import importlib

    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise click.BadParameter(f"cannot import {ref}: {err}", param_hint="--model") from None


def command_text() -> str:
    """The command line of the running command, as a user would retype it."""
    from sim.report.provenance import command_line  # lazy: keeps --help fast

    ctx = click.get_current_context(silent=True)
    argv = ctx.meta.get(ARGV) if ctx is not None else None
    return command_line(argv)


def reps_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--reps", default=None, metavar="N",
                        help="Replications (default: the scenario's `replications`).")(f)


def seed_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
                        help="Base seed (default: the scenario's `seed`).")(f)


def set_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                        help="Override a scenario value, e.g. --set force.recruiting.per_month=20 "
                             "(repeatable; values parsed as YAML).")(f)


def workers_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Worker processes for the runs and the report's figures "
                             "(default: the number of cores; 1: everything in this "
                             "process).")(f)


def scheduler_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--scheduler", default=None, metavar="ADDRESS",
                        help="Run on a Dask scheduler at ADDRESS ('local' starts a local cluster).")(f)


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="Terminal summary format.")(f)


def allow_large_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--allow-large", is_flag=True,
                        help="Run even if the work estimate is over the limits (about 4 GB "
                             "or an hour; see docs/limits.md).")(f)


class ExistingFile(click.ParamType):
    """A file that must exist; when it does not, the message names the nearest file in
    its folder ("did you mean 'scenarios/kazbat_2003.yaml'?")."""

    name = "file"

    def __init__(self) -> None:
        self.path = click.Path(exists=True, dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not os.path.lexists(value):
            self.fail(missing_file(value), param, ctx)
        return self.path.convert(value, param, ctx)


def missing_file(value: str) -> str:
    """"no file 'x'", with the nearest name in its folder when there is one, or the
    folder that is missing (and the nearest folder)."""
    folder = Path(value).parent
    if not folder.is_dir():
        up = folder.parent if folder.parent.is_dir() else None
        hint = near(folder.name, [e.name for e in _entries(up) if e.is_dir()], n=1) if up else []
        return (f"no file {value!r}: there is no folder '{folder}'"
                + (f" (did you mean '{up / hint[0] if up else hint[0]}'?)" if hint else ""))
    hint = near(Path(value).name, [e.name for e in _entries(folder)], n=1)
    if hint:
        return f"no file {value!r} (did you mean {str(folder / hint[0])!r}?)"
    return f"no file {value!r}"


def _entries(folder: Path) -> list[Path]:
    try:
        return [e for e in folder.iterdir() if not e.name.startswith(".")][:10_000]
    except OSError:
        return []


class InputFile(ExistingFile):
    """An input file; or, when no file of that name is here, the bare name of an example
    shipped with kazsim (`kazbat_2003`, with or without .yaml) in `kinds` (searched in
    order): the shipped file is used and named on stderr."""

    def __init__(self, *kinds: str):
        super().__init__()
        self.kinds = kinds

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not os.path.lexists(value):
            from sim import api  # lazy: only when the name is not a file here

            shipped = sorted({e.name for e in api.shipped_examples() if e.kind in self.kinds})
            if not api.is_bare_name(value):
                self.fail(missing_file(value), param, ctx)
            found = api.find_example(value, self.kinds)
            if found is None:
                stem = value.removesuffix(".yaml").removesuffix(".yml")
                hint = near(value, [e.name for e in _entries(Path("."))], n=1)
                hint = [f"./{hint[0]}"] if hint else near(stem, shipped, n=1)
                self.fail(f"no file {value!r} here, and no shipped example of that name"
                          + (f" (did you mean {hint[0]!r}?)" if hint else
                             f" (shipped: {', '.join(shipped)})" if shipped else ""),
                          param, ctx)
            click.echo(f"kazsim: no file {value!r} here; using the shipped "
                       f"{api.KIND_WORDS[found.kind]} {found.path}", err=True)
            return str(found.path)
        return self.path.convert(value, param, ctx)


SCENARIO_FILE = InputFile("scenarios")


def count_or_auto(value: str | None, option: str, least: int) -> int | str | None:
    """None (the default), "auto", or a whole number at least `least` for `option`."""
    if value is None or value == "auto":
        return value
    expected = "a whole number >= 0" if least == 0 else "a positive integer"
    try:
        n = int(value)
    except ValueError:
        raise click.BadParameter(f"expected {expected} or 'auto', found '{value}'",
                                 param_hint=option) from None
    if n < least:
        raise click.BadParameter(f"expected {expected} or 'auto', found {n}", param_hint=option)
    return n


def parse_draws(value: str | None) -> int | str | None:
    """None (auto), "auto", or a whole number >= 0."""
    return count_or_auto(value, "--draws", 0)


def draws_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--draws` and `--reps-per-draw` (docs/uncertainty.md)."""
    f = click.option("--reps-per-draw", type=click.IntRange(min=1), default=2,
                     show_default=True,
                     help="Replications of each draw (the nominal's first ones' random "
                          "numbers).")(f)
    return click.option("--draws", default=None, metavar="N|auto|0",
                        help="Draws of the scenario's assumptions (a Latin hypercube); auto "
                             "(default): 32 when it declares `assumptions:`, else 0; 0 runs "
                             "the nominal scenario only.")(f)
