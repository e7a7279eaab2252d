"""Deliveries written in the transaction of the case events they report: a command that rolls back leaves none,
and one that commits leaves one row per event and matching subscription."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from engine.store.tables import definition_versions, webhook_deliveries, webhooks
from engine.store.wake import wake
from engine.webhooks import kinds


def new_id() -> str:
    return "msg_" + uuid.uuid4().hex


def body_of(event: dict[str, Any], kind: str, process: str | None) -> str:
    """The JSON sent: Standard Webhooks' type / timestamp / data, with the case event's public fields."""
    payload = {k: v for k, v in json.loads(event["payload_json"]).items() if k not in kinds.WITHHELD}
    data: dict[str, Any] = {"case_id": event["case_id"], "process": process, "event_seq": event["seq"],
                            "case_event": event["kind"], "actor": event["actor"],
                            "element_id": event["element_id"], "task_id": event["task_id"], **payload}
    if event["kind"] in kinds.OUTCOME:
        data["outcome"] = kinds.OUTCOME[event["kind"]]
    return json.dumps({"type": kind, "timestamp": event["at"].isoformat(timespec="microseconds"), "data": data},
                      separators=(",", ":"), ensure_ascii=False, default=str)


# Built once: the first is sent by every command that writes a subscribable event.
_ACTIVE_HOOKS = select(webhooks.c.id, webhooks.c.events).where(webhooks.c.active.is_(True))
_PROCESS_KEY = select(definition_versions.c.key).where(definition_versions.c.id == bindparam("id"))


def enqueue_events(conn: Connection, events: Sequence[dict[str, Any]]) -> int:
    """Called by engine.audit's event writer with the rows it is inserting; returns the deliveries written.

    Costs nothing when no event is of a subscribable kind, and one small query otherwise."""
    wanted = [(e, kinds.FROM_CASE_EVENT[e["kind"]]) for e in events if e["kind"] in kinds.FROM_CASE_EVENT]
    if not wanted:
        return 0
    hooks = [(h.id, set(h.events.split())) for h in conn.execute(_ACTIVE_HOOKS)]
    if not hooks:
        return 0
    process = conn.execute(_PROCESS_KEY, {"id": events[0]["version_id"]}).scalar()
    rows = []
    for event, kind in wanted:
        body = None
        for hook_id, chosen in hooks:
            if kind in chosen:
                body = body or body_of(event, kind, process)
                rows.append({"id": new_id(), "webhook_id": hook_id, "event": kind, "case_id": event["case_id"],
                             "event_seq": event["seq"], "body": body, "created_at": event["at"],
                             "status": "pending", "attempts": 0, "next_attempt_at": event["at"]})
    if rows:
        conn.execute(insert(webhook_deliveries), rows)
        wake(conn)
    return len(rows)
