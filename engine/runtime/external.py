"""External tasks: a service task with ``camunda:type="external" camunda:topic="T"`` waits for a worker outside.

When the case reaches one, ``ExternalTask`` parks it STARTED (the library's own way of waiting, as a subprocess
does), so ``do_engine_steps`` passes it by and it is no inbox task (those are READY and manual). The service layer
keeps one ``external_tasks`` row per waiting instance (``engine.cases.external``); a worker's completion merges its
data and completes the task here, and the case runs on to its next wait. A multi-instance external task is one
STARTED instance per item, so each instance is its own external task.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime.clockpatch import engine_time


class ExternalTask(BpmnSpecMixin):  # type: ignore[misc]
    """A service task whose work is done by an external worker fetching its topic."""

    def __init__(self, wf_spec: Any, bpmn_id: str, topic: str = "", **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, my_task: Task) -> bool | None:
        return None  # STARTED: waits until complete() below


class ExternalTaskConverter(BpmnTaskSpecConverter):  # type: ignore[misc]
    def to_dict(self, spec: ExternalTask) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct["topic"] = spec.topic
        return dct


def waiting(wf: BpmnWorkflow) -> Iterator[Task]:
    """Every external task of ``wf`` (and its subprocesses) waiting for a worker."""
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in workflow.tasks.values():
            if task.state == TaskState.STARTED and isinstance(task.task_spec, ExternalTask):
                yield task


def complete(task: Task, data: dict[str, Any], now: datetime) -> None:
    """Merge the worker's ``data`` into the task and let the case go on; the caller runs ``advance``."""
    if task.state != TaskState.STARTED or not isinstance(task.task_spec, ExternalTask):
        raise ValueError("not a waiting external task")  # callers check first
    task.data.update(data)
    with engine_time(now):
        task.complete()
