"""Commands about input files: `validate`, `show`, `schema`, `examples` (over `sim.api`)."""
from __future__ import annotations

import click

from sim.cli.common import (
    SCENARIO_FILE,
    InputFile,
    KazsimCommand,
    allow_large_option,
    set_option,
)
from sim.cli.run import warn
from sim.core.errors import InputError


@click.command(cls=KazsimCommand)
@click.argument("files", nargs=-1, required=True,
                type=InputFile("scenarios", "sweeps", "policies", "records"))
@allow_large_option
def validate(files: tuple[str, ...], allow_large: bool) -> None:
    """Check scenario, sweep, policy and record files; print every problem with file:line
    and key path (a record is checked alone: against a scenario by `hindcast`).

    Each file's kind is told from its keys: a sweep has `factors:` (or `design:`), a
    policy for `optimize` has `objectives:`, a record for `hindcast` has `observations:`,
    anything else is a scenario. A bare name (`kazbat_2003`) is the shipped example of
    that name.
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
@click.argument("scenario", type=SCENARIO_FILE)
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


@click.command(cls=KazsimCommand)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Replace files already there that differ from the shipped ones.")
@click.option("--list", "list_only", is_flag=True,
              help="List the shipped examples (each usable by its bare name) and copy nothing.")
def examples(directory: str, force: bool, list_only: bool) -> None:
    """Copy the scenarios, sweeps, policies and records shipped with kazsim into DIRECTORY
    (default: here) to start from, keeping their folders.

    Files already there with the same content are left alone; if any differs, nothing is
    copied (exit 1) unless --force. Any command also takes a shipped example by its bare
    name when no such file is here: `kazsim run kazbat_2003`.
    """
    from sim import api  # lazy: keeps --help fast

    if list_only:
        shipped = api.shipped_examples()
        if not shipped:
            raise InputError.single("this installation of kazsim has no examples")
        for ex in shipped:
            click.echo(f"{ex.relative}\t{ex.path}")
        return
    done = api.examples(directory, overwrite=force)
    where = "here" if directory in (".", "./") else directory
    kinds = ", ".join(f"{n} {kind if n != 1 else api.KIND_WORDS[kind]}"
                      for kind, n in done.by_kind().items())
    copied = len(done.written) + len(done.replaced)
    said = (f"Copied {_files(copied)} into {where} ({kinds})" if copied else
            f"Nothing to copy into {where}")
    if done.replaced:
        said += f"; {len(done.replaced)} of them replaced a file that differed"
    if done.unchanged:
        said += f"; {_files(len(done.unchanged))} already there, unchanged"
    click.echo(said + ".")
    if (directory not in (".", "./")) and copied:
        click.echo(f"Start with: cd {directory} && kazsim run scenarios/kazbat_2003.yaml")
    elif copied:
        click.echo("Start with: kazsim run scenarios/kazbat_2003.yaml")


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


COMMANDS = [validate, show, schema, examples]
