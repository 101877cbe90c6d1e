"""Commands about input files: `validate`, `show`, `schema`."""
from __future__ import annotations

from collections.abc import Iterable

import click

from sim.cli_common import KazsimCommand, allow_large_option, set_option
from sim.errors import InputError, Problem


@click.command(cls=KazsimCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@allow_large_option
def validate(files: tuple[str, ...], allow_large: bool) -> None:
    """Check scenario and sweep files; print every problem with file:line and key path.

    Exit 1 if any file has an error (warnings alone do not fail), or if running it (a
    scenario at its `replications`, a sweep's design) is over the work limits.
    """
    failed = False
    for file in files:
        try:
            warnings = _check_file(file)
            if not allow_large:
                _check_size(file)
        except InputError as err:
            failed = True
            _echo(err.problems, err=True)
            continue
        _echo(warnings, err=True)
        click.echo(f"OK {file}")
    if failed:
        raise click.exceptions.Exit(InputError.exit_code)  # the problems are printed above


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
@set_option
def show(scenario: str, overrides: tuple[str, ...]) -> None:
    """Print the resolved scenario (after extends, --set and defaults) as YAML."""
    import yaml

    from sim.scenario.loader import load_scenario

    loaded = load_scenario(scenario, overrides)
    _echo(loaded.warnings, err=True)
    data = loaded.scenario.model_dump(by_alias=True, exclude_none=True, exclude={"extends"})
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


@click.command(cls=KazsimCommand)
@click.option("--timeline-paths", is_flag=True,
              help="List the paths a timeline entry may set (placeholders in <>), one a line.")
def schema(timeline_paths: bool) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    import json

    if timeline_paths:
        from sim.scenario.timeline import timeline_paths as paths

        for path in paths():
            click.echo(path)
        return
    from sim.scenario.schema import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))


def _check_file(file: str) -> list[Problem]:
    """Warnings of a good file; raises InputError for a bad one."""
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamlio import load_yaml
    from sim.sweep.spec import is_sweep, load_sweep

    data, _ = load_yaml(file)
    if isinstance(data, dict) and "objectives" in data:  # a policy file (optimize)
        from sim.explore.policy import load_policy

        load_policy(file)
        return []
    if is_sweep(data):
        load_sweep(file)
        return []
    return load_scenario(file).warnings


def _check_size(file: str) -> None:
    """Raise TooLarge if running a good file (a scenario at its `replications`, a sweep)
    is over the work limits."""
    from sim.limits import estimate_run
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamlio import load_yaml
    from sim.sweep.spec import check_size, is_sweep, load_sweep

    data = load_yaml(file)[0]
    if isinstance(data, dict) and "objectives" in data:  # a policy: its budget bounds it
        return
    if is_sweep(data):
        check_size(load_sweep(file), allow_large=False)
        return
    sc = load_scenario(file).scenario
    estimate_run(sc, sc.replications).check(False, file)


def _echo(problems: Iterable[Problem], err: bool) -> None:
    for p in problems:
        click.echo(str(p), err=err)


COMMANDS = [validate, show, schema]
