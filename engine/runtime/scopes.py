"""Event subprocesses and non-interrupting boundary events with BPMN's semantics, as our own task specs.

SpiffWorkflow 3.2.0 starts an event subprocess with a message or signal start only through its
collaboration triggers, which only a top-level process's start consults and which no waiting task stands
for (so Turnus could not see that the case listens); one with a timer start runs as a parallel branch that
never interrupts and that keeps its scope from ending. Here every event subprocess is *armed* when its scope
starts: an instance of it waits at its start event like any catch event (the parser connects it to the
scope's start, ``engine.definitions.parser``). When its start event fires:
- interrupting: everything else in the scope is cancelled (also the other armed event subprocesses); the
  scope ends when the event subprocess ends;
- non-interrupting: the scope goes on, and (message, signal, escalation) a new instance is armed so the
  event can fire again; a timer's duration or date is due once per scope, as in Camunda 7, and a condition
  fires once per activation of the scope (``workflow._refresh_timers`` evaluates it on the scope's data).
A scope whose only live work is armed event subprocesses is finished: ``disarm_idle_scopes`` cancels them.

A non-interrupting message, signal or escalation boundary event stays armed while its activity runs: each
time it fires, a new waiting instance is added beside it (the library's fires once). A non-interrupting
timer fires once (a cycle repeats by itself) and a conditional one once per activation, as before.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_REARMED = (MessageEventDefinition, SignalEventDefinition, EscalationEventDefinition)
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def esp_owner(task: Task) -> Task | None:
    """The event subprocess task whose instance ``task`` runs in, if it runs in one."""
    parent_id = getattr(task.workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    owner = task.workflow.top_workflow.get_task_from_id(parent_id)
    return owner if isinstance(owner.task_spec, EventSubprocess) else None


def scope_data(workflow: Any) -> dict[str, Any]:
    """The latest value of each variable across a scope's live and finished tasks (branches carry copies)."""
    merged: dict[str, Any] = {}
    tasks = (t for t in workflow.tasks.values() if t.state & (_LIVE | TaskState.COMPLETED))
    for task in sorted(tasks, key=lambda t: t.last_state_change):
        merged.update(task.data)
    return merged


def arm(start: Task, esp_spec: Any) -> Task:
    """A fresh instance of an event subprocess under its scope's start task, waiting at its start event."""
    child = start._add_child(esp_spec, TaskState.FUTURE)
    child.triggered = True
    lay_out(child)
    return child


def lay_out(task: Task) -> None:
    """Predict a task added by hand (its path after it, as the library does for tasks it adds), then update it."""
    task.task_spec._predict(task, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
    task.task_spec._update(task)


def _armed(task: Task) -> bool:
    """An event subprocess instance still waiting at its start event."""
    if not isinstance(task.task_spec, EventSubprocess) or task.state != TaskState.STARTED:
        return False
    sub = task.workflow.top_workflow.subprocesses.get(task.id)
    if sub is None:
        return False
    return all(isinstance(t.task_spec, StartEvent) and t.state == TaskState.WAITING
               for t in sub.tasks.values() if t.state & _LIVE)


class TurnusStartEvent(StartEvent):  # type: ignore[misc]
    """A start event that knows whether it interrupts its scope (``isInterrupting``)."""

    def __init__(self, wf_spec: Any, bpmn_id: str, event_definition: Any, interrupting: bool = True,
                 **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)
        self.interrupting = interrupting

    def _run_hook(self, my_task: Task) -> Any:
        owner = esp_owner(my_task)
        if owner is not None and owner.parent is not None:
            my_task.set_data(**scope_data(owner.workflow))  # the scope's data now; the event's payload follows
            if self.interrupting:
                for sibling in list(owner.parent.children):
                    if sibling is not owner:
                        sibling.cancel()
            elif isinstance(self.event_definition, _REARMED):  # a timer's duration or date comes once
                arm(owner.parent, owner.task_spec)
        return super()._run_hook(my_task)


class TurnusBoundaryEvent(BoundaryEvent):  # type: ignore[misc]
    """A boundary event that, non-interrupting, stays armed while its activity runs."""

    def _run_hook(self, my_task: Task) -> Any:
        split = my_task.parent
        if (not self.cancel_activity and isinstance(self.event_definition, _REARMED) and split is not None
                and isinstance(split.task_spec, BoundaryEventSplit) and _activity_running(split)):
            lay_out(split._add_child(self, TaskState.FUTURE))
        return super()._run_hook(my_task)


def _activity_running(split: Task) -> bool:
    main = next((c for c in split.children if not isinstance(c.task_spec, BoundaryEvent)), None)
    return main is not None and not main.has_state(TaskState.FINISHED_MASK)


def disarm_idle_scopes(wf: BpmnWorkflow) -> int:
    """Cancel the armed event subprocesses of every scope that has no other live work; returns how many."""
    cancelled = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        armed, busy = [], False
        for task in workflow.tasks.values():
            if not task.state & _LIVE:
                continue
            if _armed(task):
                armed.append(task)
            elif not isinstance(task.task_spec, BoundaryEventJoin) and task.task_spec.name != workflow.spec.end.name:
                busy = True
                break
        if busy or not armed:
            continue
        for task in armed:
            task.cancel()
            cancelled += 1
        for task in workflow.tasks.values():  # the scope's end join waited for them
            if task.task_spec.name == workflow.spec.end.name and task.state & (TaskState.WAITING | TaskState.FUTURE):
                task.task_spec._update(task)
    return cancelled
