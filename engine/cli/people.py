"""`turnus users` and `turnus groups`: the people an installation knows, and the names of their groups."""

from __future__ import annotations

import sys

import click

from engine.cli.common import Ctx, example


@click.group()
def users() -> None:
    """Manage users."""


@users.command("add", epilog=example("echo 'a-long-secret' | turnus users add sara --group netvaerkssekretariat "
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
    click.echo(f"{user.written_id} {'added' if created else 'updated'}")


@users.command("list", epilog=example("turnus users list"))
@click.pass_obj
def users_list(obj: Ctx) -> None:
    """List every user with their groups and roles."""
    for user in obj.engine().users():
        click.echo(f"{user.written_id}\tgroups={','.join(sorted(user.groups))}\troles={','.join(sorted(user.roles))}")


@click.group()
def groups() -> None:
    """Name candidate groups."""


@groups.command("name", epilog=example("turnus groups name netvaerkssekretariat 'Netværkssekretariatet'"))
@click.argument("group")
@click.argument("display_name")
@click.pass_obj
def groups_name(obj: Ctx, group: str, display_name: str) -> None:
    """Set the name a group is shown by (in "waiting on"; the id stays in the model)."""
    obj.engine().name_group(group, display_name)


COMMANDS = [users, groups]
