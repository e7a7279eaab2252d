"""`turnus tokens`: bearer tokens for the HTTP API (issue 23). The operator makes them for any user (a service
account is a user with the role `integration`); the token is printed once, as the last line."""

from __future__ import annotations

import click

from engine.cli.common import Ctx, example


def _when(at: object) -> str:
    return at.isoformat(timespec="seconds") if at else "-"  # type: ignore[attr-defined]


@click.group()
def tokens() -> None:
    """Make, list and revoke API tokens."""


@tokens.command("add", epilog=example("turnus tokens add hr-system --name 'HR start' --scope cases:write "
                                      "--expires-days 365"))
@click.argument("user")
@click.option("--name", default="", help="What the token is for (shown in the list).")
@click.option("--scope", "scopes", multiple=True,
              help="cases:read, cases:write, tasks:write, messages:write, external-tasks, audit:read, metrics or "
                   "admin (repeatable; "
                   "default: all but admin).")
@click.option("--expires-days", type=int, default=None, help="Days until the token stops working (default: never).")
@click.pass_obj
def tokens_add(obj: Ctx, user: str, name: str, scopes: tuple[str, ...], expires_days: int | None) -> None:
    """Make a token for USER; the token is the last line and is never shown again."""
    info, secret = obj.engine().add_token(user, name=name, scopes=scopes, expires_days=expires_days)
    click.echo(f"{info.id}\t{info.user}\t{info.name}\tscopes={','.join(info.scopes)}\texpires={_when(info.expires_at)}")
    click.echo(secret)


@tokens.command("list", epilog=example("turnus tokens list hr-system"))
@click.argument("user", required=False)
@click.pass_obj
def tokens_list(obj: Ctx, user: str | None) -> None:
    """List tokens (never the tokens themselves): id, user, name, scopes, created, expires, last used, state."""
    eng = obj.engine()
    now = eng.clock.now()
    for t in eng.tokens(user):
        state = "revoked" if t.revoked_at else "active" if t.active(now) else "expired"
        click.echo(f"{t.id}\t{t.user}\t{t.name}\tscopes={','.join(t.scopes)}\tcreated={_when(t.created_at)}"
                   f"\texpires={_when(t.expires_at)}\tlast_used={_when(t.last_used_at)}\t{state}")


@tokens.command("revoke", epilog=example("turnus tokens revoke 6f1c…"))
@click.argument("token_id")
@click.pass_obj
def tokens_revoke(obj: Ctx, token_id: str) -> None:
    """Revoke a token by its id: it stops working at once."""
    info = obj.engine().revoke_token(token_id)
    click.echo(f"{info.id} revoked")


COMMANDS = [tokens]
