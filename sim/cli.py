"""The `kazsim` command group. Thin: each command lives in the module of its concern,
and heavy libraries are imported inside the commands that need them. How errors become
exit codes: `sim.cli_common`."""
from __future__ import annotations

import click

from sim import __version__
from sim.cli_common import KazsimGroup


@click.group(cls=KazsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kazsim")
def main() -> None:
    """kazsim: what-if simulation of a small peacekeeping force.

    Run a scenario with `kazsim run scenarios/kazbat_2003.yaml`; see `kazsim COMMAND -h`.
    """


def _register() -> None:
    from sim import cli_capacity, cli_explore, cli_input, cli_run, cli_sweep

    for module in (cli_run, cli_input, cli_sweep, cli_explore, cli_capacity):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
