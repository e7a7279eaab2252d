"""`turnus timers run`: fire every timer due at an instant (the workers do it continuously: engine/cli/worker.py)."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from engine.cli.common import Ctx, example
from engine.clock import FixedClock
from engine.errors import InvalidInput


@click.group()
def timers() -> None:
    """Timers."""


@timers.command("run", epilog=example("turnus timers run --now 2027-03-01T08:00:00+01:00"))
@click.option("--now", "now", default=None, help="Fire as if it were this instant (ISO 8601 with offset).")
@click.pass_obj
def timers_run(obj: Ctx, now: str | None) -> None:
    """Fire every timer due at that instant; names each incident raised (then exits 1)."""
    at = None
    if now is not None:
        try:
            at = datetime.fromisoformat(now)
        except ValueError:
            raise InvalidInput(f"--now {now!r} is not an ISO 8601 date-time") from None
        if at.tzinfo is None:
            raise InvalidInput("--now needs a UTC offset, e.g. 2027-05-01T08:00:00+02:00")
    engine = obj.engine(clock=FixedClock(at) if at else None)
    run = engine.run_timers(at)
    moved = f"{run.moved} case{'' if run.moved == 1 else 's'} moved"
    if not run.incidents:
        click.echo(moved)
        return
    click.echo(f"{moved}, {len(run.incidents)} incident{'' if len(run.incidents) == 1 else 's'}")
    for case_id, message in run.incidents:
        click.echo(f"{case_id} incident: {message}")
    sys.exit(1)  # as `signal`: a script or schedule needs an administrator (`turnus case show`, `case retry`)


COMMANDS = [timers]
