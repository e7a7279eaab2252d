"""Restored process specs, reused between commands while they are provably unchanged.

Restoring a spec from its JSON is most of a command's CPU (ENGINE-NOTES: ~8 ms of ~20 on the rotation
process), but SpiffWorkflow mutates specs at run time: an event subprocess rewires its start task, a
Camunda multi-instance re-points its input and hooks a listener onto its child spec, and our own
``reapply_multiinstance_inputs`` does the same on load. A spec is therefore reused only when a snapshot
taken at the next load equals the one taken right after it was restored: its full serialized form (every
attribute the library persists) and the number of listeners on every event of every task spec (which the
library does not persist). Any difference drops the cached spec and restores a fresh one, so a case never
sees another case's mutation; checking costs about a tenth of restoring.

Each thread keeps its own cache (web threads, the timer thread), so two commands never share a spec object
at the same time. A few versions per thread are kept; the least recently used is dropped.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec

KEEP_PER_THREAD = 8
_EVENTS = ("update_event", "ready_event", "completed_event", "error_event", "cancelled_event", "run_event")


@dataclass
class _Entry:
    spec: WorkflowSpec
    subprocess_specs: dict[str, WorkflowSpec]
    snapshot: tuple[Any, ...]


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.entries: OrderedDict[str, _Entry] = OrderedDict()


_cache = _PerThread()


def _listeners(event: Any) -> int:
    return len(event.hard_subscribers or ()) + len(event.weak_subscribers or ())


def snapshot(registry: Any, spec: WorkflowSpec, subprocess_specs: dict[str, WorkflowSpec]) -> tuple[Any, ...]:
    """Everything about the specs a run can change: their serialized form and their event listeners."""
    specs = [spec, *subprocess_specs.values()]
    listeners = tuple(_listeners(getattr(ts, name)) for ws in specs for ts in ws.task_specs.values()
                      for name in _EVENTS)
    # Written out as text: the library's dicts share lists with the live spec (``outputs`` is ``spec._outputs``).
    form = json.dumps([registry.convert(spec), {k: registry.convert(v) for k, v in subprocess_specs.items()}],
                      default=repr, check_circular=False)
    return (form, listeners)


def specs_for(spec_json: str, registry: Any, restore: Any) -> tuple[WorkflowSpec, dict[str, WorkflowSpec]]:
    """The specs of ``spec_json``: the cached objects if unchanged since restored, else freshly restored."""
    entries = _cache.entries
    entry = entries.get(spec_json)
    if entry is not None:
        if snapshot(registry, entry.spec, entry.subprocess_specs) == entry.snapshot:
            entries.move_to_end(spec_json)
            return entry.spec, entry.subprocess_specs
        del entries[spec_json]  # a run changed it: never hand it to another case
    spec, subprocess_specs = restore(spec_json)
    entries[spec_json] = _Entry(spec, subprocess_specs, snapshot(registry, spec, subprocess_specs))
    while len(entries) > KEEP_PER_THREAD:
        entries.popitem(last=False)
    return spec, subprocess_specs


def clear() -> None:
    """Forget this thread's cached specs (tests)."""
    _cache.entries.clear()
