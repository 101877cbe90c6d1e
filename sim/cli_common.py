"""Options shared by several commands, and the one way user errors reach the terminal."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from sim.errors import InputError

EXIT_INPUT = 1
EXIT_MODEL = 3


def reps_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--reps", default=None, metavar="N",
                        help="Replications (default: the scenario's `replications`).")(f)


def seed_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--seed", type=int, default=None,
                        help="Base seed (default: the scenario's `seed`).")(f)


def set_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                        help="Override a scenario value, e.g. --set force.recruiting.per_month=20 "
                             "(repeatable; values parsed as YAML).")(f)


def workers_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Worker processes (default: the number of cores).")(f)


def scheduler_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--scheduler", default=None, metavar="ADDRESS",
                        help="Run on a Dask scheduler at ADDRESS ('local' starts a local cluster).")(f)


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="Terminal summary format.")(f)


def fail_input(err: InputError) -> None:
    """Print every problem of a user's input on stderr and exit 1 (nothing written)."""
    click.echo(str(err), err=True)
    sys.exit(EXIT_INPUT)
