"""External tasks (issue 23): a worker's fetch and lock, and the checks every worker command shares.

This module reads and writes only the ``external_tasks`` table (engine/cases/external_rows.py keeps it in line
with the workflows), so a fetch never loads a case nor imports the workflow library, and concurrent workers never
wait for each other: PostgreSQL passes over rows another fetcher holds (``SKIP LOCKED``); SQLite's write
transaction serialises fetchers. Holding a task means: the row is open, the worker id is the one that locked it,
and the lock has not expired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from engine.errors import Conflict, NotFound
from engine.store.tables import cases, external_tasks


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


def row_of(conn: Connection, task_id: str) -> Any:
    row = conn.execute(select(external_tasks).where(external_tasks.c.id == task_id)).first()
    if row is None:
        raise NotFound(f"No external task {task_id!r}", reason="no_external_task", task=task_id)
    return row


def require_held(row: Any, worker_id: str | None, now: datetime) -> None:
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


def extend_lock(conn: Connection, now: datetime, task_id: str, worker_id: str, duration_ms: int) -> datetime:
    row = row_of(conn, task_id)
    require_held(row, worker_id, now)
    until = now + timedelta(milliseconds=duration_ms)
    result = conn.execute(update(external_tasks).where(
        external_tasks.c.id == task_id, external_tasks.c.state == "open", external_tasks.c.worker_id == worker_id,
        and_(external_tasks.c.lock_expires_at.is_not(None), external_tasks.c.lock_expires_at > now))
        .values(lock_expires_at=until))
    if result.rowcount != 1:  # lost to a fetcher between the read and the write
        raise Conflict(f"Worker {worker_id!r} does not hold external task {task_id}: fetch it again",
                       reason="external_task_not_held", task=task_id, worker=worker_id)
    return until


def open_steps(conn: Connection, case_id: str) -> tuple[str, ...]:
    """The names of the external tasks case ``case_id`` waits at, oldest first, each once (its "waiting on")."""
    names = conn.execute(select(external_tasks.c.element_name).where(
        external_tasks.c.case_id == case_id, external_tasks.c.state == "open")
        .order_by(external_tasks.c.created_at, external_tasks.c.id)).scalars()
    return tuple(dict.fromkeys(names))
