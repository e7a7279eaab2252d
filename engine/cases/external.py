"""External tasks (issue 23): the worker's commands that change a case — complete (the workflow runs on, one
audited command) and report a failure (no retries left: an incident on the case) — and an administrator's retry.

Each first locks the case row, then reads the task's row, as every command does, so two commands on one case
cannot deadlock; a worker that no longer holds the task (engine.cases.external_locks) is refused with a Conflict
and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from engine.cases import live
from engine.cases.commands import Ctx, case_row, require_running
from engine.cases.external_locks import case_of, require_held, row_of
from engine.cases.external_rows import INCIDENT_KIND, data_text, incident_of, waiting_ids
from engine.cases.incident_queries import note
from engine.definitions.camunda import NAME_RE
from engine.errors import Conflict, InvalidInput
from engine.identity import User
from engine.runtime import external as rt_external
from engine.runtime import workflow as rt
from engine.store.tables import cases, external_tasks

MAX_DATA_BYTES = 65_536
MAX_MESSAGE = 2000
MAX_DETAILS = 20_000


def _locked_row(ctx: Ctx, task_id: str, worker_id: str | None) -> tuple[Any, Any]:
    """The case row (locked first, as every command does, so two commands cannot deadlock) and the task's row."""
    case = case_row(ctx.conn, case_of(ctx.conn, task_id))
    row = row_of(ctx.conn, task_id)
    require_held(row, worker_id, ctx.now)
    require_running(case)
    return case, row


def checked_data(data: dict[str, Any]) -> dict[str, Any]:
    for key in data:
        if not isinstance(key, str) or not NAME_RE.match(key):
            raise InvalidInput(f"Data key {key!r} is not a variable name (letters, digits and _; it may not start "
                               "with _ or a digit)", reason="data_key_invalid", key=str(key))
    if len(data_text(data)) > MAX_DATA_BYTES:
        raise InvalidInput(f"The data is larger than {MAX_DATA_BYTES:,} bytes", reason="data_too_large",
                           count=MAX_DATA_BYTES)
    return dict(data)


def complete(ctx: Ctx, user: User, task_id: str, worker_id: str | None, data: dict[str, Any]) -> None:
    """Merge ``data`` into the task and run the case on to its next wait, in the caller's transaction."""
    values = checked_data(data)
    case, row = _locked_row(ctx, task_id, worker_id)
    version = ctx.cache.get(ctx.conn, case.version_id)
    lc = live.load(ctx.conn, case, version, ctx.now, ctx.cache)
    lc.actor = user
    task = rt.get_task(lc.wf, task_id)
    if task is None or str(task.id) not in waiting_ids(lc.wf):
        raise Conflict(f"External task {task_id} is not waiting in its case any more", reason="external_task_closed",
                       task=task_id, state="gone")
    before = {k: task.data.get(k) for k in values}
    ctx.conn.execute(update(external_tasks).where(external_tasks.c.id == task_id).values(
        state="completed", ended_at=ctx.now, ended_by=user.name, lock_expires_at=None))
    rt_external.complete(task, values, ctx.now)
    rt.advance(lc.wf, ctx.now)
    lc.events.add("external_task_completed", user.name, element_id=row.element_id, task_id=task_id,
                  name=row.element_name, topic=row.topic, worker=row.worker_id, data=values,
                  changes={k: {"before": before[k], "after": v} for k, v in values.items() if before[k] != v})
    if case.incident_json:
        lc.events.add("incident_resolved", user.name, by="external_task_completed")
    live.commit(lc)


def fail(ctx: Ctx, user: User, task_id: str, worker_id: str, message: str, details: str | None, retries: int,
         retry_timeout_ms: int) -> bool:
    """Record a worker's failure: fetchable again after the timeout, or — no retries left — an incident on the
    case (returns True then)."""
    message = (message or "").strip()[:MAX_MESSAGE] or "the external worker failed"
    case, row = _locked_row(ctx, task_id, worker_id)
    retry_at = ctx.now + timedelta(milliseconds=retry_timeout_ms) if retry_timeout_ms and retries > 0 else None
    ctx.conn.execute(update(external_tasks).where(external_tasks.c.id == task_id).values(
        retries=retries, error_message=message, error_details=(details or None) and details[:MAX_DETAILS],
        next_fetch_at=retry_at, worker_id=None, lock_expires_at=None))
    note(ctx.conn, case.id, "external_task_failed", user.name, ctx.now, element_id=row.element_id,
         task_id=task_id, name=row.element_name, worker=worker_id, message=message, retries=retries,
         retry_at=retry_at.isoformat() if retry_at else None)
    if retries > 0:
        return False
    info = incident_of(row_of(ctx.conn, task_id))
    note(ctx.conn, case.id, "incident_raised", user.name, ctx.now, element_id=row.element_id, name=row.element_name,
         message=message, line=None, error_kind="external", command=INCIDENT_KIND)
    ctx.conn.execute(update(cases).where(cases.c.id == case.id).values(incident_json=json.dumps(asdict(info))))
    return True


def retry_failed(ctx: Ctx, case_id: str, task_id: str) -> None:
    """An administrator's retry of the incident of a task with no retries left: one more retry, fetchable now."""
    case = case_row(ctx.conn, case_id)
    row = row_of(ctx.conn, task_id)
    require_held(row, None, ctx.now)
    require_running(case)
    ctx.conn.execute(update(external_tasks).where(external_tasks.c.id == task_id).values(
        retries=1, next_fetch_at=None, worker_id=None, lock_expires_at=None))
    note(ctx.conn, case_id, "incident_resolved", "system", ctx.now, by="external_task_retries",
         element_id=row.element_id, task_id=task_id)
    ctx.conn.execute(update(cases).where(cases.c.id == case_id).values(incident_json=None))
