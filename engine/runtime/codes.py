"""Where a thrown error or escalation is caught: BPMN's scope by scope search, innermost first.

SpiffWorkflow 3.2.0 offers an error to every catch event of the throwing subprocess's parent workflow,
whatever activity they are attached to, and an event subprocess never sees it. Here, from the scope that
threw (a subprocess, a called process, the process):
1. an armed error / escalation event subprocess of that scope, one with the thrown code before a catch-all;
2. a boundary event of the activity that scope runs in (the subprocess or call activity, also a multi-
   instance one), again code before catch-all;
3. the same one scope further out. A throw from inside an event subprocess skips the event subprocesses of
   the scope it belongs to (they are the handlers it ran from) and goes on at that scope's boundary.
The first catch wins. An error nobody catches is an incident (as in Camunda 8; Camunda 7 would end the path
like a none end event): its end event keeps the token (it stays STARTED, marked ``UNCAUGHT``), so its scope
cannot end, and the command that reached it commits with the incident on the case (``engine.cases.live``).
An escalation nobody catches is not an error: the throwing path goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    CodeEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def _family(definition: Any) -> type:
    return ErrorEventDefinition if isinstance(definition, ErrorEventDefinition) else EscalationEventDefinition


def _best(candidates: list[Task], thrown: CodeEventDefinition) -> Task | None:
    """The catch event with the thrown code, else a catch-all one (no code)."""
    family = _family(thrown)
    matching = [t for t in candidates if isinstance(t.task_spec.event_definition, family)]
    exact = [t for t in matching if t.task_spec.event_definition.code is not None
             and t.task_spec.event_definition.code == thrown.code]
    catch_all = [t for t in matching if t.task_spec.event_definition.code is None]
    return (exact or catch_all or [None])[0]


def _esp_starts(top: Any, scope: Any) -> list[Task]:
    """Start events of the armed event subprocesses of ``scope``."""
    found = []
    for task in scope.tasks.values():
        if not isinstance(task.task_spec, EventSubprocess) or task.state != TaskState.STARTED:
            continue
        sub = top.subprocesses.get(task.id)
        if sub is None:
            continue
        found += [t for t in sub.tasks.values()
                  if isinstance(t.task_spec, StartEvent) and t.state == TaskState.WAITING]
    return found


def _boundary_events(activity: Task) -> list[Task]:
    node = activity
    if node.parent is not None and isinstance(node.parent.task_spec, MultiInstanceTask):
        node = node.parent  # the boundary events belong to the multi-instance activity, not to one instance
    split = node.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return []
    return [c for c in split.children if isinstance(c.task_spec, BoundaryEvent) and c.state == TaskState.WAITING]


def route(my_task: Task, thrown: CodeEventDefinition) -> Task | None:
    """Let the innermost catch event for ``thrown`` catch it; returns the catching task (None: uncaught)."""
    top = my_task.workflow.top_workflow
    event = BpmnEvent(thrown, payload=deepcopy(my_task.data))
    scope, skip_handlers = my_task.workflow, False
    for _ in range(1000):  # scopes nest; the bound only guards against a malformed tree
        catcher = None if skip_handlers else _best(_esp_starts(top, scope), thrown)
        if catcher is None:
            owner_id = getattr(scope, "parent_task_id", None)
            if owner_id is None:
                return None
            owner = top.get_task_from_id(owner_id)
            if isinstance(owner.task_spec, EventSubprocess):
                scope, skip_handlers = owner.workflow, True  # rethrown from a handler: on at its scope's boundary
                continue
            catcher = _best(_boundary_events(owner), thrown)
            scope, skip_handlers = owner.workflow, False
        if catcher is not None:
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)
            return catcher
    return None


UNCAUGHT = "uncaught_error"  # internal data of an error end event whose error nothing caught


class TurnusErrorEventDefinition(ErrorEventDefinition):  # type: ignore[misc]
    def throw(self, my_task: Task) -> None:
        if route(my_task, self) is None:
            my_task.internal_data[UNCAUGHT] = {"code": self.code, "name": self.name}


def uncaught_errors(tasks: Iterable[Task]) -> list[Task]:
    """The error end events holding an error nothing caught (an incident), first thrown first."""
    held = [t for t in tasks if t.state == TaskState.STARTED and isinstance(t.internal_data.get(UNCAUGHT), dict)]
    return sorted(held, key=lambda t: t.last_state_change)


class TurnusEscalationEventDefinition(EscalationEventDefinition):  # type: ignore[misc]
    def throw(self, my_task: Task) -> None:
        route(my_task, self)
