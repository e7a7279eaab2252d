"""`turnus versions` and `turnus migrate`: a definition's versions, and moving running cases between them."""

from __future__ import annotations

import sys

import click

from engine.cli.common import Ctx, echo_json, when


@click.command(epilog="\b\nExample:\n  turnus versions netvaerksturnus --json")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def versions(obj: Ctx, key: str, as_json: bool) -> None:
    """Every version of KEY (newest first): who deployed it, when, its hash and its running cases."""
    found = obj.engine().versions_of(key)
    if as_json:
        echo_json([{"version": v.version, "deployed_by": v.deployed_by, "deployed_at": when(v.deployed_at),
                     "hash": v.content_hash, "running": v.running, "finished": v.finished} for v in found])
        return
    for v in found:
        click.echo(f"{v.version}\t{v.deployed_by}\t{when(v.deployed_at)}\t{v.content_hash[:12]}\t{v.running} running")


@click.command(epilog="\b\nExample:\n  turnus migrate netvaerksturnus --to 2 --dry-run --as paula")
@click.argument("key")
@click.option("--to", "to_version", required=True, type=int, help="The version to move cases to.")
@click.option("--from", "from_version", type=int, default=None, help="Only cases on this version.")
@click.option("--case", "case_ids", multiple=True, help="Only this case (repeatable).")
@click.option("--dry-run", is_flag=True, help="Say for each case whether it can move; change nothing.")
@click.option("--as", "actor", required=True, help="A process owner or administrator.")
@click.pass_obj
def migrate(obj: Ctx, key: str, to_version: int, from_version: int | None, case_ids: tuple[str, ...],
            dry_run: bool, actor: str) -> None:
    """Move running cases of KEY to version M: one line per case, "CASE ok" or "CASE refused: reason".

    Exits 1 when any case was refused.
    """
    results = obj.engine().migrate(key, to_version, actor, from_version=from_version, case_ids=list(case_ids),
                                   dry_run=dry_run)
    for r in results:
        click.echo(f"{r.case_id} ok" if r.ok else f"{r.case_id} refused: {r.reason}")
    if not results:
        click.echo(f"no running cases of {key} to move to version {to_version}", err=True)
    if any(not r.ok for r in results):
        sys.exit(1)


COMMANDS = [versions, migrate]
