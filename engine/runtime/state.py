"""Split a workflow into a small header and one JSON body per task, and put it back together.

A save then writes only the task rows whose JSON changed (ENGINE-NOTES: 68x fewer bytes than a
full blob per save). The spec is never part of the case state: it is restored from the
definition version, fresh for every load, because SpiffWorkflow mutates specs at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.definitions.specconfig import REGISTRY as SPEC_REGISTRY

REGISTRY = SPEC_REGISTRY
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


def new_workflow(spec_json: str) -> BpmnWorkflow:
    specs = spec_dict(spec_json)
    spec = REGISTRY.restore(specs["spec"])
    subprocess_specs = {name: REGISTRY.restore(s) for name, s in specs["subprocess_specs"].items()}
    return BpmnWorkflow(spec, subprocess_specs)


def _pack_merged(body: dict[str, Any]) -> None:
    # Pruned loop iterations leave "" in the loop task's "merged" list (only its length is read);
    # store their count instead of the run of empty strings, so the row stays small after 1,000 passes.
    merged = body.get("internal_data", {}).get("merged")
    if isinstance(merged, list) and merged and merged[0] == "":
        empty = next((i for i, m in enumerate(merged) if m != ""), len(merged))
        body["internal_data"]["merged"] = {"pruned": empty, "ids": merged[empty:]}


def _unpack_merged(body: dict[str, Any]) -> None:
    merged = body.get("internal_data", {}).get("merged")
    if isinstance(merged, dict):
        body["internal_data"]["merged"] = [""] * merged["pruned"] + merged["ids"]


def dump(workflow: BpmnWorkflow) -> StoredState:
    """Serialise the live workflow (without its spec) into header + per-task bodies."""
    dct = SERIALIZER.to_dict(workflow)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    tasks: dict[str, str] = {}
    for tid, body in dct.pop("tasks").items():
        body["wf"] = ""
        _pack_merged(body)
        tasks[tid] = _dumps(body)
    subprocesses = dct.pop("subprocesses")
    headers = {}
    for sp_id, sp in subprocesses.items():
        for tid, body in sp.pop("tasks").items():
            body["wf"] = sp_id
            _pack_merged(body)
            tasks[tid] = _dumps(body)
        headers[sp_id] = sp
    dct["subprocesses"] = headers
    dct["format"] = STATE_FORMAT
    return StoredState(header=_dumps(dct), tasks=tasks)


def restore(spec_json: str, state: StoredState) -> BpmnWorkflow:
    """Rebuild a workflow from its spec and stored state; the caller must re-attach the script engine."""
    dct = json.loads(state.header)
    if dct.pop("format", None) != STATE_FORMAT:
        raise ValueError("case state was written by an incompatible Turnus version")
    specs = spec_dict(spec_json)
    dct["spec"] = specs["spec"]
    dct["subprocess_specs"] = specs["subprocess_specs"]
    bodies: dict[str, dict[str, dict[str, Any]]] = {"": {}, **{sp_id: {} for sp_id in dct["subprocesses"]}}
    for tid, body_json in state.tasks.items():
        body = json.loads(body_json)
        _unpack_merged(body)
        bodies[body.pop("wf")][tid] = body
    dct["tasks"] = _parents_first(bodies[""], dct["root"])
    for sp_id, sp in dct["subprocesses"].items():
        sp["tasks"] = _parents_first(bodies[sp_id], sp["root"])
    return SERIALIZER.from_dict(dct)


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
