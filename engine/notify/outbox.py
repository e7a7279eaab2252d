"""Writing outbox rows inside a command's transaction, and waking the senders when it commits."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, text

from engine.store.tables import outbox

WAKE_CHANNEL = "turnus_wake"


def wake(conn: Connection) -> None:
    """Ask the timer thread and the workers to look again once this transaction commits.

    On PostgreSQL a NOTIFY is delivered at commit (and dropped on rollback); ``Engine._write`` reads the flag
    after commit to wake the in-process thread.
    """
    if conn.info.get("turnus_wake"):
        return
    conn.info["turnus_wake"] = True
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"NOTIFY {WAKE_CHANNEL}"))


def enqueue(conn: Connection, kind: str, recipient: str, now: datetime, *, case_id: str | None = None,
            task_id: str | None = None, payload: dict[str, Any] | None = None,
            dedup_key: str | None = None, status: str = "pending") -> str:
    row_id = str(uuid.uuid4())
    conn.execute(insert(outbox).values(
        id=row_id, kind=kind, recipient=recipient, case_id=case_id, task_id=task_id,
        payload_json=json.dumps(payload or {}, ensure_ascii=False), created_at=now, status=status, attempts=0,
        next_attempt_at=now, dedup_key=dedup_key))
    wake(conn)
    return row_id
