"""`turnus definitions suspend|resume KEY --as ADMIN`: stop and allow new cases of a definition (running cases
go on either way); the reason goes into the administrators' audit log."""

from __future__ import annotations

import click

from engine.cli.common import Ctx, example


@click.group(epilog="\b\nExamples:\n  turnus definitions suspend review --as admin --reason 'Wrong form'\n"
                    "  turnus definitions resume review --as admin --reason 'Fixed in version 3'")
def definitions() -> None:
    """Suspend or resume a process definition."""


@definitions.command(epilog=example("turnus definitions suspend netvaerksturnus --as admin --reason 'Ny version'"))
@click.argument("key")
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option("--reason", required=True, help="Why (written into the administrators' audit log).")
@click.pass_obj
def suspend(obj: Ctx, key: str, actor: str, reason: str) -> None:
    """No new cases of KEY, by hand, message or signal, until it is resumed; running cases go on."""
    obj.engine().suspend_definition(key, actor, reason)
    click.echo(f"{key} suspended: no new cases until it is resumed")


@definitions.command(epilog=example("turnus definitions resume netvaerksturnus --as admin --reason 'Udrullet'"))
@click.argument("key")
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option("--reason", required=True, help="Why (written into the administrators' audit log).")
@click.pass_obj
def resume(obj: Ctx, key: str, actor: str, reason: str) -> None:
    """Allow new cases of KEY again."""
    obj.engine().resume_definition(key, actor, reason)
    click.echo(f"{key} resumed: new cases can be started")


COMMANDS = [definitions]
