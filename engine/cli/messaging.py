"""`turnus message` and `turnus signal`: events from outside reaching cases (issue 12)."""

from __future__ import annotations

import sys

import click

from engine.cli.common import Ctx, parse_data


@click.command(epilog="\b\nExample:\n  turnus message document_arrived --business-key J-2027-17 "
                      "--data '{\"doc_ref\": \"A-1\"}' --as bot")
@click.argument("name")
@click.option("--case", "case_id", default=None, help="The case the message is for.")
@click.option("--business-key", default=None, help="The business key of the case it is for (or of the case "
                                                   "it starts).")
@click.option("--data", default=None, help="JSON object (or @FILE) merged into the case data.")
@click.option("--as", "actor", required=True, help="An administrator or a user with the integration role.")
@click.pass_obj
def message(obj: Ctx, name: str, case_id: str | None, business_key: str | None, data: str | None,
            actor: str) -> None:
    """Send message NAME to the case waiting for it, or start a case of the process it starts.

    Prints "CASE received by ELEMENT" or "CASE started". Exits 1, changing nothing, when no case waits
    for it and no process starts with it.
    """
    found = obj.engine().send_message(name, actor, case_id=case_id, business_key=business_key,
                                      data=parse_data(data))
    click.echo(f"{found.case_id} started" if found.started
               else f"{found.case_id} received by {', '.join(found.elements)}")


@click.command(epilog="\b\nExample:\n  turnus signal office_closed --data '{\"reopens\": \"2027-01-06\"}' "
                      "--as admin")
@click.argument("name")
@click.option("--data", default=None, help="JSON object (or @FILE) merged into each case's data.")
@click.option("--as", "actor", required=True, help="An administrator or a user with the integration role.")
@click.pass_obj
def signal(obj: Ctx, name: str, data: str | None, actor: str) -> None:
    """Broadcast signal NAME to every case waiting for it; start every process it starts.

    One line per case: "CASE received", "CASE started" or "CASE incident: reason" (exit 1 if any).
    """
    results = obj.engine().send_signal(name, actor, parse_data(data))
    for r in results:
        if r.incident:
            click.echo(f"{r.case_id} incident: {r.incident}")
        else:
            click.echo(f"{r.case_id} {'started' if r.started else 'received'}")
    if not results:
        click.echo(f"no case waits for signal '{name}' and no process starts with it", err=True)
    if any(r.incident for r in results):
        sys.exit(1)


COMMANDS = [message, signal]
