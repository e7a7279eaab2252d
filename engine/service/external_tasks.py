"""The Engine's external-task commands (issue 23): fetch and lock, complete, report a failure, extend a lock.

Each is one transaction. A completion runs the case on like any command (audited, within the work budget); a
script that then fails undoes the completion and records an incident whose retry completes the task again with
the worker's data. Only administrators and ``integration`` accounts may do them (``identity.may_work_external``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine import identity
from engine.errors import Forbidden, InvalidInput
from engine.identity import User
from engine.service.base import EngineCore

MAX_TASKS = 100
MAX_LOCK_MS = 7 * 24 * 3600 * 1000  # a week; a worker that needs longer extends its lock
MAX_RETRIES = 1000


def _text(value: str, what: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise InvalidInput(f"Give the {what} (1 to {limit} characters)", reason="external_field", field=what,
                           count=limit)
    return value.strip()


def _ms(value: int, what: str, low: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_LOCK_MS:
        raise InvalidInput(f"{what} must be a whole number of milliseconds from {low} to {MAX_LOCK_MS:,}",
                           reason="external_duration", field=what, count=MAX_LOCK_MS)
    return value


class ExternalTaskCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def _external_worker(self, conn: Connection, actor: str) -> User:
        user = self._user(conn, actor)
        if not identity.may_work_external(user):
            raise Forbidden(f"{actor} may not work external tasks (needs the admin or integration role)",
                            reason="external_not_allowed")
        return user

    def fetch_and_lock(self, actor: str, worker_id: str, topics: Mapping[str, int], max_tasks: int = 1) -> list[Any]:
        """Lock up to ``max_tasks`` tasks of ``topics`` (topic -> lock duration in ms) for ``worker_id``."""
        from engine.cases import external_locks

        worker = _text(worker_id, "worker id")
        wanted = {_text(name, "topic name"): _ms(ms, "lock_duration_ms") for name, ms in topics.items()}
        if not wanted:
            raise InvalidInput("Name at least one topic to fetch", reason="external_no_topic")
        if not isinstance(max_tasks, int) or not 1 <= max_tasks <= MAX_TASKS:
            raise InvalidInput(f"max_tasks must be from 1 to {MAX_TASKS}", reason="external_max_tasks",
                               count=MAX_TASKS)

        def run(conn: Connection, now: datetime) -> list[Any]:
            self._external_worker(conn, actor)
            return external_locks.fetch_and_lock(conn, now, worker, wanted, max_tasks)
        return self._write(run)

    def complete_external(self, task_id: str, actor: str, worker_id: str, data: Mapping[str, Any] | None = None
                          ) -> None:
        """Complete the task ``worker_id`` holds with ``data`` merged into the case; a Conflict if it holds none."""
        from engine.cases import external

        worker = _text(worker_id, "worker id")
        values = external.checked_data(dict(data or {}))

        def case_of(conn: Connection) -> str:  # who may ask comes first: a refusal does not say what exists
            self._external_worker(conn, actor)
            return external.case_of(conn, task_id)
        case_id = self._read(case_of)

        def run(conn: Connection, now: datetime) -> None:
            user = self._external_worker(conn, actor)
            external.complete(self._ctx(conn, now), user, task_id, worker, values)
        self._write(run, case_id=case_id, actor=actor,
                    command={"kind": "external_complete", "external_task_id": task_id, "actor": actor,
                             "worker_id": worker, "data": values})

    def fail_external(self, task_id: str, actor: str, worker_id: str, message: str, *, details: str | None = None,
                      retries: int = 0, retry_timeout_ms: int = 0) -> bool:
        """Report that the worker failed; True when no retries are left and the case now has an incident."""
        from engine.cases import external

        worker = _text(worker_id, "worker id")
        if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
            raise InvalidInput(f"retries must be from 0 to {MAX_RETRIES}", reason="external_retries",
                               count=MAX_RETRIES)
        timeout = _ms(retry_timeout_ms, "retry_timeout_ms", low=0)

        def run(conn: Connection, now: datetime) -> bool:
            user = self._external_worker(conn, actor)
            return external.fail(self._ctx(conn, now), user, task_id, worker, message, details, retries, timeout)
        return self._write(run)

    def extend_external_lock(self, task_id: str, actor: str, worker_id: str, duration_ms: int) -> datetime:
        """Give the worker that holds the task ``duration_ms`` more from now; returns the new expiry."""
        from engine.cases import external_locks

        worker = _text(worker_id, "worker id")
        duration = _ms(duration_ms, "new_duration_ms")

        def run(conn: Connection, now: datetime) -> datetime:
            self._external_worker(conn, actor)
            return external_locks.extend_lock(conn, now, task_id, worker, duration)
        return self._write(run)
