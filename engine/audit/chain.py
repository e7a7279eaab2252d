"""The append-only, hash-chained case history.

Each event's hash covers its content and the previous event's hash; the case row keeps the last
sequence number and hash, so a deleted tail is caught too. Nothing here updates or deletes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from engine.audit.stats import record as record_stats
from engine.store.tables import case_events, cases
from engine.webhooks.outbox import enqueue_events

GENESIS = "0" * 64


def _canonical(case_id: str, seq: int, at: datetime, actor: str, kind: str, element_id: str | None,
               task_id: str | None, payload_json: str, version_id: int) -> bytes:
    body = [case_id, seq, at.isoformat(timespec="microseconds"), actor, kind, element_id, task_id,
            payload_json, version_id]
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(prev_hash: str, *fields: Any) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(*fields)).hexdigest()


def dump_payload(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class EventWriter:
    """Appends events for one case inside the command's transaction."""

    conn: Connection
    case_id: str
    version_id: int
    seq: int
    last_hash: str
    at: datetime  # one instant for the whole command
    _pending: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.at = self.at.astimezone(UTC)  # the hash covers the instant as written, in UTC

    def add(self, kind: str, actor: str, *, element_id: str | None = None, task_id: str | None = None,
            **payload: Any) -> None:
        self.seq += 1
        payload_json = dump_payload(payload)
        digest = event_hash(self.last_hash, self.case_id, self.seq, self.at, actor, kind, element_id, task_id,
                            payload_json, self.version_id)
        self._pending.append({
            "case_id": self.case_id, "seq": self.seq, "at": self.at, "actor": actor, "kind": kind,
            "element_id": element_id, "task_id": task_id, "payload_json": payload_json,
            "version_id": self.version_id, "prev_hash": self.last_hash, "hash": digest,
        })
        self.last_hash = digest

    def seal(self) -> dict[str, Any]:
        """Write the pending events (one batch) and return the case-row values that anchor the chain's tail.

        Every case event of a command passes here, so the webhook deliveries they cause and the per-element
        statistics are written here too, in the same transaction (engine/webhooks/outbox.py,
        engine/audit/stats.py)."""
        if self._pending:
            self.conn.execute(insert(case_events), self._pending)
            enqueue_events(self.conn, self._pending)
            record_stats(self.conn, self._pending)
            self._pending = []
        return {"last_event_seq": self.seq, "last_event_hash": self.last_hash}


@dataclass(frozen=True)
class VerifyFailure:
    case_id: str
    seq: int | None
    problem: str  # English, for logs and the command line
    reason: str = ""  # with params: what a page says in the reader's language
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "the case row"
        return f"case {self.case_id}, {where}: {self.problem}"


def verify_case(conn: Connection, case_id: str) -> VerifyFailure | None:
    """Recompute the chain of one case; return the first bad event, or None if intact."""
    row = conn.execute(select(cases.c.last_event_seq, cases.c.last_event_hash).where(cases.c.id == case_id)).first()
    if row is None:
        return VerifyFailure(case_id, None, "no such case", "no_case")
    prev, expected_seq = GENESIS, 1
    rows = conn.execute(select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq))
    for ev in rows:
        if ev.seq != expected_seq:
            missing = "missing" if ev.seq > expected_seq else "duplicated"
            return VerifyFailure(case_id, expected_seq, f"event {expected_seq} is {missing} (found {ev.seq} next)",
                                 "event_" + missing, {"expected": expected_seq, "found": ev.seq})
        if ev.prev_hash != prev:
            return VerifyFailure(case_id, ev.seq, "does not follow the event before it (inserted, deleted or "
                                 "reordered)", "not_following")
        digest = event_hash(prev, ev.case_id, ev.seq, ev.at, ev.actor, ev.kind, ev.element_id, ev.task_id,
                            ev.payload_json, ev.version_id)
        if digest != ev.hash:
            return VerifyFailure(case_id, ev.seq, f"content was changed (kind {ev.kind!r}, actor {ev.actor!r})",
                                 "content_changed", {"kind": ev.kind, "actor": ev.actor})
        prev, expected_seq = ev.hash, expected_seq + 1
    if expected_seq - 1 != row.last_event_seq or prev != row.last_event_hash:
        return VerifyFailure(case_id, expected_seq - 1 or None,
                             f"the history ends at event {expected_seq - 1} but the case recorded "
                             f"{row.last_event_seq} events (events removed from the end)", "history_truncated",
                             {"last": expected_seq - 1, "recorded": row.last_event_seq})
    return None


def verify_all(conn: Connection) -> list[VerifyFailure]:
    failures = []
    for (case_id,) in conn.execute(select(cases.c.id).order_by(cases.c.started_at, cases.c.id)):
        failure = verify_case(conn, case_id)
        if failure:
            failures.append(failure)
    return failures

