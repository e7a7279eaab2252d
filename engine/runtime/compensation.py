"""Compensation (BPMN 2.0 §10.7), which SpiffWorkflow 3.2.0 does not have, as our own specs.

A compensation throw (intermediate or end event, with or without ``activityRef``) runs the handlers of the
activities of its scope that completed and have a compensation boundary event, in reverse order of
completion, each completed activity once (a multi-instance activity: once per completed instance); with an
``activityRef`` only that activity's. The handlers run one after the other as children of the throw event,
which waits until the last one has ended (Camunda 7 always waits), then goes on along its flow.
The parser (``engine.definitions.parser``) gives the throw the scope's activity -> handler map and parses
the handlers, which no sequence flow reaches. Activities inside a completed subprocess are compensated only
by a throw inside that subprocess (Camunda would also reach into it from outside).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime.codes import UNCAUGHT
from engine.runtime.scopes import lay_out, scope_data

DONE = "compensated"  # internal data of an activity task whose handler has run (or is running)
STATE = "compensation"  # internal data of a throw: the activity task ids still to compensate, the handler running


class CompensationEventDefinition(EventDefinition):  # type: ignore[misc]
    def __init__(self, name: str | None = None, description: str | None = None, activity_ref: str | None = None,
                 handlers: dict[str, str] | None = None):
        super().__init__(name, description)
        self.activity_ref = activity_ref
        self.handlers = dict(handlers or {})  # activity id -> handler id, in the throw's scope

    def throw(self, my_task: Task) -> None:  # the throwing specs below run it themselves
        raise NotImplementedError


def _completed(my_task: Task, definition: CompensationEventDefinition) -> list[Task]:
    wanted = {definition.activity_ref} if definition.activity_ref else set(definition.handlers)
    found = []
    for task in my_task.workflow.tasks.values():
        spec = task.task_spec
        if task.state != TaskState.COMPLETED or spec.bpmn_id not in wanted or isinstance(spec, MultiInstanceTask):
            continue  # a multi-instance activity compensates instance by instance (its children)
        if not task.internal_data.get(DONE):
            found.append(task)
    order = {tid: n for n, tid in enumerate(my_task.workflow.tasks)}  # creation order breaks equal times
    return sorted(found, key=lambda t: (t.last_state_change, order.get(t.id, 0)), reverse=True)


def run(my_task: Task, definition: CompensationEventDefinition) -> bool | None:
    """The throw's run: start the next handler (None: wait for it) or, all done, True."""
    state = my_task.internal_data.get(STATE)
    if state is None:
        todo = _completed(my_task, definition)
        for task in todo:
            task.internal_data[DONE] = True
        state = my_task.internal_data[STATE] = {"todo": [str(t.id) for t in todo], "running": None}
    running = state["running"]
    if running is not None:
        child = next((c for c in my_task.children if str(c.id) == running), None)
        if child is not None and not child.has_state(TaskState.FINISHED_MASK):
            return None
        if child is not None and child.state == TaskState.COMPLETED:
            my_task.set_data(**child.data)  # what the handler changed goes on along the throw's flow
    while state["todo"]:
        activity = my_task.workflow.get_task_from_id(UUID(state["todo"].pop(0)))
        handler = my_task.workflow.spec.task_specs.get(definition.handlers.get(activity.task_spec.bpmn_id, ""))
        if handler is None:
            continue
        child = my_task._add_child(handler, TaskState.FUTURE)
        child.triggered = True  # never dropped when the throw's own children are laid out
        child.set_data(**scope_data(my_task.workflow))
        lay_out(child)
        state["running"] = str(child.id)
        return None
    return True


class _Throwing:
    def _run_hook(self, my_task: Task) -> Any:
        if isinstance(self.event_definition, CompensationEventDefinition):  # type: ignore[attr-defined]
            return run(my_task, self.event_definition)  # type: ignore[attr-defined]
        done = super()._run_hook(my_task)  # type: ignore[misc]
        # An error nothing caught keeps its token here (STARTED): an incident (engine.runtime.codes).
        return None if my_task.internal_data.get(UNCAUGHT) else done


class TurnusIntermediateThrowEvent(_Throwing, IntermediateThrowEvent):  # type: ignore[misc]
    pass


class TurnusEndEvent(_Throwing, EndEvent):  # type: ignore[misc]
    pass


def progress(wf: BpmnWorkflow) -> int:
    """Wake every compensation throw whose running handler has ended; returns how many."""
    woken = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in workflow.tasks.values():
            state = task.internal_data.get(STATE)
            if task.state != TaskState.STARTED or not isinstance(state, dict):
                continue
            child = next((c for c in task.children if str(c.id) == state.get("running")), None)
            if child is None or child.has_state(TaskState.FINISHED_MASK):
                task._set_state(TaskState.READY)
                woken += 1
    return woken
