"""Restored process specs, reused between commands while they are provably unchanged.

Restoring a spec from its JSON is most of a command's CPU (ENGINE-NOTES: ~8 ms of ~20 on the rotation
process), but SpiffWorkflow mutates specs at run time. A spec is therefore reused only when a snapshot taken
at the next load equals the one taken right after it was restored; any difference drops the cached spec and
restores a fresh one, so a case never sees another case's mutation.

The snapshot records what SpiffWorkflow 3.2.0 and Turnus change at run time (read in full for issue 11):
- the inputs and outputs of every task spec, and which task spec each name of its process spec maps to
  (triggering an event subprocess connects it: ``BpmnStartTask.trigger_wf``);
- the number of listeners on every event of every task spec (a loop or multi-instance hooks its child spec;
  the library does not persist listeners);
- the whole serialized form of the task specs that change their own attributes: multi-instance (Camunda's
  ``update_task_spec`` re-points its input and cardinality; so does ``reapply_multiinstance_inputs``), loops
  and start tasks (``trigger_specs``).
Serializing every task spec instead (the check before) cost a quarter of a completion. The test suite runs
with TURNUS_SPEC_CHECK_AUDIT=1: reuses then also compare the full serialized form and record a mutation the
snapshot missed, and the suite fails on it (tests/conftest.py). The first 16 reuses of a cached version are
audited, then every 8th, and every entry when it is dropped and after each test (``audit_cached``): a missed
mutation stays in the cached object, so a later audit still sees it, while a 900-step loop no longer pays 26 ms
a step for the audit.

Each thread keeps its own cache (web threads, the timer thread), so two commands never share a spec object
at the same time. A few versions per thread are kept; the least recently used is dropped.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec

KEEP_PER_THREAD = 8
_EVENTS = ("update_event", "ready_event", "completed_event", "error_event", "cancelled_event", "run_event")
_SELF_CHANGING = (LoopTask, BpmnStartTask)  # task specs whose run-time code sets their own attributes
AUDIT = os.environ.get("TURNUS_SPEC_CHECK_AUDIT") == "1"
missed: list[str] = []  # under AUDIT: spec_json prefixes whose mutation the snapshot did not see


@dataclass
class _Entry:
    spec: WorkflowSpec
    subprocess_specs: dict[str, WorkflowSpec]
    snapshot: tuple[Any, ...]
    full: tuple[Any, ...] | None = None  # only under AUDIT
    reuses: int = 0


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.entries: OrderedDict[str, _Entry] = OrderedDict()


_cache = _PerThread()


def _listeners(event: Any) -> int:
    return len(event.hard_subscribers or ()) + len(event.weak_subscribers or ())


def snapshot(registry: Any, spec: WorkflowSpec, subprocess_specs: dict[str, WorkflowSpec]) -> tuple[Any, ...]:
    """What a run can change in the specs (see the module's docstring)."""
    parts: list[Any] = []
    for ws in (spec, *subprocess_specs.values()):
        # The task specs themselves, not their ids: kept alive, a replaced one can never share an id with it.
        parts.append(tuple(ws.task_specs.items()))
        for ts in ws.task_specs.values():
            parts.append((tuple(ts._inputs), tuple(ts._outputs),
                          *(_listeners(getattr(ts, name)) for name in _EVENTS)))
            if isinstance(ts, _SELF_CHANGING):
                parts.append(json.dumps(registry.convert(ts), default=repr, check_circular=False))
    return tuple(parts)


def full_snapshot(registry: Any, spec: WorkflowSpec, subprocess_specs: dict[str, WorkflowSpec]) -> tuple[Any, ...]:
    """Every persisted attribute of every spec and every listener count: the audit's reference."""
    specs = [spec, *subprocess_specs.values()]
    listeners = tuple(_listeners(getattr(ts, name)) for ws in specs for ts in ws.task_specs.values()
                      for name in _EVENTS)
    # Written out as text: the library's dicts share lists with the live spec (``outputs`` is ``spec._outputs``).
    form = json.dumps([registry.convert(spec), {k: registry.convert(v) for k, v in subprocess_specs.items()}],
                      default=repr, check_circular=False)
    return (form, listeners)


def _audit(registry: Any, key: str, entry: _Entry) -> bool:
    """Under AUDIT: False, and recorded, when the full form changed while the snapshot says it did not."""
    if snapshot(registry, entry.spec, entry.subprocess_specs) != entry.snapshot:
        return True  # seen: the next lookup restores afresh
    if full_snapshot(registry, entry.spec, entry.subprocess_specs) == entry.full:
        return True
    missed.append(key[:200])
    return False


def _audit_due(reuses: int) -> bool:
    return reuses <= 16 or reuses % 8 == 0


def audit_cached(registry: Any) -> None:
    """Under AUDIT: check every entry this thread holds (the test suite calls it after each test)."""
    for key, entry in list(_cache.entries.items()):
        if not _audit(registry, key, entry):
            del _cache.entries[key]


def specs_for(spec_json: str, registry: Any, restore: Any) -> tuple[WorkflowSpec, dict[str, WorkflowSpec]]:
    """The specs of ``spec_json``: the cached objects if unchanged since restored, else freshly restored."""
    entries = _cache.entries
    entry = entries.get(spec_json)
    if entry is not None:
        if snapshot(registry, entry.spec, entry.subprocess_specs) == entry.snapshot:
            entry.reuses += 1
            if AUDIT and _audit_due(entry.reuses) and not _audit(registry, spec_json, entry):
                del entries[spec_json]
            else:
                entries.move_to_end(spec_json)
                return entry.spec, entry.subprocess_specs
        else:
            del entries[spec_json]  # a run changed it: never hand it to another case
    spec, subprocess_specs = restore(spec_json)
    entries[spec_json] = _Entry(spec, subprocess_specs, snapshot(registry, spec, subprocess_specs),
                                full_snapshot(registry, spec, subprocess_specs) if AUDIT else None)
    while len(entries) > KEEP_PER_THREAD:
        dropped, old = entries.popitem(last=False)
        if AUDIT:
            _audit(registry, dropped, old)
    return spec, subprocess_specs


def clear() -> None:
    """Forget this thread's cached specs (tests)."""
    _cache.entries.clear()
