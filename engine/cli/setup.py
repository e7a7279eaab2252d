"""`turnus init`, `deploy` and `demo`: the schema and the definitions an installation starts from."""

from __future__ import annotations

from pathlib import Path

import click

from engine.cli.common import Ctx, example
from engine.demo import DEFAULT_PROCESSES


@click.command(epilog=example("turnus init   # or: turnus --db postgresql+psycopg://turnus@db/turnus init"))
@click.pass_obj
def init(obj: Ctx) -> None:
    """Create or upgrade the database schema."""
    revision = obj.engine(init=False).init_schema()
    click.echo(f"schema at revision {revision}")


@click.command(epilog=example("turnus deploy processes/ --as paula"))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as", "actor", default="system", help="Who deploys (a process owner); default: system.")
@click.pass_obj
def deploy(obj: Ctx, paths: tuple[Path, ...], actor: str) -> None:
    """Deploy BPMN/DMN files or folders; prints key, version, new|unchanged."""
    for result in obj.engine().deploy_paths(list(paths), actor):
        click.echo(f"{result.key} {result.version} {result.status}")
        for warning in result.warnings:
            click.echo(f"  {warning}", err=True)  # "file:line: element 'id': warning: …"


@click.command(epilog=example("turnus demo"))
@click.option("--processes", "folder", default=str(DEFAULT_PROCESSES), type=click.Path(path_type=Path),
              help="Folder of BPMN/DMN files to deploy (default: the repository's processes/).")
@click.pass_obj
def demo(obj: Ctx, folder: Path) -> None:
    """Set up the embedded default: schema, demo users (password in README), the processes deployed."""
    from engine.demo import set_up

    for line in set_up(obj.engine(), folder):
        click.echo(line)


COMMANDS = [init, deploy, demo]
