"""`turnus webhooks`: subscriptions of receivers to case events, and the deliveries that failed (issue 23 item 7).
The secret is printed once, as the last line of `add`; every command acts as an administrator (``--as``)."""

from __future__ import annotations

import click

from engine.cli.common import Ctx, example

KINDS = "case.started, case.finished, task.created, task.completed or incident.raised"


def _when(at: object) -> str:
    return at.isoformat(timespec="seconds") if at else "-"  # type: ignore[attr-defined]


@click.group()
def webhooks() -> None:
    """Subscribe URLs to case events; list, resend or discard their deliveries."""


@webhooks.command("add", epilog=example("turnus webhooks add https://hr.example.dk/turnus --event case.finished "
                                        "--event task.created --as admin"))
@click.argument("url")
@click.option("--event", "events", multiple=True, required=True, help=f"{KINDS} (repeatable).")
@click.option("--as", "actor", required=True, help="The administrator who adds it.")
@click.pass_obj
def webhooks_add(obj: Ctx, url: str, events: tuple[str, ...], actor: str) -> None:
    """Subscribe URL (http:// or https:// only) to event kinds; the signing secret is the last line and is never
    shown again."""
    info, secret = obj.engine().add_webhook(url, events, actor)
    click.echo(f"{info.id}\t{info.url}\tevents={','.join(info.events)}")
    click.echo(secret)


@webhooks.command("list", epilog=example("turnus webhooks list --as admin"))
@click.option("--all", "include_removed", is_flag=True, help="Also the removed ones.")
@click.option("--as", "actor", required=True)
@click.pass_obj
def webhooks_list(obj: Ctx, include_removed: bool, actor: str) -> None:
    """List subscriptions (never their secrets): id, URL, events, created by, created, state."""
    for h in obj.engine().webhooks(actor, include_removed=include_removed):
        click.echo(f"{h.id}\t{h.url}\tevents={','.join(h.events)}\tcreated_by={h.created_by}"
                   f"\tcreated={_when(h.created_at)}\t{'active' if h.active else 'removed'}")


@webhooks.command("remove", epilog=example("turnus webhooks remove 6f1c… --as admin"))
@click.argument("webhook_id")
@click.option("--as", "actor", required=True)
@click.pass_obj
def webhooks_remove(obj: Ctx, webhook_id: str, actor: str) -> None:
    """Stop sending to a subscription; its waiting deliveries are discarded."""
    info = obj.engine().remove_webhook(webhook_id, actor)
    click.echo(f"{info.id} removed")


@webhooks.command("deliveries", epilog=example("turnus webhooks deliveries --failed --as admin"))
@click.option("--failed", "failed_only", is_flag=True, help="Only the deliveries given up after every attempt.")
@click.option("--as", "actor", required=True)
@click.pass_obj
def webhooks_deliveries(obj: Ctx, failed_only: bool, actor: str) -> None:
    """Deliveries, newest first: id, event, case, status, attempts, created, next attempt, URL, last error."""
    for d in obj.engine().webhook_deliveries(actor, failed_only=failed_only):
        click.echo(f"{d.id}\t{d.event}\t{d.case_id or '-'}\t{d.status}\tattempts={d.attempts}"
                   f"\tcreated={_when(d.created_at)}\tnext={_when(d.next_attempt_at)}\t{d.url}"
                   f"\t{(d.last_error or '-').replace(chr(10), ' ')}")


@webhooks.command("resend", epilog=example("turnus webhooks resend msg_… --reason 'Receiver fixed' --as admin"))
@click.argument("delivery_id")
@click.option("--reason", required=True, help="Why (written into the administrators' log).")
@click.option("--as", "actor", required=True)
@click.pass_obj
def webhooks_resend(obj: Ctx, delivery_id: str, reason: str, actor: str) -> None:
    """Send a failed or waiting delivery again now, with fresh attempts."""
    obj.engine().resend_webhook(delivery_id, actor, reason)
    click.echo(f"{delivery_id} will be sent again")


@webhooks.command("discard", epilog=example("turnus webhooks discard msg_… --reason 'Not needed' --as admin"))
@click.argument("delivery_id")
@click.option("--reason", required=True, help="Why (written into the administrators' log).")
@click.option("--as", "actor", required=True)
@click.pass_obj
def webhooks_discard(obj: Ctx, delivery_id: str, reason: str, actor: str) -> None:
    """Give up a failed or waiting delivery: it is not sent."""
    obj.engine().discard_webhook(delivery_id, actor, reason)
    click.echo(f"{delivery_id} discarded")


COMMANDS = [webhooks]
