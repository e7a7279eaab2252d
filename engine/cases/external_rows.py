"""The ``external_tasks`` rows of one case, kept in line with its workflow by every command's commit
(engine.cases.live): the row of a task the case reaches is written in the transaction that reached it, and a task
the case no longer waits at (a boundary event fired, the case was cancelled) is closed with it. The worker's
commands on the rows are engine.cases.external."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.audit import EventWriter
from engine.cases.incidents import IncidentInfo
from engine.runtime import external as rt_external
from engine.store.tables import cases, external_tasks

INCIDENT_KIND = "external_task"  # the command of an incident raised by a failure with no retries left


def data_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def waiting_ids(wf: Any) -> set[str]:
    return {str(t.id) for t in rt_external.waiting(wf)}


def sync(conn: Connection, case_id: str, wf: Any, running: bool, before: set[str], events: EventWriter,
         now: datetime) -> bool:
    """Make the open rows of the case those of its waiting external tasks; ``before``: those waiting at load.
    False when there was nothing to do."""
    current = {str(t.id): t for t in rt_external.waiting(wf)} if running else {}
    if not current and not before:
        return False  # the common case: no external task before or after, and no query
    stored = {r.id: r for r in conn.execute(select(external_tasks.c.id, external_tasks.c.data_json,
                                                   external_tasks.c.element_id)
                                            .where(external_tasks.c.case_id == case_id,
                                                   external_tasks.c.state == "open"))}
    for tid in sorted(stored.keys() - current.keys()):
        conn.execute(update(external_tasks).where(external_tasks.c.id == tid).values(
            state="cancelled", ended_at=now, worker_id=None, lock_expires_at=None))
        events.add("external_task_cancelled", "system", element_id=stored[tid].element_id, task_id=tid)
    for tid, task in current.items():
        text = data_text(task.data)
        if tid not in stored:
            spec = task.task_spec
            name = spec.bpmn_name or spec.bpmn_id
            conn.execute(insert(external_tasks).values(
                id=tid, case_id=case_id, element_id=spec.bpmn_id, element_name=name, topic=spec.topic,
                state="open", data_json=text, created_at=now))
            events.add("external_task_created", "system", element_id=spec.bpmn_id, task_id=tid, name=name,
                       topic=spec.topic)
        elif stored[tid].data_json != text:  # e.g. an administrator corrected the data: the next worker sees it
            conn.execute(update(external_tasks).where(external_tasks.c.id == tid).values(data_json=text))
    return True


def keep_incident(conn: Connection, case_id: str) -> None:
    """Every commit clears the case's incident; one of an external task with no retries left stays until an
    administrator retries it (the task is not fetched before)."""
    stuck = conn.execute(select(external_tasks).where(
        external_tasks.c.case_id == case_id, external_tasks.c.state == "open", external_tasks.c.retries == 0)
        .order_by(external_tasks.c.created_at)).first()
    if stuck is not None:
        conn.execute(update(cases).where(cases.c.id == case_id).values(
            incident_json=json.dumps(asdict(incident_of(stuck)))))


def incident_of(row: Any) -> IncidentInfo:
    return IncidentInfo(row.element_id, row.element_name, row.error_message or "the external worker failed", None,
                        "external", {"kind": INCIDENT_KIND, "external_task_id": row.id})
