"""`kazsim capacity`: the largest contingent a deployment can sustain (over
`sim.api.find_capacity`)."""
from __future__ import annotations

import json
import time
from typing import Any

import click

from sim.cli.common import (
    SCENARIO_FILE,
    KazsimCommand,
    format_option,
    quiet_option,
    scheduler_option,
    seed_option,
    set_option,
    workers_option,
)
from sim.cli.run import warn
from sim.core.errors import InputError


@click.command(cls=KazsimCommand)
@click.argument("scenario", type=SCENARIO_FILE)
@click.option("--deployment", default=None, metavar="NAME",
              help="The deployment to size (default: the first by priority).")
@click.option("--fill", type=float, default=0.95, show_default=True,
              help="Fill rate a rotation must reach.")
@click.option("--confidence", type=float, default=0.9, show_default=True,
              help="Share of replications that must reach it.")
@click.option("--reps", type=click.IntRange(min=1), default=None, metavar="N",
              help="Replications per size (default: the scenario's `replications`).")
@seed_option
@set_option
@workers_option
@scheduler_option
@quiet_option
@format_option
def capacity(scenario: str, deployment: str | None, fill: float, confidence: float, reps: int | None,
             seed: int | None, overrides: tuple[str, ...], workers: int | None, scheduler: str | None,
             quiet: bool, fmt: str) -> None:
    """The largest contingent SCENARIO's force can keep in theatre, tour after tour, and
    the constraint that binds first (volunteers, qualification, dwell, strength)."""
    from sim import api  # lazy: keeps --help fast

    for name, value in (("--fill", fill), ("--confidence", confidence)):
        if not (0 < value <= 1):
            raise InputError.single(f"{name} must be in (0, 1], found {value}", path=name)
    loaded = api.load_scenario(scenario, overrides)
    warn(loaded.warnings)

    def progress(p: Any) -> None:
        if not quiet:
            click.echo(f"  size {p.size:5d}: fill >= {fill:g} in {p.met:.0%} of replications", err=True)

    t0 = time.perf_counter()
    result = api.find_capacity(loaded, deployment, fill, confidence, reps, seed, workers,
                               scheduler, progress)
    data = {**result.as_dict(), "scenario": scenario, "wall_seconds": round(time.perf_counter() - t0, 2)}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"deployment          {result.deployment}")
    click.echo(f"largest contingent  {result.largest_contingent} persons "
               f"(fill >= {fill:g} in >= {confidence:.0%} of {result.reps} replications)")
    click.echo(f"binding constraint  {result.binding_constraint} ({result.detail})")
    if result.shape:
        click.echo("shape               " + ", ".join(f"{r} {n}" for r, n in result.shape.items()))


COMMANDS = [capacity]
