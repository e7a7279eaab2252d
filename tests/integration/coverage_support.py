"""Helpers for the BPMN coverage tests (issue 28): small models and a restart between commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine.clock import FixedClock
from engine.runtime import spec_cache
from engine.service import Engine


def script(ident: str, code: str, loop: str = "") -> str:
    return (f'<bpmn:scriptTask id="{ident}" scriptFormat="python">{loop}<bpmn:script>{code}</bpmn:script>'
            "</bpmn:scriptTask>\n")


def multi(inner: str = "", *, sequential: bool = False, collection: str | None = None,
          element: str | None = None) -> str:
    attrs = ' isSequential="true"' if sequential else ""
    if collection:
        attrs += f' camunda:collection="{collection}"'
    if element:
        attrs += f' camunda:elementVariable="{element}"'
    return f"<bpmn:multiInstanceLoopCharacteristics{attrs}>{inner}</bpmn:multiInstanceLoopCharacteristics>"


@contextmanager
def restarted(db_url: str, clock: FixedClock) -> Iterator[Engine]:
    """A new engine on the same database with no spec cached: what a crash and a restart leave."""
    spec_cache.clear()
    eng = Engine.create(db_url, clock=clock)
    try:
        yield eng
    finally:
        eng.close()


def open_elements(eng: Engine, case_id: str) -> list[str]:
    return sorted(t.element_id for t in eng.case(case_id, None).open_tasks)


def kinds(eng: Engine, case_id: str) -> list[str]:
    return [e.kind for e in eng.history(case_id, None)]
