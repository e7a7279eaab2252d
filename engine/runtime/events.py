"""Messages and signals on one live workflow: what it waits for, delivering one, and what it threw.

The library's own ``send_event`` raises when nothing waits and puts the payload where Camunda's result
variable says; here the data of an outside message or signal is merged into the data of each element
that catches it (Camunda 7's correlation with variables), and the caller learns which elements caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.clockpatch import engine_time
from engine.runtime.specconfig import external_payload
from engine.runtime.workflow import all_tasks

KINDS = {"message": MessageEventDefinition, "signal": SignalEventDefinition}


def _definitions(definition: Any) -> Iterator[Any]:
    if isinstance(definition, MultipleEventDefinition):  # an event-based gateway waits on all its events
        for inner in definition.event_definitions:
            yield from _definitions(inner)
    elif definition is not None:
        yield definition


def _kind(definition: Any) -> str | None:
    return next((k for k, cls in KINDS.items() if isinstance(definition, cls)), None)


def subscriptions(wf: BpmnWorkflow) -> set[tuple[str, str, str]]:
    """(kind, name, element id) of every message or signal a waiting element of ``wf`` would catch."""
    found = set()
    for task in wf.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        for definition in _definitions(task.task_spec.event_definition):
            kind = _kind(definition)
            if kind is not None and definition.name:
                found.add((kind, definition.name, task.task_spec.bpmn_id or task.task_spec.name))
    return found


def deliver(wf: BpmnWorkflow, kind: str, name: str, data: dict[str, Any], now: datetime) -> list[str]:
    """Let every waiting element that catches ``kind`` ``name`` catch it, with ``data`` merged into its
    data; returns the element ids that caught (none: the case was not waiting for it)."""
    caught = []
    with engine_time(now):
        for task in list(wf.event_manager.tasks.values()):
            if task.state != TaskState.WAITING:
                continue
            definition = next((d for d in _definitions(task.task_spec.event_definition)
                               if _kind(d) == kind and d.name == name), None)
            if definition is None:
                continue
            payload = external_payload(dict(data)) if kind == "message" else dict(data)
            event = BpmnEvent(definition, payload=payload)
            if not task.task_spec.catches(task, event):
                continue
            task.data.update(data)
            task.task_spec.catch(task, event)
            task.task_spec._update(task)
            caught.append(task.task_spec.bpmn_id or task.task_spec.name)
            if kind == "message":
                break  # a message is consumed by one element; a signal reaches every one
    return caught


def thrown_signals(wf: BpmnWorkflow, states_before: dict[str, int]) -> list[tuple[str, str]]:
    """(signal name, element id) of each signal throw event completed since ``states_before``; the caller
    passes them on to other cases. The library's queue of uncaught events is emptied (it is stored)."""
    wf.bpmn_events = []
    thrown = []
    for task in all_tasks(wf):
        if task.state != TaskState.COMPLETED or states_before.get(str(task.id)) == TaskState.COMPLETED:
            continue
        spec = task.task_spec
        if isinstance(spec, ThrowingEvent) and isinstance(spec.event_definition, SignalEventDefinition):
            thrown.append((spec.event_definition.name, spec.bpmn_id or spec.name))
    return thrown
