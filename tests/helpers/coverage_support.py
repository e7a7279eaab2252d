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


EVENTS = ('<bpmn:message id="m_poke" name="poke"/><bpmn:signal id="s_halt" name="halt"/>'
          '<bpmn:error id="e_any" name="Any"/><bpmn:error id="e_late" name="Late" errorCode="LATE"/>'
          '<bpmn:error id="e_gone" name="Gone" errorCode="GONE"/>'
          '<bpmn:escalation id="x_late" name="Late" escalationCode="LATE"/>'
          '<bpmn:escalation id="x_other" name="Other" escalationCode="OTHER"/>')
MESSAGE = '<bpmn:messageEventDefinition messageRef="m_poke"/>'
SIGNAL = '<bpmn:signalEventDefinition signalRef="s_halt"/>'
HOUR = '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'


def error(ref: str | None = None) -> str:
    return f'<bpmn:errorEventDefinition errorRef="{ref}"/>' if ref else "<bpmn:errorEventDefinition/>"


def escalation(ref: str | None = None) -> str:
    return f'<bpmn:escalationEventDefinition escalationRef="{ref}"/>' if ref else "<bpmn:escalationEventDefinition/>"


def event_subprocess(ident: str, start: str, interrupting: bool = True, handler: str | None = None,
                     inner: str | None = None) -> str:
    """An event subprocess whose start event ``ident``_start waits for ``start``, then a user task
    (``handler``, by default ``ident``_task) or the given ``inner`` flow (from ``ident``_start)."""
    flag = "" if interrupting else ' isInterrupting="false"'
    task = handler or f"{ident}_task"
    from tests.helpers.bpmn_models import flow, user_task

    body = inner if inner is not None else (flow(f"{ident}_f1", f"{ident}_start", task) + user_task(task)
                                            + flow(f"{ident}_f2", task, f"{ident}_end")
                                            + f'<bpmn:endEvent id="{ident}_end"/>')
    return (f'<bpmn:subProcess id="{ident}" triggeredByEvent="true">'
            f'<bpmn:startEvent id="{ident}_start"{flag}>{start}</bpmn:startEvent>{body}</bpmn:subProcess>\n')
