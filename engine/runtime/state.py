"""Split a workflow into a small header and one JSON body per task, and put it back together.

A save then writes only the task rows whose JSON changed (ENGINE-NOTES: 68x fewer bytes than a
full blob per save). The spec is never part of the case state: it comes from the definition version,
restored afresh unless a copy restored earlier is provably unchanged (``spec_cache``), because
SpiffWorkflow mutates specs at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.runtime import budget, iterations, spec_cache
from engine.runtime.specconfig import REGISTRY as SPEC_REGISTRY

REGISTRY = SPEC_REGISTRY
iterations.register(REGISTRY)
budget.install()  # every workflow a command runs is made here: its steps must count from the first
SERIALIZER = BpmnWorkflowSerializer(REGISTRY)
STATE_FORMAT = 1  # bump with a migration if the header/task layout below changes


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)


@dataclass
class StoredState:
    """What the store holds for one case: header JSON and task bodies by task id."""

    header: str
    tasks: dict[str, str] = field(default_factory=dict)


@dataclass
class StateDiff:
    header: str | None  # new header JSON, or None if unchanged
    upserts: dict[str, str]  # task id -> body JSON (new or changed)
    deletes: list[str]  # task ids gone from the live tree
    bytes_written: int


def spec_dict(spec_json: str) -> dict[str, Any]:
    return json.loads(spec_json)


def _restore_specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    specs = spec_dict(spec_json)
    spec = REGISTRY.restore(specs["spec"])
    subprocess_specs = {name: REGISTRY.restore(s) for name, s in specs["subprocess_specs"].items()}
    return spec, subprocess_specs


def specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    """The spec and subprocess specs of a version: this thread's cached objects while unchanged (spec_cache)."""
    return spec_cache.specs_for(spec_json, REGISTRY, _restore_specs)



def new_workflow(spec_json: str) -> BpmnWorkflow:
    spec, subprocess_specs = specs(spec_json)
    return BpmnWorkflow(spec, subprocess_specs)


def _workflow_converter() -> Any:
    # The registry's BpmnWorkflow converter, to rebuild a workflow around specs restored already.
    return REGISTRY.convert_from_dict["BpmnWorkflow"].args[0].__self__


def dump(workflow: BpmnWorkflow) -> StoredState:
    """Serialise the live workflow (without its spec) into header + per-task bodies."""
    dct = _workflow_dict(workflow)
    tasks: dict[str, str] = {}
    for tid, body in dct.pop("tasks").items():
        body["wf"] = ""
        tasks[tid] = _dumps(body)
    subprocesses = dct.pop("subprocesses")
    headers = {}
    for sp_id, sp in subprocesses.items():
        for tid, body in sp.pop("tasks").items():
            body["wf"] = sp_id
            tasks[tid] = _dumps(body)
        headers[sp_id] = sp
    dct["subprocesses"] = headers
    dct["format"] = STATE_FORMAT
    return StoredState(header=_dumps(dct), tasks=tasks)


def _workflow_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    """What ``SERIALIZER.to_dict`` gives, without serializing the specs (a third of a dump's time)."""
    conv = _workflow_converter()
    dct = WorkflowConverter.to_dict(conv, workflow)
    dct["subprocesses"] = conv.mapping_to_dict(workflow.subprocesses)
    dct["bpmn_events"] = REGISTRY.convert(workflow.bpmn_events)
    dct["typename"] = REGISTRY.typenames[type(workflow)]
    return dct


def restore(spec_json: str, state: StoredState,
            restored: tuple[Any, dict[str, Any]] | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from its spec and stored state; the caller must re-attach the script engine.

    ``restored``: what ``specs(spec_json)`` returned, if the caller has just asked for it."""
    dct = json.loads(state.header)
    if dct.pop("format", None) != STATE_FORMAT:
        raise ValueError("case state was written by an incompatible Turnus version")
    bodies: dict[str, dict[str, dict[str, Any]]] = {"": {}, **{sp_id: {} for sp_id in dct["subprocesses"]}}
    for tid, body_json in state.tasks.items():
        body = json.loads(body_json)
        iterations.adopt_packed(body.get("internal_data", {}))
        bodies[body.pop("wf")][tid] = body
    dct["tasks"] = _parents_first(bodies[""], dct["root"])
    for sp_id, sp in dct["subprocesses"].items():
        sp["tasks"] = _parents_first(bodies[sp_id], sp["root"])
    return _rebuild(dct, *(restored or specs(spec_json)))


def _rebuild(dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """``BpmnWorkflowConverter.from_dict`` around given specs (SpiffWorkflow 3.2.0's steps, in its order)."""
    conv = _workflow_converter()
    workflow = conv.target_class(spec, subprocess_specs, deserializing=True)
    workflow.tasks = conv.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    conv.set_default_attributes(workflow, dct)
    conv.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = REGISTRY.restore(dct.pop("bpmn_events", []))
    return workflow


def _parents_first(bodies: dict[str, dict[str, Any]], root: str) -> dict[str, dict[str, Any]]:
    # SpiffWorkflow rebuilds each task's data from its parent's, so parents must come first.
    ordered: dict[str, dict[str, Any]] = {}
    queue = [root]
    while queue:
        tid = queue.pop()
        body = bodies.get(tid)
        if body is None:
            continue
        ordered[tid] = body
        queue.extend(reversed(body["children"]))
    if len(ordered) != len(bodies):
        raise ValueError("case state is inconsistent: tasks unreachable from the root")
    return ordered


def diff(before: StoredState | None, after: StoredState) -> StateDiff:
    old_tasks = before.tasks if before else {}
    upserts = {tid: body for tid, body in after.tasks.items() if old_tasks.get(tid) != body}
    deletes = [tid for tid in old_tasks if tid not in after.tasks]
    header = after.header if before is None or before.header != after.header else None
    written = sum(len(b) for b in upserts.values()) + (len(header) if header else 0)
    return StateDiff(header=header, upserts=upserts, deletes=deletes, bytes_written=written)
