"""Turn a failure inside the workflow library into an incident a person can act on.

``IncidentRaised`` is caught by every service mixin, so this module stays light to import: the workflow
library and the sandbox are imported in ``describe_failure``, which only runs after a command failed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from engine.audit import EventWriter
from engine.errors import Conflict, TurnusError
from engine.runtime.budget import WorkBudgetExceeded
from engine.store.tables import cases


@dataclass(frozen=True)
class IncidentInfo:
    element_id: str | None
    element_name: str | None
    message: str
    line: int | None
    kind: str
    command: dict[str, Any]  # what to run again on retry

    def describe(self) -> str:
        where = f"step {self.element_name or self.element_id!r}" if self.element_id else "the case"
        line = f" (line {self.line})" if self.line else ""
        return f"{where} failed: {self.message}{line}"


class IncidentRaised(TurnusError):
    """The command was undone because a script, expression or engine step failed."""

    code = "incident"

    def __init__(self, info: IncidentInfo, case_id: str | None):
        self.info = info
        self.case_id = case_id
        tail = (" Nothing was changed; the case is marked with an incident and can be retried "
                "(turnus case retry) once the cause is fixed.") if case_id else " Nothing was saved."
        super().__init__(info.describe() + "." + tail)


def _find(err: BaseException, kind: type) -> Any:
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        todo.extend([getattr(e, "exception", None), e.__cause__, e.__context__])
    return None


def describe_failure(err: BaseException, command: dict[str, Any]) -> IncidentInfo:
    """Element, message and line of a failure raised while the engine ran."""
    from SpiffWorkflow.exceptions import SpiffWorkflowException

    from engine.runtime.workflow import EndedWithoutEnd, TreeTooDeep
    from engine.sandbox.spiff import find_script_failure

    budget = _find(err, WorkBudgetExceeded)
    if budget is not None:  # checked first: the library may wrap it while unwinding
        return IncidentInfo(budget.element_id, budget.element_name, str(budget), None, "budget", command)
    ended = _find(err, EndedWithoutEnd)
    if ended is not None:
        return IncidentInfo(ended.element_id, ended.element_name, str(ended), None, "no_end", command)
    script = find_script_failure(err)
    spiff = _find(err, SpiffWorkflowException)
    task = getattr(script, "task", None) or (getattr(spiff, "task", None) if spiff else None)
    spec = getattr(task, "task_spec", None) if task else None
    element_id = getattr(spec, "bpmn_id", None) or getattr(spiff, "id", None)
    element_name = getattr(spec, "bpmn_name", None) or getattr(spiff, "name", None)
    if script is not None:
        message, line, kind = str(script), script.line, script.kind
    elif isinstance(err, TreeTooDeep):
        message, line, kind = str(err), None, "depth"
    else:
        message = str(spiff or err).splitlines()[0] if str(spiff or err) else type(err).__name__
        line = getattr(spiff, "line_number", None) or None
        kind = "error"
    return IncidentInfo(element_id, element_name, message, line, kind, command)


def record_incident(conn: Connection, case_id: str, info: IncidentInfo, actor: str, now: datetime) -> None:
    """In its own transaction after the failed one: mark the case and log the incident."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        return
    events = EventWriter(conn, case_id, row.version_id, row.last_event_seq, row.last_event_hash, now)
    events.add("incident_raised", actor, element_id=info.element_id, name=info.element_name,
               message=info.message, line=info.line, error_kind=info.kind, command=info.command["kind"])
    conn.execute(update(cases).where(cases.c.id == case_id).values(
        incident_json=json.dumps(asdict(info)), row_version=row.row_version + 1, **events.seal()))


UNCAUGHT_ERROR = "uncaught_error"  # the incident's kind and its command's: nothing to run again


def uncaught_error(wf: Any) -> IncidentInfo | None:
    """The incident of an error end event whose error nothing caught, if the case holds one.

    Unlike a failed command, the command that reached it commits: the token waits at the end event
    (engine.runtime.codes), the rest of the case goes on, and the case carries the incident until it is
    cancelled."""
    from engine.runtime.codes import UNCAUGHT, uncaught_errors
    from engine.runtime.workflow import all_tasks

    held = uncaught_errors(all_tasks(wf))
    if not held:
        return None
    task = held[0]
    spec = task.task_spec
    error = task.internal_data[UNCAUGHT]
    code, name = error.get("code"), error.get("name")
    thrown = f"the error {code!r}" + (f" ({name})" if name and name != code else "") if code else \
        f"the error {name!r}" if name else "an error without a code"
    element = f"{spec.bpmn_name!r} ({spec.bpmn_id})" if spec.bpmn_name else repr(spec.bpmn_id)
    message = (f"{thrown} thrown by the end event {element} is caught by no error boundary event or event "
               "subprocess around it, so its path stops there. Cancel the case, or deploy a version that "
               "catches the error for the cases to come")
    return IncidentInfo(spec.bpmn_id, spec.bpmn_name, message, None, UNCAUGHT_ERROR,
                        {"kind": UNCAUGHT_ERROR, "element_id": spec.bpmn_id, "code": code})


def refuse_uncaught_retry(command: dict[str, Any]) -> None:
    """Running an error nothing caught again would throw it again: say what helps instead."""
    if command.get("kind") == UNCAUGHT_ERROR:
        raise Conflict(f"In this version of the process nothing catches the error {command.get('code') or ''!r} "
                       f"thrown at {command.get('element_id')!r}: retrying would throw it again. Cancel the case",
                       reason="incident_uncaught_error", code=command.get("code"),
                       element=command.get("element_id"))
