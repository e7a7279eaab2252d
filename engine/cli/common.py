"""What every command module of the command line shares: the context that opens the engine, and the helpers that
parse ``--data`` and print. Nothing here imports a command module, so they all import this one.
"""

from __future__ import annotations

import gc
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.errors import InvalidInput

if TYPE_CHECKING:  # imported by the first command that needs it: `--help` and usage errors stay quick
    from engine.service import Engine


class Ctx:
    def __init__(self, db: str | None):
        self.db = db
        self._engine: Engine | None = None

    def engine(self, clock: Any = None, init: bool = True) -> Engine:
        if self._engine is None:
            self._engine = import_engine().create(self.db, clock=clock, init=init)
        return self._engine


def import_engine() -> type[Engine]:
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


def parse_data(value: str | None) -> dict[str, Any]:
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


def example(command: str) -> str:
    """A command's help epilog: one example, printed as written (click's \\b keeps the line breaks)."""
    return f"\b\nExample:\n  {command}"


def when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
