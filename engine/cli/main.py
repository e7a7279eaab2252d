"""The turnus command line: the root group, every command module's commands added to it, and the error handling
that turns a refusal into one line on stderr. Its commands and output are a contract other scripts rely on.

User errors exit 1 with one line on stderr; usage errors exit 2 (click's convention); a bug exits 3.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from engine import logs
from engine.cli import (
    audit,
    cases,
    definitions,
    messaging,
    people,
    setup,
    timers,
    tokens,
    versions,
    webhooks,
    work,
    worker,
)
from engine.cli.common import Ctx
from engine.errors import FormInvalid, TurnusError


@click.group()
@click.option("--db", envvar="TURNUS_DATABASE_URL", default=None,
              help="Database URL (default: $TURNUS_DATABASE_URL or sqlite:///instance/turnus.db).")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Turnus: a BPMN case engine."""
    ctx.obj = Ctx(db)



for module in (setup, people, work, cases, audit, versions, definitions, messaging, timers, worker, tokens,
               webhooks):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    try:
        from engine.config import load_settings

        logs.configure(load_settings().log_format)
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except FormInvalid as err:
        click.echo(f"error: the form was not accepted: {err}", err=True)
        sys.exit(1)
    except TurnusError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except Exception as err:  # never a traceback for a user; TURNUS_DEBUG=1 shows it
        if os.environ.get("TURNUS_DEBUG"):
            traceback.print_exc()
        click.echo(f"internal error: {type(err).__name__}: {err} (set TURNUS_DEBUG=1 for details)", err=True)
        sys.exit(3)

