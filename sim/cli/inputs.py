"""Commands about input files: `validate`, `show`, `schema` (over `sim.api`)."""
from __future__ import annotations

import click

from sim.cli.common import KazsimCommand, allow_large_option, set_option
from sim.cli.run import warn
from sim.core.errors import InputError


@click.command(cls=KazsimCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@allow_large_option
def validate(files: tuple[str, ...], allow_large: bool) -> None:
    """Check scenario, sweep and policy files; print every problem with file:line and
    key path.

    Exit 1 if any file has an error (warnings alone do not fail), or if running it (a
    scenario at its `replications`, a sweep's design) is over the work limits.
    """
    from sim import api  # lazy: keeps --help fast

    checks = api.validate(files, allow_large=allow_large)
    for check in checks:
        warn(check.errors or check.warnings)
        if check.ok:
            click.echo(f"OK {check.file}")
    if not all(check.ok for check in checks):
        raise click.exceptions.Exit(InputError.exit_code)  # the problems are printed above


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
@set_option
def show(scenario: str, overrides: tuple[str, ...]) -> None:
    """Print the resolved scenario (after extends, --set and defaults) as YAML."""
    from sim import api  # lazy: keeps --help fast

    loaded = api.load_scenario(scenario, overrides)
    warn(loaded.warnings)
    click.echo(api.show(loaded), nl=False)


@click.command(cls=KazsimCommand)
@click.option("--timeline-paths", is_flag=True,
              help="List the paths a timeline entry may set (placeholders in <>), one a line.")
def schema(timeline_paths: bool) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    import json

    from sim import api  # lazy: keeps --help fast

    if timeline_paths:
        for path in api.timeline_paths():
            click.echo(path)
        return
    click.echo(json.dumps(api.scenario_schema(), indent=2))


COMMANDS = [validate, show, schema]
