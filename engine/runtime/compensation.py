"""Compensation (BPMN 2.0 §10.7), which SpiffWorkflow 3.2.0 does not have, as our own specs.

A compensation throw (intermediate or end event, with or without ``activityRef``) runs the handlers of the
activities of its scope that completed and have a compensation boundary event, in reverse order of
completion, each completed activity once (a multi-instance activity: once per completed instance); with an
``activityRef`` only that activity's. The handlers run one after the other as children of the throw event,
which waits until the last one has ended (Camunda 7 always waits), then goes on along its flow.
The parser (``engine.definitions.parser``) gives the throw the scope's activity -> handler map and parses
the handlers, which no sequence flow reaches. A completed embedded subprocess without a handler of its own
is compensated by compensating what completed inside it (BPMN 2.0 §10.7.2, Camunda 7), each instance of a
multi-instance one: the throw also carries those maps (``nested``), and those handlers are parsed into the
throw's scope (ids are unique in a file), where they run as the throw's children like the others.
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
                 handlers: dict[str, str] | None = None, nested: dict[str, dict[str, str]] | None = None):
        super().__init__(name, description)
        self.activity_ref = activity_ref
        self.handlers = dict(handlers or {})  # activity id -> handler id, in the throw's scope
        # embedded subprocess id -> (activity id -> handler id) of what is inside it, at any depth
        self.nested = {k: dict(v) for k, v in (nested or {}).items()}

    def handler_of(self, activity_id: str) -> str | None:
        found = self.handlers.get(activity_id)
        for inner in self.nested.values():
            found = found or inner.get(activity_id)
        return found

    def throw(self, my_task: Task) -> None:  # the throwing specs below run it themselves
        raise NotImplementedError


def _completed_in(workflow: Any, handlers: dict[str, str], nested: dict[str, dict[str, str]],
                  wanted: set[str], found: list[tuple[Task, int]]) -> None:
    """The completed, not yet compensated activities of ``workflow`` with a handler, and (descending into each
    completed subprocess without a handler of its own, every instance of a multi-instance one) of what
    completed inside them."""
    top = workflow.top_workflow
    for n, task in enumerate(workflow.tasks.values()):
        spec = task.task_spec
        if task.state != TaskState.COMPLETED or spec.bpmn_id not in wanted or isinstance(spec, MultiInstanceTask):
            continue  # a multi-instance activity compensates instance by instance (its children)
        if spec.bpmn_id in handlers:
            if not task.internal_data.get(DONE):
                found.append((task, n))
        elif spec.bpmn_id in nested and task.id in top.subprocesses:
            inner = nested[spec.bpmn_id]
            _completed_in(top.subprocesses[task.id], inner, nested, set(inner) | set(nested), found)


def _completed(my_task: Task, definition: CompensationEventDefinition) -> list[Task]:
    everything = set(definition.handlers) | set(definition.nested)
    found: list[tuple[Task, int]] = []
    _completed_in(my_task.workflow, definition.handlers, definition.nested,
                  {definition.activity_ref} if definition.activity_ref else everything, found)
    # Latest completion first; creation order within a scope breaks equal times.
    return [t for t, _ in sorted(found, key=lambda f: (f[0].last_state_change, f[1]), reverse=True)]


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
        activity = my_task.workflow.top_workflow.get_task_from_id(UUID(state["todo"].pop(0)))
        handler = my_task.workflow.spec.task_specs.get(definition.handler_of(activity.task_spec.bpmn_id) or "")
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
