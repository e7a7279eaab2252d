"""Writing outbox rows inside a command's transaction, and waking the senders when it commits."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from engine.store.tables import outbox
from engine.store.wake import WAKE_CHANNEL, wake

__all__ = ["WAKE_CHANNEL", "enqueue", "wake"]


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
