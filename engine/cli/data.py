"""`turnus case set-data`: an administrator's audited change of case data (issue 12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

Ctx = Any  # engine.cli.Ctx; not imported, because engine.cli imports this module


def register(case_group: click.Group, parse_data: Callable[[str | None], dict[str, Any]]) -> None:
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
