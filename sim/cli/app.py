"""The `kazsim` command group. Thin: each command lives in the module of its concern
and calls the API; heavy libraries are imported inside the commands that need them. How
errors become exit codes: `sim.cli.common`."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

from sim.cli import capacity, compare, explore, inputs, run, sweep, validation
from sim.cli.common import KazsimGroup
from sim.core.gc_policy import lighter_gc
from sim.core.version import __version__


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from sim.report.provenance import git_commit  # lazy: git is asked only for --version

    commit = git_commit()
    click.echo(f"kazsim {__version__}" + (f" (commit {commit})" if commit else ""))
    ctx.exit()


@click.group(cls=KazsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version (and the commit of the code, where there is one) and exit.")
def main() -> None:
    """kazsim: what-if simulation of a small peacekeeping force.

    Run a scenario with `kazsim run scenarios/kazbat_2003.yaml`; see `kazsim COMMAND -h`.
    `python cli.py` and `python -m sim` are the same command as `kazsim`.
    """


for _module in (run, compare, inputs, sweep, explore, capacity, validation):
    for _command in _module.COMMANDS:
        main.add_command(_command)


def run_and_exit(prog_name: str) -> NoReturn:
    """`main`, then leave at once with its exit code. A normal exit tears the interpreter
    down object by object (numpy, pydantic, the model's results): about 0.1 s after every
    run, for nothing. What that exit would do that matters is done here first: the
    figure workers stopped, logs and the output streams flushed. An unexpected exception
    still leaves the ordinary way (its traceback and crash log unchanged)."""
    lighter_gc()
    try:
        main(prog_name=prog_name)
        code: object = 0
    except SystemExit as done:
        code = done.code
    if "sim.report.render" in sys.modules:
        sys.modules["sim.report.render"].shutdown()
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as SystemExit("message") prints it
        code = 1
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`| head`): nothing more to say
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)
