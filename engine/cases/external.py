"""External tasks (issue 23): the ``external_tasks`` rows and the worker's commands on them.

``sync`` runs in every command's commit (engine.cases.live), so the row of a task the case reaches is written in the
transaction that reached it, and a task the case no longer waits at (a boundary event, cancel) is closed with it.
A worker fetches and locks rows (``fetch_and_lock``: only this table; ``SKIP LOCKED`` on PostgreSQL so concurrent
workers never wait on or take each other's rows), then completes (the workflow runs on, one audited command) or
reports a failure. Holding a task means: the row is open, the worker id is the one that locked it, and the lock has
not expired — a late worker is refused with a Conflict and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from engine.cases import live
from engine.cases.commands import Ctx, case_row, require_running
from engine.cases.external_rows import INCIDENT_KIND, data_text, incident_of, waiting_ids
from engine.cases.incident_queries import note
from engine.definitions.camunda import NAME_RE
from engine.errors import Conflict, InvalidInput, NotFound
from engine.identity import User
from engine.runtime import external as rt_external
from engine.runtime import workflow as rt
from engine.store.tables import cases, external_tasks

MAX_DATA_BYTES = 65_536
MAX_MESSAGE = 2000
MAX_DETAILS = 20_000


@dataclass(frozen=True)
class Locked:
    """An external task as a worker receives it."""

    id: str
    case_id: str
    business_key: str | None
    process: str
    element_id: str
    element_name: str
    topic: str
    worker_id: str
    lock_expires_at: datetime
    retries: int | None
    error_message: str | None
    variables: dict[str, Any]


# --- the worker's commands -----------------------------------------------------------------------------------


def fetch_and_lock(conn: Connection, now: datetime, worker_id: str, topics: dict[str, int],
                   max_tasks: int) -> list[Locked]:
    """Lock up to ``max_tasks`` open, unlocked (or expired), fetchable tasks of ``topics`` (name -> lock ms)."""
    query = (select(external_tasks, cases.c.business_key, cases.c.key)
             .join(cases, cases.c.id == external_tasks.c.case_id)
             .where(external_tasks.c.topic.in_(sorted(topics)), external_tasks.c.state == "open",
                    or_(external_tasks.c.retries.is_(None), external_tasks.c.retries > 0),
                    or_(external_tasks.c.lock_expires_at.is_(None), external_tasks.c.lock_expires_at <= now),
                    or_(external_tasks.c.next_fetch_at.is_(None), external_tasks.c.next_fetch_at <= now),
                    # a case in an incident waits for an administrator, as its timers do
                    cases.c.status == "running", cases.c.incident_json.is_(None))
             .order_by(external_tasks.c.created_at, external_tasks.c.id).limit(max_tasks)
             # PostgreSQL: rows another fetcher holds are passed over, not waited for (SQLite's write
             # transaction already serialises fetchers).
             .with_for_update(skip_locked=True, of=external_tasks))
    found = []
    for row in conn.execute(query).all():
        until = now + timedelta(milliseconds=topics[row.topic])
        # Guarded again by the conditions above: a row is never taken from a holder whose lock is still valid.
        result = conn.execute(update(external_tasks).where(
            external_tasks.c.id == row.id, external_tasks.c.state == "open",
            or_(external_tasks.c.lock_expires_at.is_(None), external_tasks.c.lock_expires_at <= now))
            .values(worker_id=worker_id, lock_expires_at=until))
        if result.rowcount != 1:
            continue
        found.append(Locked(row.id, row.case_id, row.business_key, row.key, row.element_id, row.element_name,
                            row.topic, worker_id, until, row.retries, row.error_message, json.loads(row.data_json)))
    return found


def case_of(conn: Connection, task_id: str) -> str:
    found = conn.execute(select(external_tasks.c.case_id).where(external_tasks.c.id == task_id)).scalar()
    if found is None:
        raise NotFound(f"No external task {task_id!r}", reason="no_external_task", task=task_id)
    return str(found)


def _row(conn: Connection, task_id: str) -> Any:
    row = conn.execute(select(external_tasks).where(external_tasks.c.id == task_id)).first()
    if row is None:
        raise NotFound(f"No external task {task_id!r}", reason="no_external_task", task=task_id)
    return row


def _require_held(row: Any, worker_id: str | None, now: datetime) -> None:
    """``worker_id`` None: an administrator's retry, which needs no lock."""
    if row.state != "open":
        raise Conflict(f"External task {row.id} is {row.state}: there is nothing more to do with it",
                       reason="external_task_closed", task=row.id, state=row.state)
    if worker_id is None:
        return
    if row.worker_id != worker_id or row.lock_expires_at is None or row.lock_expires_at <= now:
        holder = "nobody holds it" if row.worker_id is None or row.lock_expires_at is None \
            or row.lock_expires_at <= now else "another worker holds it"
        raise Conflict(f"Worker {worker_id!r} does not hold external task {row.id} ({holder}): fetch it again",
                       reason="external_task_not_held", task=row.id, worker=worker_id)


def _locked_row(ctx: Ctx, task_id: str, worker_id: str | None) -> tuple[Any, Any]:
    """The case row (locked first, as every command does, so two commands cannot deadlock) and the task's row."""
    case = case_row(ctx.conn, case_of(ctx.conn, task_id))
    row = _row(ctx.conn, task_id)
    _require_held(row, worker_id, ctx.now)
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
    info = incident_of(_row(ctx.conn, task_id))
    note(ctx.conn, case.id, "incident_raised", user.name, ctx.now, element_id=row.element_id, name=row.element_name,
         message=message, line=None, error_kind="external", command=INCIDENT_KIND)
    ctx.conn.execute(update(cases).where(cases.c.id == case.id).values(incident_json=json.dumps(asdict(info))))
    return True


def extend_lock(conn: Connection, now: datetime, task_id: str, worker_id: str, duration_ms: int) -> datetime:
    row = _row(conn, task_id)
    _require_held(row, worker_id, now)
    until = now + timedelta(milliseconds=duration_ms)
    result = conn.execute(update(external_tasks).where(
        external_tasks.c.id == task_id, external_tasks.c.state == "open", external_tasks.c.worker_id == worker_id,
        and_(external_tasks.c.lock_expires_at.is_not(None), external_tasks.c.lock_expires_at > now))
        .values(lock_expires_at=until))
    if result.rowcount != 1:  # lost to a fetcher between the read and the write
        raise Conflict(f"Worker {worker_id!r} does not hold external task {task_id}: fetch it again",
                       reason="external_task_not_held", task=task_id, worker=worker_id)
    return until


def retry_failed(ctx: Ctx, case_id: str, task_id: str) -> None:
    """An administrator's retry of the incident of a task with no retries left: one more retry, fetchable now."""
    case = case_row(ctx.conn, case_id)
    row = _row(ctx.conn, task_id)
    _require_held(row, None, ctx.now)
    require_running(case)
    ctx.conn.execute(update(external_tasks).where(external_tasks.c.id == task_id).values(
        retries=1, next_fetch_at=None, worker_id=None, lock_expires_at=None))
    note(ctx.conn, case_id, "incident_resolved", "system", ctx.now, by="external_task_retries", element_id=row.element_id,
         task_id=task_id)
    ctx.conn.execute(update(cases).where(cases.c.id == case_id).values(incident_json=None))
