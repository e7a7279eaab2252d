"""Does a case's live state agree with what its events say?

The chain proves the events; the stored workflow state (``case_state*``), the inbox rows (``tasks``) and
the case row are separate tables an editor could change without touching an event. This replays the
events — status, open tasks and their assignees, and the last value a person entered for each data field
(unless a script or decision rewrote it later) — and compares them with what the stored state says now.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from engine.audit import stats
from engine.cases import live, relations
from engine.cases.versions import VersionCache
from engine.errors import Finding
from engine.store.tables import case_events, cases, tasks

_STATUS_OF = {"case_completed": "completed", "case_cancelled": "cancelled"}


def expected_from_events(conn: Connection, case_id: str) -> dict[str, Any]:
    status, data = "running", {}
    open_tasks: dict[str, str | None] = {}
    for ev in conn.execute(select(case_events.c.kind, case_events.c.task_id, case_events.c.payload_json)
                           .where(case_events.c.case_id == case_id).order_by(case_events.c.seq)):
        p = json.loads(ev.payload_json)
        status = _STATUS_OF.get(ev.kind, status)
        # Only what a person entered is checked; a key a script or decision wrote later is the engine's
        # to compute (branch- and loop-local copies make replaying those unreliable), so it drops out.
        if ev.kind in ("case_started", "task_completed"):
            data.update(p.get("data") or {})
        elif ev.kind == "data_changed":  # an administrator's `set data`
            data.update({k: c.get("after") for k, c in (p.get("changes") or {}).items()})
        elif ev.kind == "decision_evaluated":
            for key in p.get("outputs") or {}:
                data.pop(key, None)
        elif ev.kind == "script_run":
            for key in p.get("changed") or {}:
                data.pop(key, None)
        opened = ev.kind == "task_created"
        if opened or (ev.kind in ("task_claimed", "task_assigned", "task_released") and ev.task_id in open_tasks):
            open_tasks[ev.task_id] = p.get("assignee")
        elif ev.kind in ("task_completed", "task_cancelled"):
            open_tasks.pop(ev.task_id, None)
    if status != "running":
        open_tasks = {}
    return {"status": status, "data": data, "open_tasks": open_tasks}


def _same(a: Any, b: Any) -> bool:
    # Events hold JSON; the live state may hold dates or tuples that JSON writes as strings or lists.
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def check_case(conn: Connection, cache: VersionCache, case_id: str) -> list[Finding]:
    """What disagrees, in words (empty: the live state is what the events say)."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        return [Finding(f"case {case_id}: no such case", "no_case")]
    if not live.has_state(conn, case_id):
        # Not "consistent": a deleted state must not pass. An imported case (`audit import`) has none by design.
        return [Finding(f"case {case_id} has no stored workflow state (deleted, or imported from an audit export): "
                        "only its chain can be checked", "no_state")]
    want = expected_from_events(conn, case_id)
    problems = []
    if row.status != want["status"]:
        problems.append(Finding(f"status is {row.status!r} but the events say {want['status']!r}", "status_differs",
                                have=row.status, want=want["status"]))
    have_open = {r.id: r.assignee for r in conn.execute(select(tasks.c.id, tasks.c.assignee)
                                                        .where(tasks.c.case_id == case_id, tasks.c.state == "open"))}
    for tid in sorted(set(have_open) - set(want["open_tasks"])):
        problems.append(Finding(f"task {tid} is open but no event opened it (or its completion is recorded)",
                                "task_open_unrecorded", task=tid))
    for tid in sorted(set(want["open_tasks"]) - set(have_open)):
        problems.append(Finding(f"task {tid} should be open according to the events but is not",
                                "task_should_be_open", task=tid))
    for tid in sorted(set(have_open) & set(want["open_tasks"])):
        if have_open[tid] != want["open_tasks"][tid]:
            problems.append(Finding(f"task {tid} is assigned to {have_open[tid]!r} but the events say "
                                    f"{want['open_tasks'][tid]!r}", "assignee_differs", task=tid,
                                    have=have_open[tid], want=want["open_tasks"][tid]))
    problems += relations.disagreements(conn, case_id)
    problems += stats.case_disagreements(conn, case_id)
    version = cache.get(conn, row.version_id)
    try:
        lc = live.load(conn, row, version, row.started_at, reuse=False)
    except Exception as err:  # state rows edited by hand: a finding about this case, and the check goes on
        problems.append(Finding(f"the stored workflow state cannot be restored ({type(err).__name__}: {err})",
                                "state_unrestorable", error=f"{type(err).__name__}: {err}"[:300]))
        return [p.prefixed(f"case {case_id}: ") for p in problems]
    have = live.case_data(lc.wf)
    if row.data_json is not None and row.data_json != live.data_json(have):
        problems.append(Finding("the case data kept for reading (cases.data_json) is not the stored state's",
                                "case_data_projection_differs"))
    for key, value in sorted(want["data"].items()):
        # A key absent from the live data left scope legitimately (multi-instance or subprocess locals).
        if key in have and not _same(have[key], value):
            problems.append(Finding(f"field {key!r} is {have[key]!r} in the stored state but the events say "
                                    f"{value!r}", "field_differs", field=key, have=have[key], want=value))
    return [p.prefixed(f"case {case_id}: ") for p in problems]
