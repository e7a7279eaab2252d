"""`turnus case show|cancel|retry|set-data` and `turnus history`: one case, read or acted on.

Added to the root group by engine/cli/main.py.
"""

from __future__ import annotations

import json

import click

from engine.cli.common import Ctx, echo_json, example, parse_data, when


@click.group("case")
def case_group() -> None:
    """Look at and act on one case."""


@case_group.command("show", epilog=example("turnus case show CASE_ID --json"))
@click.argument("case_id")
@click.option("--as", "actor", default=None, help="Read as this user (default: the operator).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def case_show(obj: Ctx, case_id: str, actor: str | None, as_json: bool) -> None:
    """Status, current tasks and case data."""
    view = obj.engine().case(case_id, actor, purpose="cli case show")
    if as_json:
        return echo_json(view.to_dict())
    click.echo(f"case {view.id}\n  title: {view.title}\n  process: {view.key} v{view.version}\n"
               f"  status: {view.status}" + (f" at {view.end_event_name}" if view.end_event else ""))
    if view.incident:
        click.echo(f"  incident: {view.incident['element_id']}: {view.incident['message']}")
    if view.next_timer_at:
        named = f" ({view.next_timer_name})" if view.next_timer_name else ""
        click.echo(f"  next timer: {when(view.next_timer_at)}{named}")
    for t in view.open_tasks:
        who = t.assignee or ",".join(t.candidate_groups + t.candidate_users)
        click.echo(f"  task {t.id} {t.element_id} '{t.name}' for {who} due {when(t.due_at)}")
    click.echo("  data: " + json.dumps(view.data, ensure_ascii=False, sort_keys=True))


@case_group.command("cancel",
                    epilog=example("turnus case cancel CASE_ID --as admin --reason 'Oprettet ved en fejl'"))
@click.argument("case_id")
@click.option("--as", "actor", required=True)
@click.option("--reason", required=True)
@click.pass_obj
def case_cancel(obj: Ctx, case_id: str, actor: str, reason: str) -> None:
    """Cancel (terminate) a case, with a reason (administrators)."""
    obj.engine().cancel(case_id, actor, reason)
    click.echo(f"{case_id} cancelled")


@case_group.command("retry", epilog=example("turnus case retry CASE_ID --as admin"))
@click.argument("case_id")
@click.option("--as", "actor", required=True)
@click.pass_obj
def case_retry(obj: Ctx, case_id: str, actor: str) -> None:
    """Run the command that raised the case's incident again (administrators)."""
    obj.engine().retry(case_id, actor)
    click.echo(f"{case_id} retried")


@click.command(epilog=example("turnus history CASE_ID --as revisor"))
@click.argument("case_id")
@click.option("--as", "actor", default=None, help="Read as this user (default: the operator).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def history(obj: Ctx, case_id: str, actor: str | None, as_json: bool) -> None:
    """The case's events in order."""
    events = obj.engine().history(case_id, actor, purpose="cli history")
    if as_json:
        return echo_json([e.to_dict() for e in events])
    for e in events:
        element = f" {e.element_id}" + (f" ({e.element_name})" if e.element_name else "") if e.element_id else ""
        payload = json.dumps(e.payload, ensure_ascii=False, sort_keys=True) if e.payload else ""
        click.echo(f"{e.seq:>4} {when(e.at)} {e.actor:<12} {e.kind}{element} {payload}")


@case_group.command("set-data", epilog="\b\nExample:\n  turnus case set-data CASE_ID --as admin "
                    "--data '{\"budget_approved\": true}' --reason 'Godkendt på mødet 3. maj'")
@click.argument("case_id")
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option("--data", required=True, help="The variables to set: a JSON object or @FILE.")
@click.option("--reason", required=True, help="Why; kept in the case's history.")
@click.pass_obj
def set_data(obj: Ctx, case_id: str, actor: str, data: str, reason: str) -> None:
    """Change case data outside a task form, with a reason (administrators); conditional events then fire."""
    obj.engine().set_data(case_id, actor, parse_data(data), reason)
    click.echo(f"{case_id} data changed")


COMMANDS = [case_group, history]
