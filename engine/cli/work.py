"""`turnus start-form`, `start`, `tasks`, `claim`, `release`, `assign`, `complete`, `comment`: the work on cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from engine.cli.common import Ctx, echo_json, example, parse_data, when

if TYPE_CHECKING:
    from engine.service import Engine


@click.command(epilog=example("turnus start netvaerksturnus --as emma --data @proposal.json"))
@click.argument("key")
@click.option("--as", "actor", required=True)
@click.option("--data", default=None, help="Start form data: JSON or @FILE.")
@click.pass_obj
def start(obj: Ctx, key: str, actor: str, data: str | None) -> None:
    """Start a case of the latest version of KEY; prints the case id."""
    click.echo(obj.engine().start(key, actor, parse_data(data)))


def _echo_fields(fields: Any) -> None:
    for f in fields:
        flags = [w for w, on in (("required", f.required), ("read-only", f.readonly)) if on]
        limits = [f"{k}={v}" for k, v in (("min", f.min), ("max", f.max), ("minlength", f.minlength),
                                          ("maxlength", f.maxlength)) if v is not None]
        widget = [f"widget={f.properties['widget']}"] if f.properties.get("widget") else []
        extra = " (" + ", ".join(f"{o.id}={o.label}" for o in f.options) + ")" if f.options else ""
        click.echo(f"    {f.id}: {' '.join([f.type, *flags, *limits, *widget])} - {f.label}{extra}")


@click.command("start-form", epilog=example("turnus start-form netvaerksturnus --json"))
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def start_form(obj: Ctx, key: str, as_json: bool) -> None:
    """The fields `start KEY --data` takes (latest version of KEY)."""
    name, form = obj.engine().start_form(key)
    variables = obj.engine().start_variables(key)  # turnus:startVariable: accepted beside the form
    if as_json:
        return echo_json({"key": key, "name": name, "form": form.to_dict(),
                           "variables": [_variable(f) for f in variables.fields]})
    click.echo(f"{key}: {name}")
    _echo_fields(form.fields)
    for f in variables.fields:
        used = f.properties.get("inferred_from")
        why = f", required: the {used} of '{f.properties.get('element', '')}'" if used else ""
        click.echo(f"    {f.id}: {_variable(f)['type']} (start variable{why})")


def _variable(f: Any) -> dict[str, Any]:
    """A start variable for --json; an inferred one says it is required and which use needs it."""
    out: dict[str, Any] = {"id": f.id, "type": f"list<{f.type}>" if f.properties.get("list") == "true" else f.type,
                           "required": f.required}
    if f.properties.get("inferred_from"):
        out["used_as"] = f.properties["inferred_from"]
        out["used_by"] = f.properties.get("element", "")
    return out


@click.command(epilog=example("turnus tasks --as sara --json"))
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def tasks(obj: Ctx, actor: str, as_json: bool) -> None:
    """Tasks USER may work: assigned to them, or unclaimed with them as candidate."""
    views = obj.engine().tasks_for(actor)
    if as_json:
        return echo_json([v.to_dict() for v in views])
    for v in views:
        who = v.assignee or "groups:" + ",".join(v.candidate_groups + v.candidate_users)
        click.echo(f"{v.id}\t{v.case_id}\t{v.element_id}\t{v.name}\t{who}\tdue {when(v.due_at)}")
        _echo_fields(v.form.fields)


def _task_command(name: str, method: Callable[[Engine, str, str], None], done: str,
                  help_text: str) -> click.Command:
    @click.command(name, help=help_text, epilog=example(f"turnus {name} TASK_ID --as sara"))
    @click.argument("task")
    @click.option("--as", "actor", required=True)
    @click.pass_obj
    def command(obj: Ctx, task: str, actor: str) -> None:
        method(obj.engine(), task, actor)
        click.echo(f"{task} {done}")

    return command



claim = _task_command("claim", lambda e, t, a: e.claim(t, a), "claimed",
              "Take a task offered to your group, so that only you work on it.")
release = _task_command("release", lambda e, t, a: e.release(t, a), "released",
              "Give a claimed task back to its candidate group.")


@click.command(epilog=example("turnus assign TASK_ID --as sara --to lene"))
@click.argument("task")
@click.option("--as", "actor", required=True)
@click.option("--to", "to_user", required=True, help="The colleague who gets the task.")
@click.pass_obj
def assign(obj: Ctx, task: str, actor: str, to_user: str) -> None:
    """Hand a task to a colleague."""
    obj.engine().assign(task, actor, to_user)
    click.echo(f"{task} assigned to {to_user}")


@click.command(epilog=example("turnus complete TASK_ID --as sara --data @answers.json"))
@click.argument("task")
@click.option("--as", "actor", required=True)
@click.option("--data", default=None, help="Form data: JSON or @FILE.")
@click.pass_obj
def complete(obj: Ctx, task: str, actor: str, data: str | None) -> None:
    """Complete a task with its form data."""
    obj.engine().complete(task, actor, parse_data(data))
    click.echo(f"{task} completed")


@click.command(epilog=example("turnus comment CASE_ID 'Mødet er flyttet til torsdag.' --as emma"))
@click.argument("case_id")
@click.argument("text")
@click.option("--as", "actor", required=True)
@click.pass_obj
def comment(obj: Ctx, case_id: str, text: str, actor: str) -> None:
    """Comment on a case."""
    obj.engine().comment(case_id, actor, text)
    click.echo("comment added")


COMMANDS = [start_form, start, tasks, claim, release, assign, complete, comment]
