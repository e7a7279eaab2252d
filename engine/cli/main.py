"""The turnus command line. Its commands and output are a contract other scripts rely on.

User errors exit 1 with one line on stderr; usage errors exit 2 (click's convention).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.clock import FixedClock
from engine.demo import DEFAULT_PROCESSES
from engine.errors import FormInvalid, InvalidInput, TurnusError

if TYPE_CHECKING:  # imported by the first command that needs it: `--help` and usage errors stay quick
    from engine.service import Engine


class Ctx:
    def __init__(self, db: str | None):
        self.db = db
        self._engine: Engine | None = None

    def engine(self, clock: Any = None, init: bool = True) -> Engine:
        if self._engine is None:
            self._engine = _import_engine().create(self.db, clock=clock, init=init)
        return self._engine


def _import_engine() -> type[Engine]:
    """Import the service layer (SQLAlchemy and the engine's modules: most of a command's start-up).

    The first time in a process, the cycle collector is paused for the import and what it loaded is then frozen
    (``gc.freeze``): those objects live as long as the process, so the collections the import would trigger,
    and the ones at exit, would only traverse them again for nothing (`turnus users list` went from about 330 to
    240 ms of CPU on the development machine). Objects the command itself creates are collected as usual.
    """
    if "engine.service" in sys.modules:
        from engine.service import Engine

        return Engine
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from engine.service import Engine
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return Engine


def _data(value: str | None) -> dict[str, Any]:
    if value is None:
        return {}
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidInput(f"--data: cannot read {path}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(f"--data is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except ValueError as err:  # a number over Python's 4,300-digit limit
        raise InvalidInput(f"--data has a value that is too large: {err}") from None
    if not isinstance(data, dict):
        raise InvalidInput('--data must be a JSON object, e.g. {"title": "..."}')
    return data


def _ex(command: str) -> str:
    """A command's help epilog: one example, printed as written (click's \\b keeps the line breaks)."""
    return f"\b\nExample:\n  {command}"


def _dt(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def _echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


@click.group()
@click.option("--db", envvar="TURNUS_DATABASE_URL", default=None,
              help="Database URL (default: $TURNUS_DATABASE_URL or sqlite:///instance/turnus.db).")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Turnus: a BPMN case engine."""
    ctx.obj = Ctx(db)


@cli.command(epilog=_ex("turnus init   # or: turnus --db postgresql+psycopg://turnus@db/turnus init"))
@click.pass_obj
def init(obj: Ctx) -> None:
    """Create or upgrade the database schema."""
    revision = obj.engine(init=False).init_schema()
    click.echo(f"schema at revision {revision}")


@cli.command(epilog=_ex("turnus deploy processes/ --as paula"))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as", "actor", default="system", help="Who deploys (a process owner); default: system.")
@click.pass_obj
def deploy(obj: Ctx, paths: tuple[Path, ...], actor: str) -> None:
    """Deploy BPMN/DMN files or folders; prints key, version, new|unchanged."""
    for result in obj.engine().deploy_paths(list(paths), actor):
        click.echo(f"{result.key} {result.version} {result.status}")
        for warning in result.warnings:
            click.echo(f"  {warning}", err=True)  # "file:line: element 'id': warning: …"


@cli.group()
def users() -> None:
    """Manage users."""


@users.command("add", epilog=_ex("echo 'a-long-secret' | turnus users add sara --group netvaerkssekretariat "
                                 "--password-stdin"))
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="Candidate group (repeatable).")
@click.option("--role", "roles", multiple=True, help="admin, process-owner or auditor (repeatable).")
@click.option("--display-name", default=None)
@click.option("--email", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def users_add(obj: Ctx, name: str, groups: tuple[str, ...], roles: tuple[str, ...], display_name: str | None,
              email: str | None, password_stdin: bool) -> None:
    """Add a user, or add groups/roles to an existing one."""
    password_hash = None
    if password_stdin:
        from engine.passwords import hash_password

        password_hash = hash_password(sys.stdin.readline().rstrip("\r\n"))
    user, created = obj.engine().add_user(name, groups=groups, roles=roles, display_name=display_name,
                                          email=email, password_hash=password_hash)
    click.echo(f"{user.name} {'added' if created else 'updated'}")


@users.command("list", epilog=_ex("turnus users list"))
@click.pass_obj
def users_list(obj: Ctx) -> None:
    """List every user with their groups and roles."""
    for user in obj.engine().users():
        click.echo(f"{user.name}\tgroups={','.join(sorted(user.groups))}\troles={','.join(sorted(user.roles))}")


@cli.group()
def groups() -> None:
    """Name candidate groups."""


@groups.command("name", epilog=_ex("turnus groups name netvaerkssekretariat 'Netværkssekretariatet'"))
@click.argument("group")
@click.argument("display_name")
@click.pass_obj
def groups_name(obj: Ctx, group: str, display_name: str) -> None:
    """Set the name a group is shown by (in "waiting on"; the id stays in the model)."""
    obj.engine().name_group(group, display_name)



@cli.command(epilog=_ex("turnus demo"))
@click.option("--processes", "folder", default=str(DEFAULT_PROCESSES), type=click.Path(path_type=Path),
              help="Folder of BPMN/DMN files to deploy (default: the repository's processes/).")
@click.pass_obj
def demo(obj: Ctx, folder: Path) -> None:
    """Set up the embedded default: schema, demo users (password in README), the processes deployed."""
    from engine.demo import set_up

    for line in set_up(obj.engine(), folder):
        click.echo(line)


@cli.command(epilog=_ex("turnus start netvaerksturnus --as emma --data @proposal.json"))
@click.argument("key")
@click.option("--as", "actor", required=True)
@click.option("--data", default=None, help="Start form data: JSON or @FILE.")
@click.pass_obj
def start(obj: Ctx, key: str, actor: str, data: str | None) -> None:
    """Start a case of the latest version of KEY; prints the case id."""
    click.echo(obj.engine().start(key, actor, _data(data)))


def _echo_fields(fields: Any) -> None:
    for f in fields:
        flags = [w for w, on in (("required", f.required), ("read-only", f.readonly)) if on]
        limits = [f"{k}={v}" for k, v in (("min", f.min), ("max", f.max), ("minlength", f.minlength),
                                          ("maxlength", f.maxlength)) if v is not None]
        widget = [f"widget={f.properties['widget']}"] if f.properties.get("widget") else []
        extra = " (" + ", ".join(f"{o.id}={o.label}" for o in f.options) + ")" if f.options else ""
        click.echo(f"    {f.id}: {' '.join([f.type, *flags, *limits, *widget])} - {f.label}{extra}")


@cli.command("start-form", epilog=_ex("turnus start-form netvaerksturnus --json"))
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def start_form(obj: Ctx, key: str, as_json: bool) -> None:
    """The fields `start KEY --data` takes (latest version of KEY)."""
    name, form = obj.engine().start_form(key)
    variables = obj.engine().start_variables(key)  # turnus:startVariable: accepted beside the form
    if as_json:
        return _echo_json({"key": key, "name": name, "form": form.to_dict(),
                           "variables": [_variable(f) for f in variables.fields]})
    click.echo(f"{key}: {name}")
    _echo_fields(form.fields)
    for f in variables.fields:
        click.echo(f"    {f.id}: {_variable(f)['type']} (start variable)")


def _variable(f: Any) -> dict[str, str]:
    return {"id": f.id, "type": f"list<{f.type}>" if f.properties.get("list") == "true" else f.type}


@cli.command(epilog=_ex("turnus tasks --as sara --json"))
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def tasks(obj: Ctx, actor: str, as_json: bool) -> None:
    """Tasks USER may work: assigned to them, or unclaimed with them as candidate."""
    views = obj.engine().tasks_for(actor)
    if as_json:
        return _echo_json([v.to_dict() for v in views])
    for v in views:
        who = v.assignee or "groups:" + ",".join(v.candidate_groups + v.candidate_users)
        click.echo(f"{v.id}\t{v.case_id}\t{v.element_id}\t{v.name}\t{who}\tdue {_dt(v.due_at)}")
        _echo_fields(v.form.fields)


def _task_command(name: str, method: Callable[[Engine, str, str], None], done: str, help_text: str) -> None:
    @cli.command(name, help=help_text, epilog=_ex(f"turnus {name} TASK_ID --as sara"))
    @click.argument("task")
    @click.option("--as", "actor", required=True)
    @click.pass_obj
    def command(obj: Ctx, task: str, actor: str) -> None:
        method(obj.engine(), task, actor)
        click.echo(f"{task} {done}")



_task_command("claim", lambda e, t, a: e.claim(t, a), "claimed",
              "Take a task offered to your group, so that only you work on it.")
_task_command("release", lambda e, t, a: e.release(t, a), "released",
              "Give a claimed task back to its candidate group.")


@cli.command(epilog=_ex("turnus assign TASK_ID --as sara --to lene"))
@click.argument("task")
@click.option("--as", "actor", required=True)
@click.option("--to", "to_user", required=True, help="The colleague who gets the task.")
@click.pass_obj
def assign(obj: Ctx, task: str, actor: str, to_user: str) -> None:
    """Hand a task to a colleague."""
    obj.engine().assign(task, actor, to_user)
    click.echo(f"{task} assigned to {to_user}")


@cli.command(epilog=_ex("turnus complete TASK_ID --as sara --data @answers.json"))
@click.argument("task")
@click.option("--as", "actor", required=True)
@click.option("--data", default=None, help="Form data: JSON or @FILE.")
@click.pass_obj
def complete(obj: Ctx, task: str, actor: str, data: str | None) -> None:
    """Complete a task with its form data."""
    obj.engine().complete(task, actor, _data(data))
    click.echo(f"{task} completed")


@cli.command(epilog=_ex("turnus comment CASE_ID 'Mødet er flyttet til torsdag.' --as emma"))
@click.argument("case_id")
@click.argument("text")
@click.option("--as", "actor", required=True)
@click.pass_obj
def comment(obj: Ctx, case_id: str, text: str, actor: str) -> None:
    """Comment on a case."""
    obj.engine().comment(case_id, actor, text)
    click.echo("comment added")


@cli.group()
def timers() -> None:
    """Timers."""


@timers.command("run", epilog=_ex("turnus timers run --now 2027-03-01T08:00:00+01:00"))
@click.option("--now", "now", default=None, help="Fire as if it were this instant (ISO 8601 with offset).")
@click.pass_obj
def timers_run(obj: Ctx, now: str | None) -> None:
    """Fire every timer due at that instant."""
    at = None
    if now is not None:
        try:
            at = datetime.fromisoformat(now)
        except ValueError:
            raise InvalidInput(f"--now {now!r} is not an ISO 8601 date-time") from None
        if at.tzinfo is None:
            raise InvalidInput("--now needs a UTC offset, e.g. 2027-05-01T08:00:00+02:00")
    engine = obj.engine(clock=FixedClock(at) if at else None)
    click.echo(f"{engine.fire_timers(at)} case(s) moved")


def _register_more() -> None:
    # modules of their own, so this one does not grow
    from engine.cli import audit as cli_audit
    from engine.cli import cases as cli_cases
    from engine.cli import data as cli_data
    from engine.cli import messaging as cli_messaging
    from engine.cli import versions as cli_versions
    from engine.cli import worker as cli_worker

    case_group = cli_cases.register(cli)
    cli_audit.register(cli)
    cli_versions.register(cli)
    cli_messaging.register(cli, _data)
    cli_data.register(case_group, _data)
    cli_worker.register(cli)


_register_more()


def main() -> None:
    try:
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

